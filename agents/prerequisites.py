"""The prerequisite checker and rule-based planner, derived entirely from the rule data.

`check` answers "can I do this achievement now?" with "ready", "missing 2 wood", "navigate to a
table" or "place a table first": the DAMCS semantic memory's prerequisite check. `plan` expands a
goal into the ordered subgoals that reach it from an inventory (collect, place, make), with each
material gathered in one trip; its first step is the best next option, which is what the scripted
planner always takes and what an LLM agent is measured against.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from agents.skills import library
from envs.mac import rules as rules_lib

STEP_KINDS = ("collect", "place", "make")


@dataclass(frozen=True)
class Step:
    """One subgoal of a plan: collect `amount` of an item, place a station, or make an item."""

    kind: str
    target: str
    amount: int = 1

    def __post_init__(self) -> None:
        if self.kind not in STEP_KINDS:
            raise ValueError(f"invalid step kind {self.kind!r}; allowed: {', '.join(STEP_KINDS)}")
        if self.amount < 1:
            raise ValueError(f"invalid amount {self.amount!r}; allowed: an integer >= 1")

    @property
    def text(self) -> str:
        what = library.readable(self.target)
        if self.kind == "collect":
            return f"collect {self.amount} {what}" if self.amount > 1 else f"collect {what}"
        return f"{self.kind} {what}"


@dataclass(frozen=True)
class Check:
    """Whether an achievement can be done now, and if not, what stands in the way."""

    achievement: str
    missing_items: Mapping[str, int] = field(default_factory=dict)
    unknown_stations: tuple[str, ...] = ()
    far_stations: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not (self.missing_items or self.unknown_stations or self.far_stations)

    @property
    def text(self) -> str:
        if self.ready:
            return "ready"
        parts = []
        if self.missing_items:
            parts.append(library.missing_text(self.missing_items))
        parts += [f"place a {library.readable(s)} first" for s in self.unknown_stations]
        parts += [f"navigate to a {library.readable(s)}" for s in self.far_stations]
        return "; ".join(parts)


def check(
    rules: rules_lib.Rules,
    achievement: str,
    inventory: Mapping[str, int],
    stations_known: Collection[str] = (),
    stations_nearby: Collection[str] = (),
) -> Check:
    """The prerequisite check of `achievement` against an inventory and the stations the agent knows."""
    rules.check_achievement(achievement, "achievement")
    kind, _, what = achievement.partition("_")
    needs: Mapping[str, int] = {}
    stations: tuple[str, ...] = ()
    if kind == "collect":
        material = library.material_yielding(rules, what)
        needs = rules.collect[material].require if material else {}
    elif kind == "place":
        needs = rules.place[what].uses
    elif kind == "make":
        needs, stations = rules.make[what].uses, rules.make[what].nearby
    return Check(
        achievement=achievement,
        missing_items=library.shortfall(needs, inventory),
        unknown_stations=tuple(s for s in stations if s not in stations_known),
        far_stations=tuple(s for s in stations if s in stations_known and s not in stations_nearby),
    )


class _Planner:
    """Depth-first expansion of needs over a simulated inventory."""

    def __init__(
        self, rules: rules_lib.Rules, inventory: Mapping[str, int], stations: Collection[str]
    ) -> None:
        self.rules = rules
        self.inventory = dict(inventory)
        self.stations = set(stations)
        self.steps: list[Step] = []

    def need_item(self, item: str, count: int, path: tuple[str, ...] = ()) -> None:
        have = self.inventory.get(item, 0)
        if have >= count:
            return
        if item in path:
            raise rules_lib.RulesError(f"rule set {self.rules.name!r} cycles through {item}")
        path = (*path, item)
        if item in self.rules.make:
            recipe = self.rules.make[item]
            times = math.ceil((count - have) / recipe.gives)
            for _ in range(times):
                # Ingredients before stations: stations get placed where the making happens.
                # Each ingredient is set aside once secured, so later needs cannot consume it.
                for use, amount in recipe.uses.items():
                    self.take(use, amount, path)
                for station in recipe.nearby:
                    self.need_station(station, path)
                self.inventory[item] = self.inventory.get(item, 0) + recipe.gives
                self.steps.append(Step("make", item))
            return
        material = library.material_yielding(self.rules, item)
        if material is None:
            raise rules_lib.RulesError(f"no rule in {self.rules.name!r} yields {item!r}")
        rule = self.rules.collect[material]
        for tool, amount in rule.require.items():
            self.need_item(tool, amount, path)
        per_do = rule.receive[item]
        amount = math.ceil((count - have) / per_do)
        self.inventory[item] = have + amount * per_do
        self.steps.append(Step("collect", item, amount))

    def take(self, item: str, amount: int, path: tuple[str, ...]) -> None:
        self.need_item(item, amount, path)
        self.inventory[item] -= amount

    def need_station(self, station: str, path: tuple[str, ...] = ()) -> None:
        if station in self.stations:
            return
        self.place(station, path)

    def place(self, station: str, path: tuple[str, ...] = ()) -> None:
        rule = self.rules.place[station]
        for use, amount in rule.uses.items():
            self.take(use, amount, path)
        self.stations.add(station)
        self.steps.append(Step("place", station))


def _merge_collects(steps: list[Step]) -> list[Step]:
    """Gather each item in one trip: later collects of an item join its first collect."""
    totals: dict[str, int] = {}
    for step in steps:
        if step.kind == "collect":
            totals[step.target] = totals.get(step.target, 0) + step.amount
    merged, seen = [], set()
    for step in steps:
        if step.kind != "collect":
            merged.append(step)
        elif step.target not in seen:
            seen.add(step.target)
            merged.append(Step("collect", step.target, totals[step.target]))
    return merged


def plan(
    rules: rules_lib.Rules,
    goal: str,
    inventory: Mapping[str, int],
    stations: Collection[str] = (),
) -> tuple[Step, ...]:
    """Ordered subgoals reaching `goal` (an achievement) from `inventory`, given known stations.

    Empty when the goal needs nothing a plan can provide (e.g. eat_cow, or a goal already met for
    items: plans for "collect"/"make" goals always include the final step).
    """
    rules.check_achievement(goal)
    kind, _, what = goal.partition("_")
    planner = _Planner(rules, inventory, stations)
    if kind == "collect" and library.material_yielding(rules, what):
        planner.need_item(what, inventory.get(what, 0) + 1)
    elif kind == "make" and what in rules.make:
        planner.need_item(what, inventory.get(what, 0) + rules.make[what].gives)
    elif kind == "place" and what in rules.place:
        planner.place(what)
    return tuple(_merge_collects(planner.steps))


def plan_items(
    rules: rules_lib.Rules,
    wanted: Mapping[str, int],
    inventory: Mapping[str, int],
    stations: Collection[str] = (),
) -> tuple[Step, ...]:
    """Ordered subgoals that bring the inventory up to `wanted` counts (for helpers and suppliers)."""
    planner = _Planner(rules, inventory, stations)
    for item, count in wanted.items():
        planner.need_item(item, count)
    return tuple(_merge_collects(planner.steps))


def goal_tool(rules: rules_lib.Rules, goal: str) -> str | None:
    """The made item that collecting the goal's material requires (collect_diamond: iron_pickaxe)."""
    kind, _, what = goal.partition("_")
    material = library.material_yielding(rules, what) if kind == "collect" else None
    if material is None:
        return None
    made = [item for item in rules.collect[material].require if item in rules.make]
    return made[0] if made else None


