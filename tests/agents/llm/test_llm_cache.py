from __future__ import annotations

import subprocess
import sys

from agents.llm import cache

KEY_ARGS = {
    "model_id": "m",
    "revision": "r",
    "dtype": "float32",
    "kind": "choose",
    "params": {"chat": False},
    "prompt": "p",
    "options": ("a", "b"),
}


def test_key_depends_on_every_input():
    base = cache.make_key(**KEY_ARGS)
    assert cache.make_key(**KEY_ARGS) == base
    for name, other in [
        ("model_id", "m2"),
        ("revision", "r2"),
        ("dtype", "bfloat16"),
        ("kind", "generate"),
        ("params", {"chat": True}),
        ("prompt", "p2"),
        ("options", ("b", "a")),
    ]:
        assert cache.make_key(**{**KEY_ARGS, name: other}) != base, name


def test_default_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "elsewhere"))
    store = cache.open_cache(cache.DEFAULT)
    assert store.path == tmp_path / "elsewhere" / cache.FILENAME
    assert cache.open_cache(None) is None


def test_values_persist_and_are_shared_with_another_process(tmp_path):
    path = tmp_path / "calls.sqlite"
    store = cache.CallCache(path)
    assert store.get("k") is None
    store.put("k", [1.5, -2.0])
    assert store.get("k") == [1.5, -2.0]
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # A second process writes while this connection stays open: WAL lets both work.
    code = (
        f"from agents.llm import cache; c = cache.CallCache(r'{path}');"
        " assert c.get('k') == [1.5, -2.0]; c.put('k2', {'x': 1})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert store.get("k2") == {"x": 1}
    assert len(store) == 2
