"""The structured reply a language model writes when it decides, as the DAMCS paper's model does.

In generate mode the model returns one JSON object: its goals (ultimate, long-term, current), each
with a status, a reflection on the last outcome, a one-line past-tense summary, and the operation,
which must be one of the menu's options. `schema` is the JSON schema a backend with structured
output can constrain the reply to; `parse` reads any reply into a validated `DecisionReply`,
repairing what it can (a JSON object inside prose, an operation named loosely: the same reader as
option scoring uses, `agents.llm.parsing`) and raising `ReplyError` for what it cannot, which the
agent turns into a counted fallback. The plain agent asks for the operation and a reflection only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents.llm import parsing

STATUSES = ("not started", "in progress", "done")
GOAL_FIELDS = ("ultimate_goal", "long_term_goal", "current_goal")
MAX_TEXT = 300  # characters kept of a free-text field


class ReplyError(ValueError):
    """A model reply that no repair can read as a decision."""


def _text(value: Any) -> str:
    return " ".join(str(value).split())[:MAX_TEXT] if value is not None else ""


@dataclass(frozen=True)
class GoalStatus:
    """One of the model's goals and how far it says it is."""

    goal: str
    status: str = "in progress"

    def __post_init__(self) -> None:
        if not isinstance(self.goal, str) or not self.goal.strip():
            raise ReplyError("a goal needs a text")
        if self.status not in STATUSES:
            raise ReplyError(f"invalid goal status {self.status!r}; allowed: {', '.join(STATUSES)}")

    @classmethod
    def read(cls, value: Any) -> GoalStatus | None:
        """A goal from what a model wrote: {"goal": ..., "status": ...} or a bare string."""
        if isinstance(value, str):
            return cls(_text(value)) if value.strip() else None
        if not isinstance(value, Mapping) or not _text(value.get("goal")):
            return None
        status = _text(value.get("status", "in progress")).lower()
        return cls(_text(value["goal"]), status if status in STATUSES else "in progress")

    def to_dict(self) -> dict[str, str]:
        return {"goal": self.goal, "status": self.status}


@dataclass(frozen=True)
class DecisionReply:
    """A model's decision: the operation (a menu option) and what it says about it."""

    operation: str
    reflection: str = ""
    summary: str = ""
    ultimate_goal: GoalStatus | None = None
    long_term_goal: GoalStatus | None = None
    current_goal: GoalStatus | None = None
    repaired: bool = False
    """The reply was read only after a repair (JSON found inside text, operation matched loosely)."""

    def __post_init__(self) -> None:
        if not isinstance(self.operation, str) or not self.operation:
            raise ReplyError("a reply needs an operation")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "operation": self.operation,
            "reflection": self.reflection,
            "summary": self.summary,
            "repaired": self.repaired,
        }
        for name in GOAL_FIELDS:
            goal = getattr(self, name)
            if goal is not None:
                out[name] = goal.to_dict()
        return out


def schema(menu: Sequence[str] | None, with_goals: bool = True) -> dict[str, Any]:
    """The JSON schema of a reply for `menu` (the operation is one of its options); with no menu
    the operation is any string, so one schema serves a batch of agents with different menus
    (`parse` then holds it to each agent's menu)."""
    goal = {
        "type": "object",
        "properties": {"goal": {"type": "string"}, "status": {"type": "string", "enum": STATUSES}},
        "required": ["goal", "status"],
    }
    properties: dict[str, Any] = {}
    if with_goals:
        properties |= dict.fromkeys(GOAL_FIELDS, goal)
    properties["reflection"] = {"type": "string"}
    if with_goals:
        properties["summary"] = {"type": "string"}
    operation: dict[str, Any] = {"type": "string"}
    if menu is not None:
        operation["enum"] = list(menu)
    properties["operation"] = operation
    return {"type": "object", "properties": properties, "required": list(properties)}


def instructions(with_goals: bool = True) -> str:
    """How to reply, for the end of a generate-mode prompt."""
    if with_goals:
        shape = (
            '{"ultimate_goal": {"goal": "...", "status": "in progress"}, '
            '"long_term_goal": {"goal": "...", "status": "..."}, '
            '"current_goal": {"goal": "...", "status": "..."}, '
            '"reflection": "what the last outcome teaches", '
            '"summary": "one past-tense line of what happened", '
            '"operation": "one option, copied exactly from the list"}'
        )
    else:
        shape = (
            '{"reflection": "what the last outcome teaches", '
            '"operation": "one option, copied exactly from the list"}'
        )
    statuses = ", ".join(STATUSES)
    return f"Reply with one JSON object and nothing else:\n{shape}\nGoal statuses: {statuses}."


_FENCE = re.compile(r"^```(?:json)?|```$", re.MULTILINE)


def _json_object(text: str) -> tuple[Mapping[str, Any] | None, bool]:
    """The first JSON object in `text`, and whether it had to be cut out of other text."""
    stripped = _FENCE.sub("", text).strip()
    try:
        data = json.loads(stripped)
        return (data, False) if isinstance(data, Mapping) else (None, False)
    except json.JSONDecodeError:
        pass
    start = stripped.find("{")
    depth = 0
    for end in range(start, len(stripped)) if start >= 0 else ():
        depth += {"{": 1, "}": -1}.get(stripped[end], 0)
        if depth == 0:
            try:
                data = json.loads(stripped[start : end + 1])
            except json.JSONDecodeError:
                return None, True
            return (data, True) if isinstance(data, Mapping) else (None, True)
    return None, True


def parse(text: str, menu: Sequence[str], with_goals: bool = True) -> DecisionReply:
    """The reply `text` read against `menu`; `ReplyError` when no operation on the menu is found."""
    data, cut = _json_object(text)
    if data is None:
        # No JSON at all: a reply that still names one option is a repaired decision.
        index = parsing.parse_choice(text, menu)
        if index is None:
            raise ReplyError(f"no JSON object and no menu option in {text[:80]!r}")
        return DecisionReply(operation=menu[index], repaired=True)
    named = _text(data.get("operation", data.get("action", data.get("choice", ""))))
    if named in menu:
        operation, repaired = named, cut
    else:
        index = parsing.parse_choice(named, menu) if named else None
        if index is None:
            raise ReplyError(f"operation {named[:60]!r} is not on the menu")
        operation, repaired = menu[index], True
    goals = {name: GoalStatus.read(data.get(name)) for name in GOAL_FIELDS} if with_goals else {}
    return DecisionReply(
        operation=operation,
        reflection=_text(data.get("reflection")),
        summary=_text(data.get("summary")) if with_goals else "",
        repaired=repaired,
        **goals,
    )
