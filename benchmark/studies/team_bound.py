"""The optimal-team bound: how few joint steps 1, 2 or 6 agents with full map knowledge need.

    python -m benchmark.studies.team_bound --seeds 20 --team-sizes 1 2 6

For a map (a world seed) and a team size it gives two numbers under the rule data:

- a **lower bound**, proven for the relaxed game below: no team can collect the goal sooner;
- the **best plan found**: the joint steps of a concrete plan in the same relaxed game, found by
  search over who makes the tools, who waits at the goal and how many copies of each gathering
  tool are made; every unit goes to whoever delivers it soonest. The plan books every player's
  action at every step and is replayed (`replay`) before it counts. When the two numbers meet,
  the optimum is exact (`Bound.exact`).

The relaxed game, stated once: the rule data's game (move, `do` to collect, place, make, share
one unit to a teammate at any distance as one step of the giver) where players do not block each
other, creatures are absent, turning to face a tile is free, vitals never run out, and within a
step every player sees the effects of its teammates' actions of that step (the env lets players
act one after another in id order, so a later one already does: it may use a unit shared to it,
enter a tile mined, or make at a station placed, in that same step). Every play of the real game
is a play of the relaxed one, so the lower bound holds for the real game too. The plans use that
only as the env allows it (a share to a player with a higher id), so they are real-game plans up
to blocking, turning, creatures and vitals; `replay` plays them in id order.

The lower bound takes the largest of these arguments (each proven for any team):

1. **Crossing.** A tile that is not walkable becomes so only as the rule data allows
   (`crossings`): a material whose collecting leaves a walkable tile takes `do` and a step once
   someone holds the collect's tools (tree: none; stone, coal: wood pickaxe; iron: stone pickaxe);
   water and lava take placing stone, collecting it and a step (once someone holds a stone);
   tables and furnaces never. Stepping on lava kills, so nobody walks on it.
2. **Arrival.** `earliest` gives the team's earliest time on each tile from all starts; a
   crossing comes no sooner than the step after its gate (the time someone can first hold its
   items) and after someone stood next to it: alone, a player spends all its actions; in a team,
   they may be several players' actions in one step, so a teammate may step in during the step
   of the first one. Each player's own times take a step per tile and enter a crossing tile only
   once it can be open. Gates start at 0 and are recomputed from the times they give until they
   stop growing: every round is a lower bound.
3. **Units.** A player's j-th `do` on a material comes after it holds the tools, after it stood
   next to j distinct tiles (tiles are used up; water is not), at least j - r + 1 of them no
   sooner than the r-th nearest, and after j - 1 other such `do`s plus the other work of reaching
   j tiles (`_Estimate._work`: a move per tile; for a lone player also the other actions of
   crossing). A unit someone else holds is shared in the holder's next step and may be used in
   it, so it costs no time; k units of the team come no sooner than the k-th earliest of all
   players' candidates.
4. **Recipes.** A made item comes a step after its maker holds the inputs, and no sooner than
   the step its station is placed (by a teammate; the step after, alone); a station a step after
   its placer holds what it uses; the goal after its tool, and a step after every raw item the
   prerequisite plan consumes could be held.
5. **A lone player** does every collect, place and make of the prerequisite plan itself, one
   action each (`_actions`), and moves: it must stand next to each material of a chain (tree,
   stone, iron, diamond; tree, coal, diamond; ...) in order, and next to as many distinct tiles
   of a material as it collects units from it, a move per tile entered plus the other actions of
   crossing, except a `do` whose items the plan needs (`_route`).

Not used, so still loose: which player holds which copy of a tool, and that one player cannot be
at a station and a distant material at once (both bind for small teams).

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
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import tyro
from scipy import sparse
from scipy.sparse import csgraph

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


@functools.cache
def _neighbours(shape: tuple[int, int]) -> tuple[tuple[int, ...], ...]:
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
    neighbours = _neighbours(shape)
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
def _edges(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(from, to) flat tile pairs of every move on a grid of `shape`."""
    pairs = [(t, n) for t, around in enumerate(_neighbours(shape)) for n in around]
    return tuple(np.array(side, np.int64) for side in zip(*pairs, strict=True))


