"""The S-CS message protocol: typed, self-validating messages that round-trip through JSON.

Four kinds, each routed differently by the router:
- ``status``: the sender's role, long-term and current goal, what it needs (item -> count) and can
  offer, and resource sightings; it reaches the teammates that help the sender, its co-helpers
  and those it helps. Beyond the paper's template it carries where the sender stands and the
  gathering tool it asks the crafter for (``position``, ``wants``): what team dispatch reads
  (`agents.teamwork`: the crafter's bill split one unit per gatherer by who reaches it soonest,
  pickaxe copies handed to the feeders that wait for them), and who is nearer the goal when the
  goal's tool is handed over; and the frontier it explores toward (``exploring``), so that
  teammates, who do not share maps, search elsewhere.
- ``claim``: the units of a teammate's bill the sender is fetching (item -> count; empty: none),
  so that the others who help the same teammate fetch the rest; it reaches those co-helpers and
  the teammate whose bill it is.
- ``station``: a table or furnace the sender placed and where; it reaches everyone.
- ``share``: items the sender just gave one teammate; it reaches that teammate and makes it re-plan.

A message is a compact template, never a history. Anything malformed (from a model, a file or a
buggy agent) is a `MessageError`, which the router counts as rejected instead of crashing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from agents.skills import mapping

STATUS, CLAIM, STATION, SHARE = "status", "claim", "station", "share"
KINDS = (STATUS, CLAIM, STATION, SHARE)
LATEST = (STATUS, CLAIM)  # kinds where only the sender's latest message counts (templates)
MAX_SIGHTINGS = 32  # keeps a status compact; the sender picks the most useful ones
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = (
    "kind",
    "sender",
    "step",
    "role",
    "long_term_goal",
    "goal",
    "needs",
    "offers",
    "station",
    "sightings",
    "recipient",
    "gave",
    "claims",
    "position",
    "wants",
    "exploring",
)


class MessageError(ValueError):
    """A message that does not validate; the router counts it as rejected."""


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise MessageError(f"invalid {what} {value!r}; allowed: a lower_snake_case name")
    return value


def _counts(value: Any, what: str) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise MessageError(f"invalid {what} {value!r}; allowed: a mapping of item -> count")
    for item, count in value.items():
        _name(item, f"{what} item")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise MessageError(f"invalid {what}[{item!r}] = {count!r}; allowed: an int >= 1")
    return MappingProxyType(dict(value))


def _position(value: Any) -> tuple[int, int]:
    if (
        isinstance(value, str | bytes)
        or not hasattr(value, "__len__")
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise MessageError(f"invalid position {value!r}; allowed: two ints (x, y)")
    return (value[0], value[1])


@dataclass(frozen=True)
class Station:
    """A station the sender placed, and where."""

    name: str
    position: tuple[int, int]

    def __post_init__(self) -> None:
        _name(self.name, "station")
        object.__setattr__(self, "position", _position(self.position))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "position": list(self.position)}


@dataclass(frozen=True)
class Message:
    """One message from one agent; which fields matter depends on `kind` (see the module doc)."""

    kind: str
    sender: str
    step: int
    role: str = ""
    long_term_goal: str = ""
    goal: str = ""
    needs: Mapping[str, int] = field(default_factory=dict)
    offers: Mapping[str, int] = field(default_factory=dict)
    station: Station | None = None
    sightings: tuple[mapping.Sighting, ...] = ()
    recipient: str = ""
    gave: Mapping[str, int] = field(default_factory=dict)
    claims: Mapping[str, int] = field(default_factory=dict)
    position: tuple[int, int] | None = None  # where the sender stands (a status)
    wants: str = ""  # a gathering tool the sender asks the crafter for (a status)
    exploring: tuple[int, int] | None = None  # the frontier the sender searches toward (a status)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise fields in place once
        if self.kind not in KINDS:
            raise MessageError(f"invalid kind {self.kind!r}; allowed: {', '.join(KINDS)}")
        _name(self.sender, "sender")
        if isinstance(self.step, bool) or not isinstance(self.step, int) or self.step < 0:
            raise MessageError(f"invalid step {self.step!r}; allowed: an int >= 0")
        if self.role:
            _name(self.role, "role")
        for name in ("long_term_goal", "goal"):
            if not isinstance(getattr(self, name), str):
                raise MessageError(f"invalid {name} {getattr(self, name)!r}; allowed: a string")
        for name in ("needs", "offers", "gave", "claims"):
            set_(self, name, _counts(getattr(self, name), name))
        if self.station is not None and not isinstance(self.station, Station):
            raise MessageError(f"invalid station {self.station!r}; allowed: a Station")
        sightings = self.sightings
        if isinstance(sightings, str | Mapping) or not all(
            isinstance(s, mapping.Sighting) for s in sightings
        ):
            raise MessageError(f"invalid sightings {sightings!r}; allowed: Sighting records")
        if len(sightings) > MAX_SIGHTINGS:
            raise MessageError(f"{len(sightings)} sightings; allowed: at most {MAX_SIGHTINGS}")
        set_(self, "sightings", tuple(sightings))
        if self.recipient:
            _name(self.recipient, "recipient")
        if self.position is not None:
            set_(self, "position", _position(self.position))
        if self.wants:
            _name(self.wants, "wants")
        if self.exploring is not None:
            set_(self, "exploring", _position(self.exploring))
        if (
            self.position is not None or self.wants or self.exploring is not None
        ) and self.kind != STATUS:
            raise MessageError(
                f"a {self.kind} message carries no position, wants or exploring; allowed: status"
            )
        if self.kind == STATUS and not self.role:
            raise MessageError("a status message needs the sender's role")
        if self.kind == STATION and self.station is None:
            raise MessageError("a station message needs the station and its position")
        if self.kind == SHARE and not (self.recipient and self.gave):
            raise MessageError("a share message needs a recipient and the items given")
        if self.claims and self.kind != CLAIM:
            raise MessageError(f"a {self.kind} message carries no claims; allowed: a claim message")
        if self.recipient == self.sender:
            raise MessageError("an agent cannot message itself")

    # --- JSON -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sender": self.sender,
            "step": self.step,
            "role": self.role,
            "long_term_goal": self.long_term_goal,
            "goal": self.goal,
            "needs": dict(self.needs),
            "offers": dict(self.offers),
            "station": self.station.to_dict() if self.station else None,
            "sightings": [s.to_dict() for s in self.sightings],
            "recipient": self.recipient,
            "gave": dict(self.gave),
            "claims": dict(self.claims),
            "position": list(self.position) if self.position is not None else None,
            "wants": self.wants,
            "exploring": list(self.exploring) if self.exploring is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Message:
        """The validated message in `data`; MessageError on anything malformed."""
        if not isinstance(data, Mapping):
            raise MessageError(f"a message must be a JSON object, got {type(data).__name__}")
        unknown = set(data) - set(_FIELDS)
        if unknown:
            raise MessageError(f"unknown message fields: {', '.join(sorted(map(str, unknown)))}")
        try:
            values = {k: data[k] for k in _FIELDS if k in data}
            station = values.get("station")
            if station is not None:
                if not isinstance(station, Mapping):
                    raise MessageError(f"invalid station {station!r}; allowed: an object")
                values["station"] = Station(station["name"], _position(station["position"]))
            raw_sightings = values.get("sightings", ())
            if not isinstance(raw_sightings, list | tuple):
                raise MessageError(f"invalid sightings {raw_sightings!r}; allowed: a list")
            values["sightings"] = tuple(
                mapping.Sighting(_name(s["material"], "material"), _position(s["position"]))
                for s in raw_sightings
            )
            return cls(**values)
        except MessageError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise MessageError(f"malformed message: {error!r}") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Message:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as error:
            raise MessageError(f"message is not JSON: {error}") from None
        return cls.from_dict(data)

    @property
    def size(self) -> int:
        """Bytes on the wire (the compact JSON), what the per-episode counter adds up."""
        return len(self.to_json().encode())

    def same_content(self, other: Message | None) -> bool:
        """Equal apart from the step: a repeated status that need not be sent again."""
        return other is not None and self.to_dict() | {"step": 0} == other.to_dict() | {"step": 0}

    # --- prompt text ------------------------------------------------------------------------

    def text(self, max_sightings: int = 4) -> str:
        """The compact templated line a teammate's prompt shows."""
        if self.kind == STATION:
            return f"{self.sender} placed a {_words(self.station.name)} at {self.station.position}"
        if self.kind == SHARE:
            return f"{self.sender} gave {self.recipient} {_items(self.gave)}"
        if self.kind == CLAIM:
            claimed = _items(self.claims) if self.claims else "nothing"
            return f"{self.sender} ({_words(self.role or 'teammate')}) fetches {claimed}"
        parts = [f"{self.sender} ({_words(self.role)})"]
        if self.position is not None:
            parts.append(f"at {self.position}")
        if self.long_term_goal:
            parts.append(f"long-term: {self.long_term_goal}")
        if self.goal:
            parts.append(f"now: {self.goal}")
        parts.append(f"needs {_items(self.needs)}" if self.needs else "needs nothing")
        if self.offers:
            parts.append(f"offers {_items(self.offers)}")
        if self.wants:
            parts.append(f"asks the crafter for a {_words(self.wants)}")
        if self.exploring is not None:
            parts.append(f"exploring toward {self.exploring}")
        if self.sightings:
            seen = ", ".join(
                f"{_words(s.material)} at {s.position}" for s in self.sightings[:max_sightings]
            )
            parts.append(f"saw {seen}")
        return "; ".join(parts)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _items(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {_words(item)}" for item, n in counts.items())


def parse(data: Message | Mapping[str, Any] | str | bytes) -> Message:
    """A message from a record, a dict or JSON text; MessageError when it does not validate."""
    if isinstance(data, Message):
        return data
    if isinstance(data, str | bytes):
        return Message.from_json(data)
    return Message.from_dict(data)


def render_for_prompt(messages: Iterable[Message], max_sightings: int = 4) -> str:
    """The received messages as a compact prompt section (empty when there are none)."""
    lines = [f"- {m.text(max_sightings)}" for m in messages]
    return "Team messages:\n" + "\n".join(lines) if lines else ""
