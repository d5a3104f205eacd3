"""Path finding on an agent's known map: shortest walks, digs, and frontier exploration.

Breadth-first search over tiles a player may enter (walkable material, never lava, no creature or
player currently in view). Unknown tiles may be crossed optimistically: the view always reveals a
tile before the agent steps on it, so a planned walk through the unknown is re-planned, never blind.
Most iron and many diamonds are walled in by rock, so a walk that only guesses through the unknown
loses to digging through known rock the agent can mine (`route_digging`). Exploration picks the
frontier that reveals the most promising unseen ground per step (`choose_frontier`).
The search is plain Python over flat indices: a 64x64 map takes a few milliseconds at worst.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numba
import numpy as np

from agents.skills import mapping
from envs.mac import rules as rules_lib

Position = mapping.Position
MOVES: dict[str, Position] = {
    "move_left": (-1, 0),
    "move_right": (1, 0),
    "move_up": (0, -1),
    "move_down": (0, 1),
}
MOVE_BY_OFFSET = {offset: name for name, offset in MOVES.items()}


@dataclass(frozen=True)
class Route:
    """A walk from the agent's tile: the cells to step on, in order (empty when already there)."""

    cells: tuple[Position, ...]

    @property
    def end(self) -> Position | None:
        return self.cells[-1] if self.cells else None


def move_toward(start: Position, cell: Position) -> str:
    """The move action from `start` to a 4-neighbour `cell` (also turns to face a blocked one)."""
    offset = (cell[0] - start[0], cell[1] - start[1])
    if offset not in MOVE_BY_OFFSET:
        raise ValueError(f"{cell} is not next to {start}")
    return MOVE_BY_OFFSET[offset]


def neighbours(position: Position) -> list[Position]:
    x, y = position
    return [(x + dx, y + dy) for dx, dy in MOVES.values()]


def adjacent_cells(targets: np.ndarray) -> np.ndarray:
    """Cells from which a target tile is one step away (where a player can face it)."""
    out = np.zeros_like(targets)
    out[1:, :] |= targets[:-1, :]
    out[:-1, :] |= targets[1:, :]
    out[:, 1:] |= targets[:, :-1]
    out[:, :-1] |= targets[:, 1:]
    return out


def near_cells(targets: np.ndarray) -> np.ndarray:
    """Cells whose 3x3 area holds a target tile (where a station counts as nearby)."""
    rows = targets.copy()
    rows[1:, :] |= targets[:-1, :]
    rows[:-1, :] |= targets[1:, :]
    out = rows.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


def crafting_cells(stations: np.ndarray) -> np.ndarray:
    """Cells where the env counts a `stations` tile as nearby: its 3x3 area, less the map's first
    row and column, where crafter sees no station at all (`mapping.crafts_at`)."""
    out = near_cells(stations)
    out[0, :] = False
    out[:, 0] = False
    return out


def passable(known: mapping.KnownMap, start: Position | None, optimistic: bool) -> np.ndarray:
    """Tiles a walk from `start` may use: known enterable ones, plus unknown ones when `optimistic`
    (creatures and players block near `start` only; everywhere when it is None)."""
    free = known.walkable(around=start)
    if optimistic:
        free = free | known.unknown
    return free


def _search(
    free: np.ndarray, start: Position, goal: np.ndarray | None
) -> tuple[list[int], list[int], int | None]:
    """BFS from `start` over `free`; stops at the first `goal` cell. Returns (dist, parent, found)."""
    width, height = free.shape
    free_flat = free.ravel().tolist()
    goal_flat = goal.ravel().tolist() if goal is not None else None
    size = width * height
    dist = [-1] * size
    parent = [-1] * size
    origin = start[0] * height + start[1]
    dist[origin] = 0
    queue = deque([origin])
    while queue:
        cell = queue.popleft()
        if goal_flat is not None and goal_flat[cell]:
            return dist, parent, cell
        x, y = divmod(cell, height)
        step = dist[cell] + 1
        # Fixed neighbour order (left, right, up, down) keeps walks deterministic.
        for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
            if 0 <= nx < width and 0 <= ny < height:
                nxt = nx * height + ny
                if dist[nxt] < 0 and free_flat[nxt]:
                    dist[nxt] = step
                    parent[nxt] = cell
                    queue.append(nxt)
    return dist, parent, None


