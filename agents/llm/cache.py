"""A persistent cache of deterministic model calls, so a rerun never pays twice for a decision.

Option scoring and greedy generation are pure functions of (model, revision, dtype, decoding
parameters, prompt, options); their results are stored in one SQLite file keyed by a sha256 of all
of these. WAL mode and a busy timeout let several benchmark processes share the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

ENV_DIR = "MACBENCH_CACHE_DIR"
FILENAME = "llm_cache.sqlite"
DEFAULT = "default"  # sentinel for "the default cache file" in backend constructors


def cache_dir() -> pathlib.Path:
    """`$MACBENCH_CACHE_DIR`, else `~/.cache/macbench` (models and the call cache live here)."""
    env = os.environ.get(ENV_DIR)
    return pathlib.Path(env).expanduser() if env else pathlib.Path.home() / ".cache" / "macbench"


def make_key(
    *,
    model_id: str,
    revision: str,
    dtype: str,
    kind: str,
    params: Mapping[str, Any],
    prompt: str,
    options: Sequence[str] = (),
) -> str:
    """The hex sha256 naming one deterministic call; any change in its inputs changes the key."""
    payload = json.dumps(
        {
            "model": model_id,
            "revision": revision,
            "dtype": dtype,
            "kind": kind,
            "params": dict(params),
            "prompt": hashlib.sha256(prompt.encode()).hexdigest(),
            "options": list(options),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def server_key(
    *,
    base_url: str,
    served: Mapping[str, Any],
    kind: str,
    params: Mapping[str, Any],
    prompt: str,
    options: Sequence[str] = (),
) -> str:
    """The key of one call to a model behind a server: keyed by the served model id, its revision
    (`root`) and the server's capabilities as detected, so another model (or another build of it)
    behind the same URL never replays old answers. `base_url` must carry no credentials and no
    key is ever part of `served`."""
    return make_key(
        model_id=f"{served['id']}@{base_url}",
        revision=str(served.get("root") or "server"),
        dtype="server",
        kind=kind,
        params={**params, "capabilities": {k: v for k, v in served.items() if k != "id"}},
        prompt=prompt,
        options=options,
    )


class CallCache:
    """Key -> JSON value store in SQLite; safe for threads of one process and for two processes."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = pathlib.Path(path) if path is not None else cache_dir() / FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Autocommit plus a long busy timeout: a second process waits for the writer, never fails.
        self._db = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
            " created REAL NOT NULL)"
        )

    def get(self, key: str) -> Any | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO calls (key, value, created) VALUES (?, ?, ?)",
                (key, json.dumps(value), time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_cache(cache: CallCache | str | os.PathLike[str] | None) -> CallCache | None:
    """Backend argument -> cache: `DEFAULT` (the shared file), a path, an instance or None (off)."""
    if cache is None or isinstance(cache, CallCache):
        return cache
    if cache == DEFAULT:
        return CallCache()
    return CallCache(cache)
