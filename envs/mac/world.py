"""The shared game state of N players and its step, as a fixed sequence of phases.

This is Crafter's episode logic (crafter/env.py) for many players: the same phase order, the same
random stream, with "the player" replaced by "the nearest living player" where crafter measures
distances. It knows nothing of agents, observations or rewards; `env.py` wraps it for PettingZoo.
"""

from __future__ import annotations

import collections
import functools

import numpy as np
from crafter import engine
from crafter import objects as crafter_objects

from envs.mac import objects, worldgen
from envs.mac import rules as rules_lib

AREA = (64, 64)
CHUNK = (12, 12)
# Objects farther than this (L1) from every living player are frozen for the step, as in crafter
# (2 * max(view) with its 9x9 view).
UPDATE_RADIUS = 18
DAY_LENGTH = 300


class OrderedSet(dict):
    """An insertion-ordered set of objects.

    Crafter keeps each chunk's objects in a plain `set`, whose order follows memory addresses, so
    which creature is despawned can change from run to run. Insertion order makes it reproducible.
    """

    def add(self, item) -> None:
        self[item] = None

    def remove(self, item) -> None:
        del self[item]


class World(engine.World):
    """crafter's World with reproducible chunk iteration."""

    def reset(self, seed=None) -> None:
        super().reset(seed)
        self._chunks = collections.defaultdict(OrderedSet)

    def fill(self, names: tuple[str, ...], indices: np.ndarray) -> None:
        """Set every tile at once: tile (x, y) becomes `names[indices[x, y]]`."""
        for name in names:
            if name not in self._mat_ids:
                self[0, 0] = name  # registers the material id the way crafter does
        lookup = np.array([self._mat_ids[name] for name in names], np.uint8)
        self._mat_map[:] = lookup[indices]


def world_seed_for(seed: int, episode: int = 1) -> int:
    """The world seed crafter.Env(seed=seed) uses for its `episode`-th reset."""
    return hash((seed, episode)) % (2**31 - 1)


