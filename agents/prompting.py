"""Prompts for option-choosing LLM agents, built from small sections.

A prompt is a list of titled `Section`s, then either a lead-in ("The best next subgoal is to") that
the model continues with one option text (score mode, SayCan-style, see
/work/shared/offline-models.md) or the reply instructions of `agents.decision_reply` (generate mode:
the model writes its goals, reflection, summary and operation as JSON). What every decision of a
team shares (the rules and recipe table) comes first, so a backend can prefill it once; the
*neutral* prompt keeps only the sections that do not describe the situation, for calibrated
scoring (an option's score given the situation minus its score given the frame alone). A
section is a function of the `DecisionContext` (the agent's state, its goal, the outcomes of its last
options, the menu, and `extra`: whatever else an agent knows); it returns a `Section` or None to be
left out. The plain LLM agent uses `PLAIN_SECTIONS`; richer agents add their own sections (memory
summaries, prerequisite checks, received messages) with `with_sections`, through the same menu and
model. The recipe table is written from the rule data, never retyped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents import decision_reply, driver, options
from agents.skills import library
from envs.mac import rules as rules_lib

LEAD_IN = "The best next subgoal is to"
HISTORY_LENGTH = 5


@dataclass(frozen=True)
class Section:
    """One titled block of a prompt."""

    title: str
    body: str

    def __post_init__(self) -> None:
        if not self.title.strip() or not self.body.strip():
            raise ValueError("a prompt section needs a title and a body")

    def render(self) -> str:
        return f"{self.title}:\n{self.body}"


@dataclass(frozen=True)
class DecisionContext:
    """What prompt sections may read when an agent decides."""

    state: library.AgentState
    goal: str
    menu: tuple[str, ...]
    history: tuple[driver.Outcome, ...] = ()
    max_steps: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.menu:
            raise ValueError("a decision needs a non-empty menu")


SectionFn = Callable[[DecisionContext], Section | None]


def words(name: str) -> str:
    return library.readable(name)


def amounts(mapping: Mapping[str, int]) -> str:
    """'1 wood, 1 stone' ('nothing' when empty)."""
    return ", ".join(f"{n} {words(k)}" for k, n in mapping.items()) or "nothing"


def recipe_table(rules: rules_lib.Rules) -> str:
    """The game's rules for collecting, placing and making, one line per rule of the data."""
    lines = ["Collect (face the tile and interact):"]
    for material, rule in rules.collect.items():
        chance = f" ({rule.probability:.0%} chance)" if rule.probability < 1 else ""
        needs = f"; needs {amounts(rule.require)}" if rule.require else ""
        lines.append(f"- {words(material)} gives {amounts(rule.receive)}{chance}{needs}")
    lines.append("Place (on the tile in front of you):")
    for name, rule in rules.place.items():
        lines.append(f"- {words(name)}: uses {amounts(rule.uses)}")
    lines.append("Make (standing next to the station):")
    for name, rule in rules.make.items():
        near = " and ".join(f"a {words(s)}" for s in rule.nearby)
        made = f"{rule.gives} " if rule.gives != 1 else ""
        lines.append(f"- {made}{words(name)}: uses {amounts(rule.uses)}; near {near}")
    return "\n".join(lines)


def landmarks(rules: rules_lib.Rules, goal: str) -> tuple[str, ...]:
    """What is worth locating for `goal`: sources of the goal chain's items and of vitals, the
    stations recipes need, creatures and lava, all derived from the rules."""
    wanted = {a.partition("_")[2] for a in rules.milestones(goal) if a.startswith("collect_")}
    wanted |= set(rules.vitals)
    sources = [m for m, rule in rules.collect.items() if wanted & set(rule.receive)]
    stations = list(rules.stations)
    danger = [m for m in rules.materials if m == "lava"]
    return tuple(dict.fromkeys([*sources, *stations, *rules.creatures, *danger]))


def direction(dx: int, dy: int) -> str:
    """Compass words for an offset (y grows southward, as moving down does)."""
    north_south = "north" if dy < 0 else "south" if dy > 0 else ""
    east_west = "west" if dx < 0 else "east" if dx > 0 else ""
    return "-".join(p for p in (north_south, east_west) if p) or "here"


def nearest(state: library.AgentState, what: str) -> tuple[int, str] | None:
    """Distance (steps) and direction to the nearest known tile or creature `what`, or None."""
    cells = np.argwhere(state.known.mask(what))
    if not len(cells):
        return None
    offsets = cells - np.asarray(state.position)
    distances = np.abs(offsets).sum(axis=1)
    best = int(distances.argmin())
    return int(distances[best]), direction(int(offsets[best][0]), int(offsets[best][1]))


