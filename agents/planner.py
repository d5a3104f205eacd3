"""The scripted planner's plan choices: which plan toward a goal (a near station or a new one),
which step of it first (a nearer collect the inventory allows), and whether a goal material is
walled in by rock (the agent must dig to it).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping

import numpy as np

from agents import prerequisites
from agents.skills import library, navigation
from envs.mac import rules as rules_lib

# The rock that walls in the goal material (its pickaxe lets an agent dig through).
ROCK = "stone"
# A known station farther than this (steps) is replaced by a new one when that needs no more
# gathering than walking back.
STATION_REACH = 12
# Once the plan has nothing left to gather, a station farther than this is replaced when the
# places and the gathering they need cost fewer steps than the walk back.
LAST_WALK = 3
# A material this near (walking steps to a tile next to it) is gathered on the spot, at about
# `UNIT_STEPS` steps a unit (face it, mine it).
NEAR_MATERIAL = 4
UNIT_STEPS = 2
# A route on the way to the goal orders at most this many materials (every order is walked).
ORDERED = 4


def rock_tool(rules: rules_lib.Rules) -> str | None:
    """The pickaxe that mines `ROCK` (a walled-in target needs it to be reached)."""
    return prerequisites.goal_tool(rules, f"collect_{ROCK}")


def station_steps(state: library.AgentState) -> dict[str, float]:
    """Walking steps to the nearest cell where each known station can be used (inf when no walk
    reaches one; unknown ground counts as open)."""
    known = state.known
    dist = None
    steps = {}
    for name in state.stations_known:
        if dist is None:
            dist = navigation.distances(known, state.position, optimistic=True)
        cells = navigation.crafting_cells(known.mask(name)) & (dist >= 0)
        steps[name] = float(dist[cells].min()) if cells.any() else math.inf
    return steps


def plan_steps(
    state: library.AgentState,
    goal: str | None = None,
    wanted: Mapping[str, int] | None = None,
    spare: Mapping[str, int] | None = None,
) -> tuple[prerequisites.Step, ...]:
    """The plan toward `goal` (an achievement) or up to `wanted` item counts. A known station more
    than `STATION_REACH` steps away is left out (a new one is placed where the agent is) when
    that needs no more gathering than walking back: with the stone a tunnel yields, a furnace
    costs nothing but the `place`. Once nothing is left to gather but the walk to a station more
    than `LAST_WALK` steps away, a new one is placed when that costs fewer steps: from what the
    agent holds, from units of materials next to it (the stone around the iron; six agents,
    seed 119: a 20-step walk back with the iron), or from `spare`, what teammates hold and hand
    over at once (a share reaches any distance; six agents, seed 185: a 40-step walk back while
    feeders held stone). A known station no walk reaches counts as none."""
    rules, inventory = state.rules, state.inventory

    def plan(stations: frozenset[str]) -> tuple[prerequisites.Step, ...]:
        if goal is not None:
            return prerequisites.plan(rules, goal, inventory, stations)
        return prerequisites.plan_items(rules, wanted or {}, inventory, stations)

    reach = station_steps(state)
    # A station no walk reaches (say, placed where only a dug tunnel led) is as good as none.
    known = frozenset(name for name, walk in reach.items() if walk < math.inf)
    steps = plan(known)
    if not known:
        return steps
    near = frozenset(name for name, walk in reach.items() if walk <= STATION_REACH)
    if near != known:
        local = plan(near)
        if prerequisites.bill(local) == prerequisites.bill(steps):
            return local
    if prerequisites.bill(steps):
        return steps
    close = frozenset(name for name, walk in reach.items() if walk <= LAST_WALK)
    if close != known:
        local = plan(close)
        if _placing_beats_walking(state, steps, local, reach, spare or {}):
            return local
    return steps


def _placing_beats_walking(
    state: library.AgentState,
    steps: tuple[prerequisites.Step, ...],
    local: tuple[prerequisites.Step, ...],
    reach: Mapping[str, float],
    spare: Mapping[str, int],
) -> bool:
    """Whether `local`'s new stations cost fewer steps than the walk to the known ones `steps`
    uses: a step a place, `UNIT_STEPS` a unit gathered that neither the agent nor `spare` holds,
    and every such unit next to the agent (`_units_at_hand`)."""

    def placed(plan: tuple[prerequisites.Step, ...]) -> set[str]:
        return {step.target for step in plan if step.kind == "place"}

    replaced = placed(local) - placed(steps)
    if not replaced:
        return False
    extra = {
        item: amount - spare.get(item, 0)
        for item, amount in prerequisites.bill(local).items()
        if amount > spare.get(item, 0)
    }
    walk_back = max(reach[name] for name in replaced)
    cost = len(replaced) + UNIT_STEPS * sum(extra.values())
    return cost < walk_back and all(
        _units_at_hand(state, item) >= amount for item, amount in extra.items()
    )


def _units_at_hand(state: library.AgentState, item: str) -> int:
    """Units of `item` the agent can gather next to where it stands (tiles of its material within
    `NEAR_MATERIAL` steps, with the tool it holds); 0 when it lacks the tool."""
    material = library.material_yielding(state.rules, item)
    if material is None or not prerequisites.executable(
        state.rules, prerequisites.Step("collect", item), state.inventory
    ):
        return 0
    dist = navigation.distances(state.known, state.position)
    close = (dist >= 0) & (dist <= NEAR_MATERIAL)
    return int((state.known.mask(material) & navigation.adjacent_cells(close)).sum())


def walled_in(state: library.AgentState, material: str) -> bool:
    """Whether `material` is known but no walk reaches a tile next to it (unknown ground counts
    as open): the agent must dig its way there."""
    known = state.known
    tiles = known.mask(material)
    if not tiles.any():
        return False
    dist = navigation.distances(known, state.position, optimistic=True)
    return not (navigation.adjacent_cells(tiles) & (dist >= 0)).any()


def bound_for(state: library.AgentState, steps: tuple[prerequisites.Step, ...], goal: str) -> str:
    """The goal's material when the agent may take the rest of its units on the way there: the
    material is known and every make left in `steps` needs only stations the plan places after
    its last collect before that make (where the agent then stands: with the `damcs` rules, once
    the stone pickaxe is made, the furnace goes by the last unit). "" otherwise: a unit fetched
    toward the goal would cost a walk back to a station. A lone agent with the whole map made
    its iron pickaxe by the iron nearest its table, then walked 30-60 steps to the diamond."""
    target = library.goal_material(state.rules, goal)
    if target is None or not state.known.knows(target):
        return ""
    placed_since_collect: set[str] = set()
    for step in steps:
        if step.kind == "collect":
            placed_since_collect.clear()
        elif step.kind == "place":
            placed_since_collect.add(step.target)
        elif step.kind == "make" and not (
            set(state.rules.make[step.target].nearby) <= placed_since_collect
        ):
            return ""
    return target


@dataclasses.dataclass(frozen=True)
class OnTheWay:
    """A walk through the materials of a plan's collects to the goal's material: the collect to
    take first, the materials to pass after it (ending at the goal's) and the walk's steps."""

    step: prerequisites.Step
    toward: tuple[str, ...]
    walk: float


def best_route(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...], goal: str
) -> OnTheWay | None:
    """The shortest walk through the materials of `steps`' collects to the goal's material, when
    the agent may take the rest of its units on the way there (`bound_for`) and every collect
    left is ready: of every order of those materials, the one whose walk through them to the
    goal is shortest (`navigation.onward_steps`; at most `ORDERED` materials). None otherwise."""
    target = bound_for(state, steps, goal)
    if not target:
        return None
    firsts = _ready_collects(state, steps, target)
    if not firsts:
        return None
    found = _shortest_walk(state, tuple(firsts), target)
    if found is None:
        return None
    walk, order = found
    return OnTheWay(firsts[order[0]], (*order[1:], target), walk)


def gathering_walk(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...]
) -> float | None:
    """The shortest walk through the materials of `steps`' collects in any order, ending by the
    last (0 when the plan collects nothing); None when a collect is not ready or no walk is
    known. A walk back to a station the plan uses is not counted."""
    firsts = _ready_collects(state, steps, None)
    if firsts is None:
        return None
    if not firsts:
        return 0.0
    found = _shortest_walk(state, tuple(firsts), None)
    return None if found is None else found[0]


def _ready_collects(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...], skip: str | None
) -> dict[str, prerequisites.Step] | None:
    """The first collect of each material in `steps` but `skip`, when every one is ready, at most
    `ORDERED` materials, all known; None otherwise."""
    known, rules = state.known, state.rules
    firsts: dict[str, prerequisites.Step] = {}
    for step in steps:
        if step.kind != "collect":
            continue
        material = library.material_yielding(rules, step.target)
        if material == skip:
            continue
        if material is None or not prerequisites.executable(rules, step, state.inventory):
            return None
        firsts.setdefault(material, step)
    if len(firsts) > ORDERED or not all(known.knows(m) for m in firsts):
        return None
    return firsts


def _shortest_walk(
    state: library.AgentState, materials: tuple[str, ...], end: str | None
) -> tuple[float, tuple[str, ...]] | None:
    """Of every order of `materials`, the shortest walk from the agent to stand next to a tile
    of each in turn and then next to an `end` tile (None: the walk ends by the last material),
    mining what the agent's tools mine; (steps, order), or None when no walk is known."""
    known = state.known
    dig = navigation.diggable(known, state.inventory)
    here = navigation.dig_distances(known, state.position, dig, optimistic=True)
    best: tuple[float, tuple[str, ...]] | None = None
    for order in itertools.permutations(materials):
        if end is not None:
            stops, last = order[1:], end
        else:
            stops, last = order[1:-1], order[-1] if len(order) > 1 else None
        if last is None:
            then = np.zeros(known.area, np.int32)
        else:
            masks = [known.mask(material) for material in stops]
            then = navigation.onward_steps(known, masks, known.mask(last), dig)
        cells = navigation.adjacent_cells(known.mask(order[0])) & (here >= 0) & (then >= 0)
        if cells.any():
            total = float((here + then)[cells].min())
            if best is None or total < best[0]:
                best = (total, order)
    return best


def route_on_the_way(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...], goal: str
) -> tuple[prerequisites.Step, tuple[str, ...]] | None:
    """The collect to take next and the materials to pass after it, ending at the goal's, on the
    shortest walk through them to the goal (`best_route`). None when there is none."""
    route = best_route(state, steps, goal)
    return None if route is None else (route.step, route.toward)


