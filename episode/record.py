"""The one episode record every method emits, and the benchmark stores, aggregates and plots.

A record is a frozen dataclass that validates itself on construction and round-trips through JSON
(`to_dict` / `from_dict`). Milestone steps are the earliest joint step at which *any* player reached
the achievement, or None when no player did: a missing milestone is a failure, never zero or the
cap.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from episode import team

SCHEMA_VERSION = 1


class RecordError(ValueError):
    """An episode record is malformed (bad type, impossible value, unknown field)."""


@dataclass(frozen=True, kw_only=True)
class EpisodeRecord(team.Counters):
    """What happened in one episode of one method, enough to recompute every reported number.

    The method's costs are the fields of `episode.team.Counters`, inherited (one definition)."""

    method: str
    n_agents: int
    rules: str
    goal: str
    map_seed: int
    episode_seed: int
    max_steps: int
    length: int
    success: bool
    milestones: Mapping[str, int | None]
    wall_time_s: float
    method_config: Mapping[str, Any] = field(default_factory=dict)
    map_info: Mapping[str, Any] = field(default_factory=dict)
    achievements: Mapping[str, int | None] = field(default_factory=dict)
    """Every achievement of the rule set -> the first joint step any player unlocked it, or None
    (for the Crafter score and per-achievement success rates; empty in records made before it was
    kept)."""
    obs_type: str = "symbolic"
    """The observation the team was given (the type it states it reads)."""
    code_version: str = "unknown"
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        def fail(message: str) -> None:
            raise RecordError(f"episode record: {message}")

        if not isinstance(self.method, str) or not self.method:
            fail(f"method must be a non-empty string, got {self.method!r}")
        for name in ("n_agents", "max_steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                fail(f"{name} must be a positive integer, got {value!r}")
        for name in ("length", *team.names()):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                fail(f"{name} must be a non-negative integer, got {value!r}")
        if self.length > self.max_steps:
            fail(f"length {self.length} exceeds max_steps {self.max_steps}")
        if not isinstance(self.success, bool):
            fail(f"success must be a bool, got {self.success!r}")
        if not isinstance(self.wall_time_s, int | float) or not math.isfinite(self.wall_time_s):
            fail(f"wall_time_s must be a finite number, got {self.wall_time_s!r}")
        if self.wall_time_s < 0:
            fail(f"wall_time_s must be >= 0, got {self.wall_time_s}")
        if self.goal not in self.milestones:
            fail(f"goal {self.goal!r} is missing from milestones {list(self.milestones)}")
        for name, step in self.milestones.items():
            if step is None:
                continue
            if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= self.length:
                fail(f"milestone {name} at step {step!r} is outside the episode (0..{self.length})")
        if self.success != (self.milestones[self.goal] is not None):
            fail(f"success={self.success} disagrees with the goal milestone {self.goal}")
        object.__setattr__(self, "milestones", dict(self.milestones))
        object.__setattr__(self, "method_config", dict(self.method_config))
        object.__setattr__(self, "map_info", dict(self.map_info))
        object.__setattr__(self, "achievements", dict(self.achievements))

    @property
    def unlocked(self) -> frozenset[str]:
        """The achievements some player unlocked in the episode."""
        return frozenset(name for name, step in self.achievements.items() if step is not None)

    @property
    def goal_step(self) -> int | None:
        """Joint steps until the goal, or None if it was never reached (censored)."""
        return self.milestones[self.goal]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EpisodeRecord:
        if not isinstance(data, Mapping):
            raise RecordError(f"episode record: expected a JSON object, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RecordError(f"episode record: unknown fields {unknown}")
        try:
            return cls(**data)
        except TypeError as error:
            raise RecordError(f"episode record: {error}") from None

    @classmethod
    def from_json(cls, text: str) -> EpisodeRecord:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RecordError(f"episode record: not valid JSON ({error})") from None
        return cls.from_dict(data)

    def write(self, path: str | Path) -> None:
        """Write the record as JSON, refusing to overwrite an existing file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x") as file:
            file.write(json.dumps(self.to_dict(), indent=2) + "\n")


@functools.cache
def code_version() -> str:
    """`git describe` of this checkout, so every record can be traced to the code that made it."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"
