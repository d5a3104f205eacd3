"""Skills: subgoals ("collect iron", "make stone pickaxe", ...) turned into primitive actions.

A skill is a small object whose `step(state)` returns the next action name, or None once it has
finished; it then reports `status` "done" or "failed" and a `reason` a memory can record ("no path to
iron", "missing 1 stone", "timed out after 80 steps"). What a tool costs, which station it needs,
what a tile yields and which pickaxe mines it all come from the rule data, never from tables here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.skills import mapping, navigation
from envs.mac import rules as rules_lib

Position = mapping.Position
RUNNING, DONE, FAILED = "running", "done", "failed"
# A walk mines through rock or trees on its way when that saves at least this many steps (2 came
# about a step sooner than 4 for one and two agents over 500 maps, 1 no sooner than 2:
# results/changes/README.md and not-kept/).
DIG_SAVING = 2
# A walk goes through a creature in its way, hitting it until it is gone, when the way round is
# this many steps longer than the way through (counting the creature's tile as two steps; a cow
# takes three hits). Six agents with the privileged map, seed 0: a cow in a one-tile path between
# stone and lava sent the iron fetcher 11 steps round a mountain. Rare: 24 of 1,200 episodes
# changed, the mean steps the same (results/changes/). Only creatures that do not fight back.
CREATURE_DETOUR = 5
HIT_THROUGH = ("cow",)
# A walk to a unit on the way to the goal (`Navigate.toward`) chooses its tile again this often.
ON_THE_WAY_EVERY = 10


@dataclass(frozen=True)
class AgentState:
    """What a skill may read at one step: the agent's own info plus its known map."""

    agent_id: str
    step: int
    position: Position
    facing: Position
    inventory: Mapping[str, int]
    achievements: Mapping[str, int]
    sleeping: bool
    known: mapping.KnownMap
    rules: rules_lib.Rules
    action_names: tuple[str, ...]
    teammates: tuple[str, ...] = ()
    heading: tuple[float, float] = (0.0, 0.0)
    home: Position | None = None

    @classmethod
    def from_info(
        cls,
        agent_id: str,
        info: Mapping[str, Any],
        known: mapping.KnownMap,
        rules: rules_lib.Rules,
        action_names: tuple[str, ...],
        teammates: tuple[str, ...] = (),
        heading: tuple[float, float] = (0.0, 0.0),
        home: Position | None = None,
    ) -> AgentState:
        return cls(
            agent_id=agent_id,
            step=int(info.get("step", 0)),
            position=tuple(int(v) for v in info["position"]),
            facing=tuple(int(v) for v in info["facing"]),
            inventory=dict(info["inventory"]),
            achievements=dict(info.get("achievements", {})),
            sleeping=bool(info.get("sleeping", False)),
            known=known,
            rules=rules,
            action_names=tuple(action_names),
            teammates=tuple(teammates),
            heading=heading,
            home=home,
        )

    @property
    def facing_tile(self) -> Position:
        return (self.position[0] + self.facing[0], self.position[1] + self.facing[1])

    @property
    def stations_known(self) -> frozenset[str]:
        """The stations (table, furnace, ...) the agent knows a place of: what a plan may use."""
        return frozenset(name for name, where in self.known.stations().items() if where)


def readable(name: str) -> str:
    """An item or material name as words ("wood_pickaxe" -> "wood pickaxe")."""
    return name.replace("_", " ")


def missing_text(missing: Mapping[str, int]) -> str:
    """'missing 2 wood, 1 stone' (empty when nothing is missing)."""
    if not missing:
        return ""
    return "missing " + ", ".join(f"{n} {readable(item)}" for item, n in missing.items())


def shortfall(needs: Mapping[str, int], inventory: Mapping[str, int]) -> dict[str, int]:
    """How many of each needed item the inventory lacks."""
    return {
        item: amount - inventory.get(item, 0)
        for item, amount in needs.items()
        if inventory.get(item, 0) < amount
    }


def material_yielding(rules: rules_lib.Rules, item: str) -> str | None:
    """The tile whose collect rule gives `item` (wood -> tree), from the rule data."""
    for material, rule in rules.collect.items():
        if item in rule.receive:
            return material
    return None


def gathering_tools(rules: rules_lib.Rules) -> frozenset[str]:
    """Made items that collect rules require (the pickaxes): held, never used up."""
    return frozenset(t for r in rules.collect.values() for t in r.require if t in rules.make)


