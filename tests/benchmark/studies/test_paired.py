"""The paired comparison of two cooperation runs: matched by map, failures at the cap."""

from __future__ import annotations

import json

import pytest
import tyro

from benchmark.studies import cooperation, output, paired
from episode import record


def _row(name: str, n: int, own: int | None, privileged: int, stone: int | None) -> dict:
    return {
        "map": name,
        "n_agents": n,
        "own": own,
        "own_seen": None if own is None else own - 10,
        "own_chain": {"make_stone_pickaxe": stone},
        "privileged": privileged,
        "privileged_chain": {"make_stone_pickaxe": 20},
    }


def _write(path, rows) -> str:
    path.write_text(json.dumps({"config": {}, "rows": rows}))
    return str(path)


def test_differences_pair_by_map_and_a_failure_counts_at_the_cap(tmp_path, capsys):
    before = [
        _row("seed 1", 1, 100, 80, 40),
        _row("seed 2", 1, None, 90, 50),
        _row("seed 3", 1, 120, 70, None),
    ]
    # the after run lists its maps in another order and plays one more, which pairs with nothing
    after = [
        _row("seed 3", 1, 110, 70, 30),
        _row("seed 9", 1, 50, 50, 10),
        _row("seed 2", 1, 200, 90, 45),
    ]
    after.append(_row("seed 1", 1, 104, 86, 44))
    found = paired.pairings(before, after)
    assert [(p.navigation, p.n_agents, len(p.before)) for p in found] == [
        ("privileged", 1, 3),
        ("own", 1, 3),
    ]
    table = paired.steps_table(found)
    own = next(line for line in table.splitlines() if line.startswith("| own"))
    cap = cooperation.CAP
    # seed 2: a failure (cap) became 200; seed 1: +4; seed 3: -10
    mean_gap = ((200 - cap) + 4 - 10) / 3
    assert f"{mean_gap:+.1f} +- " in own
    assert "| 2 -> 3 |" in own
    assert f"{(100 + cap + 120) / 3:.1f} -> {(104 + 200 + 110) / 3:.1f}" in own
    assert "| 2 / 1 |" in own  # better on seeds 2 and 3, worse on seed 1
    chain = paired.chain_table(found)
    stone = next(
        line for line in chain.splitlines() if line.startswith("| own") and "stone" in line
    )
    assert "| 2 |" in stone  # seed 3 made no stone pickaxe before: only two maps pair
    assert "-0.5 +- " in stone  # seed 1: +4, seed 2: -5
    assert "diamond first seen" in chain


