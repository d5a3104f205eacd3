"""A study's rows, played into a `--json` file that a killed run goes on from.

A study over maps plays one row per map and team size. Each finished row goes to the file at once
(the config marked unfinished), so a run killed at any moment loses only the rows in flight, and
the same command run again plays only the rows the file lacks. A file is added to only by a run
of the same arguments and the same committed code; any other is refused in one line before any
play, never overwritten. Rows may be played in worker processes: each is a function of its map
and team size, and the file keeps them in the order of the jobs, whatever order they finish in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import tqdm

from benchmark import runner
from benchmark.studies import output
from episode import record


def earlier_rows(path: Path | None, config: Mapping[str, Any], fields: Sequence[str]) -> list[dict]:
    """The rows an earlier run with the same `fields` of `config` and the same code wrote to
    `path` (none when there is no file). ValueError with one line when the file belongs to
    another run, other code, or code with uncommitted changes (no version names its rows)."""
    if path is None or not path.exists():
        return []
    prefix = f"--json {path}"
    try:
        run = json.loads(path.read_text())
        written, rows = run["config"], run["rows"]
        if not isinstance(rows, list) or not isinstance(written, dict):
            raise TypeError("not a study's rows")
    except (OSError, ValueError, KeyError, TypeError) as error:
        message = f"{prefix}: exists and is not the rows of this study; choose another file"
        raise ValueError(message) from error
    wanted = json.loads(json.dumps({name: config[name] for name in fields}, default=str))
    for name, value in wanted.items():
        if written.get(name) != value:
            option = f"--{name.replace('_', '-')}"
            raise ValueError(
                f"{prefix}: holds a run with {option} {_as_given(written.get(name))}, "
                f"not {_as_given(value)}; choose another file"
            )
    version = record.code_version()
    if written.get("code_version") != version:
        raise ValueError(
            f"{prefix}: holds rows of code {written.get('code_version')}, this is {version}; "
            "choose another file"
        )
    if version == "unknown" or version.endswith("-dirty"):
        raise ValueError(
            f"{prefix}: exists, and code with uncommitted changes cannot show it made those "
            "rows; choose another file"
        )
    return rows


def _as_given(value: object) -> str:
    """An argument's value as it is typed on the command line ("1 2 6" for a list)."""
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


def play(
    jobs: Sequence[tuple[Any, int]],
    play_row: Callable[..., dict],
    path: Path | None,
    config: Mapping[str, Any],
    fields: Sequence[str],
    workers: int = 1,
    extra: tuple = (),
) -> list[dict]:
    """Every row of `jobs` (a map with a `name`, and a team size), in their order: those the
    file at `path` holds (see `earlier_rows`; check it first for a clean error), and the rest
    played by `play_row(map, n_agents, *extra)` (a module-level function, for worker processes)
    with a progress bar, each written to `path` as it finishes."""
    order = {(where.name, n): i for i, (where, n) in enumerate(jobs)}
    done = {(r["map"], r["n_agents"]): r for r in earlier_rows(path, config, fields)}
    todo = [(where, n) for where, n in jobs if (where.name, n) not in done]

    def rows() -> list[dict]:
        return sorted(done.values(), key=lambda r: order[(r["map"], r["n_agents"])])

    if done:
        print(f"resuming {path}: {len(done)} of {len(jobs)} rows already played", flush=True)
    with tqdm.tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="row") as bar:
        for row in _rows(todo, play_row, workers, extra):
            done[(row["map"], row["n_agents"])] = row
            output.write_json(path, {**config, "finished": False}, rows(), announce=False)
            bar.update()
    if todo:
        output.write_json(path, {**config, "finished": True}, rows())
    return rows()


def _rows(
    jobs: list[tuple[Any, int]], play_row: Callable[..., dict], workers: int, extra: tuple
) -> Iterator[dict]:
    """The rows of `jobs` as they finish: here, or in `workers` processes when more than one."""
    if workers <= 1:
        for where, n in jobs:
            yield play_row(where, n, *extra)
        return
    with runner.local_pool(workers) as pool:
        yield from runner.as_finished([pool.submit(play_row, w, n, *extra) for w, n in jobs])
