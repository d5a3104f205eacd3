from __future__ import annotations

import json
import sys

import pytest

from agents import decision_reply, prompting
from agents.llm import controls, factory, model
from benchmark.studies import decision_probe, output

STATES = decision_probe.load()


def test_stored_states_come_from_real_play_and_carry_the_oracle_label():
    assert len(STATES) >= 300
    keys = {(i.request.prompt, i.request.options) for i in STATES}
    assert len(keys) == len(STATES)  # deduplicated
    assert {i.n_agents for i in STATES} == set(decision_probe.TEAM_SIZES)
    assert {i.method for i in STATES} == {"plain-llm", "damcs"}
    assert {i.world_seed for i in STATES} == set(decision_probe.WORLD_SEEDS)
    assert {i.control for i in STATES} == {"oracle", "uniform"}
    for item in STATES:
        assert item.label in item.request.options
        assert item.request.neutral_prompt and item.request.neutral_prompt.endswith(
            prompting.LEAD_IN
        )
        assert item.reply_prompt.endswith(decision_reply.instructions(item.reply_goals))
    # Menus are shuffled: the label is not always in the same place.
    assert len({i.request.reference for i in STATES}) > 3


def test_collection_records_the_agents_requests_deterministically():
    episode = decision_probe.Episode("damcs", 2, decision_probe.WORLD_SEEDS[1], "oracle")
    first = decision_probe.play(episode, max_steps=30)
    again = decision_probe.play(episode, max_steps=30)
    assert first and [i.to_dict() for i in first] == [i.to_dict() for i in again]
    assert all(i.reply_goals for i in first)  # DAMCS asks for the paper's goals
    assert all("Possible subgoals:" in i.request.prompt for i in first)


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "states.json"
    decision_probe.save(STATES[:20], path)
    assert [i.to_dict() for i in decision_probe.load(path)] == [i.to_dict() for i in STATES[:20]]


def test_controls_read_as_rulers(tmp_path):
    out = tmp_path / "probe.json"
    args = decision_probe.Args(models=("oracle", "uniform", "fake", "noisy-oracle:0.5"), json=out)
    rows = {r["model"]: r for r in decision_probe.main(args)}
    assert set(rows) == {"oracle", "uniform", "fake", "noisy-oracle:0.5"}
    assert rows["oracle"]["accuracy"] == 1.0
    for name in ("uniform", "fake"):
        # Random picks on 480 fixed states: near chance (3 standard errors is about 0.05).
        assert abs(rows[name]["accuracy"] - rows[name]["chance"]) < 0.06
    assert rows["uniform"]["accuracy"] < rows["noisy-oracle:0.5"]["accuracy"] < 1.0
    assert set(rows["oracle"]["accuracy_by_team_size"]) == {"1", "2", "6"}
    written = json.loads(out.read_text())["rows"]
    assert [r["model"] for r in written] == list(rows)


def test_a_model_that_fails_to_load_stops_the_probe_with_one_line(tmp_path, capsys, monkeypatch):
    """No model is skipped: a missing one is an error naming it, and nothing is written."""
    out = tmp_path / "probe.json"
    args = decision_probe.Args(models=("uniform", "/no/such/model", "oracle"), limit=3, json=out)
    with pytest.raises(output.StudyError, match="--models /no/such/model: no model at"):
        decision_probe.main(args)
    assert not out.exists()
    monkeypatch.setattr(sys, "argv", ["decision_probe", "--models", "/no/such/model"])
    assert decision_probe.cli() == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("decision_probe: --models /no/such/model")


def test_models_never_see_the_label():
    seen = []

    class Spy(controls.FakeModel):
        def choose(self, requests):
            seen.extend(requests)
            return super().choose(requests)

    decision_probe.probe(Spy(), STATES[:12], batch=5)
    assert len(seen) == 12 and all(r.reference is None for r in seen)


def test_generate_mode_reads_structured_replies_and_counts_unreadable_ones():
    def reply(prompt, options):
        if options is not None:
            return options[0]
        last = _menu(prompt)[-1]
        return "no idea" if last == "explore" else json.dumps({"operation": last})

    items = STATES[:10]
    row = decision_probe.probe(controls.FakeModel(reply), items, decide="generate")
    unreadable = sum(i.request.options[-1] == "explore" for i in items)
    assert 0 < unreadable < len(items)
    assert row["unreadable"] == unreadable
    right = sum(i.request.options[-1] == i.label != "explore" for i in items)
    assert row["correct"] == right


def _menu(prompt):
    listed = prompt.split("Possible subgoals:\n", 1)[1].split("\n\n", 1)[0]
    return [line[2:] for line in listed.splitlines()]


def test_wilson_interval():
    low, high = decision_probe.wilson(50, 100)
    assert low == pytest.approx(0.404, abs=1e-3) and high == pytest.approx(0.596, abs=1e-3)


def test_a_tiny_model_is_probed_by_every_score(tiny_model_dir):
    for score in ("mean", "pmi"):
        lm = factory.make_model(
            str(tiny_model_dir), device="cpu", dtype="fp32", cache=None, option_score=score
        )
        row = decision_probe.probe(lm, STATES[:6], batch=3)
        assert row["decisions"] == 6 and row["unreadable"] == 0
        assert row["s_per_decision"] > 0
        assert isinstance(lm, model.LanguageModel)
