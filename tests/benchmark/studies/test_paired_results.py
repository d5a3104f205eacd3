"""Two results directories of one suite, paired by episode key and compared per map."""

from __future__ import annotations

import pytest
import tyro

from benchmark import store
from benchmark.studies import paired_results
from tests.benchmark.conftest import make_record

CONFIG = {"name": "s", "methods": ["damcs"], "repeats": 2}


def _store(directory, steps: dict[tuple[str, int, int, int], int | None]) -> None:
    """A results directory holding one episode per (method, agents, map, repeat) -> goal step."""
    directory.mkdir()
    with store.ResultsStore.open(directory / "store.sqlite", "s", CONFIG) as s:
        for (method, n, map_seed, repeat), step in steps.items():
            key = store.EpisodeKey("s", method, n, map_seed, repeat)
            s.add(key, make_record(method, n, step, map_seed=map_seed, episode_seed=repeat))


def test_episodes_pair_by_key_and_maps_are_the_units(tmp_path, capsys):
    before = {
        ("damcs", 2, 1, 0): 100,
        ("damcs", 2, 1, 1): 120,  # map 1: mean 110
        ("damcs", 2, 2, 0): None,  # a failure counts at the 350 cap
        ("damcs", 2, 2, 1): 150,  # map 2: mean 250
        ("damcs", 6, 1, 0): 80,
        ("damcs", 2, 3, 0): 90,  # only before: left out
    }
    after = {
        ("damcs", 2, 1, 0): 100,
        ("damcs", 2, 1, 1): 100,  # map 1: mean 100 (-10)
        ("damcs", 2, 2, 0): 130,
        ("damcs", 2, 2, 1): 150,  # map 2: mean 140 (-110)
        ("damcs", 6, 1, 0): 90,
    }
    _store(tmp_path / "b", before)
    _store(tmp_path / "a", after)
    found = paired_results.cells(*(paired_results.read_episodes(tmp_path / d)[0] for d in "ba"))
    assert [(c.method, c.n_agents) for c in found] == [("damcs", 2), ("damcs", 6)]
    two = found[0]
    assert two.before == {1: 110, 2: 250} and two.after == {1: 100, 2: 140}
    assert two.success == (3, 4) and two.episodes == 4 and two.changed == 2
    out = tmp_path / "paired.md"
    args = paired_results.Args(tmp_path / "b", tmp_path / "a", out=out)
    assert paired_results.main(args) == 0
    text = capsys.readouterr().out
    assert "| damcs | 2 | 2 | 4 (2) | 3 -> 4 | 180.0 -> 120.0 | -60.0 +- " in text
    assert "| damcs | 6 | 1 | 1 (1) | 1 -> 1 | 80.0 -> 90.0 | +10.0 | 0 / 1 |" in text
    assert out.read_text().strip() == text.strip().removesuffix(f"written to {out}").strip()


def test_a_missing_store_or_no_shared_episode_is_one_line(tmp_path, capsys):
    _store(tmp_path / "b", {("damcs", 2, 1, 0): 100})
    _store(tmp_path / "a", {("damcs", 2, 2, 0): 100})
    assert paired_results.main(paired_results.Args(tmp_path / "b", tmp_path / "x")) == 2
    error = capsys.readouterr().err
    assert error.startswith("paired_results: after:") and "no results store" in error
    assert error.count("\n") == 1
    assert paired_results.main(paired_results.Args(tmp_path / "b", tmp_path / "a")) == 2
    assert "share no episode" in capsys.readouterr().err


def test_the_cli_takes_two_directories():
    args = tyro.cli(paired_results.Args, args=["b", "a", "--out", "p.md"])
    assert str(args.before) == "b" and str(args.out) == "p.md"
    with pytest.raises(SystemExit):
        tyro.cli(paired_results.Args, args=["b"])
