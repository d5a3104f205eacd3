"""The optimal-team bound: exact on hand-built maps whose optimum is known by hand, and sound
against real play."""

from __future__ import annotations

import math

import pytest

from benchmark.studies import cooperation, team_bound
from envs import mac

# Reached only by mining the stone above it: three trees next to the player, the coal under it.
COAL_IN_STONE = ["TTT", "TAT", "SSS", "SCS"]
# Player 0 among trees, player 1 next to a stone with the coal behind it.
COAL_FAR_AWAY = ["TAT....ASC", "TT......SS"]  # also in test_team_replay


def _bound(rows: list[str], n_agents: int, goal: str) -> team_bound.Bound:
    return team_bound.bound(team_bound.Layout.from_rows(rows), n_agents, "damcs", goal)


def test_one_agent_walks_then_collects():
    # One step to stand next to the tree, one `do`.
    result = _bound(["A.T"], 1, "collect_wood")
    assert (result.lower, result.best_plan) == (2, 2)
    assert result.exact


def test_a_table_from_two_adjacent_trees_takes_three_steps():
    # do, do, place (damcs: a table uses 2 wood).
    result = _bound(["TAT"], 1, "place_table")
    assert (result.lower, result.best_plan) == (3, 3)


def test_a_teammate_fetches_the_far_wood_and_shares_it():
    rows = ["TA.....AT"]
    # Alone: do (1), walk to x=7 (6), do (8), place (9).
    alone = _bound(rows, 1, "place_table")
    assert (alone.lower, alone.best_plan) == (9, 9)
    # Two: both do at step 1; at step 2 player 0 shares its wood and player 1, acting after it
    # in the step, places the table at once.
    pair = _bound(rows, 2, "place_table")
    assert (pair.lower, pair.best_plan) == (2, 2)


def test_tunnelling_is_the_only_way_to_the_coal():
    # do, do (2 wood), place the table on a felled tree (3), do (4), make a wood pickaxe (5),
    # mine the stone below (6), step in (7), mine the coal (8). Every coal neighbour is stone.
    result = _bound(COAL_IN_STONE, 1, "collect_coal")
    assert (result.lower, result.best_plan) == (8, 8)


def test_the_tunnel_opens_only_once_someone_holds_the_pickaxe():
    # Alone: wood pickaxe at 5 as above, walk 6 tiles to x=7 (11), mine, step in, coal at 14.
    alone = _bound(COAL_FAR_AWAY, 1, "collect_coal")
    assert (alone.lower, alone.best_plan) == (14, 14)
    # Two: player 0 has the pickaxe at 5 and shares it at 6, when player 1 (acting after it)
    # mines the stone; player 1 steps in (7) and mines the coal (8). The bound counts a pickaxe
    # held no sooner than step 4 (the team fells its three wood, the table's and its own, one
    # `do` a step for the one player near the trees, and makes it a step later; it does not see
    # that this player also places the table), so the stone opens at 5 at the earliest and
    # player 1 mines the coal at 6; without that gate the stone could open at step 1.
    pair = _bound(COAL_FAR_AWAY, 2, "collect_coal")
    assert pair.best_plan == 8
    assert pair.lower == 6


def test_two_players_next_to_one_tree_fell_it_once():
    # One tree between the players, the other 6 tiles east. A table's two wood come from two
    # trees: player 0 fells the near one (1) and shares its wood (2); player 1 walks to x=6 (4),
    # fells the far tree (5) and places the table (6). Counting each player's `do`s alone, both
    # would fell the near tree at step 1 and the table could stand at 2.
    result = _bound(["ATA....T"], 2, "place_table")
    assert (result.lower, result.best_plan) == (6, 6)
    assert result.exact


def test_a_made_tool_waits_for_the_wood_of_its_station_too():
    # Trees at x=0 and x=4 beside the players, the third at x=10, a stone under player 0. The
    # wood pickaxe needs three wood (two for the table): the third tree falls at step 7 at the
    # earliest (player 1 walks six tiles), so the pickaxe comes no sooner than 8 and the stone
    # 9. Counting only the pickaxe's own wood and its table, the pickaxe could come at step 3,
    # and the goal's wood alone puts the stone at 8.
    result = _bound(["TA.AT.....T", ".S........."], 2, "collect_stone")
    assert result.lower == 9
    assert result.lower <= result.best_plan < math.inf


def test_water_is_crossed_only_with_a_stone_in_hand():
    # The only tree lies behind water; a stone needs a pickaxe, which needs wood: impossible.
    result = _bound(["AWT"], 1, "collect_wood")
    assert result.lower == math.inf
    assert result.best_plan == math.inf


def test_the_lower_bound_never_exceeds_the_best_plan_on_real_maps():
    for n_agents in (1, 2, 6):
        result = team_bound.team_bound(0, n_agents)
        assert 0 < result.lower <= result.best_plan < float("inf")


@pytest.mark.slow
def test_the_lower_bound_never_exceeds_what_the_scripted_team_achieves():
    # Real play (privileged map) is a play of the relaxed game, so it can never beat the bound.
    for where in [cooperation.Map("paper", 0, mac.PAPER_WORLD_SEED), cooperation.Map("s1", 1)]:
        for n_agents in (1, 2, 6):
            lower = team_bound.team_bound(where.seed, n_agents, where.world_seed).lower
            steps = cooperation.play(where, n_agents, privileged=True)
            assert steps is not None and lower <= steps


def test_more_starts_than_agents_are_needed():
    with pytest.raises(ValueError, match="n_agents"):
        _bound(["A.T"], 2, "collect_wood")


def test_bad_arguments_are_one_line_before_any_search(capsys):
    assert team_bound.main(team_bound.Args(seeds=-1)) == 2
    assert team_bound.main(team_bound.Args(seeds=1, team_sizes=(0,))) == 2
    assert capsys.readouterr().err.count("allowed") == 2
