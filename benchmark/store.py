"""The resumable results store: one SQLite file holding a suite's config and its finished episodes.

Why SQLite in WAL mode rather than append-only JSONL:
- **Atomic episodes.** Each episode is one row written in one transaction; a process killed
  mid-write leaves either the whole row or nothing (the journal is rolled back on the next open),
  where a JSONL writer can leave a torn last line that every reader must learn to skip.
- **Several writers.** Two runners on one store (two terminals, or Ray workers on a shared disk
  of one host) are serialised by SQLite's own file locks (`BEGIN IMMEDIATE` + a busy timeout);
  appends from two processes to one JSONL file need extra locking to stay whole.
- **Resume and duplicates.** The episode key is the primary key, so "what is done" is one indexed
  query and a second copy of an episode is refused by the database itself, not by a scan.
- **Readers never block writers** in WAL mode, so figures can be drawn while a suite still runs.
- It is in the standard library and one file (`store.sqlite`) that copies like any other: every
  commit is checkpointed from the WAL into that file at once (about 9 ms per episode, measured
  on 200 adds: 13.1 ms against 4.2 ms without), so after a kill -9 the file alone holds every
  committed episode.
- One runner per store: `RunLock` (a `flock` on `store.sqlite.lock`) makes a second runner on the
  same output directory refuse in one line rather than run every episode twice.
Not for network filesystems (NFS locking is unreliable): give each machine's runner a local store.

Contract:
- A store is created for one suite (name + config, canonical JSON) and refuses to be opened for a
  different one, with a one-line `StoreError`; `ResultsStore.read` opens an existing store for
  reading without knowing the config (for figures and exports).
- Episodes are keyed by `EpisodeKey` (suite, method, n_agents, map seed, repeat). Records are never
  overwritten: `add` of a key already stored is ignored and returns False (first writer wins), so
  two runners racing on one episode both finish cleanly and exactly one record is kept.
- A row that no longer parses as an `EpisodeRecord` is never deleted: `records()` raises a
  `StoreError` naming it, and `scan()` returns the good records plus the corrupt rows, counted.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from episode import record as records_lib

STORE_SCHEMA_VERSION = 1
STORE_FILENAME = "store.sqlite"
BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS episodes (
    key TEXT PRIMARY KEY,
    suite TEXT NOT NULL,
    method TEXT NOT NULL,
    n_agents INTEGER NOT NULL,
    map_seed INTEGER NOT NULL,
    repeat INTEGER NOT NULL,
    record TEXT NOT NULL,
    stored_at REAL NOT NULL
);
"""

_KEY_PART = re.compile(r"^[A-Za-z0-9_.+-]+$")


class StoreError(RuntimeError):
    """The store cannot be used as asked: missing, not a store, other suite, corrupt row."""


