"""The greedy plan family of the optimal-team bound: concrete plans in the relaxed game (stated in
`benchmark.studies.team_bound`), built step by step; `team_search` searches over them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import numpy as np

from agents import prerequisites
from benchmark.studies.team_map import INF, MOVES, Layout, Ways, goal_item, tile_neighbours
from benchmark.studies.team_replay import PlanError
from envs.mac import rules as rules_lib


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


class Plan:
    """One plan of the family `team_search.PlanSearch` searches, built step by step on
    per-player clocks: a maker follows the prerequisite plan's steps (or `order`) toward the
    goal's tool, placing each station on a free tile next to it and walking back to the stations
    to make; every unit it consumes is fetched by whoever delivers it soonest (walking or
    tunnelling with the tools it holds, then waiting at the tile for a tool a teammate hands
    over, then sharing the unit), from the nearest tile nobody else uses; the maker may make
    `copies` more of each gathering tool; a seeker walks to the goal and receives the tool there
    (after the maker's last step, or, `ahead`, as soon as the first tool that shortens its way
    there is made: it takes that tool and tunnels); `posted`, a fetcher walks at step 0 to the
    unit whose gathering needs the longest chain of tools (the iron) and waits there.
    A share to a player with a higher id is used in its own step, as the env allows."""

    def __init__(
        self,
        search: PlanContext,
        maker: int,
        seeker: int,
        copies: dict[str, int],
        tight: bool = True,
        arm: bool = False,
        order: tuple[prerequisites.Step, ...] = (),
        spare: bool = False,
        ahead: bool = False,
        posted: bool = False,
    ) -> None:
        self.s, self.maker, self.seeker, self.copies = search, maker, seeker, dict(copies)
        self.order = order  # the maker's steps (empty: the prerequisite plan's)
        self.copies_asked = dict(copies)  # `copies` counts down as they are made
        self.spare = spare and seeker != maker  # the seeker fetches nothing: it heads for the goal
        # The seeker takes the first tool that shortens its way to the goal as soon as it is
        # made and tunnels there at once (`set_out`), not after the maker's last step.
        self.ahead = ahead and seeker != maker
        self.departed: tuple[int, float] | None = None  # (goal tile, arrival) once it set out
        self.posted = posted  # a fetcher walks to the last tool's dearest unit at step 0 (`post`)
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
                path = Ways.path(pred, stand)
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
            if self.spare and i == self.seeker and self.departed is None:
                continue
            if i != self.maker and self.stash[i].get(item):
                done = max(self.clock[i], min(self.stash[i][item])) + 1
                if best is None or done - _same_step(i, self.maker) < best[0]:
                    best = (done - _same_step(i, self.maker), i, None, ())
            have = self.tools(i)
            if i == self.seeker and (self.spare or self.departed is not None):
                continue  # on its way to the goal (its tunnel's units are shared above)
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
        if goal_item(self.s.goal) == ("collect", item):
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
        neighbour (`tight`: the one with fewest open sides, to block few ways): one the rule
        allows (as the map is by then: a tile collected before now has become what collecting
        leaves), that no teammate's path or unit uses."""
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
                flat[n] in self.s.walkable or n in self.opened
                for n in tile_neighbours((w, h))[tile]
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
        if goal_item(self.s.goal) == ("place", name):
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
        if goal_item(self.s.goal) == ("make", name):
            self.achieved = min(self.achieved, self.clock[self.maker])
        for _ in range(recipe.gives):
            if name in self.s.tools:
                self.tokens.append(_Token(name, self.maker, self.clock[self.maker]))
            else:
                self.ready.setdefault(name, []).append(self.clock[self.maker])
        if self.ahead and self.departed is None and name in self.s.tools:
            self.set_out(name)
        return True

    def set_out(self, tool: str) -> None:
        """The seeker takes `tool` (just made) and walks or tunnels to the goal now, when that
        reaches the goal sooner than setting out now without it."""
        material = self.s.goal_material
        if material is None or prerequisites.goal_tool(self.s.rules, self.s.goal) == tool:
            return
        seeker = self.seeker
        have, now = self.tools(seeker), self.clock[seeker]

        def targets(d: np.ndarray):
            return self._free(material, d)

        bare = self.walk(seeker, have, targets, now)
        when = self._token(tool, seeker)[0]
        armed = self.walk(seeker, have | {tool}, targets, max(now, when))
        if armed is None or bare is not None and now + bare[0] <= max(now, when) + armed[0]:
            return
        start = max(now, self.handover(tool, seeker))
        found = self.walk(seeker, self.tools(seeker), targets, start)
        if found is None:
            return
        d, stand, tile, path = found
        self.go(seeker, path, stand, start + d, start)
        self.departed = (tile, start + d)

    def post(self, tool: str) -> None:
        """The teammate (neither maker nor seeker) nearest a unit `tool` is made of whose
        gathering needs the longest chain of tools (the iron of the iron pickaxe) walks next
        to it at step 0, to wait there for its tool while the others gather the rest."""
        rules = self.s.rules

        def depth(item: str) -> int:
            material = next((m for m, r in rules.collect.items() if item in r.receive), None)
            needs = rules.collect[material].require if material else {}
            made = [rules.make[t].uses if t in rules.make else {} for t in needs]
            return max((1 + sum(depth(u) for u in uses) for uses in made), default=0)

        far = max(rules.make[tool].uses, key=depth, default=None)
        if far is None or not depth(far):
            return
        material = next(m for m, r in rules.collect.items() if far in r.receive)
        best = None
        for i in range(self.s.n):
            if i in (self.maker, self.seeker):
                continue
            found = self.walk(i, frozenset(), lambda d: self._free(material, d), 0.0)
            if found is not None and (best is None or found[0] < best[1][0]):
                best = (i, found)
        if best is not None:
            i, (d, stand, _, path) = best
            self.go(i, path, stand, d, 0.0)

    def run(self, limit: float = INF) -> float:
        """The plan's joint steps (INF: it fails, or cannot beat `limit`)."""
        s = self.s
        tool = prerequisites.goal_tool(s.rules, s.goal)
        kind, item = goal_item(s.goal)
        target = f"make_{tool}" if tool else s.goal
        if self.posted and tool in s.rules.make:
            self.post(tool)
        for step in self.order or prerequisites.plan(s.rules, target, {}, set()):
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
        if self.departed is not None:  # at the goal already: it waits for the tool there
            tile = self.departed[0]
            self.clock[seeker] = max(self.clock[seeker], self.handover(tool, seeker)) + 1
            self.act(seeker, self.clock[seeker], "do", tile)
            return self.clock[seeker]
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


class PlanContext:
    """What every plan of a family shares: the map, rules, goal and team, and cached walks."""

    def __init__(self, layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> None:
        self.layout, self.rules, self.goal, self.n = layout, rules, goal, n_agents
        self.walkable = set(rules.walkable)
        kind, item = goal_item(goal)
        self.goal_material = (
            next((m for m, r in rules.collect.items() if item in r.receive), None)
            if kind == "collect"
            else None
        )
        self.ways = Ways(layout, rules, self.goal_material)
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
        distance array `Ways` keeps (so its id names it)."""
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