def vitals_text(state: library.AgentState) -> str:
    parts = []
    for vital in state.rules.vitals:
        level = state.inventory.get(vital, 0)
        alert = driver.VITAL_ALERTS.get(vital)
        low = " (low)" if alert is not None and level <= alert else ""
        parts.append(f"{vital} {level}/{state.rules.item_max(vital)}{low}")
    return ", ".join(parts)


def inventory_text(state: library.AgentState) -> str:
    held = {k: v for k, v in state.inventory.items() if k not in state.rules.vitals and v > 0}
    return amounts(held)


# --- sections -------------------------------------------------------------------------------


def goal_section(context: DecisionContext) -> Section:
    state = context.state
    team = len(state.teammates) + 1
    who = "you" if team == 1 else f"anyone of your team of {team}"
    return Section(
        "Game",
        f"You are {state.agent_id} in Crafter, a 2D survival game. Goal: {words(context.goal)}."
        f" The game ends as soon as {who} achieves it, so fewer steps are better.",
    )


def rules_section(context: DecisionContext) -> Section:
    rules = context.state.rules
    needs = []
    for material, rule in rules.collect.items():
        needs += [
            f"{vital} from {words(material)}" for vital in rule.receive if vital in rules.vitals
        ]
    needs += [f"food from eating a {c}" for c in options.edible(rules)]
    needs += ["energy from sleeping"] if "energy" in rules.vitals else []
    vitals = f"Vitals drop over time and health falls when one is 0: {', '.join(needs)}."
    return Section("Rules", f"{recipe_table(rules)}\n{vitals}")


def observation_section(context: DecisionContext) -> Section:
    state = context.state
    limit = f" of {context.max_steps}" if context.max_steps else ""
    facing = state.known.material_at(state.facing_tile)
    lines = [
        f"Step {state.step}{limit}. Position {state.position}, facing {words(facing or 'unknown')}.",
        f"Vitals: {vitals_text(state)}.",
        f"Inventory: {inventory_text(state)}.",
    ]
    seen, unseen = [], []
    for what in landmarks(state.rules, context.goal):
        found = nearest(state, what)
        if found is None:
            unseen.append(words(what))
        else:
            seen.append((found[0], f"{words(what)} {found[0]} steps {found[1]}"))
    if seen:
        lines.append("Nearest known: " + "; ".join(text for _, text in sorted(seen)) + ".")
    if unseen:
        lines.append(f"Not seen yet: {', '.join(unseen)}.")
    return Section("Now", "\n".join(lines))


def history_section(context: DecisionContext) -> Section | None:
    recent = context.history[-HISTORY_LENGTH:]
    if not recent:
        return None
    return Section("Your last subgoals", "\n".join(f"- step {o.step}: {o.text}" for o in recent))


def menu_section(context: DecisionContext) -> Section:
    return Section("Possible subgoals", "\n".join(f"- {option}" for option in context.menu))


PLAIN_SECTIONS: tuple[SectionFn, ...] = (
    rules_section,
    goal_section,
    observation_section,
    history_section,
    menu_section,
)
FRAME_SECTIONS: frozenset[SectionFn] = frozenset({rules_section, goal_section})
"""The sections that do not describe the situation: the neutral prompt of calibrated scoring."""


def with_sections(
    extra: Sequence[SectionFn], base: Sequence[SectionFn] = PLAIN_SECTIONS
) -> tuple[SectionFn, ...]:
    """`base` with `extra` inserted just before the menu (the menu stays next to the lead-in)."""
    base = tuple(base)
    at = base.index(menu_section) if menu_section in base else len(base)
    return (*base[:at], *extra, *base[at:])


def build(
    context: DecisionContext,
    sections: Sequence[SectionFn] = PLAIN_SECTIONS,
    lead_in: str = LEAD_IN,
) -> str:
    """The prompt text: every section that has something to say, then the lead-in."""
    blocks = [s.render() for s in (fn(context) for fn in sections) if s is not None]
    return "\n\n".join([*blocks, lead_in])


def build_neutral(
    context: DecisionContext,
    sections: Sequence[SectionFn] = PLAIN_SECTIONS,
    lead_in: str = LEAD_IN,
) -> str:
    """The same prompt frame with the situation left out (only `FRAME_SECTIONS`)."""
    return build(context, [fn for fn in sections if fn in FRAME_SECTIONS], lead_in)


def build_reply_request(
    context: DecisionContext, sections: Sequence[SectionFn] = PLAIN_SECTIONS, goals: bool = True
) -> str:
    """The generate-mode prompt: the sections, then how to write the JSON reply."""
    blocks = [s.render() for s in (fn(context) for fn in sections) if s is not None]
    return "\n\n".join([*blocks, decision_reply.instructions(goals)])
