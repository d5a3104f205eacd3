"""A-KGMS: graph hierarchy, summaries, the rule-derived prerequisite check, export and flat cost."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from agents import memory
from agents.memory import graph, graph_files, summaries
from envs.mac import rules as rules_lib

RULES = rules_lib.load("damcs")
VITALS = {"health": 9, "food": 9, "drink": 9, "energy": 9}


def _info(step: int, achievements: dict | None = None, **items: int) -> dict:
    return {
        "inventory": {**VITALS, **items},
        "achievements": achievements or {},
        "position": (32, 30 + step % 5),
        "facing": (0, 1),
        "step": step,
    }


def _decide(mem: memory.Memory, step: int, option: str, goal: str, result: str = "done", **items):
    mem.observe_info(_info(step, **items), view="grass around", messages=("player_1: hi",))
    mem.record(option, goal=goal, long_term_goal="make iron pickaxe", summary=f"did {option}")
    mem.resolve(result, f"{option} {result}")
    return mem.commit()


def test_graph_hierarchy_long_term_chain_goals_and_experiences():
    mem = memory.GraphMemory(RULES)
    mem.observe_info(_info(0))
    mem.record("collect wood", goal="collect wood", long_term_goal="make wood pickaxe")
    mem.commit()
    mem.observe_info(_info(3))
    mem.record("collect wood", goal="collect wood", long_term_goal="make wood pickaxe")
    mem.commit()  # same goal, same inventory: same goal node
    mem.observe_info(_info(5, wood=1))
    mem.record("collect wood", goal="collect wood", long_term_goal="make wood pickaxe")
    mem.commit()  # inventory changed: a new goal node
    mem.observe_info(_info(9, wood=3))
    mem.record("place table", goal="place table", long_term_goal="make wood pickaxe")
    mem.commit()  # goal changed
    mem.observe_info(_info(12, wood=1))
    mem.record("collect stone", goal="collect stone", long_term_goal="make stone pickaxe")
    mem.commit()  # long-term goal changed: the chain grows

    kg = mem.knowledge
    chain = list(kg.chain(graph.LONG_TERM))
    assert [kg.graph.nodes[n]["label"] for n in chain] == [
        "make wood pickaxe",
        "make stone pickaxe",
    ]
    assert kg.graph.edges[chain[0], chain[1]]["relation"] == graph.NEXT
    goals = kg.owned(chain[0])
    assert [kg.graph.nodes[g]["label"] for g in goals] == [
        "collect wood",
        "collect wood",
        "place table",
    ]
    assert len(kg.owned(goals[0])) == 2 and len(kg.owned(goals[1])) == 1
    assert kg.goal(goals[1]).inventory == {"wood": 1}
    exps = list(kg.chain(graph.EXPERIENCE))
    assert [kg.experience(e).step for e in exps] == [0, 3, 5, 9, 12]
    assert kg.count(graph.GOAL) == 4 and kg.count(graph.EXPERIENCE) == 5


def test_experience_records_state_option_result_and_reply():
    mem = memory.GraphMemory(RULES)
    mem.observe_info(_info(7, wood=2), messages=("player_0 needs 1 stone",))
    mem.record("place table", "place table", "make wood pickaxe", reply={"choice": "place table"})
    mem.resolve(memory.FAILED, "no free tile")
    mem.commit()
    exp = mem.knowledge.experience(mem.knowledge.last_experience_node)
    assert exp.step == 7 and exp.inventory == {"wood": 2} and exp.vitals == VITALS
    assert exp.position == (32, 32) and exp.facing == (0, 1)
    assert (exp.result, exp.reason) == ("failed", "no free tile")
    assert exp.reply == {"choice": "place table"}
    assert exp.messages == ("player_0 needs 1 stone",)


def test_writes_are_buffered_until_commit():
    mem = memory.GraphMemory(RULES)
    mem.observe_info(_info(1))
    mem.record("collect wood", "collect wood", "make wood pickaxe")
    assert mem.knowledge.count(graph.EXPERIENCE) == 0
    assert mem.summary().recent == ()
    mem.resolve("done", "collected 1 wood")
    touched = mem.commit()
    assert mem.knowledge.count(graph.EXPERIENCE) == 1 and "E0" in touched
    # A later outcome updates the committed experience in place.
    mem.resolve("interrupted", "received a share")
    assert mem.commit() == ("E0",)
    assert mem.knowledge.experience("E0").result == "interrupted"


def test_record_commits_a_forgotten_buffer():
    mem = memory.GraphMemory(RULES)
    mem.observe_info(_info(1))
    mem.record("collect wood", "collect wood", "x")
    mem.record("collect wood", "collect wood", "x")
    assert mem.knowledge.count(graph.EXPERIENCE) == 1


def test_summary_holds_last_summary_recent_efforts_accomplishments_and_checks():
    mem = memory.GraphMemory(RULES)
    for step in range(10):
        _decide(mem, step, "collect wood", "make wood pickaxe", wood=step)
    _decide(mem, 10, "place table", "make wood pickaxe", "failed", wood=10)
    mem.observe_info(_info(12, {"collect_wood": 1}, wood=1), view="a tree north")
    wm = mem.summary()
    assert wm.last_summary == "did place table"
    assert len(wm.recent) == summaries.RECENT == 7
    assert wm.recent[-1] == "step 10: place table -> failed (place table failed)"
    assert "collect wood 10 done" in wm.efforts and "place table 1 failed" in wm.efforts
    assert "since step 0" in wm.efforts and "11 decisions" in wm.efforts
    assert wm.accomplishments == "collect wood (step 12)"
    assert wm.goal_check == "place a table first"
    assert wm.long_term_check == "missing 1 coal, 1 iron; place a furnace first"
    text = wm.text
    for part in ("Now: step 12", "You see: a tree north", "Recent actions:", "Efforts so far:"):
        assert part in text
    assert "make iron pickaxe: uses 1 wood, 1 coal, 1 iron, near a furnace" in text


def test_efforts_reset_when_the_goal_changes():
    mem = memory.GraphMemory(RULES)
    _decide(mem, 0, "collect wood", "collect wood")
    _decide(mem, 4, "collect stone", "collect stone")
    assert mem.summary().efforts.startswith("toward collect stone since step 4")
    assert "collect wood" not in mem.summary().efforts


def test_prerequisite_check_comes_from_the_rule_data():
    check = summaries.prerequisite_text
    assert check(RULES, "make wood pickaxe", {"wood": 1}) == "place a table first"
    assert check(RULES, "make wood pickaxe", {}, ["table"], ["table"]) == "missing 1 wood"
    assert check(RULES, "make_wood_pickaxe", {"wood": 1}, ["table"]) == "navigate to a table"
    assert check(RULES, "make wood pickaxe", {"wood": 1}, ["table"], ["table"]) == "ready"
    assert check(RULES, "place a table", {"wood": 0}) == "missing 2 wood"
    assert check(RULES, "collect stone", {}) == "missing 1 wood pickaxe"
    assert check(RULES, "fly to the moon", {}).startswith("unknown goal")
    # Every make recipe's cost appears in the generated table exactly as the rule data says.
    table = summaries.recipe_table("damcs")
    for name, rule in RULES.make.items():
        uses = ", ".join(f"{n} {item.replace('_', ' ')}" for item, n in rule.uses.items())
        assert f"make {name.replace('_', ' ')}: uses {uses}" in table


def test_missing_items_bill_the_whole_plan():
    assert summaries.missing_items(RULES, "make wood pickaxe", {}) == {"wood": 3}
    assert summaries.missing_items(RULES, "make wood pickaxe", {}, ["table"]) == {"wood": 1}
    assert summaries.missing_items(RULES, "dance", {}) == {}


def test_goal_texts_map_to_achievements():
    find = summaries.achievement_for
    assert find(RULES, "Make a wood pickaxe.") == "make_wood_pickaxe"
    assert find(RULES, "collect 3 stone") == "collect_stone"
    assert find(RULES, "iron_pickaxe") == "make_iron_pickaxe"
    assert find(RULES, "get a diamond") == "collect_diamond"
    assert find(RULES, "dance") is None


def test_export_json_and_graphml_round_trip(tmp_path):
    mem = memory.GraphMemory(RULES)
    for step in range(6):
        _decide(mem, step, "collect wood", "collect wood", wood=step // 2)
    original = mem.to_graph()
    written = graph_files.export_team(
        {"player_0": mem, "player_1": memory.NullMemory(RULES)}, tmp_path
    )
    assert sorted(p.name for p in written) == ["player_0.graphml", "player_0.json"]
    for read in (
        graph_files.read_json(tmp_path / "player_0.json"),
        graph_files.read_graphml(written[1]),
    ):
        assert set(read.nodes) == set(original.nodes)
        assert set(read.edges) == set(original.edges)
        assert dict(read.nodes["E5"]) == dict(original.nodes["E5"])
        resumed = graph.KnowledgeGraph(read)
        assert resumed.experience("E5") == mem.knowledge.experience("E5")
        assert resumed.count(graph.EXPERIENCE) == 6
        assert resumed.current_goal == mem.knowledge.current_goal
    json.loads((tmp_path / "player_0.json").read_text())


def test_experience_and_goal_validate_and_round_trip():
    exp = memory.Experience(
        step=3, option="collect wood", inventory={"wood": 1}, position=(1, 2), reply={"a": [1]}
    )
    assert memory.Experience.from_dict(json.loads(json.dumps(exp.to_dict()))) == exp
    goal = memory.Goal("collect wood", "make wood pickaxe", 3, {"wood": 1})
    assert memory.Goal.from_dict(goal.to_dict()) == goal
    bad = [
        {"step": -1, "option": "x"},
        {"step": 1, "option": ""},
        {"step": 1, "option": "x", "inventory": {"wood": -2}},
        {"step": 1, "option": "x", "position": [1]},
        {"step": 1, "option": "x", "result": "maybe"},
        {"step": 1, "option": "x", "colour": "red"},
        {"option": "x"},
        [1, 2],
    ]
    for data in bad:
        with pytest.raises(memory.ExperienceError):
            memory.Experience.from_dict(data)
    with pytest.raises(memory.ExperienceError):
        memory.GraphMemory(RULES).resolve("great")


def test_adding_the_300th_experience_touches_a_bounded_number_of_nodes():
    mem = memory.GraphMemory(RULES)
    touched = []
    for step in range(300):
        goal = ["collect wood", "place table", "collect stone"][step // 40 % 3]
        touched.append(_decide(mem, step, "collect wood", goal, wood=step // 3))
    # New experience, previous experience, its goal; a new goal node and its predecessor and
    # long-term goal: never more than 6, whatever the history length.
    assert max(len(t) for t in touched) <= 6
    assert len(touched[299]) <= 6 and len(touched[299]) == len(touched[29])
    assert mem.knowledge.count(graph.EXPERIENCE) == 300
    assert len(mem.summary().recent) == 7
    # Summaries stay the same size: the prompt does not grow with the history.
    assert len(mem.summary().text) < 1.5 * len(_summary_after(30))


def _summary_after(n: int) -> str:
    mem = memory.GraphMemory(RULES)
    for step in range(n):
        goal = ["collect wood", "place table", "collect stone"][step // 40 % 3]
        _decide(mem, step, "collect wood", goal, wood=step // 3)
    return mem.summary().text


def test_null_memory_keeps_only_the_current_observation():
    mem = memory.build(RULES, enabled=False)
    assert isinstance(mem, memory.NullMemory) and not mem.enabled
    _decide(mem, 0, "collect wood", "collect wood", wood=1)
    mem.observe_info(_info(5, {"collect_wood": 1}, wood=2), view="a tree", messages=("hi",))
    wm = mem.summary()
    assert wm.now.startswith("step 5") and "2 wood" in wm.now
    assert (wm.view, wm.messages) == ("a tree", ("hi",))
    assert wm.recent == () and wm.efforts == "" and wm.recipes == "" and wm.goal_check == ""
    assert mem.commit() == ()
    assert isinstance(mem.to_graph(), nx.DiGraph) and mem.to_graph().number_of_nodes() == 0
    assert isinstance(memory.build("damcs"), memory.GraphMemory)
