"""The store survives kill -9 as one file, refuses a second runner, and reports its completeness."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmark import runner, store, suite
from tests.benchmark.conftest import make_record

ROOT = Path(__file__).resolve().parents[2]
TINY = {
    "name": "tiny",
    "team_sizes": [1],
    "max_steps": 10,
    "maps": {"paper": False, "count": 2, "first_seed": 1},
    "methods": ["random"],
}


def key(seed=0, repeat=0):
    return store.EpisodeKey("quick", "damcs", 1, seed, repeat)


def test_a_commit_is_in_the_main_file_without_its_wal(tmp_path):
    path = tmp_path / store.STORE_FILENAME
    with store.ResultsStore.open(path, "quick", {"a": 1}) as results:
        results.add(key(), make_record("damcs", 1, 0))
        copy = tmp_path / "copy.sqlite"
        shutil.copyfile(path, copy)  # while the writer is still open, the -wal not copied
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT COUNT(*) FROM episodes").fetchone()[0] == 1


def test_a_second_runner_on_the_same_out_refuses(tmp_path):
    with store.RunLock(tmp_path / store.STORE_FILENAME):
        with pytest.raises(store.StoreError, match="another runner"):
            runner.run_suite(suite.from_dict(TINY), tmp_path, progress=False)
    ran, _ = runner.run_suite(suite.from_dict(TINY), tmp_path, progress=False)
    assert ran == 2  # the lock is released with its holder


def test_counts_say_partial_and_corrupt(tmp_path):
    path = tmp_path / store.STORE_FILENAME
    with store.ResultsStore.open(path, "quick", {"a": 1}) as results:
        results.expect(3)
        results.add(key(0), make_record("damcs", 1, 0))
        results.add(key(1), make_record("damcs", 1, 1, map_seed=1))
        counts = results.counts()
        assert (counts.expected, counts.stored, counts.corrupt, counts.partial) == (3, 2, 0, True)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE episodes SET record = 'not json' WHERE map_seed = 1")
    conn.commit()
    conn.close()
    with store.ResultsStore.read(path) as results:
        counts = results.counts()
    assert (counts.stored, counts.corrupt, counts.partial) == (1, 1, True)


@pytest.mark.slow
def test_kill_9_then_copy_the_one_file_keeps_every_committed_episode(tmp_path):
    out = tmp_path / "run"
    script = textwrap.dedent(
        f"""
        from benchmark import runner, suite
        tiny = suite.from_dict({{**{TINY!r}, "maps": {{"paper": False, "count": 50,
                                  "first_seed": 1}}, "max_steps": 200}})
        runner.run_suite(tiny, {str(out)!r}, progress=False)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    path = out / store.STORE_FILENAME
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with store.ResultsStore.read(path) as results:
                if len(results) >= 3:
                    break
        except store.StoreError:  # not created yet, or its tables not yet written
            pass
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Copy the file as the kill left it, before any open (the last close folds the WAL back in),
    # and without the -wal and -shm beside it.
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(path, copy)
    with store.ResultsStore.read(path) as results:
        committed = len(results)
    assert committed >= 3
    with store.ResultsStore.read(copy) as results:
        assert len(results) == committed
