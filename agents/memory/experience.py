"""The records the knowledge graph stores: one `Experience` per decision and one `Goal` per goal node.

Both are frozen and validate themselves, so a graph read back from JSON or GraphML holds the same
values an agent wrote, and a malformed entry is an `ExperienceError` rather than a silent bad prompt.
An experience holds what the DAMCS release kept per decision (vitals, inventory, position, facing,
the chosen option, its result and reason, the parsed reply) plus the messages the agent had read.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

# An experience is recorded before its option has run: its result stays PENDING until resolved.
PENDING, DONE, FAILED, INTERRUPTED = "pending", "done", "failed", "interrupted"
RESULTS = (PENDING, DONE, FAILED, INTERRUPTED)


class ExperienceError(ValueError):
    """An experience or goal record that does not validate (bad type, negative count, ...)."""


def _counts(value: Any, name: str) -> Mapping[str, int]:
    """A read-only item -> count mapping, or an ExperienceError naming the bad entry."""
    if not isinstance(value, Mapping):
        raise ExperienceError(f"invalid {name} {value!r}; allowed: a mapping of item -> count")
    for item, count in value.items():
        if not isinstance(item, str) or not item:
            raise ExperienceError(f"invalid {name} key {item!r}; allowed: a non-empty string")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ExperienceError(f"invalid {name}[{item!r}] = {count!r}; allowed: an int >= 0")
    return MappingProxyType(dict(value))


def _pair(value: Any, name: str) -> tuple[int, int]:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ExperienceError(f"invalid {name} {value!r}; allowed: two ints (x, y)")
    return (value[0], value[1])


def _step(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ExperienceError(f"invalid step {value!r}; allowed: an int >= 0")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ExperienceError(f"invalid {name} {value!r}; allowed: a string")
    return value


@dataclass(frozen=True)
class Experience:
    """One decision of one agent: the state it decided in, what it chose, and how that went."""

    step: int
    option: str
    goal: str = ""
    long_term_goal: str = ""
    vitals: Mapping[str, int] = field(default_factory=dict)
    inventory: Mapping[str, int] = field(default_factory=dict)
    position: tuple[int, int] = (0, 0)
    facing: tuple[int, int] = (0, 1)
    result: str = PENDING
    reason: str = ""
    summary: str = ""
    messages: tuple[str, ...] = ()
    reply: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise fields in place once
        set_(self, "step", _step(self.step))
        for name in ("option", "goal", "long_term_goal", "reason", "summary"):
            _text(getattr(self, name), name)
        if not self.option:
            raise ExperienceError("an experience needs the option it chose")
        set_(self, "vitals", _counts(self.vitals, "vitals"))
        set_(self, "inventory", _counts(self.inventory, "inventory"))
        set_(self, "position", _pair(self.position, "position"))
        set_(self, "facing", _pair(self.facing, "facing"))
        if self.result not in RESULTS:
            raise ExperienceError(f"invalid result {self.result!r}; allowed: {', '.join(RESULTS)}")
        if isinstance(self.messages, str) or not all(isinstance(m, str) for m in self.messages):
            raise ExperienceError(f"invalid messages {self.messages!r}; allowed: strings")
        set_(self, "messages", tuple(self.messages))
        if not isinstance(self.reply, Mapping):
            raise ExperienceError(f"invalid reply {self.reply!r}; allowed: a JSON object")
        try:
            frozen_reply = json.loads(json.dumps(dict(self.reply)))
        except (TypeError, ValueError) as error:
            raise ExperienceError(f"reply is not JSON-serialisable: {error}") from None
        set_(self, "reply", MappingProxyType(frozen_reply))

    def resolved(self, result: str, reason: str = "") -> Experience:
        """The same experience with its option's outcome filled in."""
        return replace(self, result=result, reason=reason)

    @property
    def action_text(self) -> str:
        """'collect wood -> done (collected 1 wood)', the procedural memory's line."""
        text = f"{self.option} -> {self.result}"
        return f"{text} ({self.reason})" if self.reason else text

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "option": self.option,
            "goal": self.goal,
            "long_term_goal": self.long_term_goal,
            "vitals": dict(self.vitals),
            "inventory": dict(self.inventory),
            "position": list(self.position),
            "facing": list(self.facing),
            "result": self.result,
            "reason": self.reason,
            "summary": self.summary,
            "messages": list(self.messages),
            "reply": json.loads(json.dumps(dict(self.reply))),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Experience:
        if not isinstance(data, Mapping):
            raise ExperienceError(f"an experience must be a mapping, got {type(data).__name__}")
        try:
            return cls(**{k: data[k] for k in ("step", "option")}, **_optional(data, cls))
        except KeyError as error:
            raise ExperienceError(f"experience lacks field {error}") from None
        except TypeError as error:
            raise ExperienceError(f"malformed experience: {error}") from None