def goal_material(rules: rules_lib.Rules, goal: str) -> str | None:
    """The tile the goal's item is collected from (collect_diamond -> diamond), or None: the
    material a seeker searches for and waits at."""
    return material_yielding(rules, goal.partition("_")[2])


class Skill:
    """Base of every skill: status, reason, a step budget, and the step loop."""

    name = "skill"
    default_timeout = 100

    def __init__(self, timeout: int | None = None) -> None:
        self.timeout = timeout or self.default_timeout
        self.status = RUNNING
        self.reason = ""
        self.steps = 0

    @property
    def finished(self) -> bool:
        return self.status != RUNNING

    def step(self, state: AgentState) -> str | None:
        """The next action name, or None when the skill has just finished (see `status`)."""
        if self.finished:
            return None
        if self.steps >= self.timeout:
            return self.fail(f"timed out after {self.steps} steps")
        action = self._step(state)
        if action is not None:
            self.steps += 1
        return action

    def _step(self, state: AgentState) -> str | None:
        raise NotImplementedError

    def succeed(self, reason: str = "") -> None:
        self.status, self.reason = DONE, reason or f"{self.name}: done"
        return None

    def fail(self, reason: str) -> None:
        self.status, self.reason = FAILED, reason
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.status})"


class Explorer:
    """Frontier exploration that keeps its chosen frontier until reached, so it does not dither.

    `prefer` names the materials sought: they steer the choice of frontier (see
    `navigation.choose_frontier`) and, once seen but walled in, are dug toward. When they lie
    inside mountains (iron, diamonds) and the agent holds the pickaxe for rock, it also tunnels
    into unseen rock. The chosen frontier is announced on the known map (`claim`) so that
    teammates look elsewhere.
    """

    def __init__(self, prefer: tuple[str, ...] = ()) -> None:
        self.prefer = prefer
        self.target: Position | None = None

    def action(self, state: AgentState) -> str | None:
        """A move toward unexplored ground, or None when nothing reachable is left to explore.

        A sought tile that is known but walled in (iron inside a mountain) is dug toward instead,
        when the agent holds the pickaxe for the wall: that opens it up sooner than a search."""
        dig = self.dig_action(state)
        if dig is not None:
            return dig
        known = state.known
        tunnel = self.tunnel_mask(state)
        for _ in range(2):
            if self.target is None or self.target == state.position:
                self.target = navigation.choose_frontier(
                    known, state.position, state.heading, self.prefer, state.home, tunnel
                )
            if self.target is None:
                return None
            action = None
            if navigation.frontier(known, state.position, tunnel)[self.target]:
                action = self._toward(state, self.target, tunnel)
            if action is not None:
                known.claim = (self.target, known.clock)
                return action
            self.target = None
        return None

    def tunnel_mask(self, state: AgentState) -> np.ndarray | None:
        """Rock the agent may tunnel through while searching (None when the sought materials do
        not lie in mountains or it holds no pickaxe for the rock)."""
        if not navigation.sought_underground(self.prefer):
            return None
        known = state.known
        rock = np.zeros(known.area, bool)
        for material in navigation.search_hints(self.prefer):
            rock |= known.mask(material)
        for material in self.prefer:
            rock &= ~known.mask(material)
        dig = navigation.diggable(known, state.inventory) & rock
        return dig if dig.any() else None

    @staticmethod
    def _toward(state: AgentState, cell: Position, tunnel: np.ndarray | None) -> str | None:
        """The next action on the way to a frontier `cell` (mining rock in the way when `tunnel`
        allows), or None when it cannot be reached."""
        known = state.known
        if tunnel is None:
            route = navigation.route_to_cell(known, state.position, cell)
        else:
            goal = np.zeros(known.area, bool)
            goal[cell] = True
            route = navigation.route_digging(known, state.position, goal, tunnel, optimistic=False)
        if route is None or not route.cells:
            return None
        step = route.cells[0]
        if tunnel is not None and tunnel[step] and state.facing_tile == step:
            return "do"
        return navigation.move_toward(state.position, step)

    def dig_action(self, state: AgentState) -> str | None:
        """The next step of a dig toward a known `prefer` tile (None when none is worth digging)."""
        known = state.known
        sought = np.zeros(known.area, bool)
        for material in self.prefer:
            sought |= known.mask(material)
        if not sought.any():
            return None
        dig = navigation.diggable(known, state.inventory) & ~sought
        if not dig.any():
            return None
        route = navigation.route_digging(
            known, state.position, navigation.adjacent_cells(sought), dig
        )
        if route is None or not route.cells:
            return None
        step = route.cells[0]
        if dig[step] and state.facing_tile == step:
            return "do"
        return navigation.move_toward(state.position, step)


