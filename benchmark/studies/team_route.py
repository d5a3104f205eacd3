"""A lone player's plan from its best playable walk (`team_solo.LoneWalk` with `playable`): the walk
already orders the trees, stones, coal, iron and goal by where they lie, which the greedy plan
family (`team_plans`) does not. One player plays it while any teammates wait, so it is a plan for
every team size; it counts once `team_replay` plays it as booked."""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable

from agents import prerequisites
from benchmark.studies.team_map import INF, Layout, Ways, approaches, goal_item, tile_neighbours
from benchmark.studies.team_replay import PlanError, replay
from benchmark.studies.team_solo import Event, LoneWalk, material_of
from envs.mac import rules as rules_lib


class _Booking:
    """Books player `who`'s actions along a walk: `do`s where the walk takes units or tunnels, a
    tool made when an action needs it (its station placed next to the player if none stands) or
    as soon as its inputs are in and a station it needs stands within reach."""

    def __init__(self, layout: Layout, rules: rules_lib.Rules, who: int, ahead: set[int]) -> None:
        self.rules, self.shape, self.who = rules, layout.grid.shape, who
        self.grid = layout.grid.ravel().copy()
        x, y = layout.starts[who]
        self.where = x * self.shape[1] + y
        self.held = {name: rule.initial for name, rule in rules.items.items()}
        self.stations: dict[str, int] = {}
        self.given: dict[str, int] = {}  # units a teammate hands over at a ("wait", step)
        self.ahead = ahead  # tiles the walk still enters: no station goes there
        self.acts: dict[int, tuple] = {}
        self.step = 0

    def book(self, *action) -> None:
        self.step += 1
        self.acts[self.step] = action

    def near(self, station: str, tile: int | None = None) -> bool:
        """Whether `station` stands within reach (diagonals too) of `tile` (None: the player)."""
        spot = self.stations.get(station)
        if spot is None:
            return False
        h = self.shape[1]
        (x, y), (sx, sy) = divmod(self.where if tile is None else tile, h), divmod(spot, h)
        return abs(x - sx) <= 1 and abs(y - sy) <= 1

    def has(self, uses) -> bool:
        return all(self.held[item] >= amount for item, amount in uses.items())

    def room(self, name: str, tile: int) -> list[int]:
        """Tiles next to `tile` where station `name` may go (none the walk still enters)."""
        allowed = self.rules.place[name].where
        return [
            n
            for n in tile_neighbours(self.shape)[tile]
            if self.grid[n] in allowed and n not in self.ahead
        ]

    def place(self, name: str) -> None:
        rule = self.rules.place[name]
        spots = self.room(name, self.where)
        if not spots or not self.has(rule.uses):
            raise PlanError(f"no room or items to place {name}")
        for item, amount in rule.uses.items():
            self.held[item] -= amount
        self.grid[spots[0]] = name
        self.stations[name] = spots[0]
        self.book("place", name, spots[0])

    def make(self, tool: str) -> None:
        """Make `tool` now (lazily: the action needs it), placing its stations if none stands."""
        recipe = self.rules.make[tool]
        for station in recipe.nearby:
            if station not in self.stations and not self.room(station, self.where):
                self.detour(lambda t, s=station: bool(self.room(s, t)), lambda: self.make(tool))
                return
            if station not in self.stations:
                self.place(station)
            elif not self.near(station):
                self.detour(lambda t, s=station: self.near(s, t), lambda: self.make(tool))
                return
        if not self.has(recipe.uses):
            raise PlanError(f"inputs of {tool} are not in")
        for item, amount in recipe.uses.items():
            self.held[item] -= amount
        self.held[tool] += recipe.gives
        self.book("make", tool)

    def eager(self) -> None:
        """Make each tool not held whose stations stand within reach and inputs are in."""
        for tool in sorted(self.rules.make):
            recipe = self.rules.make[tool]
            wanted = any(tool in r.require for r in self.rules.collect.values())
            if (
                wanted
                and not self.held[tool]
                and all(self.near(s) for s in recipe.nearby)
                and self.has(recipe.uses)
            ):
                self.make(tool)

    def grab(self, material: str) -> None:
        """Collect a tile of `material` next to the player."""
        tiles = [n for n in tile_neighbours(self.shape)[self.where] if self.grid[n] == material]
        if not tiles:
            raise PlanError(f"no {material} next to player {self.who}")
        self.collect(tiles[0])

    def collect(self, tile: int) -> None:
        rule = self.rules.collect.get(self.grid[tile])
        if rule is None:
            raise PlanError(f"cannot collect {self.grid[tile]}")
        for tool in rule.require:
            if not self.held[tool]:
                self.make(tool)
        self.book("do", tile)
        self.grid[tile] = rule.leaves
        for item, amount in rule.receive.items():
            self.held[item] += amount
        self.eager()

    def enter(self, tile: int) -> None:
        if self.grid[tile] not in self.rules.walkable:
            self.collect(tile)
        if self.grid[tile] not in self.rules.walkable:
            raise PlanError(f"cannot enter {tile}")
        self.book("move", tile)
        self.where = tile

    def take(self, material: str, units: int) -> None:
        """`units` `do`s on tiles of `material` next to the player; for a tile the walk counts
        on that is gone (an earlier stand took it), a detour to the nearest one left."""
        around = tile_neighbours(self.shape)
        for _ in range(units):
            tiles = [n for n in around[self.where] if self.grid[n] == material]
            if tiles:
                self.collect(tiles[0])
                continue
            self.detour(
                lambda t: any(self.grid[n] == material for n in around[t]),
                lambda: self.collect(
                    next(n for n in around[self.where] if self.grid[n] == material)
                ),
            )

    def path_to(self, there: Callable[[int], bool]) -> list[int]:
        """Tiles entered on the shortest walk (walkable tiles only) to the nearest tile where
        `there` holds."""
        around = tile_neighbours(self.shape)
        came = {self.where: -1}
        queue = collections.deque([self.where])
        while queue:
            tile = queue.popleft()
            if there(tile):
                break
            for n in around[tile]:
                if n not in came and self.grid[n] in self.rules.walkable:
                    came[n] = tile
                    queue.append(n)
        else:
            raise PlanError("no way there")
        path = []
        while tile != self.where:
            path.append(tile)
            tile = came[tile]
        return path[::-1]

    def detour(self, there: Callable[[int], bool], then: Callable[[], None]) -> None:
        """Walk to the nearest tile where `there` holds, do `then`, and walk back the same way."""
        path = self.path_to(there)
        back = [*path[-2::-1], self.where]
        self.ahead |= set(back)  # no station on the way back
        for tile in path:
            self.enter(tile)
        then()
        for tile in back:
            self.enter(tile)

    def fell(self, material: str, units: int, to: int) -> float:
        """Collect `units` tiles of `material` (a tool-free one), each the nearest left, then
        share them all to player `to`; the step after which `to` holds them."""
        around = tile_neighbours(self.shape)
        for _ in range(units):
            for tile in self.path_to(lambda t: any(self.grid[n] == material for n in around[t])):
                self.enter(tile)
            self.grab(material)
        items = {i: a for i, a in self.rules.collect[material].receive.items() if a}
        for item in items:
            while self.held[item]:
                self.held[item] -= 1
                self.book("share", item, to)
        return float(self.step - (1 if to > self.who else 0))


