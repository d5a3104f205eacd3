"""Lone route plans: booked from the playable walk, they replay as booked; a seeker waiting at the
goal saves the lone player's last walk."""

from __future__ import annotations

from benchmark.studies import team_bound, team_map, team_replay, team_route
from envs.mac import rules as rules_lib

# Player 0 between the stone (left) and four trees (right); player 1 already next to the iron.
IRON_FAR_LEFT = ["I.......S.A.TTTT", "A..............."]


def test_a_lone_route_replays_as_booked_and_respects_the_bound():
    layout = team_map.layout_for(0, 1, None)
    rules = rules_lib.load("damcs")
    steps, acts = team_route.route_plan(layout, rules, "collect_diamond", 1)
    assert steps < float("inf")
    assert team_replay.replay(layout, rules, "collect_diamond", acts) == steps
    assert team_bound.bound(layout, 1).lower <= steps


def test_a_seeker_at_the_goal_saves_the_last_walk():
    layout = team_map.Layout.from_rows(IRON_FAR_LEFT)
    rules = rules_lib.load("damcs")
    alone, _ = team_route.route_plan(layout, rules, "collect_iron", 2, who=0)
    steps, acts = team_route.route_plan(layout, rules, "collect_iron", 2, who=0, seeker=1)
    assert steps < alone
    assert team_replay.replay(layout, rules, "collect_iron", acts) == steps
    # The seeker only collects the iron, with the pickaxe player 0 shares in that same step (the
    # seeker acts after it).
    assert acts[1] == {int(steps): ("do", 0)}
    assert acts[0][int(steps)] == ("share", "stone_pickaxe", 1)


def test_no_seeker_for_a_goal_without_a_tool():
    layout = team_map.Layout.from_rows(IRON_FAR_LEFT)
    rules = rules_lib.load("damcs")
    assert team_route.route_plan(layout, rules, "collect_wood", 2, who=0, seeker=1)[0] == float(
        "inf"
    )
    assert team_route.route_plan(layout, rules, "collect_wood", 2, who=0)[0] < float("inf")


def test_a_seeker_that_fells_the_trees_first_saves_more():
    # Player 0 far from the trees, next to the stone and iron; player 1 among the trees.
    layout = team_map.Layout.from_rows(["T......A.....S.I", "TA..............", "TT.............."])
    rules = rules_lib.load("damcs")
    seeking, _ = team_route.route_plan(layout, rules, "collect_iron", 2, who=0, seeker=1)
    steps, acts = team_route.route_plan(
        layout, rules, "collect_iron", 2, who=0, seeker=1, supplied=True
    )
    assert steps < seeking
    assert team_replay.replay(layout, rules, "collect_iron", acts) == steps
    # Player 1 hands over the four wood the pickaxes and table need; player 0 fells no tree.
    assert sum(a == ("share", "wood", 0) for a in acts[1].values()) == 4
    assert all(a[0] != "do" or layout.grid.ravel()[a[1]] != "tree" for a in acts[0].values())
