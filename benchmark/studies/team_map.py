"""The map a team plays on, as the optimal-team bound sees it: tiles, start tiles, and the
distances over them (walking, and crossing what the rule data lets a player make walkable).

Shared by the lower bound (`team_lower`) and the plans (`team_plans`) of `team_bound`.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from envs import mac
from envs.mac import rules as rules_lib

INF = math.inf
MOVES = ((1, 0), (-1, 0), (0, 1), (0, -1))


@dataclasses.dataclass(frozen=True)
class Layout:
    """A map as material names indexed [x, y], and the players' start tiles."""

    grid: np.ndarray
    starts: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if self.grid.ndim != 2 or not self.starts:
            raise ValueError("a layout needs a 2-D grid and at least one start")

    @classmethod
    def from_rows(cls, rows: Sequence[str]) -> Layout:
        """A hand-built map: rows are y, characters x. `A` a player on grass, `.` grass, `T` tree,
        `S` stone, `C` coal, `I` iron, `D` diamond, `W` water, `P` path."""
        legend = {".": "grass", "A": "grass", "T": "tree", "S": "stone", "C": "coal", "I": "iron"}
        legend |= {"D": "diamond", "W": "water", "P": "path"}
        grid = np.array([[legend[ch] for ch in row] for row in rows], dtype=object).T
        starts = tuple(
            (x, y) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch == "A"
        )
        return cls(grid, starts)


def layout_for(
    seed: int, n_agents: int, world_seed: int | None = None, rules: str = "damcs"
) -> Layout:
    """The map and start tiles the environment builds on `reset(seed)` for `n_agents` (on the
    fixed map of `world_seed` when given, as `mac.EnvConfig.world_seed`)."""
    env = mac.parallel_env(n_agents=n_agents, rules=rules, world_seed=world_seed)
    _, infos = env.reset(seed=seed)
    world = env.game.world
    names = {index: name for name, index in world._mat_ids.items()}
    grid = np.vectorize(lambda i: names.get(int(i), "none"), otypes=[object])(world._mat_map)
    starts = tuple(tuple(int(v) for v in infos[a]["position"]) for a in env.possible_agents)
    return Layout(grid, starts)


@functools.cache
def tile_neighbours(shape: tuple[int, int]) -> tuple[tuple[int, ...], ...]:
    """Flat indices (x * height + y) of each flat tile's four neighbours."""
    w, h = shape
    return tuple(
        tuple(
            nx * h + ny
            for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1))
            if 0 <= nx < w and 0 <= ny < h
        )
        for x in range(w)
        for y in range(h)
    )


def earliest(
    shape: tuple[int, int], sources: dict[int, float], enter: Callable[[int, float], float]
) -> np.ndarray:
    """Earliest times over tiles from `sources` (flat tile: time), where `enter(tile, t)` is the
    earliest time a walker standing next to `tile` at time `t` can stand on it (INF: never). It
    must not decrease with `t`, so waiting never helps and Dijkstra is exact."""
    neighbours = tile_neighbours(shape)
    best = np.full(shape[0] * shape[1], INF)
    heap = []
    for tile, t in sources.items():
        if t < best[tile]:
            best[tile] = t
            heap.append((t, tile))
    heapq.heapify(heap)
    while heap:
        t, tile = heapq.heappop(heap)
        if t > best[tile]:
            continue
        for nxt in neighbours[tile]:
            nt = enter(nxt, t)
            if nt < best[nxt]:
                best[nxt] = nt
                heapq.heappush(heap, (nt, nxt))
    return best.reshape(shape)