def route_plan(
    layout: Layout,
    rules: rules_lib.Rules,
    goal: str,
    n_agents: int,
    who: int = 0,
    one_table: bool = True,
    seeker: int | None = None,
    walked: tuple[float, list[Event]] | None = None,
    supplied: bool = False,
) -> tuple[float, list[dict[int, tuple]]]:
    """Joint steps of player `who` playing its best playable lone walk while the other players of
    the team wait, and the booked actions (INF, []: no walk, or it does not replay as booked).
    With a `seeker`, `who` walks only until it can make the goal's tool and shares it to the
    seeker, who walks to the goal's nearest tile meanwhile (tunnelling trees) and collects it.
    `walked`: the walk's `LoneWalk.search()`, when already found. `supplied`: the seeker first
    gathers every material that needs no tool (the trees) and hands the units over, while `who`
    walks on toward what needs the tools (`LoneWalk`'s `supply`)."""
    kind, item = goal_item(goal)
    tool = prerequisites.goal_tool(rules, goal)
    if kind != "collect" or (seeker is not None and (seeker == who or tool is None)):
        return INF, []
    material = material_of(rules, item)
    given: dict[str, int] = {}
    if supplied and seeker is not None:
        alone = Layout(layout.grid, (layout.starts[who],))
        walk = LoneWalk(alone, rules, goal, True, one_table, True)
        seeking = _Booking(layout, rules, seeker, set())
        try:
            for i in walk.free:
                units = walk.caps[walk.materials[i]]
                when = seeking.fell(walk.materials[i], units, who)
                for unit, amount in rules.collect[walk.materials[i]].receive.items():
                    given[unit] = given.get(unit, 0) + amount * units
        except PlanError:
            return INF, []
        walk.supply = ({walk.materials[i]: walk.caps[walk.materials[i]] for i in walk.free}, when)
        walked = walk.search()
    else:
        seeking = None if seeker is None else _Booking(layout, rules, seeker, set())
    moves, events = walked or _walk(layout, rules, goal, who, one_table, seeker is not None)
    if moves == INF:
        return INF, []
    acts: list[dict[int, tuple]] = [{} for _ in range(n_agents)]
    ahead = {e[1] for e in events if e[0] == "move"}
    if seeker is not None:
        ways = Ways(layout, rules, material)
        h = layout.grid.shape[1]
        dist, pred = ways.from_tile(divmod(seeking.where, h), frozenset())
        near = approaches(layout.grid, dist.reshape(layout.grid.shape), material)
        if not near:
            return INF, []
        _, (gx, gy), (sx, sy) = near[0]
        path = Ways.path(pred, sx * h + sy)
        ahead |= set(path)
    booking = _Booking(layout, rules, who, ahead)
    booking.given = given
    try:
        _play(booking, events)
        if seeker is None:
            around = tile_neighbours(booking.shape)[booking.where]
            booking.collect(next(n for n in around if booking.grid[n] == material))
            steps = float(booking.step)
        else:
            if not booking.held[tool]:  # the walk may end where it was made already
                booking.make(tool)
            booking.book("share", tool, seeker)
            for tile in path:
                seeking.enter(tile)
            steps = float(max(seeking.step + 1, booking.step + (0 if seeker > who else 1)))
            acts[seeker] = seeking.acts | {int(steps): ("do", gx * h + gy)}
    except (PlanError, StopIteration):
        return INF, []
    acts[who] = booking.acts
    try:
        return (steps, acts) if replay(layout, rules, goal, acts) == steps else (INF, [])
    except PlanError:
        return INF, []


