"""The semantic memory's relevance filter (`agents.memory.focus`), on menus built from the rules."""

from __future__ import annotations

from agents import options
from agents.memory import focus
from envs.mac import rules as rules_lib

RULES = rules_lib.load("damcs")
GOAL = "collect_diamond"
VITALS = {"health": 9, "food": 5, "drink": 5, "energy": 5}


def _menu(*texts: str) -> list[options.Option]:
    by_text = {
        "collect wood": options.Option("collect", "wood"),
        "collect sapling": options.Option("collect", "sapling"),
        "collect stone": options.Option("collect", "stone"),
        "collect coal": options.Option("collect", "coal"),
        "place table": options.Option("place", "table"),
        "place plant": options.Option("place", "plant"),
        "place stone": options.Option("place", "stone"),
        "make wood pickaxe": options.Option("make", "wood_pickaxe"),
        "make wood sword": options.Option("make", "wood_sword"),
        "share wood with player_1": options.Option("share", "wood", "player_1"),
        "share sapling with player_1": options.Option("share", "sapling", "player_1"),
        "share wood pickaxe with player_1": options.Option("share", "wood_pickaxe", "player_1"),
        "drink water": options.Option("drink"),
        "eat cow": options.Option("eat", "cow"),
        "sleep": options.Option("sleep"),
        "explore": options.Option("explore"),
    }
    return [by_text[t] for t in texts]


def _texts(menu: list[options.Option]) -> list[str]:
    return [o.text for o in menu]


def test_an_item_the_plan_still_needs_stays_and_a_detour_goes():
    menu = _menu("collect wood", "collect sapling", "place plant", "drink water", "explore")
    kept = focus.relevant(menu, RULES, GOAL, {**VITALS, "wood": 1})
    assert _texts(kept) == ["collect wood", "drink water", "explore"]


def test_wood_leaves_the_menu_once_the_tool_chain_has_enough():
    # The whole plan's bill decides: with every wood the chain needs in hand, more wood is a detour.
    inventory = {**VITALS, "wood": 20}
    menu = _menu("collect wood", "place table", "make wood sword", "explore")
    assert _texts(focus.relevant(menu, RULES, GOAL, inventory)) == ["place table", "explore"]


def test_a_station_already_known_is_not_placed_again():
    menu = _menu("collect wood", "place table", "make wood pickaxe", "explore")
    inventory = {**VITALS, "wood": 3}
    kept = focus.relevant(menu, RULES, GOAL, inventory, stations_known=("table",))
    assert "place table" not in _texts(kept)
    assert "make wood pickaxe" in _texts(kept)


def test_a_teammates_stated_need_keeps_its_collect_and_share():
    inventory = {**VITALS, "wood": 20, "sapling": 1}
    menu = _menu(
        "collect wood", "share wood with player_1", "share sapling with player_1", "explore"
    )
    alone = focus.relevant(menu, RULES, GOAL, inventory, stations_known=("table",))
    assert _texts(alone) == ["explore"]
    helped = focus.relevant(
        menu, RULES, GOAL, inventory, ("table",), teammate_needs={"player_1": {"wood": 2}}
    )
    assert _texts(helped) == ["collect wood", "share wood with player_1", "explore"]


def test_the_goals_tool_goes_only_to_a_tool_receiver():
    menu = [
        options.Option("share", "iron_pickaxe", "player_1"),
        options.Option("share", "iron_pickaxe", "player_2"),
        options.Option("share", "wood_pickaxe", "player_1"),
        options.Option("explore"),
    ]
    inventory = {**VITALS, "wood_pickaxe": 1, "iron_pickaxe": 1}
    kept = focus.relevant(menu, RULES, GOAL, inventory, tool_receivers=("player_2",))
    assert _texts(kept) == ["share iron pickaxe with player_2", "explore"]
    assert _texts(focus.relevant(menu, RULES, GOAL, inventory)) == ["explore"]


def test_vitals_and_explore_are_never_dropped():
    menu = _menu("drink water", "eat cow", "sleep", "explore")
    assert _texts(focus.relevant(menu, RULES, GOAL, dict(VITALS))) == _texts(menu)


def test_nothing_left_or_no_plan_keeps_the_whole_menu():
    detours = _menu("collect sapling", "place plant")
    assert _texts(focus.relevant(detours, RULES, GOAL, dict(VITALS))) == _texts(detours)
    # A goal the plan cannot serve (eating) leaves nothing to filter by.
    menu = _menu("collect sapling", "explore")
    assert _texts(focus.relevant(menu, RULES, "eat_cow", dict(VITALS))) == _texts(menu)


def test_a_supplier_plans_for_the_needs_it_heard_not_for_its_own_chain():
    menu = _menu("collect wood", "collect stone", "place table", "explore")
    inventory = {**VITALS, "wood_pickaxe": 1}
    heard = {"player_0": {"stone": 2}}
    own = focus.relevant(menu, RULES, GOAL, inventory, teammate_needs=heard)
    assert _texts(own) == _texts(menu)  # its own chain still needs wood and a table
    feeding = focus.relevant(menu, RULES, GOAL, inventory, teammate_needs=heard, supplier=True)
    assert _texts(feeding) == ["collect stone", "explore"]
    # Before it has heard any need, a supplier works toward the goal itself.
    assert _texts(focus.relevant(menu, RULES, GOAL, inventory, supplier=True)) == _texts(menu)


def test_a_pickaxe_a_teammate_asks_for_may_be_copied_and_shared():
    # The crafter holds its wood pickaxe: its own plan neither makes nor shares another one.
    inventory = {**VITALS, "wood": 2, "wood_pickaxe": 1}
    menu = _menu("make wood pickaxe", "share wood pickaxe with player_1", "explore")
    plain = focus.relevant(menu, RULES, GOAL, inventory, ("table",))
    assert _texts(plain) == ["explore"]
    asked = focus.relevant(
        menu, RULES, GOAL, inventory, ("table",), tool_requests={"player_1": "wood_pickaxe"}
    )
    assert _texts(asked) == _texts(menu)
    # A request by someone else does not open the share to player_1.
    other = focus.relevant(
        menu, RULES, GOAL, inventory, ("table",), tool_requests={"player_2": "wood_pickaxe"}
    )
    assert _texts(other) == ["make wood pickaxe", "explore"]