def _unwind(parent: list[int], cell: int, height: int) -> Route:
    cells = []
    while parent[cell] >= 0:
        cells.append(divmod(cell, height))
        cell = parent[cell]
    return Route(tuple(reversed(cells)))


def route_to(
    known: mapping.KnownMap, start: Position, goal: np.ndarray, optimistic: bool = True
) -> Route | None:
    """The shortest walk from `start` to any `goal` cell, or None if none is reachable.

    None also when the only walks cross unknown ground (guesses that may end at a wall) while
    digging through known rock is cheaper: exploration (`library.Explorer`) then digs the way.
    """
    free = passable(known, start, optimistic)
    free[start] = True
    _, parent, found = _search(free, start, goal)
    route = None if found is None else _unwind(parent, found, free.shape[1])
    if optimistic and (route is None or any(known.unknown[cell] for cell in route.cells)):
        dig = diggable(known)
        if dig.any():
            cost = route_cost(known, route, dig) if route is not None else None
            dug = route_digging(known, start, goal, dig)
            if dug is not None and any(dig[cell] for cell in dug.cells):
                if cost is None or route_cost(known, dug, dig) < cost:
                    return None
    return route


def reachable(free: np.ndarray, start: Position) -> int:
    """How many `free` cells a walk from `start` reaches (`start` counts when free)."""
    dist, _, _ = _search(free, start, None)
    return sum(d >= 0 for d in dist)


def route_cost(known: mapping.KnownMap, route: Route, dig: np.ndarray) -> int:
    """Steps a route takes: one per cell, one more per tile to dig open."""
    return len(route.cells) + sum(bool(dig[cell]) for cell in route.cells)


def distances(known: mapping.KnownMap, start: Position, optimistic: bool = False) -> np.ndarray:
    """Walking distance from `start` to every cell (-1 = unreachable)."""
    free = passable(known, start, optimistic)
    free[start] = True
    dist, _, _ = _search(free, start, None)
    return np.array(dist, np.int32).reshape(free.shape)


def route_to_cell(
    known: mapping.KnownMap, start: Position, cell: Position, optimistic: bool = False
) -> Route | None:
    """The shortest walk to one chosen cell, or None."""
    goal = np.zeros(known.area, bool)
    goal[cell] = True
    return route_to(known, start, goal, optimistic)


def diggable(known: mapping.KnownMap, inventory: Mapping[str, int] | None = None) -> np.ndarray:
    """Known tiles the agent can open with what it holds (stone with a wood pickaxe, ...): those
    whose collect rule it meets, that always give and leave walkable ground (never lava)."""
    rules = known.rules
    inventory = known.holding if inventory is None else inventory
    out = np.zeros(known.area, bool)
    for material in rules.collect:
        if rules.collect[material].leaves != material and _opens(rules, material, inventory):
            out |= known.mask(material)
    return out


def _opens(rules: rules_lib.Rules, material: str, inventory: Mapping[str, int]) -> bool:
    """Whether collecting `material` with `inventory` always gives and leaves walkable ground
    (never lava)."""
    rule = rules.collect.get(material)
    return (
        rule is not None
        and rule.probability >= 1.0
        and rule.leaves in rules.walkable
        and rule.leaves != "lava"
        and all(inventory.get(item, 0) >= n for item, n in rule.require.items())
    )


