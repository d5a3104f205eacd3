"""The language model decides: shuffled menus with recorded seeds, the paper's reply in the memory,
counted fallbacks, and the model-free controls read against the scripted planner's choice."""

from __future__ import annotations

import json

import pytest

from agents import damcs, llm_decision, oracle, plain_llm
from agents.llm import FakeModel, controls, model
from envs import mac
from episode import loop

ENV = mac.EnvConfig(n_agents=2, max_steps=60)


def _entries(result) -> list[dict]:
    return [e for trace in result.trace.values() for e in trace]


def _play(build, lm, env=ENV, seed=0, **options):
    team = build(env, model=lm, **options)
    return team, loop.play_episode(team, env, seed, method="test", method_config=team.config)


def test_menus_are_shuffled_with_a_recorded_seed():
    _, result = _play(plain_llm.build_team, "fake")
    entries = _entries(result)
    # The same seed gives the same order; the recorded seed rebuilds it.
    first = entries[0]
    again = llm_decision.shuffled(sorted(first["options"]), first["menu_seed"])
    assert llm_decision.shuffled(sorted(first["options"]), first["menu_seed"]) == again
    orders = {tuple(e["options"]) for e in entries if len(e["options"]) > 3}
    assert len(orders) > 1
    _, replay = _play(plain_llm.build_team, "fake")
    assert [e["options"] for e in _entries(replay)] == [e["options"] for e in entries]


def test_the_first_option_no_longer_follows_the_plan():
    _, result = _play(damcs.build_team, "oracle", mac.EnvConfig(n_agents=1, max_steps=120))
    entries = _entries(result)
    references = [e["options"][e["reference"]] for e in entries]
    first = [e["options"][0] for e in entries]
    agree = sum(a == b for a, b in zip(references, first, strict=True)) / len(entries)
    assert len(entries) >= 10 and agree < 0.8


def test_noisy_oracle_one_is_the_oracle_and_zero_is_uniform():
    env = mac.EnvConfig(n_agents=2, max_steps=80)
    for build in (plain_llm.build_team, damcs.build_team):
        decisions = {
            spec: [e["decision"] for e in _entries(_play(build, spec, env)[1])]
            for spec in ("oracle", "noisy-oracle:1", "uniform", "noisy-oracle:0")
        }
        assert decisions["oracle"] == decisions["noisy-oracle:1"]
        assert decisions["uniform"] == decisions["noisy-oracle:0"]
        assert decisions["oracle"] != decisions["uniform"]


def test_the_oracle_takes_the_reference_and_reaches_the_diamond_alone():
    env = mac.EnvConfig(n_agents=1, world_seed=mac.PAPER_WORLD_SEED, privileged_map=True)
    _, result = _play(damcs.build_team, "oracle", env)
    entries = _entries(result)
    assert all(e["decision"] == e["options"][e["reference"]] for e in entries)
    assert result.record.success


def test_a_control_that_needs_a_reference_refuses_an_agent_without_one():
    lm = controls.build("noisy-oracle:0.5")
    request = model.ChoiceRequest("p", ("a", "b"))
    with pytest.raises(model.ValidationError, match="reference"):
        lm.choose([request])
    with pytest.raises(ValueError, match="noisy-oracle:P"):
        controls.accuracy_of("noisy-oracle:1.5")


def test_the_reference_is_the_planners_next_step():
    from agents.options import Option

    team, _ = _play(plain_llm.build_team, "fake", mac.EnvConfig(n_agents=1, max_steps=1))
    state = team.agents[0].state
    menu = [Option("explore"), Option("collect", "sapling"), Option("collect", "wood")]
    assert menu[oracle.reference_index(menu, state, "collect_diamond")].text == "collect wood"


def _replying(goal: str):
    def reply(prompt: str, options) -> str:
        menu = [line[2:] for line in prompt.split("Possible subgoals:\n")[1].splitlines()]
        menu = [m for m in menu if m and not m.startswith("{")][:50]
        operation = next((m for m in menu if m.startswith("collect wood")), "explore")
        return json.dumps(
            {
                "ultimate_goal": {"goal": "collect diamond", "status": "in progress"},
                "long_term_goal": {"goal": "make a wood pickaxe", "status": "in progress"},
                "current_goal": {"goal": goal, "status": "in progress"},
                "reflection": "trees are near",
                "summary": "I looked around.",
                "operation": operation,
            }
        )

    return reply


def test_the_models_goals_and_summary_land_in_the_knowledge_graph():
    lm = FakeModel(_replying("gather wood for tools"))
    lm.decide = "generate"
    team, result = _play(damcs.build_team, lm, mac.EnvConfig(n_agents=1, max_steps=30))
    record, entries = result.record, _entries(result)
    assert record.method_config["decide"] == "generate" and record.llm_fallbacks == 0
    assert all(
        e["mode"] == "generate" and e["reply"]["summary"] == "I looked around." for e in entries
    )
    graph = team.memories()["player_0"].to_graph()
    goals = {d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "goal"}
    long_terms = {d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "long_term_goal"}
    assert goals == {"gather wood for tools"} and "make a wood pickaxe" in long_terms
    assert "Last summary: I looked around." in team.lm.prompts[-1]
    assert '"operation"' in team.lm.prompts[0]


def test_unreadable_replies_are_counted_and_a_high_rate_stops_the_episode():
    lm = FakeModel(["not json at all %%%"])
    lm.decide = "generate"
    with pytest.raises(model.ModelError, match="max_fallback_rate"):
        _play(damcs.build_team, lm, mac.EnvConfig(n_agents=2, max_steps=350))
    lm = FakeModel(["%%%", '{"operation": "explore"}'])
    lm.decide = "generate"
    _, result = _play(damcs.build_team, lm, mac.EnvConfig(n_agents=1, max_steps=40))
    fallbacks = [e for e in _entries(result) if e["fallback"]]
    assert result.record.llm_fallbacks == len(fallbacks) > 0
