"""Replaying a plan: the best plan found replays as booked; a broken one, or a share used in its
step by a player acting before the giver, does not."""

from __future__ import annotations

import pytest

from benchmark.studies import team_map, team_replay, team_search
from envs.mac import rules as rules_lib

# Player 0 among trees, player 1 next to a stone with the coal behind it.
COAL_FAR_AWAY = ["TAT....ASC", "TT......SS"]


def test_the_best_plan_replays_and_a_broken_one_does_not():
    layout = team_map.Layout.from_rows(COAL_FAR_AWAY)
    rules = rules_lib.load("damcs")
    plan = team_search.PlanSearch(layout, rules, "collect_coal", 2).best()
    assert plan is not None
    assert team_replay.replay(layout, rules, "collect_coal", plan.acts) == plan.steps == 8
    # Without the share of the pickaxe, player 1 cannot mine the stone.
    broken = [dict(acts) for acts in plan.acts]
    share = next(
        (i, step) for i, acts in enumerate(broken) for step, a in acts.items() if a[0] == "share"
    )
    del broken[share[0]][share[1]]
    with pytest.raises(team_replay.PlanError, match="lacks wood_pickaxe"):
        team_replay.replay(layout, rules, "collect_coal", broken)


def test_a_share_is_used_in_its_step_only_by_a_later_player():
    # "TA.....AT" as flat tiles 0..8: trees at 0 and 8, players at 1 and 7; both fell a tree.
    layout = team_map.Layout.from_rows(["TA.....AT"])
    rules = rules_lib.load("damcs")
    felled = [{1: ("do", 0)}, {1: ("do", 8)}]
    to_later = [felled[0] | {2: ("share", "wood", 1)}, felled[1] | {2: ("place", "table", 6)}]
    assert team_replay.replay(layout, rules, "place_table", to_later) == 2
    to_earlier = [felled[0] | {2: ("place", "table", 2)}, felled[1] | {2: ("share", "wood", 0)}]
    with pytest.raises(team_replay.PlanError, match="lacks wood"):
        team_replay.replay(layout, rules, "place_table", to_earlier)
