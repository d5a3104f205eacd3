"""The results store: resume, atomicity under kill, two writers, config mismatch, corruption."""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from benchmark import store
from tests.benchmark.conftest import make_record

CONFIG = {"name": "quick", "methods": ["scripted", "damcs"], "n_agents": [1, 2, 6], "repeats": 2}


def key(method="damcs", n=1, seed=0, repeat=0, suite="quick"):
    return store.EpisodeKey(suite, method, n, seed, repeat)


def test_add_resume_and_no_overwrite(tmp_path):
    path = tmp_path / "store.sqlite"
    with store.ResultsStore.open(path, "quick", CONFIG) as s:
        assert s.add(key(), make_record("damcs", 1, 100))
        assert s.add(key(repeat=1), make_record("damcs", 1, None))
        # Same key again, different content: ignored, the first record stays.
        assert not s.add(key(), make_record("damcs", 1, 300))
    with store.ResultsStore.open(path, "quick", dict(CONFIG)) as s:
        assert s.done_keys() == {key(), key(repeat=1)}
        assert key() in s and key(repeat=2) not in s and len(s) == 2
        assert sorted(r.goal_step or 0 for r in s.records()) == [0, 100]
        assert s.config == CONFIG
    assert key().text == "quick/damcs/n1/map0/r0"


def test_other_suite_config_is_refused_in_one_line(tmp_path):
    path = tmp_path / "store.sqlite"
    store.ResultsStore.open(path, "quick", CONFIG).close()
    with pytest.raises(store.StoreError) as info:
        store.ResultsStore.open(path, "quick", {**CONFIG, "repeats": 5})
    assert "differs in: repeats" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(store.StoreError):
        store.ResultsStore.open(path, "paper", CONFIG)
    assert store.ResultsStore.read(path).config == CONFIG  # nothing was changed


def test_key_must_match_record(tmp_path):
    with store.ResultsStore.open(tmp_path / "s.sqlite", "quick", CONFIG) as s:
        with pytest.raises(store.StoreError, match="n_agents"):
            s.add(key(n=2), make_record("damcs", 1, 100))
        with pytest.raises(store.StoreError, match="suite"):
            s.add(key(suite="paper"), make_record("damcs", 1, 100))
        assert len(s) == 0


def test_add_many_is_all_or_nothing(tmp_path):
    with store.ResultsStore.open(tmp_path / "s.sqlite", "quick", CONFIG) as s:
        good = (key(seed=1), make_record("damcs", 1, 100, map_seed=1))
        bad = (key(seed=2), make_record("damcs", 1, 100, map_seed=3))
        with pytest.raises(store.StoreError):
            s.add_many([good, bad])
        assert len(s) == 0
        assert s.add_many([good, good]) == 1


def test_transaction_that_raises_leaves_nothing(tmp_path, monkeypatch):
    with store.ResultsStore.open(tmp_path / "s.sqlite", "quick", CONFIG) as s:
        s.add(key(seed=9), make_record("damcs", 1, 90, map_seed=9))
        items = [(key(seed=i), make_record("damcs", 1, 100, map_seed=i)) for i in range(3)]
        calls = []

        def exploding_time():
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt  # e.g. Ctrl-C while serialising the batch
            return 0.0

        monkeypatch.setattr(store.time, "time", exploding_time)
        with pytest.raises(KeyboardInterrupt):
            s.add_many(items)
        monkeypatch.undo()
        assert s.done_keys() == {key(seed=9)}


