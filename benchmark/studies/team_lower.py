"""The lower bound of the optimal-team bound: joint steps no team can beat in the relaxed game
(stated in `benchmark.studies.team_bound`), the largest of the arguments listed there."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.sparse import csgraph

from agents import prerequisites
from benchmark.studies.team_map import (
    INF,
    Crossing,
    Layout,
    approaches,
    crossings,
    earliest,
    goal_item,
    graph,
    tile_neighbours,
)
from benchmark.studies.team_solo import plan_actions, walk_bound
from benchmark.studies.team_split import split_bound
from envs.mac import rules as rules_lib


class _Estimate:
    """Lower bounds on when things can happen, given lower bounds `gates` on when each crossing
    material can first be crossed (module docstring, arguments 1 to 4)."""

    def __init__(
        self,
        layout: Layout,
        rules: rules_lib.Rules,
        n_agents: int,
        cross: dict[str, Crossing],
        gates: dict[str, float],
        work: Callable[[int, str], tuple[float, ...]] | None = None,
    ) -> None:
        self.grid, self.rules, self.agents = layout.grid, rules, range(n_agents)
        shape = layout.grid.shape
        flat = layout.grid.ravel()
        walkable = set(rules.walkable)
        walk = [m in walkable for m in flat]
        cost = [cross[m].cost if m in cross else 0 for m in flat]
        gate = [gates[m] if m in cross else INF for m in flat]

        # Alone, a player spends every action of a crossing itself. In a team the actions at one
        # tile may be several players' in one step (each sees the others' effects), so the
        # crossing takes one step after someone stood next to it holding the gate.
        alone = n_agents == 1
        steps = [c if alone else min(c, 1) for c in cost]

        def team_enter(tile: int, t: float) -> float:
            if walk[tile]:
                return t + 1
            return max(t, gate[tile]) + steps[tile] if steps[tile] else INF

        starts = [x * shape[1] + y for x, y in layout.starts[:n_agents]]
        team = earliest(shape, dict.fromkeys(starts, 0.0), team_enter)
        # The first step a teammate may stand on a crossing tile: the step its first action
        # could be taken by anyone.
        opened = [INF] * len(flat)
        neighbours = tile_neighbours(shape)
        for tile in range(len(flat)):
            if cost[tile]:
                stood = min((team.flat[n] for n in neighbours[tile]), default=INF)
                opened[tile] = max(stood, gate[tile]) + 1

        def enter(tile: int, t: float) -> float:
            if walk[tile]:
                return t + 1
            return max(t + 1, opened[tile])

        self.alone = alone
        self.dist = [team] if alone else [earliest(shape, {s: 0.0}, enter) for s in starts]
        self.starts, self.cross = starts, cross
        self.held = functools.cache(self._held)
        self.station = functools.cache(self._station)
        self.reach = functools.cache(self._reach)
        self.anyone_reach = functools.cache(self._anyone_reach)
        self.bill = functools.cache(self._bill)
        self.work = work or functools.cache(self._work)  # the same for any gates

    def _work(self, i: int, material: str) -> tuple[float, ...]:
        """Actions other than collecting `material` that agent i spends before it first stands
        next to its 1st, 2nd, ... nearest tile of `material`: a move per tile entered, and alone
        (no teammate opens tiles for it) the other actions of crossing a tile, except the `do`
        on a tile of `material` itself."""
        flat = self.grid.ravel()
        alone = len(self.agents) == 1

        def cost(m: str) -> float:
            if m in self.rules.walkable:
                return 1
            if m not in self.cross:
                return INF
            if not alone:
                return 1
            return self.cross[m].cost - (1 if self.cross[m].collected == material else 0)

        costs = np.array([cost(m) for m in flat], np.float64)
        dist = csgraph.dijkstra(graph(self.grid.shape, costs), indices=self.starts[i])
        return tuple(
            d for d, _, _ in approaches(self.grid, dist.reshape(self.grid.shape), material)
        )

    def _anyone_reach(self, material: str) -> tuple[float, ...]:
        """When anyone can first stand next to each tile of `material`, soonest first."""
        dist = np.minimum.reduce([np.asarray(d, dtype=float) for d in self.dist])
        return tuple(d for d, _, _ in approaches(self.grid, dist, material))

    def _reach(self, i: int, material: str) -> tuple[float, ...]:
        """When agent i can first stand next to its 1st, 2nd, ... nearest tile of `material`."""
        return tuple(d for d, _, _ in approaches(self.grid, self.dist[i], material))

    def unit_times(self, item: str, k: int, holder: int | None) -> float:
        """When `holder` (None: anyone, no share) can hold k units of a collected item."""
        rules = self.rules
        material = next(m for m, r in rules.collect.items() if item in r.receive)
        rule = rules.collect[material]
        dos = math.ceil(k / rule.receive[item])
        used_up = rule.leaves != material
        # Agent i's j-th do: after it holds the tools, and after it stood next to j distinct
        # tiles; at most r - 1 tiles are reached before the r-th nearest, so of the j tiles at
        # least j - r + 1 are collected at distinct steps after that (a tile that is not used up
        # serves every do). And before its j-th do it did j - 1 other dos of the material and
        # the work (`_work`) of standing next to j distinct tiles.
        times = []
        for i in self.agents:
            near = self.reach(i, material)
            effort = self.work(i, material)
            if not near:
                continue
            tool = max([self.held(t, n, i) for t, n in rule.require.items()] + [0])
            for j in range(1, dos + 1):
                if used_up and j > len(near):
                    break
                firsts = near[:j] if used_up else near[:1]
                best = max(max(a, tool) + 1 + j - r for r, a in enumerate(firsts, 1))
                best = max(best, (effort[j - 1] if used_up else effort[0]) + j)
                times.append(best)
        if len(times) < dos:
            return INF
        times.sort()
        if not used_up:
            return times[dos - 1]
        # Across the team too each `do` uses up its own tile: the k-th unit comes no sooner than
        # the k-th soonest of the tiles' earliest `do`s by anyone (two players next to one tree
        # do not make two wood).
        tool = max([self.held(t, n, None) for t, n in rule.require.items()] + [0])
        tiles = [max(a, tool) + 1 for a in self.anyone_reach(material)]
        return max(times[dos - 1], tiles[dos - 1] if len(tiles) >= dos else INF)

    def _station(self, name: str) -> float:
        rule = self.rules.place[name]
        return min(
            max([self.held(u, a, p) for u, a in rule.uses.items()] + [0]) + 1 for p in self.agents
        )

    def _bill(self, goal: str) -> dict[str, int]:
        """Raw units collected before `goal` can be achieved from nothing (its prerequisite
        plan's bill: the table's and the wood pickaxe's wood come before a stone pickaxe)."""
        return prerequisites.bill(prerequisites.plan(self.rules, goal, {}, set()))

    def _held(self, item: str, k: int, holder: int | None) -> float:
        if item in self.rules.make:
            recipe = self.rules.make[item]
            times = math.ceil(k / recipe.gives)
            best = INF
            # The first make: a step after the maker holds the inputs, and once a station stands
            # (placed in the same step by a teammate, or the step before by the maker alone).
            later = 1 if self.alone else 0
            for maker in self.agents:
                ready = [self.held(u, a * times, maker) + 1 for u, a in recipe.uses.items()]
                ready += [self.station(s) + later for s in recipe.nearby]
                best = min(best, max(ready + [1]) + times - 1)
            # And a step after the team could hold every raw unit of its prerequisite plan.
            for raw, total in self.bill(f"make_{item}").items():
                best = max(best, self.held(raw, total, None) + 1)
            return best
        return self.unit_times(item, k, holder)

    def anyone(self, items: Sequence[str]) -> float:
        """When someone can hold one of each of `items`."""
        return max([self.held(item, 1, None) for item in items] + [0])

    def goal(self, goal: str) -> float:
        kind, item = goal_item(goal)
        if kind == "place":
            final = self.station(item)
        else:
            final = min(self.held(item, 1, c) for c in self.agents)
        for raw, total in self.bill(goal).items():
            if raw != item:
                final = max(final, self.held(raw, total, None) + 1)
        return final


def _sources(rules: rules_lib.Rules, item: str) -> set[str]:
    """Materials whose collecting yields an item that making or placing `item` consumes, through
    makes and the stations they need (iron_pickaxe: tree, coal, iron and, for the furnace,
    stone)."""
    if item in rules.make:
        recipe = rules.make[item]
        needs = [*recipe.uses, *(u for s in recipe.nearby for u in rules.place[s].uses)]
        return set().union(*(_sources(rules, u) for u in needs))
    return {m for m, r in rules.collect.items() if item in r.receive}


def _chains(rules: rules_lib.Rules, material: str) -> list[tuple[str, ...]]:
    """Orders in which one player must collect materials before `material`: each needs a tool
    made from the one before (diamond: tree, stone, iron, diamond; tree, coal, diamond; ...)."""
    before = set().union(*(_sources(rules, t) for t in rules.collect[material].require))
    if not before:
        return [(material,)]
    return [(*c, material) for m in sorted(before) for c in _chains(rules, m)]


def _route(layout: Layout, rules: rules_lib.Rules, goal: str, cross: dict[str, Crossing]) -> float:
    """Actions on top of `plan_actions` a lone player needs: it stands next to each material of a
    chain in order, and next to as many distinct tiles of each material as the plan collects
    units from it; entering a tile takes a move, and crossing takes its other actions too except
    a `do` whose items the goal needs anyway (that `do` may be one `plan_actions` counts)."""
    kind, item = goal_item(goal)
    shape = layout.grid.shape
    flat = layout.grid.ravel()
    bill = prerequisites.bill(prerequisites.plan(rules, goal, {}, set()))
    extra = {
        m: c.cost - (1 if set(bill) & set(rules.collect[c.collected].receive) else 0)
        for m, c in cross.items()
    }
    costs = [1 if m in rules.walkable else extra.get(m, INF) for m in flat]

    def enter(tile: int, t: float) -> float:
        return t + costs[tile]

    start = layout.starts[0][0] * shape[1] + layout.starts[0][1]
    from_start = earliest(shape, {start: 0.0}, enter)
    longest = 0.0
    for raw, count in bill.items():
        material = next(m for m, r in rules.collect.items() if raw in r.receive)
        rule = rules.collect[material]
        if rule.leaves != material:  # used up: one tile per `do`
            near = approaches(layout.grid, from_start, material)
            dos = math.ceil(count / rule.receive[raw])
            longest = max(longest, near[dos - 1][0] if len(near) >= dos else INF)
    material = next((m for m, r in rules.collect.items() if item in r.receive), None)
    if kind != "collect" or material is None:
        return longest
    neighbours = tile_neighbours(shape)
    for chain in _chains(rules, material):
        sources = {start: 0.0}
        for m in chain:
            dist = earliest(shape, sources, enter).ravel()
            sources = {}
            for tile in np.flatnonzero(flat == m):
                for n in neighbours[tile]:
                    if dist[n] < sources.get(n, INF):
                        sources[n] = dist[n]
        longest = max(longest, min(sources.values(), default=INF))
    return longest


def lower_bound(layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> float:
    """Joint steps no team of `n_agents` can beat in the relaxed game (module docstring)."""
    cross = crossings(rules)
    gates = dict.fromkeys(cross, 0.0)
    work = None
    for _ in range(len(cross) + 1):
        estimate = _Estimate(layout, rules, n_agents, cross, gates, work)
        work = estimate.work
        better = {m: max(gates[m], estimate.anyone(c.gate)) for m, c in cross.items()}
        if better == gates:
            break
        gates = better
    lower = estimate.goal(goal)
    if n_agents == 1:
        lower = max(
            lower,
            plan_actions(rules, goal) + _route(layout, rules, goal, cross),
            walk_bound(layout, rules, goal),
        )
    if n_agents == 2:
        lower = max(lower, split_bound(Layout(layout.grid, layout.starts[:2]), rules, goal))
    return lower
