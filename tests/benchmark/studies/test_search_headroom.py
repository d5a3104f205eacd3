"""The search-headroom study's table: failures at the cap, the paired difference per map."""

from __future__ import annotations

import numpy as np

from benchmark.studies import cooperation, search_headroom


def _row(
    n: int, privileged: int, own: int | None, terrain: int | None, mountains: int | None = None
) -> dict:
    return {
        "map": "m",
        "n_agents": n,
        "privileged": privileged,
        "own": own,
        "terrain": terrain,
        "goal_mountains": mountains,
    }


def test_the_table_counts_failures_at_the_cap_and_pairs_the_maps():
    rows = [_row(1, 100, None, 150, 120), _row(1, 100, 200, 200, 100)]
    line = next(
        line
        for line in search_headroom.summary(rows, (1,)).splitlines()
        if line.startswith("| 1 |")
    )
    cap = cooperation.CAP
    assert f"| 1/2, {(cap + 200) / 2:.1f} [" in line  # own: the miss counts at the cap
    assert "| 2/2, 175.0 [" in line  # own + terrain
    assert f"| {((150 - cap) + 0) / 2:.1f} [" in line  # terrain - own, paired per map
    assert "| 2/2, 110.0 [" in line  # own + diamond mountains
    assert f"| {((120 - cap) + (100 - 200)) / 2:.1f} [" in line  # its difference to own


def test_bad_arguments_are_one_line_before_any_play(capsys):
    for args in (
        search_headroom.Args(maps=0),
        search_headroom.Args(first=-1),
        search_headroom.Args(team_sizes=(0,)),
        search_headroom.Args(workers=0),
    ):
        assert search_headroom.main(args) == 2
    assert capsys.readouterr().err.count("allowed") >= 3


def test_a_diamonds_mountain_is_the_rock_caves_and_tunnels_joined_to_it():
    grid = np.array(
        [
            ["stone", "diamond", "grass", "stone", "stone"],
            ["path", "stone", "grass", "stone", "iron"],
            ["stone", "grass", "stone", "grass", "grass"],
            ["stone", "grass", "stone", "grass", "grass"],
        ],
        dtype=object,
    )
    mountains, held = search_headroom.goal_mountains(grid, "diamond")
    assert mountains.sum() == 12 and not mountains[:, 1][2:].any()
    assert held[:2, :2].all() and held[2, 0] and held[3, 0]  # rock and the cave joined to it
    assert not held[:2, 3:].any()  # a mountain without a diamond
    assert not held[2:, 2].any()  # rock that touches the mountain only at a corner


def _searched(n: int, own: int | None, explored: float, mountain_seen: bool) -> dict:
    row = _row(n, 100, own, own)
    for setting in search_headroom.SEARCHED:
        row[f"{setting}_explored"] = explored
        row[f"{setting}_mountain_explored"] = explored / 2
        row[f"{setting}_goal_mountain_seen"] = mountain_seen
    return row


def test_the_misses_table_counts_misses_that_never_saw_a_diamonds_mountain():
    rows = [
        _searched(1, None, 0.3, False),
        _searched(1, None, 0.5, True),
        _searched(1, 120, 0.4, True),
    ]
    line = next(
        line
        for line in search_headroom.misses(rows, (1,)).splitlines()
        if line.startswith("| 1 | own prior |")
    )
    assert "| 2/3 | 1/2 | 0.40 [" in line  # the hit is left out of the shares
    assert "| 0.20 [" in line
    # Two maps' Student-t interval of a share reaches far past 0 and 1; a share lives within them.
    assert "0.40 [0.00, 1.00]" in line


def test_an_interval_is_cut_to_the_range_it_is_given_and_only_then():
    assert cooperation.with_interval([0.3, 0.5], 2, within=(0.0, 1.0)) == "0.40 [0.00, 1.00]"
    assert cooperation.with_interval([0.3, 0.5], 2).startswith("0.40 [-")


def test_a_played_row_says_what_the_search_saw():
    row = search_headroom.play(cooperation.maps_with_diamond(1, 110)[0], 1)
    for setting in search_headroom.SEARCHED:
        assert 0.0 < row[f"{setting}_explored"] < 1.0
        assert 0.0 <= row[f"{setting}_mountain_explored"] <= 1.0
        if row[setting] is not None:  # a diamond is mined only after its mountain was seen
            assert row[f"{setting}_goal_mountain_seen"]


def test_the_tiles_shown_are_every_tile_of_the_materials_and_nothing_around_them():
    grid = np.full((20, 20), "stone", dtype=object)
    grid[10, 10] = grid[3, 17] = "diamond"
    grid[4, 4] = "iron"
    diamonds = {("diamond", (10, 10)), ("diamond", (3, 17))}
    shown = search_headroom.shown_tiles(grid, ("diamond",))
    assert {(s.material, s.position) for s in shown} == diamonds
    shown = search_headroom.shown_tiles(grid, ("diamond", "iron"))
    assert {(s.material, s.position) for s in shown} == diamonds | {("iron", (4, 4))}


def test_a_team_shown_the_diamond_has_seen_it_from_the_first_step():
    where = cooperation.maps_with_diamond(1, 110)[0]
    grid = search_headroom.team_map.layout_for(where.seed, 1, where.world_seed).grid
    shown = search_headroom.shown_tiles(grid, ("diamond",))
    assert cooperation.play_outcome(where, 1, privileged=False).seen > 0
    outcome = cooperation.play_outcome(where, 1, privileged=False, seen_at_start=shown)
    assert outcome.seen == 0 and outcome.steps is not None