@functools.cache
def edges(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(from, to) flat tile pairs of every move on a grid of `shape`."""
    pairs = [(t, n) for t, around in enumerate(tile_neighbours(shape)) for n in around]
    return tuple(np.array(side, np.int64) for side in zip(*pairs, strict=True))


def graph(shape: tuple[int, int], cost: np.ndarray) -> sparse.csr_matrix:
    """Moves as a sparse graph weighted by the cost of entering the tile (0 or INF: never)."""
    rows, cols = edges(shape)
    keep = (cost[cols] > 0) & (cost[cols] < INF)
    size = cost.size
    return sparse.csr_matrix((cost[cols[keep]], (rows[keep], cols[keep])), shape=(size, size))


@dataclasses.dataclass(frozen=True)
class Crossing:
    """How a tile of a material that is not walkable can become walkable: `cost` actions of one
    player standing next to it, the last one stepping in, once someone holds every item of
    `gate`."""

    cost: int
    gate: tuple[str, ...]
    collected: str  # the material whose collecting opens it (itself, or the tile placed on it)


def crossings(rules: rules_lib.Rules) -> dict[str, Crossing]:
    """From the rule data: a material whose collecting leaves a walkable tile is crossed by `do`
    and a step (tree, stone, coal, iron, diamond: 2, gated by the collect's tools); a material a
    placed tile may cover, when collecting that tile leaves a walkable one, by place, `do` and a
    step (water and lava, under stone: 3, gated by the stone: the placing comes first).
    Nothing else (table, furnace) ever becomes walkable."""
    walkable = set(rules.walkable)
    found: dict[str, Crossing] = {}
    for material, rule in rules.collect.items():
        if material not in walkable and rule.leaves in walkable:
            found[material] = Crossing(2, tuple(rule.require), material)
    for name, rule in rules.place.items():
        placed = rules.collect.get(name)
        if rule.type != "material" or placed is None or placed.leaves not in walkable:
            continue
        for material in rule.where:
            if material not in walkable and material not in found:
                found[material] = Crossing(3, tuple(rule.uses), name)
    return found


def approaches(
    grid: np.ndarray, dist: np.ndarray, material: str, tiles: tuple | None = None
) -> list[tuple[float, tuple, tuple]]:
    """(steps to stand next to it, tile, stand tile) for every tile of `material` reachable in
    `dist` (INF: unreachable), nearest first; the stand tile is the neighbour reached soonest.
    `tiles`: the material's tiles as `np.nonzero` gives them, when already known."""
    xs, ys = np.nonzero(grid == material) if tiles is None else tiles
    if not xs.size:
        return []
    padded = np.full((grid.shape[0] + 2, grid.shape[1] + 2), INF)
    padded[1:-1, 1:-1] = dist
    around = np.stack([padded[xs + 1 + dx, ys + 1 + dy] for dx, dy in MOVES])
    side = around.argmin(axis=0)
    best = around[side, np.arange(xs.size)]
    order = [i for i in np.lexsort((ys, xs, best)) if best[i] < INF]
    return [
        (
            float(best[i]),
            (int(xs[i]), int(ys[i])),
            (int(xs[i] + MOVES[side[i]][0]), int(ys[i] + MOVES[side[i]][1])),
        )
        for i in order
    ]


class Ways:
    """Shortest walks for a player holding some tools: a walkable tile (or one `opened` by
    collecting it) costs a step, a tile the tools can collect into a walkable one costs two
    (`do`, step in; the goal's material excepted), a tile in `avoid` cannot be entered."""

    def __init__(self, layout: Layout, rules: rules_lib.Rules, goal_material: str | None) -> None:
        self.grid, self.rules, self.goal_material = layout.grid, rules, goal_material
        self.shape = layout.grid.shape
        self._graphs: dict[tuple, sparse.csr_matrix] = {}
        self._paths: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def costs(
        self, tools: frozenset[str], avoid: frozenset[int], opened: frozenset[int]
    ) -> np.ndarray:
        """The cost of entering each flat tile (0: never)."""
        flat = self.grid.ravel()
        cost = np.zeros(flat.shape, np.float64)
        cost[np.isin(flat, list(self.rules.walkable))] = 1
        for material, rule in self.rules.collect.items():
            if (
                material not in self.rules.walkable
                and material != self.goal_material
                and rule.leaves in self.rules.walkable
                and all(t in tools for t in rule.require)
            ):
                cost[flat == material] = 2
        if opened:
            cost[list(opened)] = 1
        if avoid:
            cost[list(avoid)] = 0
        return cost

    def graph(
        self, tools: frozenset[str], avoid: frozenset[int], opened: frozenset[int]
    ) -> sparse.csr_matrix:
        key = (tools, avoid, opened)
        if key not in self._graphs:
            cost = self.costs(tools, avoid, opened)
            self._graphs[key] = graph(self.shape, cost)
        return self._graphs[key]

    def from_tile(
        self,
        where: tuple[int, int],
        tools: frozenset[str],
        avoid: frozenset[int] = frozenset(),
        opened: frozenset[int] = frozenset(),
    ) -> tuple[np.ndarray, np.ndarray]:
        """(steps to every flat tile, predecessors) from `where`."""
        key = (where, tools, avoid, opened)
        if key not in self._paths:
            start = where[0] * self.shape[1] + where[1]
            dist, pred = csgraph.dijkstra(
                self.graph(tools, avoid, opened), indices=start, return_predecessors=True
            )
            self._paths[key] = (dist, pred)
        return self._paths[key]

    @staticmethod
    def path(pred: np.ndarray, end: int) -> list[int]:
        """Flat tiles entered on the way to `end`, `end` included."""
        tiles = []
        while end >= 0:
            tiles.append(int(end))
            end = pred[end]
        return tiles[-2::-1]


def goal_item(goal: str) -> tuple[str, str]:
    """("collect", "diamond") for "collect_diamond"."""
    kind, _, item = goal.partition("_")
    return kind, item
