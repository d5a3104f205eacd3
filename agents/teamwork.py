"""Who in a scripted team fetches which unit of the crafter's bill, and which gathering tools the
crafter hands out, so that the team gathers in parallel as the optimal-team plans do
(`benchmark.studies.team_plans`: several players gather from step 1, each unit by whoever delivers
it soonest, tool copies passed to the fetchers).

Every agent computes the same assignment from what the team posts (positions, holdings, what each
fetches), so no agent needs to hear another's choice: one unit of the bill per gatherer, in the
bill's order (what the crafter needs first is fetched first; a unit that waits for a tool and lies
far from every feeder but its fetcher first of all, so that its fetcher walks there while the
tool is made), each by the gatherer that reaches the material soonest, counting the wait for a
tool it has yet to receive, and a unit that needs none not by a feeder holding a gathering tool a
later unit needs; a unit that needs a tool stays with the gatherer that fetches it (the tool is on
its way there), unless that gatherer holds the only copy and a feeder is `PASS_MARGIN` steps
nearer: then the unit and the tool pass to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from agents.skills import library, navigation
from envs.mac import rules as rules_lib

Position = tuple[int, int]
# Gathering tools the crafter hands to feeders: up to two copies of a cheap one (made of what
# needs no tool to gather, as the plans use), else the crafter's own one alone.
TOOL_COPIES = {"cheap": 2, "dear": 1}
# With this many feeders or more the bill is not split in the crafter's order alone: far units
# that wait for a tool come first (`early_first`), and a feeder holding a gathering tool a later
# unit needs is not sent for a unit that needs no tool while another member is free (`assign`).
# A lone feeder (two agents) fetches what the crafter needs first, as the two-agent plans do.
SPLIT_FROM = 2
# Steps until a feeder holds a tool the crafter holds (share), or can copy at once (make, share).
HANDOVER = {"held": 1, "copy": 2}
# A copy is made at the stations: a crafter farther from them than this (steps) adds its walk
# there to the wait of the feeder the copy is for.
COPY_REACH = 3
# Gathering tools the crafter keeps one of when teammates ask (it mines stone and coal itself);
# with `HAND_OWN_FROM` feeders or more only while the unit it fetches needs it (`kept`).
KEEP = {"wood_pickaxe": 1}
HAND_OWN_FROM = 3
# A guess of the steps until a tool nobody holds yet reaches a feeder.
UNMADE = 12
# A gatherer's current unit is kept unless another is this many steps sooner (no dithering).
KEEP_MARGIN = 3
# A fetcher holding the only copy of a tool passes it (and the unit) to a feeder this many
# steps sooner: a new sighting near a teammate ends a long walk (own map, six agents).
PASS_MARGIN = 8
# A unit that needs a tool and lies farther than this many walking steps from every free feeder
# is assigned before the bill's earlier units, so its fetcher walks there while the tool is made
# (as the optimal-team plans do: six agents, seed 102, the iron 20 steps west and its fetcher
# leaving only once the stone pickaxe was in its hands, at step 37).
FAR_UNIT = UNMADE


@dataclass(frozen=True)
class Member:
    """One gatherer as the team board shows it."""

    agent_id: str
    position: Position
    inventory: Mapping[str, int]
    fetching: str = ""
    crafter: bool = False


@dataclass(frozen=True)
class Job:
    """One unit of `item` to fetch; `tool` is the gathering tool the item itself needs and the
    gatherer lacks (a copy counted against `TOOL_COPIES`; "" if held), `tools` every tool to
    receive, earliest first (with the pickaxes that mine the rock around the material)."""

    item: str
    tool: str = ""
    steps: float = 0.0
    tools: tuple[str, ...] = ()


def copies(rules: rules_lib.Rules, tool: str) -> int:
    """How many feeders may hold `tool` (see `TOOL_COPIES`)."""
    cheap = True
    for use in rules.make[tool].uses:
        material = library.material_yielding(rules, use)
        cheap &= material is not None and not rules.collect[material].require
    return TOOL_COPIES["cheap" if cheap else "dear"]


def units(missing: Mapping[str, int], held: Iterable[Mapping[str, int]]) -> list[str]:
    """The bill's units nobody holds yet, one entry per unit, in the bill's order."""
    out = []
    for item, count in missing.items():
        count -= sum(inventory.get(item, 0) for inventory in held)
        out += [item] * max(count, 0)
    return out


def needs_tool(rules: rules_lib.Rules, item: str) -> bool:
    """Whether collecting `item` requires a tool."""
    material = library.material_yielding(rules, item)
    return material is not None and bool(rules.collect[material].require)


def lacking(rules: rules_lib.Rules, item: str, inventory: Mapping[str, int]) -> list[str]:
    """The tools collecting `item` requires that `inventory` lacks."""
    material = library.material_yielding(rules, item)
    if material is None:
        return []
    need = rules.collect[material].require
    return [t for t, n in need.items() if inventory.get(t, 0) < n]


def kept(rules: rules_lib.Rules, tool: str, fetching: str, feeders: int) -> int:
    """How many of `tool` the crafter keeps when teammates ask (`KEEP`): with many feeders
    none unless the unit it fetches needs the tool (six agents, seed 104: a feeder waited at
    the stone while the crafter, waiting for deliveries, held the only wood pickaxe; with one
    feeder the seeker would take the crafter's own)."""
    if feeders >= HAND_OWN_FROM and not (fetching and tool in lacking(rules, fetching, {})):
        return 0
    return KEEP.get(tool, 0)


def _held(member: Member, tools: Iterable[str]) -> frozenset[str]:
    """The gathering tools among `tools` that `member` holds."""
    return frozenset(t for t in tools if member.inventory.get(t, 0) > 0)


def tool_chain(rules: rules_lib.Rules, tool: str) -> tuple[str, ...]:
    """`tool` after the gathering tools that gather what it is made of, earliest first (the wood
    pickaxe, then the stone one): the material `tool` collects lies in the rock those earlier
    tools open, and a feeder handed the stone pickaxe alone cannot mine the stone around iron."""
    chain: list[str] = []
    for use in rules.make[tool].uses:
        material = library.material_yielding(rules, use)
        for needed in rules.collect[material].require if material else ():
            if needed in rules.make:
                chain += [t for t in tool_chain(rules, needed) if t not in chain]
    return (*chain, tool)


def tools_to_fetch(
    rules: rules_lib.Rules, item: str, inventory: Mapping[str, int], walled_in: bool
) -> list[str]:
    """The tools a gatherer lacks to collect `item`, earliest first; when its material may be
    walled in by rock (`walled_in`), with the tools that mine that rock (see `tool_chain`)."""
    if not walled_in:
        return lacking(rules, item, inventory)
    material = library.material_yielding(rules, item)
    out: list[str] = []
    for tool in rules.collect[material].require if material else ():
        out += [t for t in tool_chain(rules, tool) if t not in out and not inventory.get(t, 0)]
    return out


class Reach:
    """Walking steps from members to the nearest tile of each material, on one known map; with
    tools, a dig to it through the rock they mine counts where the collect skill would take it
    (`library.DIG_SAVING` steps shorter than the walk, or the only way in)."""

    def __init__(self, known) -> None:
        self.known = known
        self._dist: dict[Position, np.ndarray] = {}
        self._known_dist: dict[Position, np.ndarray] = {}
        self._dug: dict[tuple[Position, str, frozenset[str]], float] = {}

    def walkable(self, position: Position, material: str) -> bool:
        """Whether a walk over known ground reaches a tile next to `material`: if not, it may be
        walled in by rock (its tiles seen so far all are), and a gatherer takes the tools that
        dig (see `tools_to_fetch`)."""
        if position not in self._known_dist:
            self._known_dist[position] = navigation.distances(self.known, position)
        near = navigation.adjacent_cells(self.known.mask(material))
        return bool((self._known_dist[position][near] >= 0).any())

    def steps(
        self, position: Position, material: str, tools: frozenset[str] = frozenset()
    ) -> float:
        # Six agents, own map, seed 174: the holder of the iron pickaxe three tiles from the
        # diamond, behind stone it could mine, counted the 35-step walk around and handed the
        # pickaxe to a teammate 34 tiles away.
        if position not in self._dist:
            self._dist[position] = navigation.distances(self.known, position, optimistic=True)
        dist = self._dist[position]
        tiles = self.known.mask(material)
        around = navigation.adjacent_cells(tiles)
        near = around & (dist >= 0)
        walk = float(dist[near].min()) if near.any() else float("inf")
        if not tiles.any() or not tools:
            return walk
        xs, ys = np.nonzero(around)
        fewest = int((np.abs(xs - position[0]) + np.abs(ys - position[1])).min())
        if fewest + library.DIG_SAVING > walk:
            return walk  # no dig can be that much shorter: it takes a step per tile at least
        dug = self._dig_steps(position, material, tools)
        return dug if dug + library.DIG_SAVING <= walk else walk

    def _dig_steps(self, position: Position, material: str, tools: frozenset[str]) -> float:
        """Steps of the shortest way to `material` over known ground mining what `tools` mine
        (two steps a mined tile); inf when there is none."""
        key = (position, material, tools)
        if key not in self._dug:
            tiles = self.known.mask(material)
            dig = navigation.diggable(self.known, dict.fromkeys(tools, 1)) & ~tiles
            goal = navigation.adjacent_cells(tiles)
            route = navigation.route_digging(self.known, position, goal, dig, optimistic=False)
            self._dug[key] = (
                float("inf") if route is None else navigation.route_cost(self.known, route, dig)
            )
        return self._dug[key]


def tool_eta(
    tool: str, crafter: Member | None, rules: rules_lib.Rules, reach: Reach, feeders: int
) -> float:
    """Steps until the crafter can hand `tool` over: it holds a spare one, can make one now (plus
    its walk back to the stations when they are farther than `COPY_REACH`), or not yet."""
    if crafter is None:
        return float("inf")
    if crafter.inventory.get(tool, 0) > kept(rules, tool, crafter.fetching, feeders):
        return HANDOVER["held"]
    if not library.shortfall(rules.make[tool].uses, crafter.inventory):
        walk = max((reach.steps(crafter.position, s) for s in rules.make[tool].nearby), default=0)
        return HANDOVER["copy"] + (walk if walk > COPY_REACH else 0)
    return UNMADE


def early_first(
    rules: rules_lib.Rules, reach: Reach, members: Sequence[Member], bill: Sequence[str]
) -> list[str]:
    """The bill in the order units are assigned: the first unit of each material that needs a
    tool and lies `FAR_UNIT` walking steps or more from every feeder not already fetching it
    comes first (its walk is the longest lead in the chain), then the rest in the bill's
    order."""
    feeders = [m for m in members if not m.crafter]
    if len(feeders) < SPLIT_FROM:
        return list(bill)
    early: list[str] = []
    for item in dict.fromkeys(bill):
        material = library.material_yielding(rules, item)
        if material is None or not needs_tool(rules, item) or not reach.known.knows(material):
            continue
        if any(not lacking(rules, item, m.inventory) for m in feeders):
            continue
        # Digging with every tool that will come (the collect skill tunnels when that is shorter).
        dig = frozenset(tools_to_fetch(rules, item, {}, walled_in=True))
        # From the feeders not fetching it already: as its fetcher nears it, the unit stays first
        # (six agents, seed 107: a fetcher six steps from its iron after a 19-step walk was
        # sent to the tree beside it, the iron fell to a feeder 25 steps off).
        others = [m for m in feeders if m.fetching != item] or feeders
        walk = min(reach.steps(m.position, material, dig) for m in others)
        if FAR_UNIT <= walk < float("inf"):
            early.append(item)
    rest = list(bill)
    for item in early:
        rest.remove(item)
    return [*early, *rest]


def assign(
    rules: rules_lib.Rules,
    reach: Reach,
    members: Sequence[Member],
    bill: Sequence[str],
) -> dict[str, Job]:
    """One unit of the bill per member (agent id -> job), in the bill's order (`early_first`: far
    units that wait for a tool come first), each to the member that can collect it soonest:
    walking steps to the material, or the wait for a tool to reach it (the crafter makes its
    tools itself, but none a feeder holds; a feeder receives one of at most `TOOL_COPIES` per
    tool). A member keeps the item it fetches unless another member is `KEEP_MARGIN` sooner. A
    unit that needs no tool goes to a feeder holding a gathering tool a later unit needs only when
    nobody else is free (`SPLIT_FROM` feeders or more). A unit of a material no one has seen goes
    to a free feeder (its collect searches)."""
    crafter = next((m for m in members if m.crafter), None)
    feeders = sum(not m.crafter for m in members)
    tools = library.gathering_tools(rules)
    handed = {t: sum(m.inventory.get(t, 0) > 0 for m in members if not m.crafter) for t in tools}
    budget = {t: copies(rules, t) - handed[t] for t in tools}
    jobs: dict[str, Job] = {}
    unseen: list[str] = []

    def passed(member: Member, item: str, tool: str) -> bool:
        """Whether another feeder fetching `item` holds `tool`: losing the unit, it passes the
        tool on (a share), so the tool reaches `member` at once, beyond the copy budget."""
        return any(
            m.fetching == item and not m.crafter and m.inventory.get(tool, 0) > 0
            for m in members
            if m is not member
        )

    def cost(member: Member, item: str) -> tuple[float, tuple[str, ...]]:
        material = library.material_yielding(rules, item)
        if material is None:
            return float("inf"), ()
        direct = lacking(rules, item, member.inventory)
        held = _held(member, tools)
        walk = reach.steps(member.position, material, held | set(direct))
        walled = not reach.walkable(member.position, material)
        if not direct and (walk < float("inf") and not walled or member.crafter):
            return walk, ()
        if (
            len(direct) == 1
            and budget.get(direct[0], 0) <= 0
            and not member.crafter
            and not walled
            and passed(member, item, direct[0])
        ):
            return max(walk, float(HANDOVER["held"])) + PASS_MARGIN - KEEP_MARGIN, tuple(direct)
        if len(direct) > 1 or member.crafter or (direct and budget.get(direct[0], 0) <= 0):
            # The crafter makes its own tools in its plan's order; feeders wait for a copy. A
            # tool a feeder holds is not in the crafter's plan (the team holds one): the crafter
            # would wait for it (two agents, seed 2: 40 steps while the feeder fetched the stone).
            if member.crafter and len(direct) == 1 and not handed[direct[0]]:
                return max(walk, UNMADE), ()
            return float("inf"), tuple(direct[:1])
        # Behind rock, the tools that mine the rock too (copies of cheap ones, beyond the budget).
        needed = tools_to_fetch(rules, item, member.inventory, walled)
        if not needed:
            return walk, ()
        if len(needed) > len(direct):
            walk = reach.steps(member.position, material, held | set(needed))
        wait = max(tool_eta(t, crafter, rules, reach, feeders) for t in needed)
        return max(walk, wait + HANDOVER["held"] * (len(needed) - 1)), tuple(needed)

    order = early_first(rules, reach, members, bill)
    for index, item in enumerate(order):
        free = [m for m in members if m.agent_id not in jobs]
        if not free:
            break
        if not needs_tool(rules, item) and feeders >= SPLIT_FROM:
            # A feeder holding a gathering tool a later unit needs is kept for that unit (a
            # copy costs the crafter a unit and two steps; six agents, seed 107: two feeders
            # holding wood pickaxes were sent to trees while six stones waited).
            later = {t for u in order[index + 1 :] for t in lacking(rules, u, {})}
            spare = [m for m in free if m.crafter or not later & _held(m, tools)]
            free = spare or free
        scored = sorted(
            (cost(m, item) + (m.fetching != item, i, m) for i, m in enumerate(free)),
            key=lambda s: (s[0], s[2], s[3]),
        )
        best = scored[0]
        keeper = next((s for s in scored if s[4].fetching == item), None)
        if keeper is not None and keeper[0] < float("inf"):
            # A unit that needs a tool stays with its fetcher while the tool is on its way to it;
            # one whose fetcher holds the tool goes to a feeder `PASS_MARGIN` sooner (its cost
            # carries the margin beyond `KEEP_MARGIN`), and the fetcher passes the tool on.
            arriving = needs_tool(rules, item) and bool(lacking(rules, item, keeper[4].inventory))
            if keeper[0] <= best[0] + KEEP_MARGIN or arriving:
                best = keeper
        steps, needed, member = best[0], best[1], best[4]
        if steps == float("inf"):
            unseen.append(item)
            continue
        # The tool the item itself needs (a counted copy); the crafter makes its own.
        tool = next(iter(lacking(rules, item, member.inventory)), "") if needed else ""
        if tool:
            budget[tool] -= 1
        jobs[member.agent_id] = Job(item, tool, steps, needed)
    # A unit of a material nobody has seen goes to a free feeder, whose collect searches for it.
    for item in unseen:
        material = library.material_yielding(rules, item)
        if material is None or reach.known.knows(material):
            continue
        free = [m for m in members if m.agent_id not in jobs and not m.crafter]
        if free:
            needed = tools_to_fetch(rules, item, free[0].inventory, walled_in=True)
            tool = next(iter(lacking(rules, item, free[0].inventory)), "")
            jobs[free[0].agent_id] = Job(item, tool, float("inf"), tuple(needed))
    return jobs
