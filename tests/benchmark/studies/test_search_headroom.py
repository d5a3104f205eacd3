"""The search-headroom study's table: failures at the cap, the paired difference per map."""

from __future__ import annotations

from benchmark.studies import cooperation, search_headroom


def _row(n: int, privileged: int, own: int | None, terrain: int | None) -> dict:
    return {"map": "m", "n_agents": n, "privileged": privileged, "own": own, "terrain": terrain}


def test_the_table_counts_failures_at_the_cap_and_pairs_the_maps():
    rows = [_row(1, 100, None, 150), _row(1, 100, 200, 200)]
    line = next(
        line
        for line in search_headroom.summary(rows, (1,)).splitlines()
        if line.startswith("| 1 |")
    )
    cap = cooperation.CAP
    assert f"| 1/2, {(cap + 200) / 2:.1f} [" in line  # own: the miss counts at the cap
    assert "| 2/2, 175.0 [" in line  # own + terrain
    assert f"| {((150 - cap) + 0) / 2:.1f} [" in line  # terrain - own, paired per map


def test_bad_arguments_are_one_line_before_any_play(capsys):
    for args in (
        search_headroom.Args(maps=0),
        search_headroom.Args(first=-1),
        search_headroom.Args(team_sizes=(0,)),
    ):
        assert search_headroom.main(args) == 2
    assert capsys.readouterr().err.count("allowed") >= 2
