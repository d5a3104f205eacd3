"""The game's objects for many players: a rule-driven player, and creatures that target the nearest one.

Crafter's objects read their recipes from module-level constants and hold one fixed `player`. Here
the player interprets a `Rules` instance (so rule sets can differ between envs in one process), can
hand items to teammates, and zombies and skeletons re-target the nearest living player at the start of
each of their turns. Everything else (movement, combat, vitals, cows, arrows, plants) is crafter's own
code, inherited unchanged.
"""

from __future__ import annotations

import numpy as np
from crafter import objects

from envs.mac import rules as rules_lib


class Player(objects.Player):
    """One player. `action` is an action name; a share action carries its item and receiver."""

    def __init__(self, world, pos, rules: rules_lib.Rules, agent_id: str) -> None:
        super().__init__(world, pos)
        self.rules = rules
        self.agent_id = agent_id
        self.inventory = {name: item.initial for name, item in rules.items.items()}
        self.achievements = dict.fromkeys(rules.achievements, 0)
        self.share_request: tuple[str, Player] | None = None
        self.shares_given = 0

    @property
    def walkable(self):
        return [*self.rules.walkable, "lava"]

    def update(self) -> None:
        target = (self.pos[0] + self.facing[0], self.pos[1] + self.facing[1])
        material, obj = self.world[target]
        action = self.action
        energy_max = self.rules.item_max("energy")
        if self.sleeping:
            if self.inventory["energy"] < energy_max:
                action = "sleep"
            else:
                self.sleeping = False
                self.achievements["wake_up"] += 1
        if action.startswith("move_"):
            self._move(action[len("move_") :])
        elif action == "do" and obj:
            self._do_object(obj)
        elif action == "do":
            self._do_material(target, material)
        elif action == "sleep":
            if self.inventory["energy"] < energy_max:
                self.sleeping = True
        elif action.startswith("place_"):
            self._place(action[len("place_") :], target, material)
        elif action.startswith("make_"):
            self._make(action[len("make_") :])
        elif action.startswith("share_"):
            self._share()
        self._update_life_stats()
        self._degen_or_regen_health()
        for name, amount in self.inventory.items():
            self.inventory[name] = max(0, min(amount, self.rules.item_max(name)))
        # After clamping, as in crafter: waking up compares the clamped health.
        self._wake_up_when_hurt()

    def _do_material(self, target, material) -> None:
        if material == "water":
            self._thirst = 0  # drinking resets thirst, as in crafter
        rule = self.rules.collect.get(material)
        if rule is None:
            return
        if any(self.inventory[name] < amount for name, amount in rule.require.items()):
            return
        self.world[target] = rule.leaves
        if self.random.uniform() <= rule.probability:
            for name, amount in rule.receive.items():
                self.inventory[name] += amount
                self.achievements[f"collect_{name}"] += 1

    def _place(self, name, target, material) -> None:
        if self.world[target][1]:
            return
        rule = self.rules.place[name]
        if material not in rule.where:
            return
        if any(self.inventory[k] < v for k, v in rule.uses.items()):
            return
        for item, amount in rule.uses.items():
            self.inventory[item] -= amount
        if rule.type == "material":
            self.world[target] = name
        else:
            self.world.add(objects.Plant(self.world, target))
        self.achievements[f"place_{name}"] += 1

    def _make(self, name) -> None:
        nearby, _ = self.world.nearby(self.pos, 1)
        rule = self.rules.make[name]
        if not all(station in nearby for station in rule.nearby):
            return
        if any(self.inventory[k] < v for k, v in rule.uses.items()):
            return
        for item, amount in rule.uses.items():
            self.inventory[item] -= amount
        self.inventory[name] += rule.gives
        self.achievements[f"make_{name}"] += 1

    def _share(self) -> None:
        """Give one unit of an item to a teammate anywhere on the map (no-op when impossible)."""
        if self.share_request is None:
            return
        item, receiver = self.share_request
        if receiver.removed or receiver.health <= 0 or self.inventory[item] < 1:
            return
        if receiver.inventory[item] >= self.rules.item_max(item):
            return  # the unit would be lost to the receiver's cap
        self.inventory[item] -= 1
        receiver.inventory[item] += 1
        self.shares_given += 1


class Team:
    """The players of one episode, for creatures and balancing that need 'the nearest living player'."""

    def __init__(self, players: list[Player]) -> None:
        self.players = players

    @property
    def alive(self) -> list[Player]:
        return [p for p in self.players if not p.removed]

    def nearest(self, pos) -> Player | None:
        """The living player closest to `pos` (L1, crafter's distance); ties go to the lower id."""
        best, best_distance = None, None
        for player in self.players:
            if player.removed:
                continue
            distance = np.abs(player.pos - pos).sum()
            if best_distance is None or distance < best_distance:
                best, best_distance = player, distance
        return best

    def distance(self, pos) -> float:
        """L1 distance from `pos` to the nearest living player (inf when none lives)."""
        nearest = self.nearest(np.asarray(pos))
        return float("inf") if nearest is None else float(np.abs(nearest.pos - pos).sum())


class Zombie(objects.Zombie):
    """Crafter's zombie, chasing whichever living player is nearest when its turn starts."""

    def __init__(self, world, pos, team: Team) -> None:
        super().__init__(world, pos, team.nearest(np.asarray(pos)))
        self.team = team

    def update(self) -> None:
        self.player = self.team.nearest(self.pos) or self.player
        super().update()


class Skeleton(objects.Skeleton):
    """Crafter's skeleton, shooting at whichever living player is nearest when its turn starts."""

    def __init__(self, world, pos, team: Team) -> None:
        super().__init__(world, pos, team.nearest(np.asarray(pos)))
        self.team = team

    def update(self) -> None:
        self.player = self.team.nearest(self.pos) or self.player
        super().update()


def make_creature(kind: str, world, pos, team: Team):
    """A new creature of `kind` ("cow", "zombie", "skeleton") at `pos`."""
    if kind == "cow":
        return objects.Cow(world, pos)
    if kind == "zombie":
        return Zombie(world, pos, team)
    if kind == "skeleton":
        return Skeleton(world, pos, team)
    raise ValueError(f"unknown creature {kind!r}; allowed: cow, zombie, skeleton")


CREATURE_CLASSES = {"cow": objects.Cow, "zombie": objects.Zombie, "skeleton": objects.Skeleton}
