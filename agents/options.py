"""The option menu: the subgoals that make sense for an agent now, each executable by a skill.

This is what a decision-maker chooses from (an LLM, or the scripted planner): "collect wood", "place
table", "make wood pickaxe", "share iron pickaxe with player_5", "drink water", "eat cow", "sleep",
"explore" (plus "go to <material>" and "wait", which the menu does not list but a
decision-maker may issue). Texts are plain words and stable, since prompts and option scoring read them. Which
options appear follows from the agent's inventory, its known map and the rule data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agents import prerequisites
from agents.skills import library

OPTION_KINDS = (
    "collect",
    "place",
    "make",
    "share",
    "drink",
    "eat",
    "sleep",
    "explore",
    "navigate",
    "wait",
)
_TARGETED = ("collect", "place", "make", "share", "eat", "navigate")


class OptionError(ValueError):
    """An option that no skill can execute (unknown kind, missing target, bad amount)."""


@dataclass(frozen=True)
class Option:
    """One subgoal on the menu. `target` is an item (collect, make, share), a station (place) or a
    creature (eat); `teammate` is the receiver of a share; `amount` how many units to collect."""

    kind: str
    target: str = ""
    teammate: str = ""
    amount: int = 1

    def __post_init__(self) -> None:
        if self.kind not in OPTION_KINDS:
            raise OptionError(
                f"invalid option kind {self.kind!r}; allowed: {', '.join(OPTION_KINDS)}"
            )
        if self.kind in _TARGETED and not self.target:
            raise OptionError(f"option {self.kind!r} needs a target")
        if self.kind == "share" and not self.teammate:
            raise OptionError("a share option needs a teammate")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise OptionError(f"invalid amount {self.amount!r}; allowed: an integer >= 1")

    @property
    def text(self) -> str:
        what = library.readable(self.target)
        if self.kind == "collect":
            return f"collect {self.amount} {what}" if self.amount > 1 else f"collect {what}"
        if self.kind in ("place", "make"):
            return f"{self.kind} {what}"
        if self.kind == "share":
            return f"share {what} with {self.teammate}"
        if self.kind == "drink":
            return "drink water"
        if self.kind == "eat":
            return f"eat {what}"
        if self.kind == "navigate":
            return f"go to {what}"
        return self.kind

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "teammate": self.teammate,
            "amount": self.amount,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        try:
            return cls(
                kind=data["kind"],
                target=data.get("target", ""),
                teammate=data.get("teammate", ""),
                amount=data.get("amount", 1),
            )
        except (KeyError, TypeError) as error:
            raise OptionError(f"malformed option {dict(data)!r}: {error!r}") from None

    @classmethod
    def from_step(cls, step: prerequisites.Step) -> Option:
        """The option that carries out one planner step."""
        return cls(step.kind, step.target, amount=step.amount if step.kind == "collect" else 1)

    def skill(self, state: library.AgentState, toward: tuple[str, ...] = ()) -> library.Skill:
        """A fresh skill that executes this option for the agent in `state`; a collect takes its
        units on the way through the materials `toward` when those are known
        (`library.Navigate`)."""
        rules = state.rules
        if self.kind == "collect":
            material = library.material_yielding(rules, self.target)
            if material is None:
                raise OptionError(f"no tile yields {self.target!r} in rules {rules.name!r}")
            return library.Collect(material, self.amount, toward=toward)
        if self.kind == "place":
            return library.Place(self.target)
        if self.kind == "make":
            return library.Make(self.target)
        if self.kind == "share":
            return library.Share(self.target, self.teammate)
        if self.kind == "drink":
            return library.Collect(_water(rules), _room(state, _drink_item(rules)))
        if self.kind == "eat":
            return library.Eat(self.target)
        if self.kind == "sleep":
            return library.Sleep()
        if self.kind == "navigate":
            return library.Navigate((self.target,))
        if self.kind == "wait":
            return library.Wait(self.amount)
        return library.Explore()


def _water(rules) -> str:
    for material, rule in rules.collect.items():
        if any(item in rules.vitals for item in rule.receive):
            return material
    raise OptionError(f"rules {rules.name!r} have nothing to drink")


def _drink_item(rules) -> str:
    return next(item for item in rules.collect[_water(rules)].receive if item in rules.vitals)


def _room(state: library.AgentState, item: str) -> int:
    return max(1, state.rules.item_max(item) - state.inventory.get(item, 0))


def edible(rules) -> tuple[str, ...]:
    """Creatures whose `eat_<kind>` achievement exists and that live in this rule set."""
    return tuple(c for c in rules.creatures if f"eat_{c}" in rules.achievements)


def menu(state: library.AgentState) -> list[Option]:
    """The currently sensible options for the agent in `state`, in a fixed order."""
    rules, inventory = state.rules, state.inventory
    options: list[Option] = []
    for rule in rules.collect.values():
        for item in rule.receive:
            if item in rules.vitals or library.shortfall(rule.require, inventory):
                continue
            if inventory.get(item, 0) < rules.item_max(item):
                options.append(Option("collect", item))
    stations_known = state.stations_known
    for name, rule in rules.place.items():
        if not library.shortfall(rule.uses, inventory):
            options.append(Option("place", name))
    for name, rule in rules.make.items():
        if not library.shortfall(rule.uses, inventory) and set(rule.nearby) <= stations_known:
            options.append(Option("make", name))
    for item in rules.share:
        if inventory.get(item, 0) > 0:
            for mate in state.teammates:
                if f"share_{item}_to_{mate}" in state.action_names:
                    options.append(Option("share", item, mate))
    if "drink" in inventory and inventory["drink"] < rules.item_max("drink"):
        options.append(Option("drink"))
    if "food" in inventory and inventory["food"] < rules.item_max("food"):
        options += [Option("eat", kind) for kind in edible(rules)]
    if "energy" in inventory and inventory["energy"] < rules.item_max("energy"):
        options.append(Option("sleep"))
    options.append(Option("explore"))
    return options


def best_option(state: library.AgentState, goal: str) -> Option | None:
    """The option the planner recommends toward `goal` (first step of its plan), or None."""
    stations_known = state.stations_known
    steps = prerequisites.plan(state.rules, goal, state.inventory, stations_known)
    return Option.from_step(steps[0]) if steps else None