@dataclass(frozen=True, order=True)
class EpisodeKey:
    """Deterministic identity of one episode of a suite: the same suite always yields the same keys,
    so a resumed run can tell exactly which episodes are missing."""

    suite: str
    method: str
    n_agents: int
    map_seed: int
    repeat: int

    def __post_init__(self) -> None:
        for name in ("suite", "method"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _KEY_PART.match(value):
                raise StoreError(f"episode key: {name} {value!r} must be [A-Za-z0-9_.+-]+")
        for name in ("n_agents", "map_seed", "repeat"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise StoreError(f"episode key: {name} must be an integer, got {value!r}")
        if self.n_agents < 1 or self.repeat < 0:
            raise StoreError(f"episode key: bad n_agents {self.n_agents} or repeat {self.repeat}")

    @property
    def text(self) -> str:
        """The primary key, e.g. ``quick/damcs/n6/map1023683980/r0``."""
        return f"{self.suite}/{self.method}/n{self.n_agents}/map{self.map_seed}/r{self.repeat}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class CorruptRow:
    """A stored row that does not parse as a record; kept in the store, reported here."""

    key: str
    error: str


@dataclass(frozen=True)
class StoreCounts:
    """How complete a store is: a summary of a partial or damaged store must say so."""

    expected: int | None
    """Episodes the suite has (None: a store written before this was recorded)."""
    stored: int
    """Episodes whose record parses."""
    corrupt: int
    """Rows kept in the store that no longer parse (skipped by `scan`)."""

    @property
    def partial(self) -> bool:
        """Fewer good episodes than the suite has, or any corrupt row."""
        return self.corrupt > 0 or (self.expected is not None and self.stored < self.expected)


class RunLock:
    """An exclusive lock beside a store, held by the one runner working on it: a second runner on
    the same output directory refuses in one line instead of running every episode again."""

    def __init__(self, store_path: str | Path) -> None:
        self.path = Path(str(store_path) + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise StoreError(
                f"{self.path.parent}: another runner (pid {holder}) is already running this store; "
                "wait for it or use another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def canonical_config(config: Mapping[str, Any]) -> str:
    """The suite config as canonical JSON, the form stored and compared."""
    try:
        return json.dumps(config, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise StoreError(f"suite config is not plain JSON: {error}") from None


def _differing_keys(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k, object()) != b.get(k, object()))


class ResultsStore:
    """A suite's finished episodes in one SQLite file: `open` to run a suite, `read` to report."""

    def __init__(self, path: Path, connection: sqlite3.Connection, suite: str, config: str) -> None:
        self.path = path
        self._conn = connection
        self.suite = suite
        self._config = config

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, suite: str, config: Mapping[str, Any]) -> ResultsStore:
        """Create the store for `suite` with `config`, or reopen it to resume the same suite.

        Raises StoreError if the file is not a store or was created for another suite or config.
        """
        path = Path(path)
        wanted = canonical_config(config)
        if not isinstance(suite, str) or not _KEY_PART.match(suite):
            raise StoreError(f"suite name {suite!r} must be [A-Za-z0-9_.+-]+")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        try:
            with cls._transaction(conn):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
                if not meta:
                    conn.executemany(
                        "INSERT INTO meta (name, value) VALUES (?, ?)",
                        [
                            ("schema_version", str(STORE_SCHEMA_VERSION)),
                            ("suite", suite),
                            ("suite_config", wanted),
                            ("created_at", str(time.time())),
                        ],
                    )
                    meta = {"suite": suite, "suite_config": wanted}
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{path}: not a usable results store ({error})") from None
        stored_suite, stored_config = meta.get("suite"), meta.get("suite_config")
        if stored_suite != suite or stored_config != wanted:
            conn.close()
            try:
                differs = _differing_keys(json.loads(stored_config or "{}"), json.loads(wanted))
            except (json.JSONDecodeError, AttributeError):
                differs = ["<unreadable stored config>"]
            raise StoreError(
                f"{path} holds suite {stored_suite!r} with a different config "
                f"(differs in: {', '.join(differs) or 'suite name'}); use a new output directory"
            )
        return cls(path, conn, suite, wanted)

    @classmethod
    def read(cls, path: str | Path) -> ResultsStore:
        """Open an existing store whatever its suite (for reports); never creates one."""
        path = Path(path)
        if not path.is_file():
            raise StoreError(f"{path}: no results store there")
        conn = cls._connect(path)
        try:
            meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{path}: not a results store ({error})") from None
        if "suite" not in meta or "suite_config" not in meta:
            conn.close()
            raise StoreError(f"{path}: not a results store (no suite recorded)")
        return cls(path, conn, meta["suite"], meta["suite_config"])

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer takes the write
        # lock before reading and two writers queue on the busy timeout instead of deadlocking.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{path}: not a results store ({error})") from None
        return conn

    @staticmethod
    @contextmanager
    def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        # Move the commit from the WAL into the main file at once, so that `store.sqlite` alone
        # (copied after a kill -9, without its -wal file) holds every committed episode.
        conn.execute("PRAGMA wal_checkpoint(FULL)")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- suite ------------------------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """The suite config the store was created with."""
        return json.loads(self._config)

    # -- writing ----------------------------------------------------------------------------

    def add(self, key: EpisodeKey, record: records_lib.EpisodeRecord) -> bool:
        """Commit one finished episode atomically. Returns False (and stores nothing) if the key
        is already stored: records are never overwritten."""
        return self.add_many([(key, record)]) == 1

    def add_many(self, items: Iterable[tuple[EpisodeKey, records_lib.EpisodeRecord]]) -> int:
        """Commit several episodes in one transaction (all or none); returns how many were new."""
        # Rows are built inside the transaction, so an error on the n-th item (bad key, Ctrl-C)
        # rolls back the ones already inserted.
        rows = (self._row(key, record) for key, record in items)
        with self._transaction(self._conn):
            before = self._conn.total_changes
            self._conn.executemany(
                "INSERT OR IGNORE INTO episodes "
                "(key, suite, method, n_agents, map_seed, repeat, record, stored_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return self._conn.total_changes - before

    def _row(self, key: EpisodeKey, record: records_lib.EpisodeRecord) -> tuple[Any, ...]:
        if not isinstance(key, EpisodeKey) or not isinstance(record, records_lib.EpisodeRecord):
            raise StoreError("add: expected an EpisodeKey and an EpisodeRecord")
        if key.suite != self.suite:
            raise StoreError(f"add: key {key} is for suite {key.suite!r}, store is {self.suite!r}")
        mismatch = [
            name
            for name in ("method", "n_agents", "map_seed")
            if getattr(key, name) != getattr(record, name)
        ]
        if mismatch:
            raise StoreError(f"add: key {key} disagrees with its record on {', '.join(mismatch)}")
        return (
            key.text,
            key.suite,
            key.method,
            key.n_agents,
            key.map_seed,
            key.repeat,
            record.to_json(),
            time.time(),
        )

    def expect(self, n_episodes: int) -> None:
        """Record how many episodes the suite has, so a report can tell a partial store."""
        with self._transaction(self._conn):
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES ('expected_episodes', ?)",
                (str(int(n_episodes)),),
            )

    # -- reading ----------------------------------------------------------------------------

    def counts(self) -> StoreCounts:
        """Expected, stored and corrupt episode counts (for a summary that says it is partial)."""
        row = self._conn.execute(
            "SELECT value FROM meta WHERE name = 'expected_episodes'"
        ).fetchone()
        good, bad = self.scan()
        return StoreCounts(
            expected=None if row is None else int(row[0]), stored=len(good), corrupt=len(bad)
        )

    def done_keys(self) -> frozenset[EpisodeKey]:
        """Keys of every stored episode, so a resumed run skips exactly these."""
        rows = self._conn.execute("SELECT suite, method, n_agents, map_seed, repeat FROM episodes")
        return frozenset(EpisodeKey(*row) for row in rows)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, EpisodeKey):
            return False
        row = self._conn.execute("SELECT 1 FROM episodes WHERE key = ?", (key.text,)).fetchone()
        return row is not None

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]

    def scan(self) -> tuple[list[tuple[EpisodeKey, records_lib.EpisodeRecord]], list[CorruptRow]]:
        """Every stored episode in key order, plus the rows that no longer parse (left in place)."""
        good, bad = [], []
        rows = self._conn.execute(
            "SELECT key, suite, method, n_agents, map_seed, repeat, record FROM episodes "
            "ORDER BY key"
        )
        for text, *parts, payload in rows:
            try:
                key = EpisodeKey(*parts)
                good.append((key, records_lib.EpisodeRecord.from_json(payload)))
            except (records_lib.RecordError, StoreError, TypeError) as error:
                bad.append(CorruptRow(text, str(error)))
        return good, bad

    def records(self) -> list[records_lib.EpisodeRecord]:
        """Every stored record; a corrupt row raises StoreError (use `scan` to skip and count)."""
        good, bad = self.scan()
        if bad:
            raise StoreError(
                f"{self.path}: {len(bad)} corrupt record(s), first {bad[0].key}: {bad[0].error}"
            )
        return [record for _, record in good]
