"""Working-memory summaries for the prompt, kept up to date incrementally, and the semantic memory.

The DAMCS prompt reads: the last summary, the last 7 actions with results, the efforts so far toward
the current goal, past accomplishments, and a prerequisite check of the long-term and current goal.
Each of those is a small running structure here (a bounded deque, per-option counters, first-unlock
steps) updated once per committed experience, so building the prompt costs the same after 300
decisions as after 30. The semantic memory, the recipe table and the prerequisite check, is derived
from the rule data through `rules` and `planner`, never typed out.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from agents import prerequisites
from agents.memory import experience as experience_lib
from agents.skills import library
from envs.mac import rules as rules_lib

RECENT = 7  # the paper's "last 7 actions"
_WORDS = re.compile(r"[a-z]+")


# --- semantic memory -----------------------------------------------------------------------


def achievement_for(rules: rules_lib.Rules, text: str) -> str | None:
    """The achievement a goal text names ("Make a wood pickaxe", "collect 2 stone", "iron_pickaxe").

    Goals come from model replies in free words; the check needs the rule data's achievement name.
    """
    words = [w for w in _WORDS.findall(text.lower().replace("_", " ")) if w not in ("a", "an")]
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            name = "_".join(words[start : start + size])
            if name in rules.achievements:
                return name
    for size in range(min(len(words), 3), 0, -1):
        for start in range(len(words) - size + 1):
            source = rules.source_of("_".join(words[start : start + size]))
            if source in rules.achievements:
                return source
    return None


# Menu options that need nothing (they name no achievement, and are always possible).
FREE_GOALS = ("explore", "wait")


@functools.cache
def _recipe_lines(rules_name: str) -> tuple[str, ...]:
    rules = rules_lib.load(rules_name)
    lines = []
    for material, rule in rules.collect.items():
        for item in rule.receive:
            if item in rules.vitals:
                continue
            needs = ", ".join(f"{n} {library.readable(t)}" for t, n in rule.require.items())
            needs = needs or "nothing"
            lines.append(f"collect {library.readable(item)}: face {material}, needs {needs}")
    for name, rule in rules.place.items():
        uses = ", ".join(f"{n} {library.readable(i)}" for i, n in rule.uses.items())
        lines.append(f"place {library.readable(name)}: uses {uses}, on {'/'.join(rule.where)}")
    for name, rule in rules.make.items():
        uses = ", ".join(f"{n} {library.readable(i)}" for i, n in rule.uses.items())
        near = " and ".join(f"a {library.readable(s)}" for s in rule.nearby) or "anything"
        lines.append(f"make {library.readable(name)}: uses {uses}, near {near}")
    return tuple(lines)


@functools.cache
def recipe_table(rules_name: str, goal: str | None = None) -> str:
    """The recipe table generated from the rule data, limited to `goal`'s milestones when given."""
    lines = _recipe_lines(rules_name)
    if goal is not None:
        rules = rules_lib.load(rules_name)
        wanted = {library.readable(m) for m in rules.milestones(goal)}
        lines = tuple(line for line in lines if line.split(":")[0] in wanted)
    return "\n".join(lines)


def prerequisite_text(
    rules: rules_lib.Rules,
    goal: str,
    inventory: Mapping[str, int],
    stations_known: Collection[str] = (),
    stations_nearby: Collection[str] = (),
) -> str:
    """'ready', 'missing 2 wood', 'navigate to a table', 'place a table first' for a goal text."""
    if not goal:
        return "no goal set"
    if goal.strip().lower() in FREE_GOALS:
        return "ready"
    achievement = achievement_for(rules, goal)
    if achievement is None:
        return f"unknown goal {goal!r}: name an achievement"
    return prerequisites.check(rules, achievement, inventory, stations_known, stations_nearby).text


def missing_items(
    rules: rules_lib.Rules,
    goal: str,
    inventory: Mapping[str, int],
    stations_known: Collection[str] = (),
) -> dict[str, int]:
    """Raw items the whole plan to a goal text still needs (what a status says the agent needs)."""
    achievement = achievement_for(rules, goal) if goal else None
    if achievement is None:
        return {}
    return prerequisites.bill(prerequisites.plan(rules, achievement, inventory, stations_known))


# --- running summaries ---------------------------------------------------------------------