class Explore(Skill):
    """Walk toward unseen ground for a number of steps."""

    default_timeout = 12

    def __init__(self, steps: int = 12, prefer: tuple[str, ...] = ()) -> None:
        super().__init__(timeout=steps + 1)
        self.name = "explore"
        self.budget = steps
        self.explorer = Explorer(prefer)

    def _step(self, state: AgentState) -> str | None:
        if self.steps >= self.budget:
            return self.succeed(f"explored for {self.steps} steps")
        action = self.explorer.action(state)
        if action is None:
            if self.steps:
                return self.succeed(f"explored for {self.steps} steps; no more reachable unknown")
            return self.fail("nothing left to explore")
        return action


class Navigate(Skill):
    """Walk to the nearest known tile of `targets` and face it (or, with reach="near", stand within
    the 3x3 area of one tile of every target, as making a tool needs; with `toward`, the tile on
    the shortest walk on through those materials, see `_toward`). Explores when none is known.
    Mines through rock and bridges water on the way when that is the way (or the shorter one),
    first collecting a stone to bridge with when none is held (`_fetch_bridge`)."""

    default_timeout = 120

    def __init__(
        self,
        targets: tuple[str, ...],
        reach: str = "adjacent",
        explore: bool = True,
        timeout: int | None = None,
        fetch_bridge: bool = True,
        toward: tuple[str, ...] = (),
    ) -> None:
        super().__init__(timeout)
        if reach not in ("adjacent", "near"):
            raise ValueError(f"invalid reach={reach!r}; allowed: adjacent, near")
        self.targets = tuple(targets)
        self.reach = reach
        self.name = f"navigate to {' and '.join(readable(t) for t in self.targets)}"
        self.explore = explore
        # May collect a unit to bridge with first (`_fetch_bridge`); never while fetching one.
        self.fetch_bridge = fetch_bridge
        # The materials the agent walks to next, in order (the last its goal): the tile is chosen
        # on the way there.
        self.toward = tuple(toward)
        self._on_the_way: tuple[int, np.ndarray] | None = None  # (step chosen, cells)
        self._fetch: Collect | None = None
        self.explorer = Explorer(self.targets)
        self._last_position: Position | None = None
        self._still = 0
        self.route: navigation.Route | None = None
        self._dig: np.ndarray | None = None  # the tiles the current route mines open
        self._bridge_mask: np.ndarray | None = None  # those it crosses by placing a stone first
        self._hit: np.ndarray | None = None  # the creatures' tiles the current route hits through

    def arrived(self, state: AgentState) -> bool:
        known = state.known
        if self.reach == "near":
            return set(self.targets) <= known.stations_nearby(state.position)
        tile = state.facing_tile
        return any(known.mask(t)[tile] for t in self.targets if _inside(known, tile))

    def _goal(self, state: AgentState) -> np.ndarray | None:
        known = state.known
        masks = [known.mask(t) for t in self.targets]
        if not all(m.any() for m in masks):
            return None
        if self.reach == "near":
            goal = np.ones(known.area, bool)
            for m in masks:
                goal &= navigation.crafting_cells(m)
            return goal
        material = np.logical_or.reduce(masks)
        # Leave tiles a teammate has the better claim to, while others are known (a split).
        free = material.copy()
        for tile in known.yielded_targets():
            free[tile] = False
        goal = navigation.adjacent_cells(free if free.any() else material)
        if not goal.any() and free.any():
            goal = navigation.adjacent_cells(material)
        return self._toward(state, goal)

    def _toward(self, state: AgentState, goal: np.ndarray) -> np.ndarray:
        """`goal`'s cells on the way through `toward` when those are known
        (`navigation.on_the_way`), chosen again every `ON_THE_WAY_EVERY` steps (the map grows) or
        when they stop being goal cells."""
        known = state.known
        if not self.toward or not goal.any() or not all(known.knows(m) for m in self.toward):
            return goal
        kept = self._on_the_way
        if kept is not None and state.step - kept[0] < ON_THE_WAY_EVERY and (kept[1] & goal).any():
            return kept[1] & goal
        # The walk on may mine the target's material too (stone, on the way to a diamond); the
        # walk there mines what this walk mines (`_dig_to`), or it could end where none leads.
        stops = [known.mask(material) for material in self.toward]
        dig_on = navigation.diggable(known, state.inventory)
        onward = navigation.onward_steps(known, stops[:-1], stops[-1], dig_on)
        cells = navigation.on_the_way(known, state.position, goal, onward, self._diggable(state))
        self._on_the_way = (state.step, cells)
        return cells

    def _announce(self, state: AgentState, route: navigation.Route) -> None:
        """Tell teammates which tile this walk ends at (see `KnownMap.yielded_targets`)."""
        if self.reach != "adjacent":
            return
        known = state.known
        end = route.end if route.cells else state.position
        yielded = set(known.yielded_targets())
        cells = [
            cell
            for cell in navigation.neighbours(end)
            if _inside(known, cell) and any(known.mask(t)[cell] for t in self.targets)
        ]
        cells.sort(key=lambda cell: cell in yielded)
        if cells:
            known.target = (cells[0], known.clock)

    def _step(self, state: AgentState) -> str | None:
        if self.arrived(state):
            return self.succeed(f"reached {' and '.join(readable(t) for t in self.targets)}")
        self._track(state.position)
        goal = self._goal(state)
        target_text = " and ".join(readable(t) for t in self.targets)
        if goal is None:
            return self._explore_or_fail(state, f"no {target_text} known")
        route = self._follow(state, goal)
        if route is None:
            route = navigation.route_to(state.known, state.position, goal)
            route = self._dig_shortcut(state, goal, route)
            if self._dig is None:
                route = self._through_creatures(state, goal, route)
            if route is None and self.toward:
                route = self._dig_to(state, goal)
            if route is None:
                route = self._bridge(state, goal)
        if route is None:
            route = self._approach(state, goal)
        if route is None:
            fetching = self._fetch is not None and not self._fetch.finished
            action = self._fetch_bridge(state, goal)
            if action is not None:
                return action
            if fetching:  # the unit to bridge with came (or cannot be had) this very step
                route = self._bridge(state, goal)
        self.route = route
        if route is None:
            return self._explore_or_fail(state, f"no path to {target_text}")
        self._announce(state, route)
        if route.cells and self._hit is not None and self._hit[route.cells[0]]:
            step = route.cells[0]
            if state.known.object_at(step) in HIT_THROUGH:
                # Facing it: hit it (it goes at its last hit); else turn to it.
                return (
                    "do"
                    if state.facing_tile == step
                    else navigation.move_toward(state.position, step)
                )
        if self._still >= 4 and route.cells:
            # Blocked by a teammate or creature that keeps its place: step aside once.
            self._still = 0
            return self._sidestep(state, route.cells[0])
        if route.cells:
            step = route.cells[0]
            material = state.known.material_at(step)
            if (
                self._dig is not None
                and self._dig[step]
                and state.facing_tile == step
                and material not in state.rules.walkable
            ):
                bridge = navigation.bridge_with(state.rules, state.inventory)
                if self._bridge_mask is not None and self._bridge_mask[step] and bridge:
                    if material in state.rules.place[bridge].where:
                        return f"place_{bridge}"  # then mine it to walkable ground, walk in
                return "do"  # mine the tile open, then walk in
            return navigation.move_toward(state.position, step)
        # At the spot next to the target: turn to it (moving into a blocked tile only turns).
        for cell in navigation.neighbours(state.position):
            if _inside(state.known, cell) and any(state.known.mask(t)[cell] for t in self.targets):
                return navigation.move_toward(state.position, cell)
        return self.fail(f"cannot face {target_text}")

    def _follow(self, state: AgentState, goal: np.ndarray) -> navigation.Route | None:
        """The rest of the previous route while it still holds (keeps walks from flip-flopping
        as creatures and teammates enter and leave the range where they count as obstacles)."""
        route = self.route
        if route is None or not route.cells:
            return None
        if route.cells[0] == state.position:
            rest = navigation.Route(route.cells[1:])
        elif self._bridge_mask is not None and state.facing_tile == route.cells[0]:
            rest = route  # it stayed to place or mine the tile ahead: the bridge goes on
        else:
            return None
        if not rest.cells or not goal[rest.end]:
            return None
        free = state.known.walkable(around=state.position)
        if self._dig is not None:
            free = free | (self._dig & navigation.diggable(state.known, state.inventory))
        if self._bridge_mask is not None:
            # The stone placed on one tile of the bridge is mined back before the next one.
            free = free | self._bridge_mask
        if not all(free[cell] or state.known.unknown[cell] for cell in rest.cells[:3]):
            return None
        return rest

    def _dig_shortcut(
        self, state: AgentState, goal: np.ndarray, walk: navigation.Route | None
    ) -> navigation.Route | None:
        """A route that mines through known rock or trees (with the tools held) when it saves
        at least `DIG_SAVING` steps over the walk `walk`: the way the team plans
        reach iron and diamonds inside mountains. Without a walk, exploration digs its own way
        (`Explorer.dig_action`)."""
        self._dig = self._bridge_mask = self._hit = None
        if walk is None or len(walk.cells) <= DIG_SAVING:
            return walk
        dig = self._diggable(state)
        dug = self._shorter_across(state, goal, walk, dig, DIG_SAVING)
        if dug is None:
            return walk
        self._dig = dig
        return dug

    def _dig_to(self, state: AgentState, goal: np.ndarray) -> navigation.Route | None:
        """With no walk, the route that mines its way to a `goal` cell: the unit chosen on the way
        (`_toward`) is often walled in by rock, and exploring would dig to another one."""
        dig = self._diggable(state)
        dug = navigation.route_digging(state.known, state.position, goal, dig)
        if dug is not None:
            self._dig = dig
        return dug

    def _through_creatures(
        self, state: AgentState, goal: np.ndarray, walk: navigation.Route | None
    ) -> navigation.Route | None:
        """The route through creatures in the way (`HIT_THROUGH`) when the walk round them is
        `CREATURE_DETOUR` steps longer or there is none; else `walk`."""
        known = state.known
        creatures = np.zeros(known.area, bool)
        for kind in HIT_THROUGH:
            creatures |= known.mask(kind)
        # Only those that block a walk now (near the agent); farther ones will have moved.
        creatures &= ~known.walkable(around=state.position)
        through = self._shorter_across(state, goal, walk, creatures, CREATURE_DETOUR)
        if through is None:
            return walk
        self._hit = creatures
        return through

    @staticmethod
    def _shorter_across(
        state: AgentState,
        goal: np.ndarray,
        walk: navigation.Route | None,
        across: np.ndarray,
        saving: int,
    ) -> navigation.Route | None:
        """The route that crosses `across` tiles (two steps each: `do`, then the move) when it
        is at least `saving` steps shorter than `walk`, or there is no walk; else None."""
        if not across.any():
            return None
        known = state.known
        route = navigation.route_digging(known, state.position, goal, across, optimistic=False)
        if route is None or not any(across[cell] for cell in route.cells):
            return None
        if walk is None or navigation.route_cost(known, route, across) + saving <= len(walk.cells):
            return route
        return None

    def _approach(self, state: AgentState, goal: np.ndarray) -> navigation.Route | None:
        """With no walk to the target and no tool held that opens a way, the walk to where a dig
        with the team's pickaxes starts (`approach`), for a target the agent cannot collect yet
        either: it waits there for a pickaxe a teammate brings. A target it can collect (a tree)
        is explored for, and so is everything by a player without teammates (it makes its tools
        itself; walking to the rock instead cost a lone agent the diamond on seed 6)."""
        rules = state.rules
        if not state.teammates or not any(
            state.inventory.get(tool, 0) < amount
            for target in self.targets
            if target in rules.collect
            for tool, amount in rules.collect[target].require.items()
        ):
            return None
        held = self._diggable(state)
        if held.any() and navigation.route_digging(state.known, state.position, goal, held, False):
            return None  # its own tools dig the way (`Explorer.dig_action`)
        route = approach(state, self.targets, goal)
        return route if route is not None and route.cells else None

    def _diggable(self, state: AgentState) -> np.ndarray:
        """Tiles the agent may mine open on its way: never the targets themselves."""
        dig = navigation.diggable(state.known, state.inventory)
        for target in self.targets:
            dig &= ~state.known.mask(target)
        return dig

    def _bridge(self, state: AgentState, goal: np.ndarray) -> navigation.Route | None:
        """With no walk and no dig, a route across known water (`navigation.bridgeable`: place
        a stone, mine it back to path, step in) and through rock the tools mine: a diamond on an
        island, which the rule data lets a player reach (None: no such route)."""
        found = self._bridged(state, goal, state.inventory)
        if found is None:
            return None
        route, dig, bridge = found
        self._dig, self._bridge_mask = dig | bridge, bridge
        return route

    def _bridged(
        self, state: AgentState, goal: np.ndarray, inventory: Mapping[str, int]
    ) -> tuple[navigation.Route, np.ndarray, np.ndarray] | None:
        """The route `_bridge` takes when the agent holds `inventory` (its dig and bridge tiles
        with it), or None when no route crosses a bridge."""
        bridge = navigation.bridgeable(state.known, inventory)
        if not bridge.any():
            return None
        dig = self._diggable(state)
        route = navigation.route_digging(
            state.known, state.position, goal, dig, optimistic=False, bridge=bridge
        )
        if route is None or not any(bridge[cell] for cell in route.cells):
            return None  # a dig alone: exploration digs its own way (`Explorer.dig_action`)
        return route, dig, bridge

    def _fetch_bridge(self, state: AgentState, goal: np.ndarray) -> str | None:
        """With no walk, dig or bridge to the target, the next step of collecting the unit a
        bridge would be built with (a stone: placed on the water, mined back, stepped in), when
        holding it opens a way; None once it is held, or when no such unit helps or can be had.
        Six agents, seed 229: the diamond lay across water, and the holder of the iron pickaxe,
        without a stone, waited 160 steps; a lone agent with the whole map missed seed 162 so."""
        if self._fetch is None:
            unit = self._bridge_unit(state, goal) if self.fetch_bridge else None
            material = material_yielding(state.rules, unit) if unit else None
            if material is None:
                return None
            self._fetch = Collect(material, fetch_bridge=False)
        return self._fetch.step(state)  # None when collected (or failed: not tried again)

    def _bridge_unit(self, state: AgentState, goal: np.ndarray) -> str | None:
        """The item whose one unit would let the agent bridge to `goal` (by the rule data's
        places: see `navigation.bridge_with`), or None."""
        inventory = state.inventory
        for rule in state.rules.place.values():
            short = shortfall(rule.uses, inventory)
            if rule.type != "material" or not short:
                continue
            if self._bridged(state, goal, {**inventory, **rule.uses}) is not None:
                return next(iter(short))
        return None

    def _track(self, position: Position) -> None:
        self._still = self._still + 1 if position == self._last_position else 0
        self._last_position = position

    def _sidestep(self, state: AgentState, blocked: Position) -> str:
        free = state.known.walkable(around=state.position)
        for cell in navigation.neighbours(state.position):
            if cell != blocked and _inside(state.known, cell) and free[cell]:
                return navigation.move_toward(state.position, cell)
        return "noop"

    def _explore_or_fail(self, state: AgentState, reason: str) -> str | None:
        # Without exploring (a walk to a station), a target walled in by rock is still dug to.
        if self.explore:
            action = self.explorer.action(state)
        else:
            action = self.explorer.dig_action(state)
        if action is not None:
            return action
        return self.fail(reason)


