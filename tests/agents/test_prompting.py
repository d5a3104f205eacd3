"""Prompts are built from the rule data and the agent's own state, section by section."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from agents import driver, options, prompting
from envs.mac import rules as rules_lib


def _context(state, **kwargs) -> prompting.DecisionContext:
    menu = tuple(o.text for o in options.menu(state))
    return prompting.DecisionContext(state=state, goal="collect_diamond", menu=menu, **kwargs)


def test_recipe_table_is_generated_from_the_rules():
    rules = rules_lib.load("damcs")
    table = prompting.recipe_table(rules)
    assert "- wood pickaxe: uses 1 wood; near a table" in table
    assert "- iron pickaxe: uses 1 wood, 1 coal, 1 iron; near a furnace" in table
    assert "- diamond gives 1 diamond; needs 1 iron pickaxe" in table
    assert "- grass gives 1 sapling (10% chance)" in table
    crafter = prompting.recipe_table(rules_lib.load("crafter"))
    assert "iron pickaxe: uses 1 wood, 1 coal, 1 iron; near a table and a furnace" in crafter


def test_changing_a_recipe_in_the_rules_changes_the_prompt(skill_scene):
    scene = skill_scene(1)
    scene.give(wood=3)
    state = scene.state()
    rules = state.rules
    pickaxe = dataclasses.replace(rules.make["wood_pickaxe"], uses=MappingProxyType({"wood": 3}))
    changed = dataclasses.replace(
        rules, make=MappingProxyType({**rules.make, "wood_pickaxe": pickaxe})
    )
    before = prompting.build(_context(state))
    after = prompting.build(_context(dataclasses.replace(state, rules=changed)))
    assert "wood pickaxe: uses 1 wood; near a table" in before
    assert "wood pickaxe: uses 3 wood; near a table" in after
    assert "uses 3 wood" not in before


def test_prompt_holds_observation_inventory_history_and_menu(skill_scene):
    scene = skill_scene(2)
    scene.put((3, 0), "tree")
    scene.put((0, -3), "water")
    scene.give(wood=2, wood_pickaxe=1, drink=2)
    state = scene.state()
    history = (driver.Outcome(4, "collect wood", "done", "collected 1 wood", 9),)
    context = _context(state, history=history, max_steps=350)
    prompt = prompting.build(context)
    assert "You are player_0" in prompt and "team of 2" in prompt
    assert "Inventory: 2 wood, 1 wood pickaxe." in prompt
    assert "drink 2/9 (low)" in prompt
    assert "tree 3 steps east" in prompt
    assert "water 3 steps north" in prompt
    assert "Not seen yet:" in prompt and "diamond" in prompt.split("Not seen yet:")[1]
    assert "- step 4: collect wood: done (collected 1 wood)" in prompt
    menu_lines = prompt.split("Possible subgoals:\n")[1].splitlines()[: len(context.menu)]
    assert menu_lines == [f"- {option}" for option in context.menu]
    assert "place table" in context.menu and "share wood with player_1" in context.menu
    assert prompt.endswith(prompting.LEAD_IN)


def test_sections_plug_in_before_the_menu_and_none_is_left_out(skill_scene):
    state = skill_scene(1).state()

    def messages(context: prompting.DecisionContext) -> prompting.Section:
        return prompting.Section("Messages", context.extra["inbox"])

    sections = prompting.with_sections([messages, lambda _: None])
    assert sections[-1] is prompting.menu_section and sections[-3] is messages
    prompt = prompting.build(_context(state, extra={"inbox": "player_1: I have 3 stone"}), sections)
    assert prompt.index("Messages:\nplayer_1") < prompt.index("Possible subgoals:")
    assert "Your last subgoals" not in prompt  # no history yet


def test_landmarks_and_directions_follow_the_rules():
    rules = rules_lib.load("damcs")
    marks = prompting.landmarks(rules, "collect_diamond")
    assert {"tree", "stone", "coal", "iron", "diamond", "water", "table", "furnace", "cow"} <= set(
        marks
    )
    assert "grass" not in marks
    assert prompting.direction(-2, -3) == "north-west"
    assert prompting.direction(0, 4) == "south"
    assert prompting.direction(0, 0) == "here"


def test_sections_and_contexts_validate_themselves(skill_scene):
    with pytest.raises(ValueError):
        prompting.Section("Rules", "  ")
    with pytest.raises(ValueError):
        prompting.DecisionContext(state=skill_scene(1).state(), goal="collect_diamond", menu=())