@dataclass(frozen=True)
class Goal:
    """A goal node: the current goal under a long-term goal, from the inventory it started with."""

    goal: str
    long_term_goal: str
    step: int
    inventory: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _text(self.goal, "goal")
        _text(self.long_term_goal, "long_term_goal")
        object.__setattr__(self, "step", _step(self.step))
        object.__setattr__(self, "inventory", _counts(self.inventory, "inventory"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "long_term_goal": self.long_term_goal,
            "step": self.step,
            "inventory": dict(self.inventory),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Goal:
        if not isinstance(data, Mapping):
            raise ExperienceError(f"a goal must be a mapping, got {type(data).__name__}")
        try:
            return cls(
                goal=data["goal"],
                long_term_goal=data["long_term_goal"],
                step=data["step"],
                inventory=data.get("inventory", {}),
            )
        except KeyError as error:
            raise ExperienceError(f"goal lacks field {error}") from None


def _optional(data: Mapping[str, Any], cls: type) -> dict[str, Any]:
    """The optional fields present in `data`, converting JSON lists back to tuples."""
    known = {f.name for f in dataclasses.fields(cls)} - {"step", "option"}
    unknown = set(data) - known - {"step", "option"}
    if unknown:
        raise ExperienceError(f"unknown experience fields: {', '.join(sorted(unknown))}")
    out = {k: data[k] for k in known if k in data}
    for key in ("position", "facing", "messages"):
        if key in out and isinstance(out[key], list):
            out[key] = tuple(out[key])
    return out


@dataclass(frozen=True)
class Percept:
    """Sensory memory: what the agent perceives at one step (its state, view text, messages read).

    Only the latest percept is kept; experiences copy what they need from it when recorded.
    """

    step: int
    inventory: Mapping[str, int] = field(default_factory=dict)
    vitals: Mapping[str, int] = field(default_factory=dict)
    achievements: Mapping[str, int] = field(default_factory=dict)
    position: tuple[int, int] = (0, 0)
    facing: tuple[int, int] = (0, 1)
    view: str = ""
    messages: tuple[str, ...] = ()
    stations_known: tuple[str, ...] = ()
    stations_nearby: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "step", _step(self.step))
        for name in ("inventory", "vitals", "achievements"):
            set_(self, name, _counts(getattr(self, name), name))
        set_(self, "position", _pair(self.position, "position"))
        set_(self, "facing", _pair(self.facing, "facing"))
        _text(self.view, "view")
        for name in ("messages", "stations_known", "stations_nearby"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ExperienceError(f"invalid {name} {value!r}; allowed: strings")
            set_(self, name, tuple(value))

    @classmethod
    def from_info(
        cls,
        info: Mapping[str, Any],
        vitals: Sequence[str],
        view: str = "",
        messages: Sequence[str] = (),
        stations_known: Sequence[str] = (),
        stations_nearby: Sequence[str] = (),
    ) -> Percept:
        """A percept from one env info; `vitals` are the rule set's vital items (split out)."""
        inventory = {k: int(v) for k, v in info.get("inventory", {}).items()}
        return cls(
            step=int(info.get("step", 0)),
            inventory={k: v for k, v in inventory.items() if k not in vitals},
            vitals={k: v for k, v in inventory.items() if k in vitals},
            achievements={k: int(v) for k, v in info.get("achievements", {}).items()},
            position=tuple(int(v) for v in info.get("position", (0, 0))),
            facing=tuple(int(v) for v in info.get("facing", (0, 1))),
            view=view,
            messages=tuple(messages),
            stations_known=tuple(stations_known),
            stations_nearby=tuple(stations_nearby),
        )