class Game:
    """One episode's world, players and clock."""

    def __init__(self, rules: rules_lib.Rules, n_players: int, agent_ids: list[str]) -> None:
        self.rules = rules
        self.n_players = n_players
        self.agent_ids = agent_ids
        self.world = World(AREA, list(rules.materials), CHUNK)
        self.center = (AREA[0] // 2, AREA[1] // 2)
        self.step_count = 0
        self.players: list[objects.Player] = []
        self.dead: set[str] = set()
        self.team = objects.Team(self.players)

    def reset(self, world_seed: int) -> None:
        self.step_count = 0
        self.dead: set[str] = set()
        self.world.reset(seed=world_seed)
        self._update_daylight()
        self.players = [
            objects.Player(self.world, (self.center[0] + dx, self.center[1] + dy), self.rules, aid)
            for aid, (dx, dy) in zip(
                self.agent_ids, worldgen.spawn_offsets(self.n_players), strict=True
            )
        ]
        self.team = objects.Team(self.players)
        for player in self.players:
            self.world.add(player)
        self._generate()

    def _generate(self) -> None:
        generated = worldgen.generate(self.world.random, self.world.area, self.center)
        self.world.fill(generated.tile_names_in_order, generated.terrain)
        for player in self.players:
            # Only far spawn points of teams larger than 9 can land off the always-grass start area.
            if self.world[player.pos][0] not in self.rules.walkable:
                self.world[player.pos] = "grass"
        allowed = set(self.rules.creatures)
        for x, y, kind in generated.creature_list():
            if kind in allowed and self.world[x, y][1] is None:
                self.world.add(objects.make_creature(kind, self.world, (x, y), self.team))

    # --- the step ---------------------------------------------------------------------------

    def step(self, actions: dict[str, tuple[str, tuple[str, objects.Player] | None]]) -> list[str]:
        """Advance one joint step. `actions[agent] = (action name, share request or None)`.

        Returns the ids of players who died in this step (removed from the world next step).
        """
        # Phase 0: players who died last step leave the world (they stayed in it until their
        # final observation was drawn, as crafter draws its dead player).
        for player in self.players:
            if not player.removed and player.health <= 0:
                self.world.remove(player)
        # Phase 1: the clock, which sets daylight for creatures and rendering.
        self.step_count += 1
        self._update_daylight()
        # Phase 2: every living player gets its action.
        for player in self.players:
            if player.agent_id not in self.dead:
                player.action, player.share_request = actions.get(player.agent_id, ("noop", None))
        # Phase 3: objects near any living player act, in the world's object order (players first).
        self._update_objects()
        # Phase 4: creature balancing per chunk, every few steps.
        if self.step_count % self.rules.balance_every == 0:
            for chunk, objs in self.world.chunks.items():
                self._balance_chunk(chunk, objs)
        # Phase 5: report who died in this step; they never act again.
        died = [p.agent_id for p in self.players if p.health <= 0 and p.agent_id not in self.dead]
        self.dead.update(died)
        return died

    def _update_objects(self) -> None:
        snapshot = self.world.objects
        # Players were added to the world first, so they act first (in id order), as crafter's
        # single player does; each is within range of itself.
        others = []
        for obj in snapshot:
            if isinstance(obj, objects.Player):
                obj.update()
            else:
                others.append(obj)
        alive = [p.pos for p in self.players if not p.removed]
        if not others or not alive:
            return
        # A creature only moves itself, so its distance at its turn is its distance now, after
        # the players moved: measure all at once instead of one by one as crafter does.
        offsets = np.array([obj.pos for obj in others])[:, None, :] - np.array(alive)[None]
        near = np.abs(offsets).sum(-1).min(1) < UPDATE_RADIUS
        for obj, is_near in zip(others, near, strict=True):
            if is_near:
                obj.update()

    def _update_daylight(self) -> None:
        progress = (self.step_count / DAY_LENGTH) % 1 + 0.3
        self.world.daylight = 1 - np.abs(np.cos(np.pi * progress)) ** 3

    def _balance_chunk(self, chunk, objs) -> None:
        for rule in self.rules.balance:
            if rule.creature in self.rules.creatures:
                self._balance_creature(chunk, objs, rule)

    def _balance_creature(self, chunk, objs, rule: rules_lib.BalanceRule) -> None:
        xmin, xmax, ymin, ymax = chunk
        random = self.world.random
        kind = objects.CREATURE_CLASSES[rule.creature]
        creatures = [obj for obj in objs if isinstance(obj, kind)]
        mask = self.world.mask(*chunk, rule.material)
        low, high = rule.bounds(int(mask.sum()), self.world.daylight)
        if len(creatures) < int(low) and random.uniform() < rule.spawn_prob:
            xs = np.tile(np.arange(xmin, xmax)[:, None], [1, ymax - ymin])[mask]
            ys = np.tile(np.arange(ymin, ymax)[None, :], [xmax - xmin, 1])[mask]
            i = random.randint(0, len(xs))
            pos = np.array((xs[i], ys[i]))
            empty = self.world[pos][1] is None
            if empty and self.team.distance(pos) >= rule.spawn_distance:
                self.world.add(objects.make_creature(rule.creature, self.world, pos, self.team))
        elif len(creatures) > int(high) and random.uniform() < rule.despawn_prob:
            obj = creatures[random.randint(0, len(creatures))]
            if self.team.distance(obj.pos) >= rule.despawn_distance:
                self.world.remove(obj)

    # --- views of the state -----------------------------------------------------------------

    def semantic_map(self) -> np.ndarray:
        """Crafter's semantic map: material ids, overwritten by object ids (player 13, cow 14, ...)."""
        canvas = self.world._mat_map.copy()
        objs = self.world.objects
        if objs:
            positions = np.array([obj.pos for obj in objs])
            canvas[positions[:, 0], positions[:, 1]] = [
                SEMANTIC_OBJECT_IDS[_object_kind(obj)] for obj in objs
            ]
        return canvas

    def count(self, material: str) -> int:
        return int(self.world.count(material)) if material in self.world._mat_ids else 0


# Crafter's SemanticView numbering: materials 1..12 in data order, then these object kinds.
SEMANTIC_OBJECT_KINDS = ("player", "cow", "zombie", "skeleton", "arrow", "plant")
SEMANTIC_OBJECT_IDS = {kind: 13 + i for i, kind in enumerate(SEMANTIC_OBJECT_KINDS)}
_KIND_BY_CLASS = {
    crafter_objects.Player: "player",
    crafter_objects.Cow: "cow",
    crafter_objects.Zombie: "zombie",
    crafter_objects.Skeleton: "skeleton",
    crafter_objects.Arrow: "arrow",
    crafter_objects.Plant: "plant",
}


@functools.cache
def _kind_of_class(cls: type) -> str:
    for base in cls.__mro__:
        if base in _KIND_BY_CLASS:
            return _KIND_BY_CLASS[base]
    raise TypeError(f"unknown object type {cls.__name__}")


def _object_kind(obj) -> str:
    return _kind_of_class(type(obj))
