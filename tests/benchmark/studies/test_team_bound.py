"""The optimal-team bound: exact on hand-built maps whose optimum is known by hand."""

from __future__ import annotations

import pytest

from benchmark.studies import team_bound


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
    # Two: both do at step 1, the second shares at step 2, the table at step 3.
    pair = _bound(rows, 2, "place_table")
    assert (pair.lower, pair.best_plan) == (3, 3)


def test_the_lower_bound_never_exceeds_the_best_plan_on_real_maps():
    for n_agents in (1, 2, 6):
        result = team_bound.team_bound(0, n_agents)
        assert 0 < result.lower <= result.best_plan < float("inf")


def test_more_starts_than_agents_are_needed():
    with pytest.raises(ValueError, match="n_agents"):
        _bound(["A.T"], 2, "collect_wood")
