"""Rule sets of Multi-Agent Crafter, loaded from ``data.yaml`` and validated once.

Everything a designer might tune (recipes, costs, stations, item caps, creatures, balancing, episode
length, what may be shared) lives in the YAML; this module only reads and checks it, and derives what
follows from it: the prerequisite tree of every achievement and the milestone chain toward a goal.
Agents, metrics and plots take their milestone lists and recipe tables from here, never retyped.
"""

from __future__ import annotations

import copy
import functools
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

DATA_PATH = pathlib.Path(__file__).with_name("data.yaml")
DEFAULT_GOAL = "collect_diamond"


class RulesError(ValueError):
    """A rule set in the data is malformed, or an unknown rule set or achievement was asked for."""


@dataclass(frozen=True)
class ItemRule:
    max: int
    initial: int


@dataclass(frozen=True)
class CollectRule:
    """Facing `material` and pressing `do`: needs `require`, gives `receive`, leaves `leaves`."""

    material: str
    require: Mapping[str, int]
    receive: Mapping[str, int]
    leaves: str
    probability: float = 1.0


@dataclass(frozen=True)
class PlaceRule:
    name: str
    uses: Mapping[str, int]
    where: tuple[str, ...]
    type: str  # "material" (becomes a tile) or "object" (e.g. a plant)


@dataclass(frozen=True)
class MakeRule:
    name: str
    uses: Mapping[str, int]
    nearby: tuple[str, ...]
    gives: int


@dataclass(frozen=True)
class BalanceRule:
    """Crafter's per-chunk creature balancing for one creature kind."""

    creature: str
    material: str
    spawn_distance: float
    despawn_distance: float
    spawn_prob: float
    despawn_prob: float
    min_space: int
    min_base: float
    min_per_daylight: float
    max_base: float
    max_per_daylight: float

    def bounds(self, space: int, daylight: float) -> tuple[float, float]:
        low = 0.0 if space < self.min_space else self.min_base + self.min_per_daylight * daylight
        return low, self.max_base + self.max_per_daylight * daylight


@dataclass(frozen=True)
class Rules:
    """One validated rule set. Mappings are read-only."""

    name: str
    length: int
    actions: tuple[str, ...]
    materials: tuple[str, ...]
    walkable: tuple[str, ...]
    items: Mapping[str, ItemRule]
    vitals: tuple[str, ...]
    collect: Mapping[str, CollectRule]
    place: Mapping[str, PlaceRule]
    make: Mapping[str, MakeRule]
    achievements: tuple[str, ...]
    creatures: tuple[str, ...]
    share: tuple[str, ...]
    balance_every: int
    balance: tuple[BalanceRule, ...]

    def check_achievement(self, name: str, argument: str = "goal") -> str:
        if name not in self.achievements:
            raise RulesError(
                f"unknown {argument} {name!r}; allowed: {', '.join(sorted(self.achievements))}"
            )
        return name

    @property
    def stations(self) -> tuple[str, ...]:
        """What some recipe needs nearby (table, furnace), in rule order: placed things a player
        must stand by to make, and so place where it can stand."""
        return tuple(dict.fromkeys(s for rule in self.make.values() for s in rule.nearby))

    def source_of(self, item: str) -> str | None:
        """The achievement that first yields `item` (collect_wood, make_wood_pickaxe, ...)."""
        if item in self.make:
            return f"make_{item}"
        for rule in self.collect.values():
            if item in rule.receive:
                return f"collect_{item}"
        return None

    def prerequisites(self, achievement: str) -> tuple[str, ...]:
        """Achievements that must happen before `achievement` can (direct ones only)."""
        needs: list[str] = []
        kind, _, what = achievement.partition("_")
        if kind == "collect":
            for rule in self.collect.values():
                if what in rule.receive:
                    needs += [self.source_of(item) for item in rule.require]
        elif kind == "place" and what in self.place:
            needs += [self.source_of(item) for item in self.place[what].uses]
        elif kind == "make" and what in self.make:
            recipe = self.make[what]
            needs += [self.source_of(item) for item in recipe.uses]
            needs += [f"place_{station}" for station in recipe.nearby]
        return tuple(dict.fromkeys(n for n in needs if n and n in self.achievements))

    def milestones(self, goal: str = DEFAULT_GOAL) -> tuple[str, ...]:
        """The goal and everything it needs, ordered by depth in the tech tree (then by name).

        For the diamond this is the ten-step chain the DAMCS paper plots, from collect_wood to
        collect_diamond, derived here instead of typed out.
        """
        self.check_achievement(goal)
        depth: dict[str, int] = {}

        def visit(name: str, path: tuple[str, ...]) -> int:
            if name in path:
                raise RulesError(f"rule set {self.name!r} has a prerequisite cycle through {name}")
            if name not in depth:
                needs = self.prerequisites(name)
                depth[name] = 1 + max((visit(n, (*path, name)) for n in needs), default=-1)
            return depth[name]

        visit(goal, ())
        return tuple(sorted(depth, key=lambda name: (depth[name], name)))

    def item_max(self, item: str) -> int:
        return self.items[item].max


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