def _graph(shape: tuple[int, int], cost: np.ndarray) -> sparse.csr_matrix:
    """Moves as a sparse graph weighted by the cost of entering the tile (0 or INF: never)."""
    rows, cols = _edges(shape)
    keep = (cost[cols] > 0) & (cost[cols] < INF)
    size = cost.size
    return sparse.csr_matrix((cost[cols[keep]], (rows[keep], cols[keep])), shape=(size, size))


@dataclasses.dataclass(frozen=True)
class Crossing:
    """How a tile of a material that is not walkable can become walkable: `cost` actions of one
    player standing next to it, the last one stepping in, once someone holds every item of `gate`."""

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


# --- the lower bound ----------------------------------------------------------------------------


def _goal_item(goal: str) -> tuple[str, str]:
    kind, _, item = goal.partition("_")
    return kind, item


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
        neighbours = _neighbours(shape)
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
        dist = csgraph.dijkstra(_graph(self.grid.shape, costs), indices=self.starts[i])
        return tuple(
            d for d, _, _ in approaches(self.grid, dist.reshape(self.grid.shape), material)
        )

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
        return times[dos - 1]

    def _station(self, name: str) -> float:
        rule = self.rules.place[name]
        return min(
            max([self.held(u, a, p) for u, a in rule.uses.items()] + [0]) + 1 for p in self.agents
        )

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
            return best
        return self.unit_times(item, k, holder)

    def anyone(self, items: Sequence[str]) -> float:
        """When someone can hold one of each of `items`."""
        return max([self.held(item, 1, None) for item in items] + [0])

    def goal(self, goal: str) -> float:
        kind, item = _goal_item(goal)
        if kind == "place":
            final = self.station(item)
        else:
            final = min(self.held(item, 1, c) for c in self.agents)
        plan = prerequisites.plan(self.rules, goal, {}, set())
        for raw, total in prerequisites.bill(plan).items():
            if raw != item:
                final = max(final, self.held(raw, total, None) + 1)
        return final


def _sources(rules: rules_lib.Rules, item: str) -> set[str]:
    """Materials whose collecting yields an item that making or placing `item` consumes, through
    makes and the stations they need (iron_pickaxe: tree, coal, iron and, for the furnace, stone)."""
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


def _actions(rules: rules_lib.Rules, goal: str) -> int:
    """Actions other than moves that the goal needs in all (collect, place and make steps of the
    prerequisite plan, each needed by the rule data; shares come on top for a team)."""
    count = 0
    for step in prerequisites.plan(rules, goal, {}, set()):
        if step.kind == "collect":
            material = next(m for m, r in rules.collect.items() if step.target in r.receive)
            count += math.ceil(step.amount / rules.collect[material].receive[step.target])
        else:
            count += step.amount
    return count


def _route(layout: Layout, rules: rules_lib.Rules, goal: str, cross: dict[str, Crossing]) -> float:
    """Actions on top of `_actions` a lone player needs: it stands next to each material of a
    chain in order, and next to as many distinct tiles of each material as the plan collects
    units from it; entering a tile takes a move, and crossing takes its other actions too except
    a `do` whose items the goal needs anyway (that `do` may be one `_actions` counts)."""
    kind, item = _goal_item(goal)
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
    neighbours = _neighbours(shape)
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
        lower = max(lower, _actions(rules, goal) + _route(layout, rules, goal, cross))
    return lower


# --- the best plan found ------------------------------------------------------------------------


class PlanError(RuntimeError):
    """A plan books an action the relaxed game does not allow."""