class Efforts:
    """Counters of what the agent tried toward its current goal, reset when the goal text changes."""

    def __init__(self) -> None:
        self.goal = ""
        self.since = 0
        self.start_inventory: dict[str, int] = {}
        self.decisions = 0
        self.tries: dict[str, dict[str, int]] = {}

    def add(self, exp: experience_lib.Experience) -> None:
        if exp.goal != self.goal or self.decisions == 0:
            self.goal, self.since = exp.goal, exp.step
            self.start_inventory = dict(exp.inventory)
            self.decisions, self.tries = 0, {}
        self.decisions += 1
        counts = self.tries.setdefault(exp.option, {})
        counts[exp.result] = counts.get(exp.result, 0) + 1

    def resolve(self, option: str, old: str, new: str) -> None:
        """Move one try of `option` from result `old` to `new` (an outcome arrived)."""
        counts = self.tries.get(option)
        if counts and counts.get(old, 0) > 0:
            counts[old] -= 1
            counts[new] = counts.get(new, 0) + 1

    def text(self, step: int, inventory: Mapping[str, int]) -> str:
        if not self.decisions:
            return "none yet"
        tried = "; ".join(
            f"{option} " + ", ".join(f"{n} {r}" for r, n in counts.items() if n)
            for option, counts in self.tries.items()
        )
        gained = {
            item: inventory.get(item, 0) - self.start_inventory.get(item, 0)
            for item in inventory
            if inventory.get(item, 0) > self.start_inventory.get(item, 0)
        }
        gains = ", ".join(f"+{n} {library.readable(i)}" for i, n in gained.items()) or "nothing"
        return (
            f"toward {self.goal or 'no goal'} since step {self.since} "
            f"({max(step - self.since, 0)} steps, {self.decisions} decisions): {tried}; "
            f"gained {gains}"
        )


class Accomplishments:
    """The step each achievement was first unlocked by this agent, in unlock order."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}

    def update(self, achievements: Mapping[str, int], step: int) -> list[str]:
        """Record newly unlocked achievements; returns them."""
        new = [a for a, n in achievements.items() if n > 0 and a not in self.first]
        for name in new:
            self.first[name] = step
        return new

    def text(self) -> str:
        if not self.first:
            return "none yet"
        return ", ".join(f"{library.readable(a)} (step {s})" for a, s in self.first.items())


class Recent:
    """The last few options with their results (procedural memory), newest last."""

    def __init__(self, size: int = RECENT) -> None:
        self.items: deque[experience_lib.Experience] = deque(maxlen=size)

    def add(self, exp: experience_lib.Experience) -> None:
        self.items.append(exp)

    def replace_last(self, exp: experience_lib.Experience) -> None:
        if self.items:
            self.items[-1] = exp

    def lines(self) -> tuple[str, ...]:
        return tuple(f"step {e.step}: {e.action_text}" for e in self.items)


# --- the prompt section --------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingMemory:
    """What the memory contributes to one prompt; `text` renders it as a compact section."""

    step: int
    now: str
    view: str = ""
    messages: tuple[str, ...] = ()
    last_summary: str = ""
    recent: tuple[str, ...] = ()
    efforts: str = ""
    accomplishments: str = ""
    long_term_goal: str = ""
    long_term_check: str = ""
    goal: str = ""
    goal_check: str = ""
    recipes: str = ""

    @property
    def text(self) -> str:
        parts = [f"Now: {self.now}"]
        if self.view:
            parts.append(f"You see: {self.view}")
        if self.messages:
            parts.append("Messages:\n" + "\n".join(f"- {m}" for m in self.messages))
        if self.last_summary:
            parts.append(f"Last summary: {self.last_summary}")
        if self.recent:
            parts.append("Recent actions:\n" + "\n".join(f"- {r}" for r in self.recent))
        if self.efforts:
            parts.append(f"Efforts so far: {self.efforts}")
        if self.accomplishments:
            parts.append(f"Accomplished: {self.accomplishments}")
        if self.long_term_goal:
            parts.append(f"Long-term goal {self.long_term_goal}: {self.long_term_check}")
        if self.goal:
            parts.append(f"Current goal {self.goal}: {self.goal_check}")
        if self.recipes:
            parts.append("Recipes:\n" + self.recipes)
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "now": self.now,
            "view": self.view,
            "messages": list(self.messages),
            "last_summary": self.last_summary,
            "recent": list(self.recent),
            "efforts": self.efforts,
            "accomplishments": self.accomplishments,
            "long_term_goal": self.long_term_goal,
            "long_term_check": self.long_term_check,
            "goal": self.goal,
            "goal_check": self.goal_check,
            "recipes": self.recipes,
        }


def now_text(
    step: int,
    vitals: Mapping[str, int],
    inventory: Mapping[str, int],
    position: tuple[int, int],
    facing: tuple[int, int],
) -> str:
    """'step 12 at (32, 30) facing (0, 1); health 9, food 8; inventory: 2 wood' (current state)."""
    vital = ", ".join(f"{k} {v}" for k, v in vitals.items())
    items = ", ".join(f"{n} {library.readable(i)}" for i, n in inventory.items() if n) or "empty"
    return f"step {step} at {position} facing {facing}; {vital}; inventory: {items}"
