"""An agent's own map of the world: what it has seen, what teammates told it, and where stations are.

By default an agent knows only the tiles that passed through its 9x7 view (`observe_local`), plus
sightings teammates report (`merge`). With the paper's privileged navigator it reads the full semantic
map instead (`observe_full`). Skills plan on this map, so the same code serves both settings; unknown
tiles are kept distinct from known ones so that navigation can explore and never guesses into lava.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from envs.mac import rules as rules_lib
from envs.mac import world as world_lib

UNKNOWN = -1
STANDING = 5  # steps a teammate stays put before it counts as a wall at any distance
LOCAL_HALF = (4, 3)  # the agent sits at [4, 3] of its 9x7 local view
Position = tuple[int, int]


def view_box(position: Position) -> tuple[slice, slice]:
    """The map slices of the 9x7 view centred on `position` (numpy clips the far edges)."""
    (x, y), (hx, hy) = position, LOCAL_HALF
    return slice(max(x - hx, 0), x + hx + 1), slice(max(y - hy, 0), y + hy + 1)


@dataclass(frozen=True)
class Sighting:
    """One tile a teammate saw: the unit the comms layer passes between agents' maps."""

    material: str
    position: Position

    def __post_init__(self) -> None:
        if not isinstance(self.material, str) or not self.material:
            raise ValueError(f"invalid sighting material {self.material!r}")
        if len(self.position) != 2 or not all(isinstance(v, int) for v in self.position):
            raise ValueError(f"invalid sighting position {self.position!r}; allowed: (x, y) ints")

    def to_dict(self) -> dict[str, Any]:
        return {"material": self.material, "position": list(self.position)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sighting:
        x, y = data["position"]
        return cls(str(data["material"]), (int(x), int(y)))


class KnownMap:
    """The tiles one agent knows: material per tile (or unknown), and creatures/players last seen.

    Materials are stored as indices into `rules.materials`; objects as crafter's semantic object ids.
    Objects move, so only those inside the latest view (or the whole map when privileged) block paths.
    """

    def __init__(self, rules: rules_lib.Rules, area: tuple[int, int] = world_lib.AREA) -> None:
        self.rules = rules
        self.area = area
        self.materials = np.full(area, UNKNOWN, np.int16)
        self.objects = np.zeros(area, np.int16)
        self.fresh = np.zeros(area, bool)  # tiles whose object layer is current
        self.seen = np.full(area, -1, np.int32)  # step each tile was last seen
        self.clock = 0
        self.version = 0
        self.position: Position | None = None
        # What the agent holds decides which known tiles it could dig through (see navigation).
        self.holding: dict[str, int] = {}
        # Where this agent is headed while exploring, and when it said so (teammates read it).
        self.claim: tuple[Position, int] | None = None
        # The resource tile this agent walks to (collect/navigate), and when it said so.
        self.target: tuple[Position, int] | None = None
        # A study's reference priors per sought material (`navigation.terrain_prior` of a mask
        # read from the generated map): the search for a material reads its entry in place of
        # the prior it infers from seen tiles; empty in play.
        self.reference_priors: dict[str, np.ndarray] = {}
        # A study's disguise (`cooperation --hide-goal`): each material here is written as the
        # one it names, so a search never sees it and runs on (how much it covers); empty in play.
        self.disguised: dict[str, str] = {}
        # A study's shown tiles (`search_headroom`: every diamond known from the start): written
        # from the generated map, not seen, so the search priors leave them out (a lone known tile
        # would read as ground wholly of its kind and draw every search for rock to it); none in
        # play.
        self.shown = np.zeros(area, bool)
        # Per teammate map (keyed by its id): where that teammate is and what it claimed.
        self._teammates: dict[int, tuple[Position | None, tuple[Position, int] | None]] = {}
        self._teammate_targets: dict[int, tuple[Position | None, tuple[Position, int] | None]] = {}
        # Per teammate map: where that teammate stands and since when (see `standing`).
        self._teammate_since: dict[int, tuple[Position | None, int]] = {}
        # What teammates said without sharing their maps (S-CS statuses, keyed by sender): the
        # frontier each explores toward, and the tiles their views covered at the positions they
        # gave (their materials stay unknown here; see `hear`).
        self._heard_claims: dict[str, tuple[Position, int]] = {}
        self.covered = np.zeros(area, bool)
        self._index = {name: i for i, name in enumerate(rules.materials)}
        self._object_ids = dict(world_lib.SEMANTIC_OBJECT_IDS)
        self._n_materials = len(rules.materials)
        walkable = [self._index[m] for m in rules.walkable if m != "lava"]
        self._walkable_lookup = np.zeros(self._n_materials + 1, bool)
        self._walkable_lookup[walkable] = True

    # --- updates ----------------------------------------------------------------------------

    def observe(self, info: Mapping[str, Any]) -> None:
        """Update from one step's info: the full map when privileged, else the local view."""
        self.clock = int(info.get("step", self.clock))
        if "position" in info:
            self.position = (int(info["position"][0]), int(info["position"][1]))
        if "inventory" in info:
            self.holding = dict(info["inventory"])
        if "semantic" in info:
            self.observe_full(info["semantic"])
        else:
            self.observe_local(info["position"], info["local_semantic"])

    def observe_local(self, position: Position, local_semantic: np.ndarray) -> None:
        """Write the 9x7 view centred on `position` (semantic ids, 0 = outside the map)."""
        x0, y0 = position[0] - LOCAL_HALF[0], position[1] - LOCAL_HALF[1]
        width, height = local_semantic.shape
        xs = slice(max(x0, 0), min(x0 + width, self.area[0]))
        ys = slice(max(y0, 0), min(y0 + height, self.area[1]))
        window = np.asarray(local_semantic)[
            xs.start - x0 : xs.stop - x0, ys.start - y0 : ys.stop - y0
        ]
        self.fresh[:] = False
        self.fresh[xs, ys] = True
        self.objects[:] = 0
        self.seen[xs, ys] = self.clock
        self._write(window, self.materials[xs, ys], self.objects[xs, ys])

    def observe_full(self, semantic: np.ndarray) -> None:
        """Write the whole semantic map (the privileged navigator's view)."""
        self.fresh[:] = True
        self.seen[:] = self.clock
        self._write(np.asarray(semantic), self.materials, self.objects)

    def _write(self, ids: np.ndarray, materials: np.ndarray, objects: np.ndarray) -> None:
        for hidden, shown in self.disguised.items():
            ids = np.where(ids == self._index[hidden] + 1, self._index[shown] + 1, ids)
        is_material = (ids >= 1) & (ids <= self._n_materials)
        is_object = ids > self._n_materials
        materials[is_material] = ids[is_material] - 1
        # Creatures and players stand on walkable ground; keep a known material, else assume grass.
        under = is_object & (materials == UNKNOWN)
        materials[under] = self._index.get("grass", 0)
        objects[:] = np.where(is_object, ids, 0)
        self.version += 1

    def merge(self, sightings: Iterable[Sighting]) -> int:
        """Add tiles reported by teammates; returns how many were new or changed."""
        changed = 0
        for sighting in sightings:
            index = self._index.get(sighting.material)
            x, y = sighting.position
            if index is None or not (0 <= x < self.area[0] and 0 <= y < self.area[1]):
                continue
            if self.materials[x, y] != index:
                self.materials[x, y] = index
                self.seen[x, y] = max(self.seen[x, y], self.clock)
                changed += 1
        if changed:
            self.version += 1
        return changed

    def show(self, sightings: Iterable[Sighting]) -> None:
        """A study's reference: write `sightings` as known from the start and mark them `shown`,
        so the search priors leave them out (never called in play)."""
        sightings = tuple(sightings)
        self.merge(sightings)
        for sighting in sightings:
            self.shown[sighting.position] = True

    def merge_known(self, other: KnownMap) -> int:
        """Take every tile a teammate saw more recently than this map did, and where the teammate is
        and is exploring toward (so exploration can spread out); returns how many tiles."""
        self._teammates[id(other)] = (other.position, other.claim)
        self._teammate_targets[id(other)] = (other.position, other.target)
        since = self._teammate_since.get(id(other))
        if since is None or since[0] != other.position:
            self._teammate_since[id(other)] = (other.position, self.clock)
        new = other.seen > self.seen
        count = int(new.sum())
        if count:
            self.materials[new] = other.materials[new]
            self.seen[new] = other.seen[new]
            self.version += 1
        return count

    def hear(self, sender: str, position: Position, exploring: Position | None, step: int) -> None:
        """Record a teammate's status when maps are not shared: the view around `position` was
        seen by it (so the search here counts that ground as covered: whatever of note it held,
        the teammate's sightings report), and `exploring`, the frontier it heads for."""
        self.covered[view_box(position)] = True
        if exploring is not None:
            self._heard_claims[sender] = (exploring, step)
        else:
            self._heard_claims.pop(sender, None)

    def teammate_claims(self, max_age: int = 2) -> list[Position]:
        """Exploration targets teammates announced within the last `max_age` steps."""
        shared = (announced for _, announced in self._teammates.values())
        return [
            announced[0]
            for announced in (*shared, *self._heard_claims.values())
            if announced is not None and self.clock - announced[1] <= max_age
        ]

    def fresh_claim(self, max_age: int = 2) -> Position | None:
        """The frontier this agent announced within `max_age` steps (None: not exploring)."""
        if self.claim is None or self.clock - self.claim[1] > max_age:
            return None
        return self.claim[0]

    def yielded_targets(self, max_age: int = 2) -> list[Position]:
        """Resource tiles a teammate announced within `max_age` steps and has the better claim to
        (nearer to it, ties by position), so that two agents never walk to the same tile; both
        sides compute the same winner."""
        mine = self.position
        tiles = []
        for where, announced in self._teammate_targets.values():
            if announced is None or where is None or mine is None:
                continue
            if self.clock - announced[1] > max_age:
                continue
            tile = announced[0]
            theirs = (abs(where[0] - tile[0]) + abs(where[1] - tile[1]), where)
            own = (abs(mine[0] - tile[0]) + abs(mine[1] - tile[1]), mine)
            if theirs < own:
                tiles.append(tile)
        return tiles

    def teammate_positions(self) -> list[Position]:
        """Where teammates last reported being."""
        return [position for position, _ in self._teammates.values() if position is not None]

    def sightings(self, materials: Iterable[str]) -> list[Sighting]:
        """Known tiles of `materials`, ready to send to teammates."""
        found = []
        for material in materials:
            found += [Sighting(material, pos) for pos in self.positions(material)]
        return found

    # --- queries ----------------------------------------------------------------------------

    def material_at(self, position: Position) -> str | None:
        """The tile's material, or None when unknown or off the map."""
        x, y = position
        if not (0 <= x < self.area[0] and 0 <= y < self.area[1]):
            return None
        index = int(self.materials[x, y])
        return None if index == UNKNOWN else self.rules.materials[index]

    def object_at(self, position: Position) -> str | None:
        """The creature or player last seen on the tile (None if none or off the map)."""
        x, y = position
        if not (0 <= x < self.area[0] and 0 <= y < self.area[1]):
            return None
        value = int(self.objects[x, y])
        for kind, object_id in self._object_ids.items():
            if object_id == value:
                return kind
        return None

    def mask(self, material: str) -> np.ndarray:
        """Boolean map of known tiles of `material` (or of a creature kind such as "cow")."""
        if material in self._object_ids:
            return self.objects == self._object_ids[material]
        index = self._index.get(material)
        if index is None:
            return np.zeros(self.area, bool)
        return self.materials == index

    def positions(self, material: str) -> list[Position]:
        return [(int(x), int(y)) for x, y in np.argwhere(self.mask(material))]

    def knows(self, material: str) -> bool:
        return bool(self.mask(material).any())

    @property
    def unknown(self) -> np.ndarray:
        return self.materials == UNKNOWN

    def known_fraction(self) -> float:
        return float((~self.unknown).mean())

    def walkable(self, around: Position | None = None, radius: int = 3) -> np.ndarray:
        """Known tiles a player may enter: walkable material (never lava) and no fresh object.

        With `around`, only objects within `radius` (Chebyshev) of it block: creatures and players
        farther away will have moved by the time the agent gets there.
        """
        materials = np.where(self.materials == UNKNOWN, self._n_materials, self.materials)
        blocked = (self.objects > 0) & self.fresh
        if around is not None:
            x, y = around
            nearby = np.zeros(self.area, bool)
            nearby[max(x - radius, 0) : x + radius + 1, max(y - radius, 0) : y + radius + 1] = True
            blocked &= nearby
        for position in self.standing():
            blocked[position] = True
        return self._walkable_lookup[materials] & ~blocked

    def standing(self) -> list[Position]:
        """Where teammates have stood for `STANDING` steps or more: they block a walk at any
        distance (a teammate waiting in a corridor is a wall until it moves; counting it only when
        near makes a walk turn back and forth at the edge of that range)."""
        return [
            position
            for position, since in self._teammate_since.values()
            if position is not None and self.clock - since >= STANDING
        ]

    def stations(self) -> dict[str, list[Position]]:
        """Known positions of every station a recipe needs nearby (table, furnace)."""
        return {name: self.positions(name) for name in self.rules.stations}

    def stations_nearby(self, position: Position) -> set[str]:
        """Stations the env counts as nearby at `position` (where making a tool needs them): the
        3x3 area around it, and none at all on the map's first row or column (`crafts_at`)."""
        x, y = position
        found = set()
        if not crafts_at(position):
            return found
        for name in self.stations():
            index = self._index[name]
            window = self.materials[x - 1 : x + 2, y - 1 : y + 2]
            if (window == index).any():
                found.add(name)
        return found


def crafts_at(position: Position) -> bool:
    """Whether a player at `position` can use stations at all. Crafter reads the stations around
    a player as the slice `[x - 1 : x + 2, y - 1 : y + 2]` of its map (`World.nearby`), which is
    empty in the first row or column (it starts at -1), so a player there makes nothing; the env
    keeps that rule, and an agent that does not know it waits there for a make that never happens."""
    return position[0] >= 1 and position[1] >= 1
