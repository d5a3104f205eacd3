from __future__ import annotations

import json

from agents import prompting
from agents.llm import controls, factory, openai_compat
from benchmark.studies import decision_probe
from envs.mac import rules as rules_lib

RULES = rules_lib.load("damcs")


def test_situations_cover_the_milestone_chain_and_vitals():
    names = [s.name for s in decision_probe.situations(RULES)]
    for milestone in RULES.milestones():
        assert milestone in names
    assert {"low_drink", "low_food", "low_energy"} <= set(names)
    for situation in decision_probe.situations(RULES):
        assert situation.correct not in situation.distractors
        assert len(set(situation.distractors)) == 4
        # The agents' real menu always offers "explore" and vital subgoals; so does the probe.
        assert decision_probe.EXPLORE in situation.distractors
        assert set(situation.distractors) & set(decision_probe.VITAL_SUBGOALS.values())


def test_prompt_uses_the_agents_recipe_table():
    _, _, request = decision_probe.requests(RULES)[0]
    assert prompting.recipe_table(RULES) in request.prompt


def test_correct_option_visits_every_menu_position():
    asked = decision_probe.requests(RULES, list_menu=True)
    for situation in decision_probe.situations(RULES):
        mine = [(p, r) for s, p, r in asked if s.name == situation.name]
        positions = sorted(r.options.index(situation.correct) for _, r in mine)
        assert positions == list(range(1 + len(situation.distractors)))
        for position, request in mine:
            assert request.options.index(situation.correct) == position
            assert "; ".join(request.options) in request.prompt


def test_a_position_biased_model_scores_chance(tmp_path):
    out = tmp_path / "probe.json"
    rows = decision_probe.main(decision_probe.Args(presets=("fake", "/no/such/model"), json=out))
    assert len(rows) == 1  # the missing model is reported and skipped
    row = rows[0]
    assert row["accuracy"] == row["chance"] == 1 / 5
    assert row["accuracy_by_position"] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert json.loads(out.read_text())["rows"][0]["decisions"] == row["decisions"]


def test_factory_builds_each_backend(tiny_model_dir):
    assert isinstance(factory.make_model("fake"), controls.FakeModel)
    remote = factory.make_model("http://127.0.0.1:9/v1#qwen", cache=None)
    assert isinstance(remote, openai_compat.OpenAICompatibleModel)
    assert remote.model_id == "qwen@http://127.0.0.1:9/v1"
    local = factory.make_model(str(tiny_model_dir), device="cpu", cache=None)
    assert local.model_id == str(tiny_model_dir)