def approach(
    state: AgentState, targets: tuple[str, ...], goal: np.ndarray | None = None
) -> navigation.Route | None:
    """The walk to where the cheapest dig to `targets` (to a `goal` cell; by default any tile
    next to one) with every pickaxe of the rules starts: an agent whose pickaxe is on its way
    (the goal seeker, a feeder sent to iron inside a mountain) waits there, not where it stood
    (six agents, seed 107: the seeker waited 16 steps at the start for a wood pickaxe, then
    walked 22 steps and mined the diamond 8 steps after the iron pickaxe was made). No cells:
    the dig starts here; None: no route mines on its way."""
    known, rules = state.known, state.rules
    masks = [known.mask(t) for t in targets]
    if goal is None:
        goal = navigation.adjacent_cells(np.logical_or.reduce(masks))
    dig = navigation.diggable(known, dict.fromkeys(gathering_tools(rules), 1))
    for mask in masks:
        dig &= ~mask
    return navigation.approach(known, state.position, goal, dig)


def _inside(known: mapping.KnownMap, cell: Position) -> bool:
    return 0 <= cell[0] < known.area[0] and 0 <= cell[1] < known.area[1]


class Collect(Skill):
    """Face a tile of `material` and press `do` until `amount` more of what it yields arrived."""

    default_timeout = 150

    def __init__(
        self,
        material: str,
        amount: int = 1,
        timeout: int | None = None,
        fetch_bridge: bool = True,
        toward: tuple[str, ...] = (),
    ) -> None:
        super().__init__(timeout)
        if amount < 1:
            raise ValueError(f"invalid amount={amount!r}; allowed: an integer >= 1")
        self.material = material
        self.amount = amount
        self.fetch_bridge = fetch_bridge  # see `Navigate`
        self.toward = toward  # see `Navigate`
        self.navigate = self._navigate()
        self.start: int | None = None
        self.name = f"collect {material}"

    def _step(self, state: AgentState) -> str | None:
        rule = state.rules.collect.get(self.material)
        if rule is None:
            return self.fail(f"{readable(self.material)} cannot be collected")
        item = next(iter(rule.receive))
        self.name = f"collect {readable(item)}"
        have = state.inventory.get(item, 0)
        if self.start is None:
            self.start = have
        if have >= min(self.start + self.amount, state.rules.item_max(item)):
            return self.succeed(f"collected {have - self.start} {readable(item)}")
        missing = shortfall(rule.require, state.inventory)
        if missing:
            return self.fail(f"cannot collect {readable(item)}: {missing_text(missing)}")
        known = state.known
        tile = state.facing_tile
        if (
            _inside(known, tile)
            and known.material_at(tile) == self.material
            and not (known.objects[tile] and known.fresh[tile])
        ):
            return "do"
        action = self.navigate.step(state)
        if action is None:
            if self.navigate.status == FAILED:
                return self.fail(self.navigate.reason)
            # Arrived this very step: the facing tile is the target now.
            self.navigate = self._navigate()
            return "do"
        return action

    def _navigate(self) -> Navigate:
        return Navigate(
            (self.material,), timeout=10**6, fetch_bridge=self.fetch_bridge, toward=self.toward
        )