def choose_step(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...]
) -> prerequisites.Step:
    """The plan's first step, or a step the plan takes later that costs less now: a make the
    inventory allows at a station already nearby (one step here, not a walk back after the
    gathering the plan lists first: a lone agent made its stone pickaxe after all five stones,
    or after a search for coal it needs only for the iron pickaxe), else a nearer collect the
    inventory already allows (one trip less). The plan is made again from the inventory at every
    decision, so taking a step early never leaves one out."""
    nearby = state.known.stations_nearby(state.position)
    for step in steps:
        if (
            step.kind == "make"
            and prerequisites.executable(state.rules, step, state.inventory)
            and set(state.rules.make[step.target].nearby) <= nearby
        ):
            return step
    first = steps[0]
    if first.kind != "collect":
        return first
    ready = [
        s
        for s in steps
        if s.kind == "collect" and prerequisites.executable(state.rules, s, state.inventory)
    ]
    if len(ready) < 2:
        return first
    dist = navigation.distances(state.known, state.position, optimistic=True)
    best, best_distance = first, math.inf
    for step in ready:
        material = library.material_yielding(state.rules, step.target)
        near = navigation.adjacent_cells(state.known.mask(material)) & (dist >= 0)
        if near.any():
            distance = float(dist[near].min())
            if distance < best_distance:
                best, best_distance = step, distance
    return best


def station_site(state: library.AgentState, steps: tuple[prerequisites.Step, ...]) -> str | None:
    """Where to place the station the plan places next, when it is used again after a gathering
    trip: the material of that trip's first collect (the table makes the wood pickaxe at once and
    the stone pickaxe after the coal and stone are mined: placed by the coal, the second make
    needs no walk back to the trees). None when the plan's first step places nothing, the
    station is not used again after a collect, the agent already stands next to the material, or
    no walk reaches it (`walled_in`: the tool the station makes opens the way, so the station
    goes where the agent stands; a walk toward it would search for a way in that is not there)."""
    if not steps or steps[0].kind != "place":
        return None
    station, trip = steps[0].target, None
    for step in steps[1:]:
        if step.kind == "collect" and trip is None:
            trip = step
        elif step.kind == "make" and trip is not None:
            if station in state.rules.make[step.target].nearby:
                material = library.material_yielding(state.rules, trip.target)
                known = state.known
                if (
                    material is None
                    or any(
                        known.material_at(cell) == material
                        for cell in navigation.neighbours(state.position)
                    )
                    or walled_in(state, material)
                ):
                    return None
                return material
    return None