def test_writer_killed_mid_transaction_leaves_no_partial_record(tmp_path):
    path = tmp_path / "store.sqlite"
    with store.ResultsStore.open(path, "quick", CONFIG) as s:
        s.add(key(), make_record("damcs", 1, 100))
    payload = make_record("damcs", 2, 100).to_json()
    child = textwrap.dedent(
        f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO episodes VALUES ('quick/damcs/n2/map0/r0','quick','damcs',2,0,0,?,0)",
            ({payload!r},),
        )
        print("inserted", flush=True)
        time.sleep(60)
        conn.execute("COMMIT")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "inserted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with store.ResultsStore.open(path, "quick", CONFIG) as s:
        assert s.done_keys() == {key()}
        assert s.add(key(n=2), make_record("damcs", 2, 100))  # resume writes it for real
        assert len(s.records()) == 2


def test_writer_killed_while_adding_leaves_only_whole_records(tmp_path):
    path = tmp_path / "store.sqlite"
    store.ResultsStore.open(path, "quick", CONFIG).close()
    proc = multiprocessing.get_context("spawn").Process(target=_write_forever, args=(path,))
    proc.start()
    deadline = time.time() + 30
    while time.time() < deadline:
        with store.ResultsStore.read(path) as s:
            if len(s) >= 20:
                break
        time.sleep(0.05)
    proc.kill()
    proc.join()
    with store.ResultsStore.read(path) as s:
        keys, corrupt = s.scan()
        assert not corrupt and len(keys) >= 20
        assert all(k.map_seed == r.map_seed for k, r in keys)


def _write_forever(path):
    with store.ResultsStore.open(path, "quick", CONFIG) as s:
        for seed in range(100_000):
            s.add(key(seed=seed), make_record("damcs", 1, 100, map_seed=seed))


def _write_range(path, seeds, method):
    with store.ResultsStore.open(path, "quick", CONFIG) as s:
        for seed in seeds:
            s.add(key(method, seed=seed), make_record(method, 1, 100, map_seed=seed))


def test_two_writer_processes_do_not_corrupt(tmp_path):
    path = tmp_path / "store.sqlite"
    ctx = multiprocessing.get_context("spawn")
    # Overlapping ranges: both processes race on seeds 20-39 of the same method.
    procs = [
        ctx.Process(target=_write_range, args=(path, range(0, 40), "damcs")),
        ctx.Process(target=_write_range, args=(path, range(20, 60), "damcs")),
        ctx.Process(target=_write_range, args=(path, range(0, 30), "scripted")),
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with store.ResultsStore.read(path) as s:
        good, corrupt = s.scan()
        assert not corrupt and len(good) == 60 + 30
        assert len(s.done_keys()) == 90


def test_corrupt_row_is_reported_never_deleted(tmp_path):
    path = tmp_path / "store.sqlite"
    with store.ResultsStore.open(path, "quick", CONFIG) as s:
        for seed in range(3):
            s.add(key(seed=seed), make_record("damcs", 1, 100, map_seed=seed))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE episodes SET record = '{broken' WHERE key = ?", (key(seed=1).text,))
        conn.execute(
            "UPDATE episodes SET record = json_set(record, '$.length', -4) WHERE key = ?",
            (key(seed=2).text,),
        )
    conn.close()
    with store.ResultsStore.read(path) as s:
        with pytest.raises(store.StoreError, match="2 corrupt record"):
            s.records()
        good, corrupt = s.scan()
        assert [k.map_seed for k, _ in good] == [0]
        assert [c.key for c in corrupt] == [key(seed=1).text, key(seed=2).text]
        assert len(s) == 3 and key(seed=1) in s.done_keys()


def test_missing_or_foreign_file_gives_one_clear_error(tmp_path):
    with pytest.raises(store.StoreError, match="no results store"):
        store.ResultsStore.read(tmp_path / "nope.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(store.StoreError, match="not a"):
        store.ResultsStore.read(junk)
    with pytest.raises(store.StoreError, match="not a"):
        store.ResultsStore.open(junk, "quick", CONFIG)
    assert junk.read_bytes().startswith(b"this is not")
    with pytest.raises(store.StoreError, match="plain JSON"):
        store.ResultsStore.open(tmp_path / "x.sqlite", "quick", {"bad": {1, 2}})
