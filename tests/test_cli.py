"""The command-line entry points as a user meets them: output, records written, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import store

ROOT = Path(__file__).resolve().parent.parent


def run(
    script: str, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_play_writes_a_record_and_a_gif(tmp_path):
    out = tmp_path / "ep.json"
    gif = tmp_path / "ep.gif"
    done = run(
        "play.py",
        "--method",
        "random",
        "--n-agents",
        "2",
        "--max-steps",
        "40",
        "--json",
        str(out),
        "--gif",
        str(gif),
    )
    assert done.returncode == 0, done.stderr
    assert "collect_wood" in done.stdout and "collect_diamond" in done.stdout
    record = json.loads(out.read_text())
    assert record["method"] == "random" and record["n_agents"] == 2 and record["length"] == 40
    assert list(record["milestones"])[-1] == "collect_diamond"
    assert gif.read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    again = run("play.py", "--json", str(out))
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr
    assert json.loads(out.read_text()) == record


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "telepathy"], "unknown method 'telepathy'"),
        (["--n-agents", "0"], "n_agents"),
        (["--goal", "collect_unicorn"], "invalid goal"),
        (["--n-agents", "100"], "invalid n_agents=100; allowed: an integer from 1 to 64"),
        (["--seed", "-1"], "invalid --seed -1; allowed: an integer >= 0"),
        (["--max-steps", "0"], "invalid max_steps=0"),
        (["--max-steps", "-5"], "invalid max_steps=-5"),
        (["--n-agents", "abc"], "--n-agents"),
        (["--gif", "out.txt"], "invalid --gif out.txt"),
    ],
)
def test_play_bad_input_is_one_clear_line(args, message):
    done = run("play.py", *args)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in done.stderr


def test_run_benchmark_bad_suite_is_one_clear_line(tmp_path):
    done = run("run_benchmark.py", "--suite", "nope", "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and "unknown suite 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_make_figures_on_a_missing_directory(tmp_path):
    done = run("make_figures.py", str(tmp_path / "missing"))
    assert done.returncode == 2 and "no such results directory" in done.stderr


def test_run_benchmark_html_writes_a_viewer_per_episode(tmp_path):
    suite_file = tmp_path / "s.yaml"
    suite_file.write_text(
        "name: s\nteam_sizes: [2]\nmax_steps: 10\nmaps: {paper: true}\nmethods: [scripted]\n"
    )
    done = run("run_benchmark.py", "--suite", str(suite_file), "--out", str(tmp_path / "o"),
               "--html")  # fmt: skip
    assert done.returncode == 0, done.stderr
    pages = list((tmp_path / "o" / "episodes").glob("*.html"))
    assert len(pages) == 1 and "player_1" in pages[0].read_text()


def test_run_benchmark_without_out_writes_under_runs_named_by_the_suite(tmp_path):
    """The default results directory is runs/SUITE in the working directory, so a run without
    `--out` never writes into the committed results/ (nor mixes two suites in one store)."""
    suite_file = tmp_path / "tiny.yaml"
    suite_file.write_text(
        "name: tiny\nteam_sizes: [1]\nmax_steps: 5\nmaps: {paper: true}\nmethods: [random]\n"
    )
    done = run("run_benchmark.py", "--suite", str(suite_file), "--no-figures", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "-> runs/tiny" in done.stdout
    assert (tmp_path / "runs" / "tiny" / "store.sqlite").is_file()


def test_run_benchmark_model_runs_the_suites_llm_methods_on_it(tmp_path):
    """--model replaces the suite's real model (here by a control, so no weights are needed);
    a control the suite names stays; the default folder names the model."""
    suite_file = tmp_path / "tiny.yaml"
    suite_file.write_text(
        "name: tiny\nteam_sizes: [1]\nmax_steps: 5\nmaps: {paper: true}\nmethods:\n"
        "  - plain-llm\n  - {name: damcs, label: damcs-uniform, options: {model: uniform}}\n"
    )
    done = run(
        "run_benchmark.py",
        "--suite",
        str(suite_file),
        "--model",
        "oracle",
        "--no-figures",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    runs = store.ResultsStore.read(tmp_path / "runs" / "tiny-oracle" / "store.sqlite").records()
    models = {r.method: r.method_config["model"]["spec"] for r in runs}
    assert models == {"plain-llm": "oracle", "damcs-uniform": "uniform"}


def test_run_benchmark_model_reaches_an_openai_compatible_server(tmp_path):
    """The GPU user's path with a vLLM-like server: --model URL#name replaces the suite's model
    (keeping its other settings), the episodes' decisions are the server's, the control stays."""
    from tests.agents.llm import stub_server

    suite_file = tmp_path / "tiny.yaml"
    suite_file.write_text(
        "name: tiny\nteam_sizes: [2]\nmax_steps: 4\nmaps: {paper: true}\nmethods:\n"
        "  - {name: plain-llm, options: {model: {spec: smollm2-135m, decide: score}}}\n"
        "  - {name: damcs, label: damcs-oracle, options: {model: oracle}}\n"
    )
    with stub_server.StubServer(lifetime_s=240.0) as stub:
        done = run(
            "run_benchmark.py", "--suite", str(suite_file), "--model", f"{stub.url}#stub",
            "--workers", "1", "--no-figures",
            cwd=tmp_path, env={**os.environ, "MACBENCH_CACHE_DIR": str(tmp_path / "call-cache")},
        )  # fmt: skip
        posted = len(stub.posted)
    assert done.returncode == 0, done.stderr
    runs = {
        r.method: r
        for r in store.ResultsStore.read(tmp_path / "runs" / "tiny-stub" / "store.sqlite").records()
    }
    assert runs["plain-llm"].method_config["model"]["spec"] == f"{stub.url}#stub"
    assert runs["plain-llm"].method_config["model"]["decide"] == "score"
    assert runs["plain-llm"].llm_calls > 0 and posted >= runs["plain-llm"].llm_calls
    assert runs["damcs-oracle"].method_config["model"]["spec"] == "oracle"


def test_run_benchmark_bad_suite_field_is_one_line(tmp_path):
    suite_file = tmp_path / "s.yaml"
    suite_file.write_text("name: s\nrepeats: five\nmethods: [random]\n")
    done = run("run_benchmark.py", "--suite", str(suite_file), "--out", str(tmp_path / "o"))
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and "invalid repeats='five'" in lines[0]


def test_crafter_score_counts_only_unlocked_achievements(tmp_path):
    """Random play on short crafter episodes: some achievements, never the diamond (a record
    lists every achievement, unlocked or not; only the unlocked ones count)."""
    out = tmp_path / "random.json"
    done = run(
        "crafter_score.py", "--random", "--episodes", "3", "--bootstrap", "20", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(out.read_text())
    rates = summary["success_rates"]
    assert rates["collect_diamond"] == 0.0 and rates["make_iron_pickaxe"] == 0.0
    assert 0.0 < summary["crafter_score"] < 20.0


def test_learning_curves_takes_run_directories_as_the_readme_shows(tmp_path):
    out = tmp_path / "curves.png"
    run_dir = Path(__file__).resolve().parents[1] / "results/checkpoints/ppo-n2-s1"
    done = run("learning_curves.py", str(run_dir), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 10_000