def bridge_with(rules: rules_lib.Rules, inventory: Mapping[str, int]) -> str | None:
    """The material the agent can place on a tile it cannot enter and collect back to walkable
    ground with what it holds (stone: placed on water, mined to path), by the rule data; None
    if it holds none."""
    for name, rule in rules.place.items():
        held = all(inventory.get(item, 0) >= n for item, n in rule.uses.items())
        if rule.type == "material" and held and _opens(rules, name, inventory):
            return name
    return None


def bridgeable(known: mapping.KnownMap, inventory: Mapping[str, int] | None = None) -> np.ndarray:
    """Known tiles the agent can cross by placing `bridge_with`'s material there, collecting it
    back and stepping in (water). Never lava: one wrong step there kills."""
    rules = known.rules
    name = bridge_with(rules, known.holding if inventory is None else inventory)
    out = np.zeros(known.area, bool)
    for where in rules.place[name].where if name is not None else ():
        if where not in rules.walkable and where != "lava":
            out |= known.mask(where)
    return out


def _dig_search(
    free: np.ndarray,
    dig: np.ndarray,
    start: Position,
    goal: np.ndarray | None = None,
    bridge: np.ndarray | None = None,
) -> tuple[list[float], list[int], int | None]:
    """Dijkstra over `free` tiles (one step), `dig` tiles (two: `do`, then the move) and `bridge`
    tiles (three: place, `do`, move) from `start`: the cost and parent of every cell, and the
    first `goal` cell settled (None: none, or no goal given, in which case every reachable cell
    is settled)."""
    width, height = free.shape
    cost = np.where(free, 1, np.where(dig, 2, 0))
    if bridge is not None:
        cost = np.where(cost == 0, np.where(bridge, 3, 0), cost)
    cost = cost.ravel().tolist()
    goal_flat = None if goal is None else goal.ravel().tolist()
    best = [float("inf")] * (width * height)
    parent = [-1] * (width * height)
    origin = start[0] * height + start[1]
    best[origin] = 0
    heap = [(0, origin)]
    while heap:
        d, cell = heapq.heappop(heap)
        if d > best[cell]:
            continue
        if goal_flat is not None and goal_flat[cell]:
            return best, parent, cell
        x, y = divmod(cell, height)
        for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
            if 0 <= nx < width and 0 <= ny < height:
                nxt = nx * height + ny
                step = cost[nxt]
                if step and d + step < best[nxt]:
                    best[nxt] = d + step
                    parent[nxt] = cell
                    heapq.heappush(heap, (d + step, nxt))
    return best, parent, None