class Eat(Skill):
    """Walk up to a creature of `kind` and hit it until food rises."""

    default_timeout = 100

    def __init__(self, kind: str = "cow", timeout: int | None = None) -> None:
        super().__init__(timeout)
        self.kind = kind
        self.name = f"eat {kind}"
        self.navigate = Navigate((kind,), timeout=10**6)
        self.start: int | None = None

    def _step(self, state: AgentState) -> str | None:
        achievement = f"eat_{self.kind}"
        count = state.achievements.get(achievement, 0)
        if self.start is None:
            self.start = count
        if count > self.start:
            return self.succeed(f"ate a {self.kind}")
        if state.known.object_at(state.facing_tile) == self.kind:
            return "do"
        if self.navigate.finished:
            self.navigate = Navigate((self.kind,), timeout=10**6)
        action = self.navigate.step(state)
        if action is None and self.navigate.status == FAILED:
            return self.fail(self.navigate.reason)
        return action or "do"


class Place(Skill):
    """Put a station (or stone, plant) on a suitable tile in front of the agent."""

    default_timeout = 20

    def __init__(self, name: str, timeout: int | None = None) -> None:
        super().__init__(timeout)
        self.what = name
        self.name = f"place {readable(name)}"
        self.start: int | None = None

    def _step(self, state: AgentState) -> str | None:
        rule = state.rules.place.get(self.what)
        if rule is None:
            return self.fail(f"{readable(self.what)} cannot be placed")
        count = state.achievements.get(f"place_{self.what}", 0)
        if self.start is None:
            self.start = count
        if count > self.start:
            return self.succeed(f"placed {readable(self.what)} at {state.facing_tile}")
        missing = shortfall(rule.uses, state.inventory)
        if missing:
            return self.fail(f"cannot place {readable(self.what)}: {missing_text(missing)}")
        # A station is placed where the agent can use it at once (see `mapping.crafts_at`).
        station = self.what in state.rules.stations
        here = not station or mapping.crafts_at(state.position)
        if here and self._fits(state, state.facing_tile, rule):
            return f"place_{self.what}"
        # Step onto a free tile so that the tile beyond it (then in front) fits.
        free = state.known.walkable(around=state.position)
        for name, (dx, dy) in navigation.MOVES.items():
            x, y = state.position
            near, far = (x + dx, y + dy), (x + 2 * dx, y + 2 * dy)
            usable = not station or mapping.crafts_at(near)
            if (
                _inside(state.known, near)
                and free[near]
                and usable
                and self._fits(state, far, rule)
            ):
                return name
        for name, (dx, dy) in navigation.MOVES.items():
            near = (state.position[0] + dx, state.position[1] + dy)
            if _inside(state.known, near) and free[near]:
                return name
        return self.fail(f"no room to place {readable(self.what)}")

    def _fits(self, state: AgentState, tile: Position, rule: rules_lib.PlaceRule) -> bool:
        known = state.known
        if not _inside(known, tile) or (known.objects[tile] and known.fresh[tile]):
            return False
        if known.material_at(tile) not in rule.where:
            return False
        return self.what not in state.rules.stations or not self._walls_in(state, tile)

    @staticmethod
    def _walls_in(state: AgentState, tile: Position) -> bool:
        """Whether a station on `tile` would leave the agent less than half the ground it can
        reach now (walking, digging with every pickaxe of the rules, unknown ground counted
        open): a station is never walked through or mined, rock is once the pickaxe the station
        makes is held (a table in a passage through stone is fine). One agent, seed 439: a table
        placed in the only way out of a corridor between lava, the agent shut in for 320 steps."""
        known = state.known
        tools = dict.fromkeys(gathering_tools(state.rules), 1)
        ground = known.walkable(around=state.position) | navigation.diggable(known, tools)
        ground |= known.unknown
        ground[state.position] = True
        now = navigation.reachable(ground, state.position)
        ground[tile] = False
        return 2 * navigation.reachable(ground, state.position) < now


