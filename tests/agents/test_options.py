"""The option menu and the prerequisite checker / planner, against the rule data."""

from __future__ import annotations

import pytest

from agents import options, prerequisites
from envs.mac import rules as rules_lib

DAMCS = rules_lib.load("damcs")


def _texts(scene, agent: str = "player_0") -> list[str]:
    return [o.text for o in options.menu(scene.state(agent))]


def test_menu_for_an_empty_inventory(skill_scene):
    scene = skill_scene(n_agents=2)
    texts = _texts(scene)
    assert "collect wood" in texts
    assert "collect stone" not in texts  # needs a wood pickaxe first
    assert "place table" not in texts
    assert not any(t.startswith(("make", "share")) for t in texts)
    assert texts[-1] == "explore"


def test_menu_grows_with_inventory_and_known_stations(skill_scene):
    scene = skill_scene(n_agents=2)
    scene.give(wood=2, drink=5, food=4, energy=3)
    texts = _texts(scene)
    assert "place table" in texts
    assert "make wood pickaxe" not in texts  # no table known yet
    assert "share wood with player_1" in texts
    assert {"drink water", "eat cow", "sleep"} <= set(texts)
    scene.put((2, 0), "table")
    scene.give(wood_pickaxe=1, iron_pickaxe=1)
    texts = _texts(scene)
    assert {"make wood pickaxe", "collect stone", "collect coal"} <= set(texts)
    assert "share iron pickaxe with player_1" in texts
    assert "collect iron" not in texts


def test_every_menu_option_has_a_skill_and_round_trips(skill_scene):
    scene = skill_scene(n_agents=2)
    scene.give(wood=5, stone=5, wood_pickaxe=1, drink=3)
    state = scene.state()
    for option in options.menu(state):
        assert option.skill(state) is not None
        assert options.Option.from_dict(option.to_dict()) == option


def test_invalid_options_are_rejected():
    with pytest.raises(options.OptionError):
        options.Option("fly")
    with pytest.raises(options.OptionError):
        options.Option("share", "wood")
    with pytest.raises(options.OptionError):
        options.Option("collect", "wood", amount=0)
    with pytest.raises(options.OptionError):
        options.Option.from_dict({"target": "wood"})


def test_option_texts_are_plain_words():
    assert options.Option("collect", "wood", amount=3).text == "collect 3 wood"
    assert options.Option("make", "iron_pickaxe").text == "make iron pickaxe"
    assert options.Option("share", "iron_pickaxe", "player_5").text == (
        "share iron pickaxe with player_5"
    )
    assert options.Option("drink").text == "drink water"
    assert options.Option("eat", "cow").text == "eat cow"


def test_plan_from_scratch_follows_the_milestone_chain():
    steps = prerequisites.plan(DAMCS, "collect_diamond", {})
    assert steps[0].text == "collect 5 wood"
    assert steps[-1].text == "collect diamond"
    done = {f"{s.kind}_{s.target}" for s in steps}
    assert done == set(DAMCS.milestones("collect_diamond"))
    # The reference's minimum material for a diamond, derived from the rule data.
    assert prerequisites.bill(steps) == {"wood": 5, "coal": 1, "stone": 5, "iron": 1, "diamond": 1}


def test_plan_uses_inventory_and_known_stations():
    inventory = {"wood": 3, "wood_pickaxe": 1}
    steps = prerequisites.plan(DAMCS, "collect_diamond", inventory, stations=["table"])
    assert "place table" not in [s.text for s in steps]
    assert "wood" not in prerequisites.bill(steps)  # 3 wood cover both remaining pickaxes
    crafter = rules_lib.load("crafter")
    steps = prerequisites.plan(crafter, "make_iron_pickaxe", {})
    assert [s.text for s in steps][-2:] == ["place furnace", "make iron pickaxe"]


def test_check_reports_ready_missing_and_stations():
    assert prerequisites.check(DAMCS, "collect_wood", {}).text == "ready"
    assert prerequisites.check(DAMCS, "place_table", {"wood": 0}).text == "missing 2 wood"
    check = prerequisites.check(DAMCS, "make_stone_pickaxe", {"wood": 1, "stone": 1}, ["table"])
    assert check.text == "navigate to a table"
    check = prerequisites.check(DAMCS, "make_iron_pickaxe", {"wood": 1}, ["table"])
    assert check.text == "missing 1 coal, 1 iron; place a furnace first"
    check = prerequisites.check(DAMCS, "make_wood_pickaxe", {"wood": 1}, ["table"], ["table"])
    assert check.ready
    assert prerequisites.check(DAMCS, "collect_iron", {}).text == "missing 1 stone pickaxe"
