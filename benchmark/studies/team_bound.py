"""The optimal-team bound: how few joint steps 1, 2 or 6 agents with full map knowledge need.

    python -m benchmark.studies.team_bound --seeds 20 --team-sizes 1 2 6

For a map (a world seed) and a team size it gives two numbers under the rule data:

- a **lower bound**, proven for the relaxed game below: no team can collect the goal sooner;
- the **best plan found**: the joint steps of a concrete plan in the same relaxed game, found by
  search over who makes the tools, who fetches each unit (and from which tile), and who waits at
  the goal. When the two meet, the optimum is exact (`Bound.exact`).

The relaxed game, stated once: players do not block each other, turning to face a tile is free,
and a share reaches any distance in one step of the giver (the rule data's `share`). For the lower
bound, walking may also pass any tile that is not walkable at two steps per tile (mine it, step in;
a relaxation of tunnelling), one agent may fetch several units of a material at consecutive steps
from where it first reaches that material, and a tool counts as held by a gatherer from the step
it is first made by anyone who could share it. The plans walk the initial walkable tiles only.

`team_bound(world_seed, n_agents)` is what the harness calls for one map and team size.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import itertools
import math
import pathlib
import sys
from collections import deque
from collections.abc import Sequence

import numpy as np
import tyro

from agents import prerequisites
from benchmark.studies import output
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


@dataclasses.dataclass(frozen=True)
class Bound:
    """The bound for one map and team size: `lower` <= optimum <= `best_plan`."""

    n_agents: int
    lower: float
    best_plan: float

    @property
    def exact(self) -> bool:
        return self.lower == self.best_plan

    def to_dict(self) -> dict[str, object]:
        return {"n_agents": self.n_agents, "lower": self.lower, "best_plan": self.best_plan}


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


# --- distances ----------------------------------------------------------------------------------


def walk_distances(grid: np.ndarray, start: tuple[int, int], walkable: set[str]) -> np.ndarray:
    """Steps from `start` to every tile over walkable tiles (-1 where unreachable)."""
    dist = np.full(grid.shape, -1, np.int32)
    dist[start] = 0
    queue = deque([start])
    w, h = grid.shape
    while queue:
        x, y = queue.popleft()
        for dx, dy in MOVES:
            nx, ny = x + dx, y + dy
            if 0 <= nx < w and 0 <= ny < h and dist[nx, ny] < 0 and grid[nx, ny] in walkable:
                dist[nx, ny] = dist[x, y] + 1
                queue.append((nx, ny))
    return dist


def relaxed_distances(grid: np.ndarray, start: tuple[int, int], walkable: set[str]) -> np.ndarray:
    """A lower bound on the steps from `start` to every tile: 1 per walkable tile entered, 2 per
    other tile (at best mined and stepped into)."""
    dist = np.full(grid.shape, INF)
    dist[start] = 0
    heap = [(0, start)]
    w, h = grid.shape
    while heap:
        d, (x, y) = heapq.heappop(heap)
        if d > dist[x, y]:
            continue
        for dx, dy in MOVES:
            nx, ny = x + dx, y + dy
            if 0 <= nx < w and 0 <= ny < h:
                nd = d + (1 if grid[nx, ny] in walkable else 2)
                if nd < dist[nx, ny]:
                    dist[nx, ny] = nd
                    heapq.heappush(heap, (nd, (nx, ny)))
    return dist


def approaches(grid: np.ndarray, dist: np.ndarray, material: str) -> list[tuple[float, tuple]]:
    """(steps to stand next to it, tile) for every tile of `material` reachable in `dist`,
    nearest first; the stand tile is the neighbour reached soonest."""
    found = []
    w, h = grid.shape
    for x, y in zip(*np.nonzero(grid == material), strict=True):
        best, stand = INF, None
        for dx, dy in MOVES:
            nx, ny = x + dx, y + dy
            if 0 <= nx < w and 0 <= ny < h and 0 <= dist[nx, ny] < best:
                best, stand = float(dist[nx, ny]), (nx, ny)
        if stand is not None:
            found.append((best, (int(x), int(y)), stand))
    found.sort()
    return found


# --- the lower bound ----------------------------------------------------------------------------


def _goal_item(goal: str) -> tuple[str, str]:
    kind, _, item = goal.partition("_")
    return kind, item


def lower_bound(layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> float:
    """Joint steps no team of `n_agents` can beat in the relaxed game (module docstring)."""
    walkable = set(rules.walkable)
    agents = range(n_agents)
    dist = [relaxed_distances(layout.grid, layout.starts[i], walkable) for i in agents]

    @functools.cache
    def reach(i: int, material: str) -> tuple[float, ...]:
        """Steps for agent i to stand next to its 1st, 2nd, ... nearest tile of `material`."""
        return tuple(d for d, _, _ in approaches(layout.grid, dist[i], material))

    def tiles(material: str) -> int:
        return int((layout.grid == material).sum())

    def unit_times(item: str, k: int, holder: int | None) -> float:
        """When `holder` (None: anyone, no share) can hold k units of a collected item."""
        material = next(m for m, r in rules.collect.items() if item in r.receive)
        rule = rules.collect[material]
        per_do = rule.receive[item]
        dos = math.ceil(k / per_do)
        if tiles(material) < dos and material not in ("water", "grass"):
            return INF
        # Agent i's j-th unit: it has done j dos, holds the tools, and stood next to j distinct
        # tiles (so at least the j-th nearest; water and grass are not used up).
        times = []
        for i in agents:
            near = reach(i, material)
            if not near:
                continue
            tool = max([held(t, n, i) for t, n in rule.require.items()] + [0])
            extra = 1 if holder is not None and i != holder else 0
            for j in range(1, dos + 1):
                walk = near[0] if material in ("water", "grass") else near[min(j, len(near)) - 1]
                times.append(max(tool + j, walk + j) + extra)
        if len(times) < dos:
            return INF
        times.sort()
        return times[dos - 1]

    @functools.cache
    def station(name: str) -> float:
        rule = rules.place[name]
        return min(max([held(u, a, p) for u, a in rule.uses.items()] + [0]) + 1 for p in agents)

    @functools.cache
    def held(item: str, k: int, holder: int | None) -> float:
        if item in rules.make:
            recipe = rules.make[item]
            times = math.ceil(k / recipe.gives)
            best = INF
            for maker in agents:
                ready = [held(u, a * times, maker) for u, a in recipe.uses.items()]
                ready += [station(s) for s in recipe.nearby]
                extra = 1 if holder is not None and maker != holder else 0
                best = min(best, max(ready + [0]) + times + extra)
            return best
        return unit_times(item, k, holder)

    kind, item = _goal_item(goal)
    if kind == "place":
        final = station(item)
    else:
        final = min(held(item, 1, c) for c in agents)
    plan = prerequisites.plan(rules, goal, {}, set())
    for raw, total in prerequisites.bill(plan).items():
        if raw != item:
            final = max(final, held(raw, total, None) + 1)
    return final


# --- the best plan found ------------------------------------------------------------------------


class _PlanSearch:
    """One plan family, searched over: a maker follows the prerequisite plan toward the goal's
    tool; every unit it consumes is fetched by whoever delivers it soonest (the maker walking, or
    a teammate holding the required tools: fetch, then share), from the nearest free tile; a
    seeker (the maker, or the teammate nearest the goal) waits next to the goal and receives the
    tool there."""

    def __init__(self, layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> None:
        self.layout, self.rules, self.goal, self.n = layout, rules, goal, n_agents
        self.walkable = set(rules.walkable)
        self._dist: dict[tuple[int, int], np.ndarray] = {}

    def dist(self, where: tuple[int, int]) -> np.ndarray:
        if where not in self._dist:
            self._dist[where] = walk_distances(self.layout.grid, where, self.walkable)
        return self._dist[where]

    def nearest(self, where, material: str, taken: set) -> tuple[float, tuple, tuple] | None:
        for d, tile, stand in approaches(self.layout.grid, self.dist(where), material):
            if tile not in taken or material in ("water", "grass"):
                return d, tile, stand
        return None

    def run(self, maker: int, seeker: int, extra_tools: int = 0) -> float:
        """The plan's joint steps; `extra_tools` helpers also get each gathering tool made."""
        rules = self.rules
        gathering_tools = {t for r in rules.collect.values() for t in r.require}
        kind, item = _goal_item(self.goal)
        tool = prerequisites.goal_tool(rules, self.goal)
        target = f"make_{tool}" if tool else self.goal
        steps = prerequisites.plan(rules, target, {}, set())
        clock = [0.0] * self.n
        where = list(self.layout.starts[: self.n])
        tools: list[set[str]] = [set() for _ in range(self.n)]
        taken: set = set()
        stations: dict[str, tuple[int, int]] = {}
        ready: dict[str, list[float]] = {}  # when each unit the maker holds became available
        helpers = [i for i in range(self.n) if i not in (maker, seeker)]

        def fetch(item_name: str) -> bool:
            material = next(m for m, r in rules.collect.items() if item_name in r.receive)
            need = rules.collect[material].require
            best = None
            for i in [maker, *helpers]:
                if not all(t in tools[i] for t in need):
                    continue
                found = self.nearest(where[i], material, taken)
                if found is None:
                    continue
                d, tile, stand = found
                done = clock[i] + d + 1 + (0 if i == maker else 1)
                if best is None or done < best[0]:
                    best = (done, i, tile, stand)
            if best is None:
                return False
            done, i, tile, stand = best
            taken.add(tile)
            clock[i], where[i] = done, stand
            ready.setdefault(item_name, []).append(done)
            return True

        def consume(uses) -> float:
            latest = 0.0
            for u, a in uses.items():
                units = sorted(ready.get(u, []))
                if len(units) < a:
                    return INF
                latest = max([latest, *units[:a]])
                ready[u] = units[a:]
            return latest

        for step in steps:
            if step.kind == "collect":
                for _ in range(step.amount):
                    if not fetch(step.target):
                        return INF
            elif step.kind == "place":
                rule = rules.place[step.target]
                clock[maker] = max(clock[maker], consume(rule.uses)) + 1
                stations[step.target] = where[maker]
            else:
                recipe = rules.make[step.target]
                inputs = consume(recipe.uses)
                for s in recipe.nearby:
                    back = self.dist(where[maker])[stations[s]] if s in stations else -1
                    if back < 0:
                        return INF
                    clock[maker] += back
                    where[maker] = stations[s]
                clock[maker] = max(clock[maker], inputs) + 1
                tools[maker].add(step.target)
                ready.setdefault(step.target, []).append(clock[maker])
                if step.target != tool and step.target in gathering_tools:
                    # Copies for the helpers nearest their next material: fetch the inputs,
                    # make (the maker stands at the stations), share.
                    for helper in helpers[:extra_tools]:
                        for u, a in recipe.uses.items():
                            for _ in range(a):
                                if not fetch(u):
                                    return INF
                        clock[maker] = max(clock[maker], consume(recipe.uses)) + 2
                        clock[helper] = max(clock[helper], clock[maker])
                        tools[helper].add(step.target)
        if kind != "collect" or tool is None:
            return max(clock)
        material = next(m for m, r in rules.collect.items() if item in r.receive)
        found = self.nearest(where[seeker], material, taken)
        if found is None:
            return INF
        arrive = clock[seeker] + found[0]
        handed = clock[maker] + (0 if seeker == maker else 1)
        return max(arrive, handed) + 1

    def best(self) -> float:
        best = INF
        kind, item = _goal_item(self.goal)
        for maker in range(self.n):
            seekers = {maker}
            others = [i for i in range(self.n) if i != maker]
            if others and kind == "collect":
                material = next(
                    (m for m, r in self.rules.collect.items() if item in r.receive), None
                )
                if material is not None:
                    seekers.add(
                        min(
                            others,
                            key=lambda i: (
                                self.nearest(self.layout.starts[i], material, set()) or (INF,)
                            )[0],
                        )
                    )
            for seeker in seekers:
                for extra in range(min(2, self.n - 1) + 1):
                    best = min(best, self.run(maker, seeker, extra))
        return best


