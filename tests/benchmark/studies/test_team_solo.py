"""The lone player's layered walk: a sound lower bound on hand-built maps whose optimum is known by
hand, and one that binds where the other arguments of the bound do not."""

from __future__ import annotations

import math

import pytest

from benchmark.studies import team_bound, team_lower, team_map, team_solo
from envs.mac import rules as rules_lib

# Iron and stone to the left of the player, the four trees it needs (table 2, wood pickaxe 1,
# stone pickaxe 1) in a dead end to the right. By hand, fewest steps to the iron: step right (1),
# fell x=5 and step in (3), fell x=6 and step in (5), fell x=7 and step in (7), fell x=8 (8); walk
# back to x=3 (12), place the table on x=4 (13), make the wood pickaxe (14), mine the stone (15),
# make the stone pickaxe (16), step to x=2, x=1 (18), mine the iron (19).
IRON_AND_TREES_APART = ["I.SA.TTTT"]
IRON_OPTIMUM = 19
# Coal to the left, three trees to the right: fell them walking in (6), walk back past x=4 to x=1
# (11), place the table behind (12), make the pickaxe (13), mine the coal (14).
COAL_AND_TREES_APART = ["C..A.TTT"]
COAL_OPTIMUM = 14


def _walk(rows: list[str], goal: str) -> float:
    return team_solo.walk_bound(team_map.Layout.from_rows(rows), rules_lib.load("damcs"), goal)


@pytest.mark.parametrize(
    ("rows", "goal", "optimum"),
    [
        (IRON_AND_TREES_APART, "collect_iron", IRON_OPTIMUM),
        (COAL_AND_TREES_APART, "collect_coal", COAL_OPTIMUM),
        (["A.T"], "collect_wood", 2),
        (["TTT", "TAT", "SSS", "SCS"], "collect_coal", 8),
    ],
)
def test_the_walk_never_exceeds_the_optimum(rows: list[str], goal: str, optimum: int):
    walk = _walk(rows, goal)
    assert 0 < walk <= optimum
    assert team_bound.bound(team_map.Layout.from_rows(rows), 1, "damcs", goal).lower <= optimum


def test_the_walk_binds_where_the_other_arguments_do_not(monkeypatch: pytest.MonkeyPatch):
    # Alone, the player must fetch the trees on one side before the stone and iron on the other:
    # no single chain from the start (the other arguments) sees that it walks back.
    layout = team_map.Layout.from_rows(IRON_AND_TREES_APART)
    with_walk = team_bound.bound(layout, 1, "damcs", "collect_iron").lower
    monkeypatch.setattr(team_lower, "walk_bound", lambda *_: 0.0)
    without = team_bound.bound(layout, 1, "damcs", "collect_iron").lower
    assert without < with_walk == _walk(IRON_AND_TREES_APART, "collect_iron") <= IRON_OPTIMUM


def test_the_walk_needs_the_tools_in_order():
    # The coal is behind stone: without the trees there is no pickaxe, so no walk reaches it.
    assert _walk(["ASC"], "collect_coal") == math.inf
    # A walk that may hold every tool from the start would stand next to the coal at once (0
    # moves); the pickaxe first needs the tree walk.
    assert _walk(["TTT", "TAT", "SSS", "SCS"], "collect_coal") > team_solo.plan_actions(
        rules_lib.load("damcs"), "collect_coal"
    )


def test_a_goal_that_collects_nothing_adds_nothing():
    assert _walk(["TAT"], "place_table") == 0.0
