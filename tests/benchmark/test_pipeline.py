"""Fixture suite -> store -> make_figures CLI -> summary, tables and valid figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import store
from tests.benchmark.conftest import fixture_records

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_figures.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


@pytest.fixture
def results_dir(tmp_path):
    out = tmp_path / "run"
    with store.ResultsStore.open(out / store.STORE_FILENAME, "fixture", {"preset": "fixture"}) as s:
        repeats: dict[tuple[str, int], int] = {}
        for record in fixture_records():
            n = repeats.get((record.method, record.n_agents), 0)
            repeats[(record.method, record.n_agents)] = n + 1
            key = store.EpisodeKey("fixture", record.method, record.n_agents, record.map_seed, n)
            assert s.add(key, record)
    return out


def test_store_to_figures(results_dir):
    done = run_cli(str(results_dir), "--bootstrap-reps", "200")
    assert done.returncode == 0, done.stderr
    assert "figures" in done.stdout
    for name in (
        "summary.md",
        "summary.csv",
        "episodes.csv",
        "marl_eval.json",
        "marl_eval_runs.csv",
        "summary.json",
        "ladder.csv",
        "achievements.csv",
    ):
        assert (results_dir / name).stat().st_size > 0, name
    figures = results_dir / "figures"
    pngs = sorted(figures.glob("*.png"))
    # no decision-quality chart: no cell of the fixture has a decision-maker of known accuracy
    assert {p.stem for p in pngs} == {
        "milestone_steps",
        "step_reduction",
        "milestone_success",
        "cost_tokens",
        "goal_survival",
        "ablation_ladder",
    }
    for png in pngs:
        assert png.read_bytes()[:8] == PNG_MAGIC
        assert png.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"

    summary = json.loads((results_dir / "summary.json").read_text())
    provenance = summary["provenance"]
    assert provenance["command"].startswith("scripts/make_figures.py")
    assert {"date", "report_code_version", "host_cpu", "host_gpu", "packages"} <= set(provenance)
    assert (results_dir / "summary.md").read_text().count("## Provenance") == 1
    groups = {(g["method"], g["n_agents"]): g for g in summary["groups"]}
    assert groups[("scripted", 1)]["steps_to_goal"]["mean"] == 177.5  # failure at the cap
    assert groups[("scripted", 1)]["success_rate"] == 0.75
    assert groups[("damcs", 6)]["steps_to_goal"]["mean"] == 80
    assert groups[("plain-llm", 1)]["llm_calls_per_success"] == 15
    reductions = {
        (r["method"], r["n_agents"], r["baseline_method"]): r["reduction"]
        for r in summary["reductions"]
    }
    assert reductions[("damcs", 6, "plain-llm")] == pytest.approx(1 - 80 / (910 / 3))
    assert reductions[("damcs", 2, "damcs")] == pytest.approx(1 - 110 / 140)

    again = run_cli(str(results_dir), "--bootstrap-reps", "200", "--formats", "png")
    assert again.returncode == 0
    rerun = json.loads((results_dir / "summary.json").read_text())
    for document in (rerun, summary):
        document.pop("provenance")
    assert rerun == summary  # seeded


def test_out_dir_and_model_accuracy(results_dir, tmp_path):
    accuracy = tmp_path / "probe.yaml"
    accuracy.write_text("qwen2.5-0.5b: 0.6\n")
    out = tmp_path / "elsewhere"
    done = run_cli(
        str(results_dir), "--out", str(out), "--model-accuracy", str(accuracy),
        "--bootstrap-reps", "50", "--formats", "png",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out / "summary.md").is_file() and (out / "figures" / "milestone_steps.png").is_file()
    assert not (results_dir / "summary.md").exists()
    accuracy.write_text("qwen2.5-0.5b: high\n")
    bad = run_cli(str(results_dir), "--out", str(out), "--model-accuracy", str(accuracy))
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")


def test_corrupt_row_is_skipped_and_counted(results_dir):
    import sqlite3

    conn = sqlite3.connect(results_dir / store.STORE_FILENAME)
    with conn:
        conn.execute("UPDATE episodes SET record = 'garbage' WHERE key LIKE 'fixture/scripted/%r0'")
    conn.close()
    done = run_cli(str(results_dir), "--bootstrap-reps", "50", "--formats", "png")
    assert done.returncode == 0, done.stderr
    assert "skipped 1 corrupt record" in done.stderr
    with store.ResultsStore.read(results_dir / store.STORE_FILENAME) as s:
        assert len(s) == 14  # nothing deleted


@pytest.mark.parametrize("case", ["missing", "no_store", "empty", "not_a_store"])
def test_bad_results_dir_gives_one_error_line(tmp_path, case):
    target = tmp_path / "run"
    if case != "missing":
        target.mkdir()
    if case == "empty":
        store.ResultsStore.open(target / store.STORE_FILENAME, "quick", {}).close()
    if case == "not_a_store":
        (target / store.STORE_FILENAME).write_text("hello")
    done = run_cli(str(target))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
