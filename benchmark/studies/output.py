"""What every study prints and writes: a Markdown table, and optionally a JSON file of its rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table of `rows` (cells already formatted, or anything `str` can show)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: Path | None, config: Mapping[str, Any], rows: Sequence[Any]) -> None:
    """Write the study's config and rows as JSON to `path` (nothing when None); paths and other
    values JSON lacks are written as text."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"config": dict(config), "rows": list(rows)}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"written to {path}")