def test_the_mean_chain_difference_is_over_maps_both_reached(tmp_path):
    before = [_row("a", 2, 100, 80, 40), _row("b", 2, 100, 80, 50)]
    after = [_row("a", 2, 100, 80, 30), _row("b", 2, 100, 80, 46)]
    chain = paired.chain_table(paired.pairings(before, after))
    stone = next(
        line for line in chain.splitlines() if line.startswith("| own") and "stone" in line
    )
    assert "-7.0 +- " in stone


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (None, "no such file"),
        ("not json", "not the rows"),
        ('{"rows": [{"x": 1}]}', "not the rows"),
        ('{"rows": [1]}', "not the rows"),
    ],
)
def test_bad_files_are_one_line(tmp_path, capsys, content, complaint):
    good = _write(tmp_path / "good.json", [_row("a", 1, 100, 80, 40)])
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert paired.main(paired.Args(good, str(bad))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("paired: after ") and complaint in err[0]


def test_runs_sharing_no_map_say_so(tmp_path, capsys):
    one = _write(tmp_path / "one.json", [_row("a", 1, 100, 80, 40)])
    two = _write(tmp_path / "two.json", [_row("b", 1, 100, 80, 40)])
    assert paired.main(paired.Args(one, two)) == 2
    assert "share no map" in capsys.readouterr().err


def test_a_written_run_names_its_code_and_the_comparison_shows_it(tmp_path, capsys):
    rows = [_row("a", 1, 100, 80, 40)]
    before = tmp_path / "before.json"
    output.write_json(before, {"maps": 1}, rows)
    written = json.loads(before.read_text())["config"]
    assert written["maps"] == 1 and written["code_version"] == record.code_version()
    older = _write(tmp_path / "older.json", rows)  # a run from before versions were written
    assert paired.main(paired.Args(older, str(before))) == 0
    out = capsys.readouterr().out
    assert f"({record.code_version()}, " in out and "code version unrecorded" in out


def test_more_pairs_pool_their_maps_into_one_comparison(tmp_path, capsys):
    # two sets of maps, each played before and after: one comparison over all four maps
    first = [_row("a", 1, 100, 80, 40), _row("b", 1, 110, 80, 40)]
    second = [_row("c", 1, 120, 80, 40), _row("d", 1, 130, 80, 40)]
    shifted = [
        dict(r, own=r["own"] + gap) for r, gap in zip(first + second, (-4, 2, 6, -8), strict=True)
    ]
    files = [
        _write(tmp_path / name, rows)
        for name, rows in (
            ("b1.json", first),
            ("a1.json", shifted[:2]),
            ("b2.json", second),
            ("a2.json", shifted[2:]),
        )
    ]
    args = tyro.cli(paired.Args, args=[files[0], files[1], "--more", files[2], files[3]])
    assert paired.main(args) == 0
    out = capsys.readouterr().out
    own = next(line for line in out.splitlines() if line.startswith("| own"))
    assert own.startswith("| own | 1 | 4 |")
    assert f"{(-4 + 2 + 6 - 8) / 4:+.1f} +- " in own
    assert all(f"before: {path}" in out for path in (files[0], files[2]))


@pytest.mark.parametrize(
    ("more", "complaint"),
    [(("b2",), "BEFORE AFTER pairs"), (("b1", "a2"), "is in both")],
)
def test_pooled_pairs_need_pairs_of_files_on_other_maps(tmp_path, capsys, more, complaint):
    rows = {"b1": [_row("a", 1, 100, 80, 40)], "a1": [_row("a", 1, 90, 80, 40)]}
    rows |= {"b2": [_row("b", 1, 100, 80, 40)], "a2": [_row("b", 1, 90, 80, 40)]}
    path = {name: _write(tmp_path / f"{name}.json", r) for name, r in rows.items()}
    # ("b1", "a2") pools the first pair's before file again: map "a" would count twice
    args = paired.Args(path["b1"], path["a1"], tuple(path[name] for name in more))
    assert paired.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("paired: --more") and complaint in err[0]


def test_the_rows_of_a_killed_run_are_named_unfinished(tmp_path, capsys):
    rows = [_row("a", 1, 100, 80, 40)]
    killed, whole = tmp_path / "killed.json", tmp_path / "whole.json"
    output.write_json(killed, {"finished": False}, rows, announce=False)
    output.write_json(whole, {"finished": True}, rows, announce=False)
    assert not list(tmp_path.glob("*.partial"))  # written whole, then moved into place
    assert paired.main(paired.Args(str(whole), str(killed))) == 0
    out = capsys.readouterr().out
    assert "UTC, unfinished)" in out.splitlines()[1] and "unfinished" not in out.splitlines()[0]


def test_runs_with_the_goal_hidden_compare_the_searchs_coverage(tmp_path, capsys):
    def hidden(name: str, seen: int | None, rock: int) -> dict:
        counts = {str(step): rock for step in cooperation.COVERAGE_STEPS}
        return {"map": name, "n_agents": 1, "own": None, "own_seen": seen, "own_rock": counts}

    before = _write(tmp_path / "b.json", [hidden("seed 1", 100, 300), hidden("seed 2", None, 200)])
    after = _write(tmp_path / "a.json", [hidden("seed 1", 90, 340), hidden("seed 2", 200, 260)])
    assert paired.main(paired.Args(before, after)) == 0
    text = capsys.readouterr().out
    assert "| 1 | diamond in view by 350 | 2 | 1 -> 2 |" in text
    assert "| 1 | first in view (step) | 1 | 100.0 -> 90.0 | -10.0 |" in text
    assert "| 1 | rock seen by 350 | 2 | 250.0 -> 300.0 | +50.0 +- " in text
    # a run with the goal hidden is not compared with one without
    shown = _write(tmp_path / "s.json", [_row("seed 1", 1, 100, 80, 40)])
    assert paired.main(paired.Args(before, shown)) == 2
    assert "hid the goal" in capsys.readouterr().err