def replay(
    layout: Layout, rules: rules_lib.Rules, goal: str, acts: Sequence[dict[int, tuple]]
) -> float:
    """Play per-player actions (by step: ("move", tile), ("do", tile), ("place", name, tile),
    ("make", name), ("share", item, player); flat tiles; no action: noop) in the relaxed game and
    return the step the goal is first achieved (INF: never); raise PlanError on an action the
    game would not carry out as booked."""
    grid = layout.grid.ravel().copy()
    w, h = layout.grid.shape
    where = [x * h + y for x, y in layout.starts[: len(acts)]]
    held = [{name: rule.initial for name, rule in rules.items.items()} for _ in acts]
    kind, target = _goal_item(goal)

    def near(a: int, b: int) -> bool:
        (ax, ay), (bx, by) = divmod(a, h), divmod(b, h)
        return abs(ax - bx) + abs(ay - by) == 1

    def need(i: int, items) -> None:
        for item, amount in items.items():
            if held[i][item] < amount:
                raise PlanError(f"player {i} lacks {item}")

    for step in range(1, max((max(a, default=0) for a in acts), default=0) + 1):
        for i, booked in enumerate(acts):
            action = booked.get(step)
            if action is None:
                continue
            what = action[0]
            if what == "move":
                if not near(where[i], action[1]) or grid[action[1]] not in rules.walkable:
                    raise PlanError(f"player {i} cannot enter {action[1]} at step {step}")
                where[i] = action[1]
            elif what == "do":
                tile = action[1]
                if not near(where[i], tile):
                    raise PlanError(f"player {i} is not next to {tile} at step {step}")
                rule = rules.collect.get(grid[tile])
                if rule is None:
                    continue  # already collected by a teammate: a step spent for nothing
                need(i, rule.require)
                grid[tile] = rule.leaves
                for item, amount in rule.receive.items():
                    held[i][item] += amount
                    if (kind, target) == ("collect", item):
                        return float(step)
            elif what == "place":
                rule = rules.place[action[1]]
                if not near(where[i], action[2]) or grid[action[2]] not in rule.where:
                    raise PlanError(f"player {i} cannot place on {action[2]} at step {step}")
                need(i, rule.uses)
                for item, amount in rule.uses.items():
                    held[i][item] -= amount
                grid[action[2]] = action[1]
                if (kind, target) == ("place", action[1]):
                    return float(step)
            elif what == "make":
                recipe = rules.make[action[1]]
                x, y = divmod(where[i], h)
                around = {
                    grid[ax * h + ay]
                    for ax in range(max(x - 1, 0), min(x + 2, w))
                    for ay in range(max(y - 1, 0), min(y + 2, h))
                }
                if not set(recipe.nearby) <= around:
                    raise PlanError(f"player {i} is not near {recipe.nearby} at step {step}")
                need(i, recipe.uses)
                for item, amount in recipe.uses.items():
                    held[i][item] -= amount
                held[i][action[1]] += recipe.gives
                if (kind, target) == ("make", action[1]):
                    return float(step)
            else:
                need(i, {action[1]: 1})
                held[i][action[1]] -= 1
                held[action[2]][action[1]] += 1
    return INF


class _Ways:
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
            self._graphs[key] = _graph(self.shape, cost)
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


def _same_step(giver: int, receiver: int) -> int:
    """1 when a unit shared in a step can be used by its receiver in that same step: the env
    lets players act in id order, so a later player sees an earlier one's share."""
    return 1 if receiver > giver else 0


@dataclasses.dataclass
class _Token:
    """One made tool: who holds it and from when."""

    tool: str
    holder: int
    since: float


