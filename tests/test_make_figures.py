"""make_figures.py checks every argument before writing anything: one line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import runner, suite

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    tiny = {"name": "tiny", "max_steps": 5, "team_sizes": [1], "methods": ["random"]}
    runner.run_suite(suite.from_dict(tiny), out, progress=False)
    return out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--formats", "bogus"], "invalid --formats ['bogus']; allowed:"),
        (["--bootstrap-reps", "0"], "invalid --bootstrap-reps 0; allowed: an integer >= 1"),
        (["--bootstrap-reps", "-1"], "invalid --bootstrap-reps -1"),
        (["--reference-method", "nosuch"], "allowed: the methods of this result set: random"),
        (["--out", "FILE"], "it is a file; allowed: a directory"),
    ],
)
def test_bad_arguments_are_one_line_before_any_output(results, tmp_path, args, message):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    args = [str(a_file) if a == "FILE" else a for a in args]
    before = sorted(p.name for p in results.iterdir())
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_figures.py"), str(results), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and message in lines[0], done.stderr
    assert sorted(p.name for p in results.iterdir()) == before
