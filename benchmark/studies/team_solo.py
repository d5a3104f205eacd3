"""A lone player's ordered walk: one player cannot be at a tree, a stone, the coal, the iron and the
diamond at once, so it walks between them in an order the crafting chain allows. Searched as a
shortest walk in a layered graph, it gives the lone player's lower bound (`walk_bound`) and, with
costs a play can meet, the route of a lone player's plan (`team_route`).

A layer is how many `do`s on each raw material of the goal's prerequisite plan the player has
taken on the map's own tiles (capped at what the plan needs), and what that lets it hold: a tool
once the counts cover its whole prerequisite plan (the wood pickaxe after 3 wood, which also pays
the table), a crossing's gate item once one unit is in. In a layer the player walks a move per
tile, into a walkable tile or one it may have made walkable with what the layer allows
(tunnelling through trees, stone, ...; covering water). Standing on a tile it may go up k units of
a material, without moving, when k tiles of that material are next to that tile (tiles are used
up; a later stand there may take them again, which only lowers the bound). The lower bound is the
fewest moves to stand next to the goal's material holding its tool, plus every collect, place and
make of the prerequisite plan (`plan_actions`).

Why it is sound for the relaxed game (`team_bound`), where nobody blocks, turning is free and a
lone player does every action itself: map any play to the layered graph by the player's tile and
its counts of `do`s on the map's own tiles. Wood, coal and iron come only from the map's tiles; a
stone placed and collected again gives back what it took, so the stones the plan consumes were
all collected from the map; a held tool means its whole prerequisite plan was collected. Each move
of the play is a move of the walk (a tile the play enters was walkable or made so, which the layer
allows), and each `do` of a counted unit stands next to its tile. So the walk has at most the
play's moves, and the play also took each of the plan's collects, places and makes, none of them a
move. Left out, so still loose: the extra `do` of tunnelling and the place and `do` of crossing
water (a walk may enter a tile again after it was opened, for one move), walking back to the table
or furnace (a station goes wherever the player stands), and moves between tiles of one stand.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from agents import prerequisites
from agents.skills import library
from benchmark.studies.team_map import INF, Layout, crossings, edges, goal_item, tile_neighbours
from envs.mac import rules as rules_lib

Counts = tuple[int, ...]


def material_of(rules: rules_lib.Rules, item: str) -> str:
    """The material whose collecting yields `item`."""
    return next(m for m, r in rules.collect.items() if item in r.receive)


def plan_actions(rules: rules_lib.Rules, goal: str) -> int:
    """Actions other than moves that the goal needs in all (collect, place and make steps of the
    prerequisite plan, each needed by the rule data; shares come on top for a team)."""
    count = 0
    for step in prerequisites.plan(rules, goal, {}, set()):
        if step.kind == "collect":
            receive = rules.collect[material_of(rules, step.target)].receive[step.target]
            count += math.ceil(step.amount / receive)
        else:
            count += step.amount
    return count


def _dos(rules: rules_lib.Rules, bill: dict[str, int]) -> dict[str, int]:
    """`do`s per material that collect a bill of raw items."""
    dos: dict[str, int] = {}
    for item, amount in bill.items():
        material = material_of(rules, item)
        need = math.ceil(amount / rules.collect[material].receive[item])
        dos[material] = max(dos.get(material, 0), need)
    return dos


Event = tuple  # ("move", flat tile entered), ("take", material, units) on the tile it stands on,
# or ("wait", step): until the supply (`LoneWalk`) is handed over


class LoneWalk:
    """The layered graph of one player's walk (module docstring) for a collect goal. With
    `playable`, costs a play meets: tunnelling takes its `do` (2 per tile), water is not crossed,
    and no tool comes before every material that needs none is in; with `one_table` too, the
    tools come where the first unit that needs one is taken, and that unit lets the player make
    every tool of those stations there (so one table, placed there, serves them all). With
    `tool_only`, the walk ends where the player may first hold the goal's tool. With `supply`
    (units by material, a step), a teammate hands the units over by that step, wherever the
    player is then."""

    def __init__(
        self,
        layout: Layout,
        rules: rules_lib.Rules,
        goal: str,
        playable: bool = False,
        one_table: bool = True,
        tool_only: bool = False,
        supply: tuple[dict[str, int], float] | None = None,
    ) -> None:
        kind, item = goal_item(goal)
        if kind != "collect":
            raise ValueError(f"a lone walk needs a collect goal, not {goal!r}")
        self.layout, self.rules, self.goal, self.playable = layout, rules, goal, playable
        self.one_table = playable and one_table
        self.tool_only = tool_only  # the walk ends where it may hold the goal's tool
        self.supply = supply  # units by material a teammate hands over, and the step it has
        self.goal_material = material_of(rules, item)
        bill = prerequisites.bill(prerequisites.plan(rules, goal, {}, set()))
        self.caps = _dos(rules, {k: v for k, v in bill.items() if k != item})
        self.materials = sorted(self.caps)
        self.tools = sorted(library.gathering_tools(rules))
        self.needs = {
            t: _dos(rules, prerequisites.bill(prerequisites.plan(rules, f"make_{t}", {}, set())))
            for t in self.tools
        }
        self.free = [i for i, m in enumerate(self.materials) if not rules.collect[m].require]
        self.cross = crossings(rules)
        grid = layout.grid
        self.flat = grid.ravel()
        self.size = self.flat.size
        padded = np.zeros((grid.shape[0] + 2, grid.shape[1] + 2), np.int64)
        self.adjacent: dict[str, np.ndarray] = {}
        for m in {*self.materials, self.goal_material}:
            padded[1:-1, 1:-1] = grid == m
            self.adjacent[m] = sum(
                padded[1 + dx : 1 + dx + grid.shape[0], 1 + dy : 1 + dy + grid.shape[1]]
                for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
            ).ravel()
            if rules.collect[m].leaves == m:  # not used up: one tile serves every `do`
                self.adjacent[m] = np.where(self.adjacent[m] > 0, self.size, 0)
        self._costs: dict[tuple, np.ndarray] = {}

    def _can(self, counts: Counts) -> frozenset[str]:
        """Tools the counts cover."""
        have = dict(zip(self.materials, counts, strict=True))
        return frozenset(
            t for t in self.tools if all(have.get(m, 0) >= n for m, n in self.needs[t].items())
        )

    def held(self, counts: Counts) -> frozenset[str]:
        """Tools the counts let the player hold; when `playable`, none before every material that
        needs none is in and a first unit that needs one (`takes`) was taken."""
        if self.playable and any(counts[i] < self.caps[self.materials[i]] for i in self.free):
            return frozenset()
        if self.one_table and not any(c for i, c in enumerate(counts) if i not in self.free):
            return frozenset()
        return self._can(counts)

    def takes(self, counts: Counts) -> list[int]:
        """Materials (indices) the player may take units of in the layer. When `playable`, the
        first that needs a tool is taken where the tools are made, so it must let the player make
        every tool of the stations those tools need (stone: with the wood pickaxe, the stone
        pickaxe at the same table; coal would leave the table behind)."""
        hold = self.held(counts)
        out = []
        for index, m in enumerate(self.materials):
            need = self.rules.collect[m].require
            if counts[index] >= self.caps[m]:
                continue
            if all(t in hold for t in need):
                out.append(index)
            elif self.one_table and not hold and all(t in self._can(counts) for t in need):
                nxt = self._can((*counts[:index], counts[index] + 1, *counts[index + 1 :]))
                stations = {s for t in self._can(counts) for s in self.rules.make[t].nearby}
                mates = {t for t in self.tools if set(self.rules.make[t].nearby) & stations}
                if not any(counts[i] < self.caps[self.materials[i]] for i in self.free) and (
                    mates <= nxt
                ):
                    out.append(index)
        return out

    def _gate_open(self, gate: tuple[str, ...], counts: Counts, hold: frozenset[str]) -> bool:
        have = dict(zip(self.materials, counts, strict=True))
        for g in gate:
            if g in self.rules.make and g not in hold:
                return False
            source = next((m for m in have if g in self.rules.collect[m].receive), None)
            if source is not None and not have[source]:
                return False
        return True

    def cost(self, counts: Counts) -> np.ndarray:
        """The cost of entering each flat tile in the layer (INF: never)."""
        hold = self.held(counts)
        crossing = tuple(
            m
            for m, c in self.cross.items()
            if m != self.goal_material and self._gate_open(c.gate, counts, hold)
        )
        key = (hold, crossing)
        if key not in self._costs:
            cost = np.full(self.size, INF)
            cost[np.isin(self.flat, list(self.rules.walkable))] = 1
            for m in crossing:
                if self.playable and self.cross[m].collected != m:
                    continue  # crossing water: not in a played route
                cost[self.flat == m] = 2 if self.playable else 1
            self._costs[key] = cost
        return self._costs[key]

    def search(self, trace: bool = True) -> tuple[float, list[Event]]:
        """The fewest moves (tunnelling `do`s too, when `playable`) to stand next to the goal's
        material holding its tool, and the walk's events in order (INF, []: none)."""
        shape = self.layout.grid.shape
        rows, cols = edges(shape)
        size = self.size
        start = self.layout.starts[0][0] * shape[1] + self.layout.starts[0][1]
        layers = sorted(
            itertools.product(*(range(self.caps[m] + 1) for m in self.materials)),
            key=lambda c: (sum(c), c),
        )
        first = layers[0]
        # seeds[layer][material] = (time, units taken, or -1 for the start) per tile.
        seeds: dict[Counts, dict[str, tuple[np.ndarray, np.ndarray]]] = {
            first: {"": (np.full(size, INF), np.full(size, -1))}
        }
        seeds[first][""][0][start] = 0.0
        found: dict[Counts, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        best, end = INF, None
        for counts in layers:
            if counts not in seeds:
                continue
            init = np.minimum.reduce([t for t, _ in seeds[counts].values()])
            cost = self.cost(counts)
            keep = cost[cols] < INF
            sources = np.flatnonzero(init < INF)
            graph = sparse.csr_matrix(
                (
                    np.concatenate([cost[cols[keep]], init[sources] + 1]),
                    (
                        np.concatenate([rows[keep], np.full(sources.size, size)]),
                        np.concatenate([cols[keep], sources]),
                    ),
                ),
                shape=(size + 1, size + 1),
            )
            dist, pred = csgraph.dijkstra(graph, indices=size, return_predecessors=True)
            dist, pred = dist[:size] - 1, pred[:size]
            moved = np.full(size, INF)
            np.minimum.at(moved, cols[keep], dist[rows[keep]] + cost[cols[keep]])
            if counts == first:
                moved[start] = 0.0
            found[counts] = (dist, pred, moved)
            if counts == first and self.supply is not None:
                given, when = self.supply
                got = tuple(min(self.caps[m], given.get(m, 0)) for m in self.materials)
                seeds.setdefault(got, {})["+"] = (np.maximum(dist, when), np.zeros(size, int))
            hold = self.held(counts)
            if all(t in hold for t in self.rules.collect[self.goal_material].require):
                stand = (
                    dist
                    if self.tool_only
                    else np.where(self.adjacent[self.goal_material] > 0, dist, INF)
                )
                tile = int(stand.argmin())
                if stand[tile] < best:
                    best, end = float(stand[tile]), (counts, tile)
                continue
            for index in self.takes(counts):
                m = self.materials[index]
                # Units of m taken on a stand reached otherwise than by taking units of m there.
                base = np.minimum.reduce(
                    [moved, *(t for k, (t, _) in seeds[counts].items() if k != m)]
                )
                for k in range(1, self.caps[m] - counts[index] + 1):
                    nxt = (*counts[:index], counts[index] + k, *counts[index + 1 :])
                    here = np.where(self.adjacent[m] >= k, base, INF)
                    slot = seeds.setdefault(nxt, {}).setdefault(
                        m, (np.full(size, INF), np.full(size, 0))
                    )
                    better = here < slot[0]
                    slot[0][better] = here[better]
                    slot[1][better] = k
        if end is None:
            return INF, []
        return best, self._trace(end, seeds, found) if trace else []

    def _trace(self, end: tuple[Counts, int], seeds: dict, found: dict) -> list[Event]:
        """The walk ending on `end` (layer, tile), traced back through the layers."""
        neighbours = tile_neighbours(self.layout.grid.shape)
        events: list[Event] = []
        counts, tile = end
        walked, exclude = True, None
        while True:
            if walked:  # reached `tile` walking in this layer from one of its seeds
                pred = found[counts][1]
                while 0 <= pred[tile] < self.size:
                    events.append(("move", tile))
                    tile = int(pred[tile])
            layer = {m: t[tile] for m, (t, _) in seeds[counts].items() if m != exclude}
            via = min(layer, key=lambda m: layer[m])
            if via == "":
                break
            if via == "+":  # handed the supply here: waited for it in the first layer
                events.append(("wait", self.supply[1]))
                counts, walked, exclude = (0,) * len(self.materials), True, None
                continue
            k = int(seeds[counts][via][1][tile])
            events.append(("take", via, k))
            index = self.materials.index(via)
            counts = (*counts[:index], counts[index] - k, *counts[index + 1 :])
            dist, _, moved = found[counts]
            others = [t[tile] for m, (t, _) in seeds[counts].items() if m != via]
            if moved[tile] <= min(others, default=INF) and moved[tile] > 0:
                cost = self.cost(counts)[tile]
                events.append(("move", tile))
                tile = next(n for n in neighbours[tile] if dist[n] + cost == moved[tile])
                walked, exclude = True, None
            else:  # another material's units on the same stand (or the start)
                walked, exclude = False, via
        return events[::-1]


def walk_bound(layout: Layout, rules: rules_lib.Rules, goal: str) -> float:
    """The lone player's lower bound (module docstring): INF when no walk reaches the goal; 0 for
    a goal that collects nothing (it adds nothing to the other arguments)."""
    if goal_item(goal)[0] != "collect":
        return 0.0
    moves, _ = LoneWalk(layout, rules, goal).search(trace=False)
    return moves + plan_actions(rules, goal) if moves < INF else INF