def _build(name: str, raw: Mapping[str, Any]) -> Rules:
    """Turn one merged YAML block into a validated `Rules`, naming the first problem found."""
    try:
        materials = tuple(raw["materials"])
        items = {k: ItemRule(int(v["max"]), int(v["initial"])) for k, v in raw["items"].items()}
        collect = {
            mat: CollectRule(
                mat,
                _frozen(v["require"]),
                _frozen(v["receive"]),
                v["leaves"],
                float(v.get("probability", 1.0)),
            )
            for mat, v in raw["collect"].items()
        }
        place = {
            k: PlaceRule(k, _frozen(v["uses"]), tuple(v["where"]), v["type"])
            for k, v in raw["place"].items()
        }
        make = {
            k: MakeRule(k, _frozen(v["uses"]), tuple(v["nearby"]), int(v["gives"]))
            for k, v in raw["make"].items()
        }
        balance_raw = raw["balance"]
        balance = tuple(
            BalanceRule(
                creature=kind,
                material=b["material"],
                spawn_distance=float(b["spawn_distance"]),
                despawn_distance=float(b["despawn_distance"]),
                spawn_prob=float(b["spawn_prob"]),
                despawn_prob=float(b["despawn_prob"]),
                min_space=int(b["min_space"]),
                min_base=float(b["min"]["base"]),
                min_per_daylight=float(b["min"]["per_daylight"]),
                max_base=float(b["max"]["base"]),
                max_per_daylight=float(b["max"]["per_daylight"]),
            )
            for kind in balance_raw["order"]
            for b in [balance_raw[kind]]
        )
        rules = Rules(
            name=name,
            length=int(raw["length"]),
            actions=tuple(raw["actions"]),
            materials=materials,
            walkable=tuple(raw["walkable"]),
            items=_frozen(items),
            vitals=tuple(raw["vitals"]),
            collect=_frozen(collect),
            place=_frozen(place),
            make=_frozen(make),
            achievements=tuple(raw["achievements"]),
            creatures=tuple(raw["creatures"]),
            share=tuple(raw["share"]),
            balance_every=int(balance_raw["every"]),
            balance=balance,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise RulesError(f"rule set {name!r} in {DATA_PATH.name} is malformed: {error!r}") from None
    _validate(rules)
    return rules


def _validate(rules: Rules) -> None:
    items, tiles = set(rules.items), set(rules.materials)
    problems = []

    def unknown(where: str, names, known: set[str], kind: str) -> None:
        problems.extend(f"{where}: unknown {kind} {n!r}" for n in names if n not in known)

    for rule in rules.collect.values():
        unknown(f"collect {rule.material}", [*rule.require, *rule.receive], items, "item")
        unknown(f"collect {rule.material}", [rule.material, rule.leaves], tiles, "material")
    for rule in rules.place.values():
        unknown(f"place {rule.name}", rule.uses, items, "item")
        unknown(f"place {rule.name}", rule.where, tiles, "material")
    for rule in rules.make.values():
        unknown(f"make {rule.name}", [*rule.uses, rule.name], items, "item")
        unknown(f"make {rule.name}", rule.nearby, tiles, "station")
    unknown("share", rules.share, items, "item")
    unknown("vitals", rules.vitals, items, "item")
    unknown("creatures", rules.creatures, set(CREATURE_KINDS), "creature")
    unknown("walkable", rules.walkable, tiles, "material")
    if rules.length <= 0:
        problems.append(f"length must be positive, got {rules.length}")
    if problems:
        raise RulesError(f"rule set {rules.name!r}: " + "; ".join(problems))


CREATURE_KINDS = ("cow", "zombie", "skeleton")


@functools.cache
def _raw_data() -> Mapping[str, Any]:
    return yaml.safe_load(DATA_PATH.read_text())


def names() -> tuple[str, ...]:
    """The rule sets the data defines."""
    return tuple(_raw_data())


@functools.cache
def load(name: str) -> Rules:
    """The validated rule set `name` (cached: rule sets are immutable)."""
    data = _raw_data()
    if name not in data:
        raise RulesError(f"unknown rules {name!r}; allowed: {', '.join(data)}")
    block = dict(data[name])
    if "base" in block:
        base_name = block.pop("base")
        if base_name not in data or "base" in data[base_name]:
            raise RulesError(f"rule set {name!r}: base {base_name!r} must be a top-level rule set")
        block = _deep_merge(data[base_name], block)
    return _build(name, block)