def _play(booking: _Booking, events: list[Event]) -> None:
    for index, event in enumerate(events):
        if event[0] == "move":
            booking.ahead = {e[1] for e in events[index + 1 :] if e[0] == "move"}
            booking.enter(event[1])
        elif event[0] == "wait":
            booking.step = max(booking.step, int(event[1]))
            for item, amount in booking.given.items():
                booking.held[item] += amount
        else:
            booking.take(event[1], event[2])


def _walk(
    layout: Layout, rules: rules_lib.Rules, goal: str, who: int, one_table: bool, tool_only: bool
) -> tuple[float, list[Event]]:
    alone = Layout(layout.grid, (layout.starts[who],))
    return LoneWalk(alone, rules, goal, True, one_table, tool_only).search()


def lone_plan(layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> float:
    """The fewest joint steps of a lone route (`route_plan`, either way of placing the table)
    played by any one player of a team of one or two, alone or with the teammate as the seeker
    (who may first gather the trees for it) (INF: none replays). Larger teams are skipped: the greedy family, which splits the gathering,
    beat it on all 20 maps measured with six players, and it costs a second a map there."""
    if n_agents > 2:
        return INF
    kind, item = goal_item(goal)
    if kind != "collect":
        return INF
    material = material_of(rules, item)
    ways = Ways(layout, rules, material)

    def near(i: int) -> float:
        dist = ways.from_tile(layout.starts[i], frozenset())[0]
        found = approaches(layout.grid, dist.reshape(layout.grid.shape), material)
        return found[0][0] if found else INF

    best = INF
    for who, one_table in itertools.product(range(n_agents), (True, False)):
        alone = _walk(layout, rules, goal, who, one_table, False)
        best = min(best, route_plan(layout, rules, goal, n_agents, who, one_table, None, alone)[0])
        others = [s for s in range(n_agents) if s != who and near(s) < INF]
        if not others:
            continue
        to_tool = _walk(layout, rules, goal, who, one_table, True)
        for seeker in others:
            steps = route_plan(layout, rules, goal, n_agents, who, one_table, seeker, to_tool)[0]
            helped = route_plan(layout, rules, goal, n_agents, who, one_table, seeker, None, True)
            best = min(best, steps, helped[0])
    return best