class _Plan:
    """One plan of the family `_PlanSearch` searches, built step by step on per-player clocks."""

    def __init__(
        self,
        search: _PlanSearch,
        maker: int,
        seeker: int,
        copies: dict[str, int],
        tight: bool = True,
        arm: bool = False,
    ) -> None:
        self.s, self.maker, self.seeker, self.copies = search, maker, seeker, dict(copies)
        self.arm = arm  # a fetcher may take every tool made so far before it sets out
        self.tight = tight  # stations on the free tile with fewest open sides (else the first)
        n = search.n
        self.clock = [0.0] * n
        self.where = list(search.layout.starts[:n])
        self.tokens: list[_Token] = []
        self.reserved: dict[int, tuple[int, float]] = {}  # tiles whose unit a player counts on:
        # that player, and when it collects it
        self.opened: dict[int, float] = {}  # tiles collected into walkable ones, and when
        self._keys: dict[tuple, tuple] = {}
        self.stash: list[dict[str, list[float]]] = [{} for _ in range(n)]  # units to share
        self.trodden: dict[int, set[int]] = {}  # who walks or tunnels through each tile
        self.walls: set[int] = set()  # placed stations
        self.stations: dict[str, int] = {}
        self.ready: dict[str, list[float]] = {}  # units the maker holds, by when
        self.acts: list[dict[int, tuple]] = [{} for _ in range(n)]  # each player's actions by step
        self.achieved = INF
        self.steps = INF

    def act(self, i: int, step: float, *action) -> None:
        """Log player i's action at `step` (a plan that books one step twice is broken)."""
        if int(step) in self.acts[i]:
            raise PlanError(f"player {i} has two actions at step {step}")
        self.acts[i][int(step)] = action

    def tools(self, i: int) -> frozenset[str]:
        return frozenset(t.tool for t in self.tokens if t.holder == i)

    def _timed(self, i: int, path: list[int], start: float | None) -> list[tuple[int, float]]:
        """(tile, when player i stands next to it, about to enter) along `path` from `start`
        (None: now)."""
        flat = self.s.layout.grid.ravel()
        t, out = self.clock[i] if start is None else start, []
        for tile in path:
            out.append((tile, t))
            t += 1 if flat[tile] in self.s.walkable or self.opened.get(tile, INF) <= t else 2
        return out

    def _clear(self, i: int, path: list[int], start: float | None) -> bool:
        """Whether player i may take `path`: it crosses no station, and a tile a teammate counts
        on collecting is entered only after the teammate collected it."""
        for tile, before in self._timed(i, path, start):
            if tile in self.walls:
                return False
            owner, when = self.reserved.get(tile, (i, 0.0))
            if owner != i and before < when:
                return False
        return True

    def walk(
        self,
        i: int,
        tools: frozenset[str],
        targets: Callable[[np.ndarray], Iterable],
        start: float | None = None,
    ):
        """The best (steps, stand tile, target, path) over `targets(dist)` for player i leaving
        at `start` (None: now), on a path `_clear` allows (the nearest target's path, else one
        avoiding those tiles)."""
        key = (i, len(self.reserved), len(self.walls))
        if key not in self._keys:  # the map only changes by collecting and placing
            others = frozenset(t for t, (owner, _) in self.reserved.items() if owner != i)
            everyone = frozenset(self.opened)
            self._keys[key] = (
                (frozenset(), everyone),
                (frozenset(self.walls) | others, everyone - others),
            )
        for avoid, opened in self._keys[key]:
            dist, pred = self.s.ways.from_tile(self.where[i], tools, avoid, opened)
            for d, target, stand in targets(dist):
                path = _Ways.path(pred, stand)
                if self._clear(i, path, start):
                    return d, stand, target, path
                break
        return None

    def _free(self, material: str, dist: np.ndarray):
        """(steps, tile, stand tile) of the tiles of `material` nobody counts on, nearest first."""
        steps, tiles, stands = self.s.approaches(material, dist)
        for k in range(steps.size):
            if int(tiles[k]) not in self.reserved:
                yield float(steps[k]), int(tiles[k]), int(stands[k])

    def go(
        self, i: int, path: list[int], stand: int, arrive: float, start: float | None = None
    ) -> None:
        """Player i walks `path` from `start` (None: now) and stands on `stand` at `arrive`; a
        tile it tunnels through first gives it that tile's items."""
        flat = self.s.layout.grid.ravel()
        for t, before in self._timed(i, path, start):
            self.trodden.setdefault(t, set()).add(i)
            if flat[t] in self.s.walkable or self.opened.get(t, INF) <= before:
                self.act(i, before + 1, "move", t)
                continue
            self.act(i, before + 1, "do", t)
            self.act(i, before + 2, "move", t)
            if t in self.reserved:
                continue
            self.reserved[t] = (i, before + 1)
            self.opened[t] = before + 1
            for item, amount in self.s.rules.collect[flat[t]].receive.items():
                units = self.ready if i == self.maker else self.stash[i]
                units.setdefault(item, []).extend([before + 1] * amount)
        h = self.s.layout.grid.shape[1]
        self.where[i] = (stand // h, stand % h)
        self.clock[i] = arrive

    def _token(self, tool: str, to: int) -> tuple[float, _Token | None]:
        """When `to` can hold a token of `tool`, and the token a teammate would share (None:
        `to` holds one already)."""
        mine = [t.since for t in self.tokens if t.tool == tool and t.holder == to]
        if mine:
            return min(mine), None
        others = [t for t in self.tokens if t.tool == tool]
        if not others:
            return INF, None
        token = min(others, key=lambda t: max(self.clock[t.holder], t.since))
        step = max(self.clock[token.holder], token.since) + 1
        return step - _same_step(token.holder, to), token

    def handover(self, tool: str, to: int) -> float:
        """Give `to` a token of `tool` (the holder's share step); when it holds it."""
        when, token = self._token(tool, to)
        if token is not None:
            step = when + _same_step(token.holder, to)
            self.act(token.holder, step, "share", tool, to)
            self.clock[token.holder] = step
            token.holder, token.since = to, when
        return when

    def fetch(self, item: str) -> bool:
        """One unit of `item` for the maker, by whoever delivers it soonest: a unit a player got
        tunnelling, shared; or a player walks with the tools it holds, or (`arm`) first takes
        every tool made so far (to tunnel), and waits at the tile for a tool it still lacks."""
        rules = self.s.rules
        material = next(m for m, r in rules.collect.items() if item in r.receive)
        need = list(rules.collect[material].require)
        made = frozenset(k.tool for k in self.tokens)
        best = None
        for i in range(self.s.n):
            if i != self.maker and self.stash[i].get(item):
                done = max(self.clock[i], min(self.stash[i][item])) + 1
                if best is None or done - _same_step(i, self.maker) < best[0]:
                    best = (done - _same_step(i, self.maker), i, None, ())
            have = self.tools(i)
            if any(self._token(t, i)[0] == INF for t in need if t not in have):
                continue
            share = 0 if i == self.maker else 1 - _same_step(i, self.maker)
            for take in {frozenset(), made - have if self.arm else frozenset()}:
                start = max([self.clock[i], *(self._token(t, i)[0] for t in take)])
                found = self.walk(i, have | take, lambda d: self._free(material, d), start)
                if found is None:
                    continue
                waits = [self._token(t, i)[0] for t in need if t not in have | take]
                do = max([start + found[0], *waits]) + 1
                if best is None or do + share < best[0]:
                    best = (do + share, i, found, take)
        if best is None:
            return False
        done, i, found, take = best
        if found is None:  # a unit it got tunnelling, shared
            done += _same_step(i, self.maker)
            self.stash[i][item].remove(min(self.stash[i][item]))
            self.act(i, done, "share", item, self.maker)
            self.clock[i] = done
            self.ready.setdefault(item, []).append(done - _same_step(i, self.maker))
            return True
        start = max([self.clock[i], *(self.handover(t, i) for t in sorted(take))])
        found = self.walk(i, self.tools(i), lambda d: self._free(material, d), start)
        if found is None:
            return False
        d, stand, tile, path = found
        lacking = [t for t in need if t not in self.tools(i)]
        held = [self.handover(t, i) for t in lacking]
        do = max([start + d, *held]) + 1
        self.reserved[tile] = (i, do)
        if rules.collect[material].leaves in self.s.walkable:
            self.opened[tile] = do
        self.go(i, path, stand, do, start)
        self.act(i, do, "do", tile)
        if _goal_item(self.s.goal) == ("collect", item):
            self.achieved = min(self.achieved, do)
        if i != self.maker:
            self.clock[i] += 1
            self.act(i, self.clock[i], "share", item, self.maker)
        self.ready.setdefault(item, []).append(self.clock[i] - _same_step(i, self.maker))
        for t in [*take, *lacking]:  # more of a tool once the first is out, for whoever is next
            while self.copies.get(t):
                self.copies[t] -= 1
                if not self.copy(t):
                    return False
        return True

    def copy(self, tool: str) -> bool:
        """The maker makes one more `tool` (its inputs fetched as any unit)."""
        recipe = self.s.rules.make[tool]
        for u, a in recipe.uses.items():
            if not all(self.fetch(u) for _ in range(a)):
                return False
        return self.make(tool)

    def consume(self, uses) -> float:
        latest = 0.0
        for u, a in uses.items():
            units = sorted(self.ready.get(u, []))
            if len(units) < a:
                return INF
            latest = max([latest, *units[:a]])
            self.ready[u] = units[a:]
        return latest

    def place(self, name: str) -> bool:
        """The maker places a station next to the nearest tile it can stand on that has a free
        neighbour (`tight`: the one with fewest open sides, to block few ways): one the rule allows (as the map is by then: a tile collected before now has
        become what collecting leaves), that no teammate's path or unit uses."""
        grid = self.s.layout.grid
        flat = grid.ravel()
        w, h = grid.shape
        allowed = self.s.rules.place[name].where
        now = self.clock[self.maker]

        def fits(tile: int) -> bool:
            if tile in self.walls or tile in self.s.start_tiles - {self.s.start_tile(self.maker)}:
                return False
            if not self.trodden.get(tile, set()) <= {self.maker}:
                return False
            material = flat[tile]
            if tile in self.reserved:
                if self.reserved[tile][1] > now:
                    return False
                material = self.s.rules.collect[material].leaves
            return material in allowed

        def open_sides(tile: int) -> int:
            return sum(
                flat[n] in self.s.walkable or n in self.opened for n in _neighbours((w, h))[tile]
            )

        def free(stand: int) -> list[int]:
            """Free neighbours of `stand`, those that block fewest ways first."""
            x, y = divmod(stand, h)
            spots = [
                (x + dx) * h + y + dy
                for dx, dy in MOVES
                if 0 <= x + dx < w and 0 <= y + dy < h and fits((x + dx) * h + y + dy)
            ]
            return sorted(spots, key=open_sides) if self.tight else spots

        def targets(dist: np.ndarray):
            for stand in np.argsort(dist, kind="stable"):
                if dist[stand] == INF:
                    return
                for spot in free(int(stand)):
                    yield float(dist[stand]), spot, int(stand)

        found = self.walk(self.maker, self.tools(self.maker), targets)
        if found is None:
            return False
        d, stand, spot, path = found
        self.go(self.maker, path, stand, self.clock[self.maker] + d)
        ready = self.consume(self.s.rules.place[name].uses)
        self.clock[self.maker] = max(self.clock[self.maker], ready) + 1
        self.act(self.maker, self.clock[self.maker], "place", name, spot)
        if _goal_item(self.s.goal) == ("place", name):
            self.achieved = min(self.achieved, self.clock[self.maker])
        self.walls.add(spot)
        self.stations[name] = spot
        return True

    def make(self, name: str) -> bool:
        """The maker walks next to the recipe's stations (within one tile, diagonals too) and
        makes `name` once its inputs are in."""
        recipe = self.s.rules.make[name]
        h = self.s.layout.grid.shape[1]
        if recipe.nearby:
            w = self.s.layout.grid.shape[0]
            spots = []
            for s in recipe.nearby:
                if s not in self.stations:
                    return False
                sx, sy = divmod(self.stations[s], h)
                spots.append(
                    {
                        x * h + y
                        for x in range(max(sx - 1, 0), min(sx + 2, w))
                        for y in range(max(sy - 1, 0), min(sy + 2, h))
                    }
                )
            common = set.intersection(*spots) - self.walls
            found = self.walk(
                self.maker,
                self.tools(self.maker),
                lambda d: [
                    (float(d[t]), t, t) for t in sorted(common, key=lambda t: d[t]) if d[t] < INF
                ][:4],
            )
            if found is None:
                return False
            d, stand, _, path = found
            self.go(self.maker, path, stand, self.clock[self.maker] + d)
        ready = self.consume(recipe.uses)
        self.clock[self.maker] = max(self.clock[self.maker], ready) + 1
        self.act(self.maker, self.clock[self.maker], "make", name)
        if _goal_item(self.s.goal) == ("make", name):
            self.achieved = min(self.achieved, self.clock[self.maker])
        for _ in range(recipe.gives):
            if name in self.s.tools:
                self.tokens.append(_Token(name, self.maker, self.clock[self.maker]))
            else:
                self.ready.setdefault(name, []).append(self.clock[self.maker])
        return True

    def run(self, limit: float = INF) -> float:
        """The plan's joint steps (INF: it fails, or cannot beat `limit`)."""
        s = self.s
        tool = prerequisites.goal_tool(s.rules, s.goal)
        kind, item = _goal_item(s.goal)
        target = f"make_{tool}" if tool else s.goal
        for step in prerequisites.plan(s.rules, target, {}, set()):
            if self.clock[self.maker] >= limit:  # the goal comes after the maker's last action
                return INF
            if step.kind == "collect":
                if not all(self.fetch(step.target) for _ in range(step.amount)):
                    return INF
            elif step.kind == "place":
                if not self.place(step.target):
                    return INF
            elif not self.make(step.target):
                return INF
        if kind != "collect" or tool is None:
            return self.achieved
        material = next(m for m, r in s.rules.collect.items() if item in r.receive)
        seeker = self.seeker
        made = {k.tool for k in self.tokens}
        # The seeker sets out now with what it holds, or first takes the other tools (to
        # tunnel), or those and the goal's tool.
        options = []
        for take in (frozenset(), frozenset(made - {tool}), frozenset(made)):
            start = max([self.clock[seeker], *(self._token(t, seeker)[0] for t in take)])
            found = self.walk(
                seeker, self.tools(seeker) | take, lambda d: self._free(material, d), start
            )
            if found is not None:
                finish = max(start + found[0], self._token(tool, seeker)[0])
                options.append((finish, sorted(take)))
        if not options:
            return INF
        take = min(options)[1]
        start = max([self.clock[seeker], *(self.handover(t, seeker) for t in take)])
        found = self.walk(seeker, self.tools(seeker), lambda d: self._free(material, d), start)
        if found is None:
            return INF
        d, stand, tile, path = found
        arrive = start + d
        self.go(seeker, path, stand, arrive, start)
        handed = self.handover(tool, seeker)
        self.clock[seeker] = max(arrive, handed) + 1
        self.act(seeker, self.clock[seeker], "do", tile)
        return self.clock[seeker]


class _PlanSearch:
    """One plan family, searched over: a maker follows the prerequisite plan toward the goal's
    tool, placing each station on a free tile next to it and walking back to the stations to
    make; every unit it consumes is fetched by whoever delivers it soonest (walking or tunnelling
    with the tools it holds, then waiting at the tile for a tool a teammate hands over, then
    sharing the unit), from the nearest tile nobody else uses; the maker may make `copies` more
    of each gathering tool; a seeker walks to the goal and receives the tool there. A share to a
    player with a higher id is used in its own step, as the env allows."""

    def __init__(self, layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> None:
        self.layout, self.rules, self.goal, self.n = layout, rules, goal, n_agents
        self.walkable = set(rules.walkable)
        kind, item = _goal_item(goal)
        self.goal_material = (
            next((m for m, r in rules.collect.items() if item in r.receive), None)
            if kind == "collect"
            else None
        )
        self.ways = _Ways(layout, rules, self.goal_material)
        h = layout.grid.shape[1]
        self.start_tiles = {x * h + y for x, y in layout.starts[:n_agents]}
        self.tools = {t for r in rules.collect.values() for t in r.require}  # held, never used up
        self._near: dict[tuple[int, str], list] = {}
        self._tiles: dict[str, tuple] = {}

    def start_tile(self, i: int) -> int:
        x, y = self.layout.starts[i]
        return x * self.layout.grid.shape[1] + y

    def approaches(self, material: str, dist: np.ndarray) -> tuple[np.ndarray, ...]:
        """(steps, flat tile, flat stand tile) as `approaches` orders them, as arrays, over a
        distance array `_Ways` keeps (so its id names it)."""
        key = (id(dist), material)
        if key not in self._near:
            grid = self.layout.grid
            if material not in self._tiles:
                self._tiles[material] = np.nonzero(grid == material)
            xs, ys = self._tiles[material]
            h = grid.shape[1]
            padded = np.full((grid.shape[0] + 2, h + 2), INF)
            padded[1:-1, 1:-1] = dist.reshape(grid.shape)
            around = np.stack([padded[xs + 1 + dx, ys + 1 + dy] for dx, dy in MOVES])
            side = around.argmin(axis=0)
            steps = around[side, np.arange(xs.size)]
            order = np.lexsort((ys, xs, steps))
            order = order[steps[order] < INF]
            offsets = np.array([dx * h + dy for dx, dy in MOVES], np.int64)
            tiles = xs[order] * h + ys[order]
            self._near[key] = (steps[order], tiles, tiles + offsets[side[order]])
        return self._near[key]

    def seekers(self, maker: int) -> list[int]:
        """Who may wait at the goal: the maker, and the three players nearest the goal's
        material (walking and tunnelling with every tool)."""
        if self.goal_material is None:
            return [maker]
        tools = frozenset(self.tools)

        def near(i: int) -> float:
            found = self.approaches(
                self.goal_material, self.ways.from_tile(self.layout.starts[i], tools)[0]
            )
            return float(found[0][0]) if found[0].size else INF

        nearest = sorted(range(self.n), key=near)[:3]
        return list(dict.fromkeys([maker, *nearest]))

    def plans(self, prune: bool = True) -> list[_Plan]:
        """The plans of the family that reach the goal: each maker, seeker (`seekers`), and
        number of extra copies (0 to 2, at most one per teammate) of each gathering tool but the
        goal's, with or without fetchers taking the tools to tunnel (`arm`), and for one or two
        players both ways of choosing station tiles; with `prune`, a plan stops once it cannot
        beat the best so far."""
        tool = prerequisites.goal_tool(self.rules, self.goal)
        extra = [t for t in sorted(self.tools) if t != tool and t in self.rules.make]
        copies = list(itertools.product(range(min(2, self.n - 1) + 1), repeat=len(extra)))
        tights = (True, False) if self.n <= 2 else (True,)  # few plans otherwise: try both
        found, best = [], INF
        for maker in range(self.n):
            for seeker, counts, tight, arm in itertools.product(
                self.seekers(maker), copies, tights, (False, True)
            ):
                plan = _Plan(self, maker, seeker, dict(zip(extra, counts, strict=True)), tight, arm)
                try:
                    plan.steps = plan.run(best if prune else INF)
                except PlanError:
                    continue
                if plan.steps < INF:
                    found.append(plan)
                    best = min(best, plan.steps)
        return found

    def best(self) -> _Plan | None:
        """The plan with the fewest joint steps that replays as booked (None: none)."""
        for prune in (True, False):
            for plan in sorted(self.plans(prune), key=lambda p: p.steps):
                try:
                    if replay(self.layout, self.rules, self.goal, plan.acts) == plan.steps:
                        return plan
                except PlanError:
                    pass
        return None


def best_plan(layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> float:
    """Joint steps of the best plan found in the relaxed game (INF when none was found); the
    plan is replayed action by action (`replay`) before it counts."""
    plan = _PlanSearch(layout, rules, goal, n_agents).best()
    return INF if plan is None else plan.steps


def bound(
    layout: Layout, n_agents: int, rules: str = "damcs", goal: str = rules_lib.DEFAULT_GOAL
) -> Bound:
    """The lower bound and the best plan found for the first `n_agents` starts of `layout`."""
    if n_agents > len(layout.starts):
        raise ValueError(f"invalid n_agents {n_agents}; the layout has {len(layout.starts)} starts")
    loaded = rules_lib.load(rules)
    lower = lower_bound(layout, loaded, goal, n_agents)
    plan = best_plan(layout, loaded, goal, n_agents)
    return Bound(n_agents, float(lower), float(plan))


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
    rows, found = [], {n: [] for n in args.team_sizes}
    for seed, world_seed in [(0, mac.PAPER_WORLD_SEED), *((s, None) for s in range(args.seeds))]:
        bounds = [team_bound(seed, n, world_seed) for n in args.team_sizes]
        for b in bounds:
            found[b.n_agents].append(b)
        rows.append(
            {"seed": seed, "world_seed": world_seed, "bounds": [b.to_dict() for b in bounds]}
        )
        cells = itertools.chain.from_iterable((b.lower, b.best_plan) for b in bounds)
        name = "paper" if world_seed is not None else f"seed {seed}"
        print(output.markdown_table(header, [(name, *cells)]).splitlines()[-1], flush=True)
    for n, bounds in found.items():
        gaps = [b.best_plan / b.lower for b in bounds if 0 < b.lower < INF and b.best_plan < INF]
        print(
            f"{n} agents: best plan / lower bound {sum(gaps) / max(len(gaps), 1):.2f} on average "
            f"over {len(gaps)} maps with a plan (of {len(bounds)}); exact on "
            f"{sum(b.exact and b.lower < INF for b in bounds)}, within 10% on "
            f"{sum(g <= 1.1 for g in gaps)}"
        )
    output.write_json(None if args.json is None else pathlib.Path(args.json), vars(args), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