def best_plan(layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> float:
    """Joint steps of the best plan found in the relaxed game (INF when none was found)."""
    return _PlanSearch(layout, rules, goal, n_agents).best()


def bound(
    layout: Layout, n_agents: int, rules: str = "damcs", goal: str = rules_lib.DEFAULT_GOAL
) -> Bound:
    """The lower bound and the best plan found for the first `n_agents` starts of `layout`."""
    if n_agents > len(layout.starts):
        raise ValueError(f"invalid n_agents {n_agents}; the layout has {len(layout.starts)} starts")
    loaded = rules_lib.load(rules)
    lower = lower_bound(layout, loaded, goal, n_agents)
    plan = best_plan(layout, loaded, goal, n_agents)
    return Bound(n_agents, lower, plan)


def team_bound(
    seed: int,
    n_agents: int,
    world_seed: int | None = None,
    rules: str = "damcs",
    goal: str = rules_lib.DEFAULT_GOAL,
) -> Bound:
    """The bound for the episode of `seed` (map and start tiles as the env builds them; the
    fixed map of `world_seed` when given) and a team of `n_agents`."""
    return bound(layout_for(seed, n_agents, world_seed, rules), n_agents, rules, goal)


# --- the study ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Args:
    seeds: int = 10
    """Maps of episode seeds 0..seeds-1, plus the paper's map."""
    team_sizes: tuple[int, ...] = (1, 2, 6)
    """Team sizes to bound."""
    json: str | None = None
    """Also write the rows here."""


def main(args: Args) -> int:
    header = (
        "map",
        *itertools.chain.from_iterable((f"{n}: lower", f"{n}: best plan") for n in args.team_sizes),
    )
    print(
        "optimal-team bound, damcs rules, collect_diamond (relaxed game: see the module docstring)"
    )
    print(output.markdown_table(header, ()))
    rows = []
    for seed, world_seed in [(0, mac.PAPER_WORLD_SEED), *((s, None) for s in range(args.seeds))]:
        bounds = [team_bound(seed, n, world_seed) for n in args.team_sizes]
        rows.append(
            {"seed": seed, "world_seed": world_seed, "bounds": [b.to_dict() for b in bounds]}
        )
        cells = itertools.chain.from_iterable((b.lower, b.best_plan) for b in bounds)
        name = "paper" if world_seed is not None else f"seed {seed}"
        print(output.markdown_table(header, [(name, *cells)]).splitlines()[-1], flush=True)
    output.write_json(None if args.json is None else pathlib.Path(args.json), vars(args), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