@numba.njit(cache=True)
def _cost_field(
    cost: np.ndarray, height: int, origins: np.ndarray, begins: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled; `dig_distances` and `via` test it
    """Dijkstra over flat cells whose entry costs `cost` (0: closed) from `origins` at `begins`:
    the cheapest cost to every cell (inf: unreachable). `_dig_search` without parents, compiled:
    the walks on the way to a goal ask for many whole fields per decision."""
    size = cost.shape[0]
    best = np.full(size, np.inf)
    heap = [(0.0, 0)]
    heap.pop()
    for i in range(origins.shape[0]):
        if begins[i] < best[origins[i]]:
            best[origins[i]] = begins[i]
            heapq.heappush(heap, (begins[i], origins[i]))
    width = size // height
    while heap:
        d, cell = heapq.heappop(heap)
        if d > best[cell]:
            continue
        x, y = cell // height, cell % height
        for k in range(4):
            nx, ny = x, y
            if k == 0:
                nx = x - 1
            elif k == 1:
                nx = x + 1
            elif k == 2:
                ny = y - 1
            else:
                ny = y + 1
            if 0 <= nx < width and 0 <= ny < height:
                nxt = nx * height + ny
                step = cost[nxt]
                if step > 0 and d + step < best[nxt]:
                    best[nxt] = d + step
                    heapq.heappush(heap, (d + step, nxt))
    return best


def _field(
    free: np.ndarray,
    dig: np.ndarray,
    starts: Sequence[Position],
    start_costs: Sequence[float] | None = None,
) -> np.ndarray:
    """`_cost_field` on a map: steps from `starts` (at `start_costs`, 0 by default) to every
    cell over `free` tiles (one step) and `dig` tiles (two); -1 where unreachable."""
    width, height = free.shape
    cost = np.where(free, 1.0, np.where(dig, 2.0, 0.0)).ravel()
    xs = np.array([x for x, _ in starts], np.int64)
    ys = np.array([y for _, y in starts], np.int64)
    begins = np.zeros(len(starts)) if start_costs is None else np.asarray(start_costs, float)
    best = _cost_field(cost, height, xs * height + ys, begins).reshape(width, height)
    return np.where(np.isfinite(best), best, -1).astype(np.int32)


def route_digging(
    known: mapping.KnownMap,
    start: Position,
    goal: np.ndarray,
    dig: np.ndarray,
    optimistic: bool = True,
    bridge: np.ndarray | None = None,
) -> Route | None:
    """The cheapest walk to a `goal` cell when `dig` tiles may be mined open on the way (a dug
    tile costs two steps: `do`, then the move) and `bridge` tiles crossed (three: see
    `bridgeable`); unknown tiles count as open when `optimistic`, as in `route_to`."""
    free = passable(known, start, optimistic)
    free[start] = True
    _, parent, reached = _dig_search(free, dig, start, goal, bridge)
    return None if reached is None else _unwind(parent, reached, free.shape[1])


def approach(
    known: mapping.KnownMap, start: Position, goal: np.ndarray, dig: np.ndarray
) -> Route | None:
    """The walk to where the cheapest route to a `goal` cell that mines `dig` tiles first has to
    mine (over known ground): where an agent waits for the pickaxe that opens that rock (no
    cells: it stands there). None when no route mines on its way there."""
    route = route_digging(known, start, goal, dig, optimistic=False)
    if route is None:
        return None
    cells = []
    for cell in route.cells:
        if dig[cell]:
            break
        cells.append(cell)
    return Route(tuple(cells)) if len(cells) < len(route.cells) else None


def frontier(
    known: mapping.KnownMap, start: Position | None = None, dig: np.ndarray | None = None
) -> np.ndarray:
    """Known enterable tiles next to unknown ones: where walking reveals new map; with `dig`, also
    the tiles the agent may mine open there (rock at the edge of what it has seen)."""
    open_ground = known.walkable(around=start)
    if dig is not None:
        open_ground = open_ground | dig
    return open_ground & adjacent_cells(known.unknown)


def dig_distances(
    known: mapping.KnownMap,
    start: Position | Sequence[Position],
    dig: np.ndarray,
    optimistic: bool = False,
) -> np.ndarray:
    """Steps from `start` (a cell, or the nearest of several) to every known cell when `dig`
    tiles may be mined open on the way (two steps each: `do`, then the move); -1 where
    unreachable. Unknown tiles are crossed only when `optimistic`, as in `route_to`."""
    starts = [start] if isinstance(start[0], (int, np.integer)) else list(start)
    free = passable(known, starts[0], optimistic)
    for cell in starts:
        free[cell] = True
    return _field(free, dig, starts)


def _onward_ground(known: mapping.KnownMap, near: Position | None) -> np.ndarray:
    """The ground a walk on from some cell may use (`passable`, unknown ground open), with the
    agent's own tile open: its body does not block a walk that starts where it stands (it did:
    standing next to the iron, a lone agent stepped off and back each time it chose again)."""
    free = passable(known, near, True)
    if known.position is not None:
        free[known.position] = True
    return free


def end_steps(known: mapping.KnownMap, end: np.ndarray, dig: np.ndarray) -> np.ndarray:
    """Steps from every cell to stand next to an `end` tile (mining `dig` tiles on the way,
    unknown ground open); -1 where no walk is known."""
    starts = list(zip(*np.nonzero(end), strict=True))
    if not starts:
        return np.full(known.area, -1, np.int32)
    free = _onward_ground(known, starts[0])
    for cell in starts:
        free[cell] = True
    value = _field(free, dig, starts)
    return np.where(value >= 0, value - 1, -1).astype(np.int32)


def via(known: mapping.KnownMap, stop: np.ndarray, then: np.ndarray, dig: np.ndarray) -> np.ndarray:
    """Steps from every cell to stand next to a `stop` tile and go on from there (`then`: the
    steps still to go from each cell, -1 where none is known, as `end_steps` gives): one Dijkstra
    from the cells next to the stop, each starting at its `then`."""
    free = _onward_ground(known, known.position)
    cells = adjacent_cells(stop) & (then >= 0) & (free | dig)
    if not cells.any():
        return np.full(known.area, -1, np.int32)
    xs, ys = np.nonzero(cells)
    return _field(free, dig, list(zip(xs, ys, strict=True)), then[xs, ys])


def onward_steps(
    known: mapping.KnownMap, stops: Sequence[np.ndarray], end: np.ndarray, dig: np.ndarray
) -> np.ndarray:
    """Steps from every cell to stand next to a tile of each of `stops` in turn and then next to
    an `end` tile (`via` each stop, backwards from `end_steps`)."""
    value = end_steps(known, end, dig)
    for stop in reversed(stops):
        value = via(known, stop, value, dig)
    return value


def on_the_way(
    known: mapping.KnownMap, start: Position, cells: np.ndarray, onward: np.ndarray, dig: np.ndarray
) -> np.ndarray:
    """Of `cells`, those from which the walk from `start` (mining `dig` tiles) and on (`onward`:
    steps still to go from each cell, -1 where none is known; see `onward_steps`) is shortest in
    total: a unit taken on the way to the goal, not the nearest one and then a walk back past
    it. `cells` itself when no such walk is known."""
    here = dig_distances(known, start, dig, optimistic=True)
    joined = cells & (here >= 0) & (onward >= 0)
    if not joined.any():
        return cells
    total = np.where(joined, here + onward, np.iinfo(np.int32).max)
    return total == total.min()


def box_sum(grid: np.ndarray, half: tuple[int, int]) -> np.ndarray:
    """Sum of `grid` over the (2*hx+1) x (2*hy+1) box around every cell (zero beyond the map)."""
    hx, hy = half
    width, height = grid.shape
    padded = np.pad(grid.astype(np.float32), ((hx + 1, hx), (hy + 1, hy)))
    total = padded.cumsum(0).cumsum(1)
    return (
        total[2 * hx + 1 :, 2 * hy + 1 :]
        - total[:width, 2 * hy + 1 :]
        - total[2 * hx + 1 :, :height]
        + total[:width, :height]
    )


# Where a sought material tends to be, judged from what surrounds unseen ground (from crafter's
# world generation: coal, iron and diamonds lie inside mountains; iron in patches, so near iron; a
# diamond is any mountain tile's 0.6% chance, no likelier near lava or caves, which only say "deep
# in a mountain"; water sits among sand). A target without an entry looks near its own kind.
SEARCH_HINTS: dict[str, dict[str, float]] = {
    "stone": {"stone": 1.0, "coal": 1.0, "iron": 1.0, "path": 0.5, "lava": 1.0, "diamond": 1.0},
    "coal": {"stone": 1.0, "coal": 2.0, "iron": 1.0, "path": 0.5, "lava": 1.0, "diamond": 1.0},
    "iron": {"stone": 1.0, "coal": 1.0, "iron": 3.0, "path": 1.0, "lava": 1.0, "diamond": 1.0},
    "diamond": {"stone": 1.0, "coal": 1.0, "iron": 1.0, "path": 1.0, "lava": 1.0, "diamond": 1.0},
    "lava": {"stone": 1.0, "path": 1.0, "lava": 3.0},
    "path": {"stone": 1.0, "path": 2.0, "lava": 1.0},
    "water": {"water": 3.0, "sand": 2.0},
    "sand": {"water": 2.0, "sand": 3.0},
    "tree": {"tree": 3.0, "grass": 0.5},
}
# The prior of a tile is read from the 5x5 known tiles around it: the rock right at a frontier, not
# ground up to five tiles off (11x11 before), which weighed the unseen ground beyond a ridge as
# much as a mountain's inside. Chosen among 1-5 on 400 maps; on 1,000 others a lone agent found
# the diamond on its own map 25 more times (results/changes/README.md, "the prior's radius"); six
# agents were 2.7 steps sooner on 600 maps, two the same, privileged every episode the same.
PRIOR_RADIUS = 2
# Worth of an unseen tile: base + weight * prior. Without a pickaxe the way into a mountain is a
# cave or tunnel mouth on its edge, so the search keeps close to known rock; with one, any rock is
# a way in, and a lighter weight (unseen ground inside a mountain is about 3-4 times as likely to be
# rock as unseen ground nowhere near) sends the search on to unexplored mountains instead of
# scraping pockets of one already seen.
PRIOR_BASE, PRIOR_WEIGHT, PRIOR_WEIGHT_TUNNELLING = 0.3, 2.0, 1.0
# Added to a frontier's distance, so that a near frontier does not win on nearness alone.
STEP_OFFSET = 4.0
HOME_PULL = 0.1  # extra cost per tile a frontier lies from home
CLAIMED = 0.2  # worth left of unseen ground a teammate is headed for
COVERED = 0.2  # worth left of ground unseen here that a teammate's view covered (`KnownMap.hear`)
HEADING = 0.2  # how much an agent's own heading tilts the choice between frontiers
# What lies beyond a frontier's view: the promising unseen ground in this larger box around it,
# at a weight per tile, for a rare target (a map holds about 3 diamonds, mostly 25-45 tiles from
# the centre, against dozens of iron tiles in patches). Without it a search for a diamond
# scrapes the last pockets of a mountain it has seen (many rich tiles per step, close by) and
# never turns to a large unseen region next door; for a common target the near pockets are the
# right choice. Also while tunnelling: a lone agent with its pickaxe then sees 12% more of the
# rock a diamond may lie in by step 350 (`cooperation --hide-goal`) and finds the diamond on 745
# of 900 maps nobody tuned on against 720 without; two agents take 8.3 +- 6.8 steps fewer
# (results/changes/cb2fd8f/). While walking, teams are not measurably faster with it than
# without (two agents +1.5 +- 4.1 steps without it, six +0.6 +- 5.8, on 100 maps), nor is the
# chain's search for a common material (results/changes/not-kept/).
REGION_HALF = (12, 12)
REGION_WEIGHT: dict[str, float] = {"diamond": 0.15}


def sought_underground(prefer: tuple[str, ...]) -> bool:
    """Whether a sought material lies inside mountains (its hints count stone): then tunnelling
    through rock is a way to search for it."""
    return any(SEARCH_HINTS.get(target, {}).get("stone", 0.0) > 0 for target in prefer)


def search_hints(targets: tuple[str, ...]) -> dict[str, float]:
    """The materials whose nearness hints at `targets`, each with its largest weight."""
    hints: dict[str, float] = {}
    for target in targets:
        for material, weight in SEARCH_HINTS.get(target, {target: 3.0}).items():
            hints[material] = max(hints.get(material, 0.0), weight)
    return hints


def search_prior(known: mapping.KnownMap, targets: tuple[str, ...]) -> np.ndarray:
    """How promising each tile is for finding `targets`: the hint-weighted share of the known
    tiles around it (0 where nothing around is known), so unseen ground next to mountains scores
    high when the agent looks for iron and next to lava or caves when it looks for diamonds.
    A study's reference prior for a sought material (`KnownMap.reference_priors`) comes first;
    a study's shown tiles (`KnownMap.shown`) are left out."""
    for target in targets:
        if target in known.reference_priors:
            return known.reference_priors[target]
    hints = search_hints(targets)
    seen = ~known.shown
    weighted = np.zeros(known.area, np.float32)
    for material, weight in hints.items():
        weighted += weight * (known.mask(material) & seen)
    box = (PRIOR_RADIUS, PRIOR_RADIUS)
    return box_sum(weighted, box) / np.maximum(box_sum(~known.unknown & seen, box), 1.0)


def terrain_prior(rock: np.ndarray) -> np.ndarray:
    """The search prior of an agent that knows where rock lies (`rock`: True on every tile a
    diamond or iron could hide in), not where iron or diamonds are: the share of rock around each
    tile, on the scale of `search_prior`. A reference for studies (how much a better prior could
    give), never given to an agent in play."""
    box = (PRIOR_RADIUS, PRIOR_RADIUS)
    return box_sum(rock, box) / float((2 * box[0] + 1) * (2 * box[1] + 1))


def choose_frontier(
    known: mapping.KnownMap,
    start: Position,
    heading: tuple[float, float] = (0.0, 0.0),
    prefer: tuple[str, ...] = (),
    home: Position | None = None,
    dig: np.ndarray | None = None,
) -> Position | None:
    """The frontier cell to explore next: the one revealing most promising unseen ground per step.

    Each frontier cell is worth the unknown tiles its 9x7 view would uncover, weighted by the
    search prior for `prefer` (the sought materials) and leaving out ground a teammate is already
    headed for or, where maps are not shared, has had in view (`KnownMap.covered`); that worth is divided by the walk to it, so near, rich frontiers win. With `dig`
    (rock the agent can mine), rock at the edge of the seen map counts as frontier too, reached
    by tunnelling at two steps a tile: the way into a mountain without caves. The heading
    (each agent has its own) breaks near-ties so that a team fans out; a light pull toward `home`
    keeps a search from running to the map's edge. A search for a rare target (see
    `REGION_WEIGHT`), walking or tunnelling, also counts the promising ground beyond the view and
    follows no heading.
    Ties break by position: deterministic.
    """
    if dig is not None and dig.any():
        dist = dig_distances(known, start, dig)
    else:
        dig = None
        dist = distances(known, start)
    cells = frontier(known, start, dig) & (dist > 0)
    if not cells.any():
        return None
    worth = known.unknown.astype(np.float32)
    for claimed in known.teammate_claims():
        worth[mapping.view_box(claimed)] *= CLAIMED
    worth[known.covered] *= COVERED
    if prefer:
        weight = PRIOR_WEIGHT if dig is None else PRIOR_WEIGHT_TUNNELLING
        worth *= PRIOR_BASE + weight * search_prior(known, prefer)
    gain = box_sum(worth, mapping.LOCAL_HALF)
    tilt = HEADING
    region = max((REGION_WEIGHT.get(target, 0.0) for target in prefer), default=0.0)
    if region:
        gain += region * box_sum(worth, REGION_HALF)
        # A heading sends a lone searcher off in a random direction (measured: slower to see a
        # diamond at 1, 2 and 6 agents); teammates still spread by their claims.
        tilt = 0.0
    xs, ys = np.nonzero(cells)
    d = dist[xs, ys].astype(float)
    cost = d + STEP_OFFSET
    if home is not None:
        cost += HOME_PULL * (np.abs(xs - home[0]) + np.abs(ys - home[1]))
    along = ((xs - start[0]) * heading[0] + (ys - start[1]) * heading[1]) / np.maximum(d, 1.0)
    score = -gain[xs, ys] / cost * (1.0 + tilt * along)
    best = int(np.lexsort((ys, xs, score))[0])
    return int(xs[best]), int(ys[best])
