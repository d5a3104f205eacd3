"""What every study prints and writes: a Markdown table, and optionally a JSON file of its rows."""

from __future__ import annotations

import datetime
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from episode import record


class StudyError(Exception):
    """Input a study cannot use (a model that does not load, ...): `exit_status` prints it as one
    line naming the study and exits with status 2."""


def exit_status(study: str, run: Callable[[], object]) -> int:
    """Run a study's `run`; a `StudyError` becomes the line "STUDY: message" on stderr and 2."""
    try:
        run()
    except StudyError as error:
        print(f"{study}: {error}", file=sys.stderr)
        return 2
    return 0


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table of `rows` (cells already formatted, or anything `str` can show)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(
    path: Path | None, config: Mapping[str, Any], rows: Sequence[Any], announce: bool = True
) -> None:
    """Write the study's config and rows as JSON to `path` (nothing when None); paths and other
    values JSON lacks are written as text. The config also names the code version and the date,
    so that rows compared later (`benchmark.studies.paired`) say which code made them. The file
    is replaced in one step: a run killed while writing leaves the previous file whole."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    made = {
        "code_version": record.code_version(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    data = {"config": {**dict(config), **made}, "rows": list(rows)}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, default=str) + "\n")
    os.replace(partial, path)
    if announce:
        print(f"written to {path}")
