"""Two players' split of the work: never above the optimum (hand-built map), never above a plan
that replays (real map), and it binds where the other arguments of the bound do not."""

from __future__ import annotations

import pytest

from benchmark.studies import team_bound, team_lower, team_map, team_split
from envs.mac import rules as rules_lib

# Player 0 among trees, player 1 next to a stone with the coal behind it; by hand the fewest
# steps to the coal are 8 (test_team_bound).
COAL_FAR_AWAY = ["TAT....ASC", "TT......SS"]


def test_the_split_never_exceeds_the_optimum_on_a_hand_built_map():
    layout = team_map.Layout.from_rows(COAL_FAR_AWAY)
    split = team_split.split_bound(layout, rules_lib.load("damcs"), "collect_coal")
    # Each player at least walks to and collects its own share of the units.
    assert 0 < split <= 8


def test_the_split_binds_on_a_real_map_and_stays_under_the_best_plan(
    monkeypatch: pytest.MonkeyPatch,
):
    layout = team_map.layout_for(19, 2, None)
    result = team_bound.bound(layout, 2)
    monkeypatch.setattr(team_lower, "split_bound", lambda *_: 0.0)
    without = team_bound.bound(layout, 2).lower
    assert without < result.lower <= result.best_plan


def test_the_split_needs_two_players_and_a_collect_goal():
    rules = rules_lib.load("damcs")
    assert team_split.split_bound(team_map.Layout.from_rows(["A.T"]), rules, "collect_wood") == 0
    two = team_map.Layout.from_rows(["TA.....AT"])
    assert team_split.split_bound(two, rules, "place_table") == 0


def test_least_moves_grow_with_the_units_taken():
    layout = team_map.Layout.from_rows(["A.T.T"])
    rules = rules_lib.load("damcs")
    moves = team_split.least_moves(layout, rules, 0, {"tree": 2}, "diamond")
    # One tree: step next to it (1). Two: then step onto the felled tree and on, next to the
    # second (3); the walk counts moves only, the `do`s are counted apart.
    assert (moves[(0,)], moves[(1,)], moves[(2,)]) == (0, 1, 3)