class Make(Skill):
    """Walk next to the stations a recipe needs and make the item."""

    default_timeout = 120

    def __init__(self, item: str, timeout: int | None = None) -> None:
        super().__init__(timeout)
        self.item = item
        self.name = f"make {readable(item)}"
        self.start: int | None = None
        self.navigate: Navigate | None = None

    def _step(self, state: AgentState) -> str | None:
        rule = state.rules.make.get(self.item)
        if rule is None:
            return self.fail(f"{readable(self.item)} cannot be made")
        count = state.achievements.get(f"make_{self.item}", 0)
        if self.start is None:
            self.start = count
        if count > self.start:
            return self.succeed(f"made {readable(self.item)}")
        missing = shortfall(rule.uses, state.inventory)
        if missing:
            return self.fail(f"cannot make {readable(self.item)}: {missing_text(missing)}")
        unknown = [s for s in rule.nearby if not state.known.knows(s)]
        if unknown:
            return self.fail(f"cannot make {readable(self.item)}: no {readable(unknown[0])} known")
        if set(rule.nearby) <= state.known.stations_nearby(state.position):
            return f"make_{self.item}"
        if self.navigate is None:
            self.navigate = Navigate(tuple(rule.nearby), reach="near", explore=False, timeout=10**6)
        action = self.navigate.step(state)
        if action is None:
            if self.navigate.status == FAILED:
                return self.fail(f"cannot make {readable(self.item)}: {self.navigate.reason}")
            return f"make_{self.item}"
        return action