def bill(steps: tuple[Step, ...]) -> dict[str, int]:
    """Raw items a plan still has to collect, by item."""
    totals: dict[str, int] = {}
    for step in steps:
        if step.kind == "collect":
            totals[step.target] = totals.get(step.target, 0) + step.amount
    return totals


def handed_in(
    rules: rules_lib.Rules, steps: tuple[Step, ...], inventory: Mapping[str, int]
) -> dict[str, int]:
    """What carrying out `steps` from `inventory` takes beyond it and the units the steps collect
    themselves: the items (a tool a collect requires included) a teammate must hand over."""
    held: Counter[str] = Counter(inventory)
    extra: Counter[str] = Counter()

    def take(requirement: Mapping[str, int]) -> None:
        for item, amount in library.shortfall(requirement, held).items():
            extra[item] += amount
            held[item] += amount

    for step in steps:
        if step.kind == "collect":
            material = library.material_yielding(rules, step.target)
            take(rules.collect[material].require if material else {})
            held[step.target] += step.amount
            continue
        rule = rules.place[step.target] if step.kind == "place" else rules.make[step.target]
        take(rule.uses)
        held.subtract(rule.uses)
        if step.kind == "make":
            held[step.target] += rules.make[step.target].gives
    return dict(extra)


def executable(rules: rules_lib.Rules, step: Step, inventory: Mapping[str, int]) -> bool:
    """Whether the inventory already allows `step` (stations aside: skills walk to those)."""
    if step.kind == "collect":
        material = library.material_yielding(rules, step.target)
        return material is not None and not library.shortfall(
            rules.collect[material].require, inventory
        )
    if step.kind == "place":
        return not library.shortfall(rules.place[step.target].uses, inventory)
    return not library.shortfall(rules.make[step.target].uses, inventory)