class Share(Skill):
    """Give one unit of `item` to `teammate` (any distance), then check that it left."""

    default_timeout = 3

    def __init__(self, item: str, teammate: str, timeout: int | None = None) -> None:
        super().__init__(timeout)
        self.item = item
        self.teammate = teammate
        self.name = f"share {readable(item)} with {teammate}"
        self.start: int | None = None

    def _step(self, state: AgentState) -> str | None:
        have = state.inventory.get(self.item, 0)
        if self.start is not None:
            if have < self.start:
                return self.succeed(f"gave 1 {readable(self.item)} to {self.teammate}")
            return self.fail(f"sharing {readable(self.item)} with {self.teammate} had no effect")
        action = f"share_{self.item}_to_{self.teammate}"
        if action not in state.action_names:
            return self.fail(f"cannot share {readable(self.item)} with {self.teammate}")
        if have < 1:
            return self.fail(f"cannot share {readable(self.item)}: missing 1 {readable(self.item)}")
        self.start = have
        return action


class Sleep(Skill):
    """Sleep until energy is full and the agent woke up."""

    default_timeout = 150

    def __init__(self, timeout: int | None = None) -> None:
        super().__init__(timeout)
        self.name = "sleep"
        self.slept = False

    def _step(self, state: AgentState) -> str | None:
        energy_max = state.rules.item_max("energy")
        if state.sleeping:
            self.slept = True
            return "sleep"
        if self.slept:
            return self.succeed("woke up rested")
        if state.inventory.get("energy", energy_max) >= energy_max:
            return self.fail("not tired: energy is full")
        return "sleep"


class Wait(Skill):
    """Do nothing for a few steps (e.g. until a teammate's share arrives)."""

    def __init__(self, steps: int = 1) -> None:
        super().__init__(timeout=steps + 1)
        self.name = "wait"
        self.budget = steps

    def _step(self, state: AgentState) -> str | None:
        if self.steps >= self.budget:
            return self.succeed(f"waited {self.steps} steps")
        return "noop"
