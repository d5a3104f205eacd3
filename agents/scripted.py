"""The scripted planner (not an LLM): a rule-based decision-maker over the option menu and skills.

It always takes the planner's best option toward its role's goal, looks after its vitals, and, in a
team, follows the DAMCS paper's S-CS roles by id: agent 0 crafts the tools, the last agent goes for
the goal material and receives the finished tool by `share`, everyone between supplies agent 0 with
what it still misses. It is the reference for what the architecture achieves with a perfect
decision-maker, and a fast method for the benchmark on a machine without a GPU.

On the scripted team's own board (positions and holdings posted each step) the roles use the
team as the optimal-team plans do (`agents.teamwork`): the crafter's bill is split one unit per
gatherer by who reaches it soonest, the crafter makes what it can at once and hands out copies of
the pickaxes so feeders mine in parallel, and the seeker asks for a pickaxe to dig to the goal.

Team knowledge (maps, what agent 0 still needs, placed stations) passes through a `TeamBoard` here;
who plays which role comes from the S-CS role policy (`agents.comms.roles`), and what each role does
lives in `Roles` alone so that a message-based version can replace the board.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agents import comms, options, prerequisites, teamwork
from agents import driver as driver_lib
from agents.comms import roles as comms_roles
from agents.skills import library, mapping, navigation
from envs import mac
from envs.mac import rules as rules_lib
from episode import team as team_lib

LABEL = "scripted (not an LLM)"
# Vitals at or below these levels interrupt the plan (max 9; each drops about every 20-30 steps).
# Sleep waits for energy 0: a sleep takes ~80 of the 350 steps, and health falls only slowly then.
VITAL_THRESHOLDS = {"drink": 3, "food": 3, "energy": 0}
# Crafter's life stats (in its code, not in the rule data): a vital drops by one every this many
# steps while awake, and health drops by one every `HEALTH_PERIOD` steps while any vital is at 0.
VITAL_PERIODS = {"drink": 21, "food": 26, "energy": 31}
HEALTH_PERIOD = 16
# A projected death this many steps or fewer after the episode's end still counts as dying in it.
SURVIVAL_MARGIN = 15
# Water or a cow this close (steps) is worth a stop while the vital is this far below its max.
ON_THE_WAY = {"distance": 3, "below_max": 3}
# The rock that walls in the goal material (its pickaxe lets an agent dig through).
ROCK = "stone"
# A known station farther than this (steps) is replaced by a new one when that costs no gathering.
STATION_REACH = 12
# A tool the crafter shared counts as the mate's for this many steps, until its status shows it.
HANDED_FOR = 5
# A seeker alone with the crafter goes to the goal once this few units of the bill are left.
SEEKER_LEAVES = 2
# At two agents the seeker supplies the crafter until this many plan steps are left to the tool;
# then, while the goal is unseen, it searches for it instead of fetching the last items (measured
# on the own map: 1.92 -> 1.77 and 1.73 -> 1.58 times the privileged steps on two sets of maps).
SEEKER_SEARCH_FROM = 3


@dataclass
class AgentStatus:
    """What one agent posts to its team each step."""

    inventory: dict[str, int] = field(default_factory=dict)
    position: tuple[int, int] = (0, 0)
    missing: dict[str, int] = field(default_factory=dict)
    remaining: int = 0
    fetching: str = ""
    alive: bool = True
    wants: str = ""  # a gathering tool this agent asks the crafter for (team dispatch)
    # Tools the crafter handed out, by (tool, teammate): the step it shared it.
    handed: dict[tuple[str, str], int] = field(default_factory=dict)


class TeamBoard:
    """Shared team knowledge for the scripted team: statuses and everyone's map."""

    def __init__(self) -> None:
        self.status: dict[str, AgentStatus] = {}
        self.maps: dict[str, mapping.KnownMap] = {}
        # Whether statuses carry positions and holdings, so that roles may split the bill by
        # unit and hand tools out (`agents.teamwork`); a board heard from messages does not.
        self.dispatch = False

    def reset(self) -> None:
        self.status.clear()
        self.maps.clear()


@dataclass(frozen=True)
class Decision:
    option: options.Option
    reason: str


def _vital_option(state: library.AgentState, vital: str) -> options.Option | None:
    if vital == "drink":
        return options.Option("drink")
    if vital == "food":
        edible = options.edible(state.rules)
        return options.Option("eat", edible[0]) if edible else None
    return options.Option("sleep")


def projected_death(state: library.AgentState) -> int:
    """The step at which the agent dies if it tends no vital from now on: the first vital to reach
    0, then one health every `HEALTH_PERIOD` steps (crafter's life stats)."""
    inventory = state.inventory
    present = [v for v in VITAL_PERIODS if v in inventory]
    if not present:
        return 10**9
    empty = min(state.step + inventory[v] * VITAL_PERIODS[v] for v in present)
    return empty + inventory.get("health", 9) * HEALTH_PERIOD


def goal_unseen(state: library.AgentState, goal: str) -> bool:
    """Whether the goal's material is still unseen: the episode will run long, and water or a cow
    passed on the way is worth a stop."""
    kind, _, item = goal.partition("_")
    material = library.material_yielding(state.rules, item) if kind == "collect" else None
    return material is not None and not state.known.knows(material)


def vital_need(
    state: library.AgentState, end: int | None = None, on_the_way: bool = False
) -> options.Option | None:
    """The vital the scripted agent tends first (drink, eat, sleep), or None when all are fine.

    Without `end`, any vital at its threshold. With `end` (the episode's last step), only one the
    agent would not live to the end without: the first to run out, once at its threshold (so a
    350-step episode needs one drink and no sleep), or, with `on_the_way` (while the agent still
    searches, so the end is far), a cheap one: water or a cow a few steps off."""
    inventory = state.inventory
    if end is None:
        for vital in ("drink", "food", "energy"):
            if inventory.get(vital, 9) <= VITAL_THRESHOLDS[vital]:
                option = _vital_option(state, vital)
                if option is not None:
                    return option
        return None
    if projected_death(state) > end + SURVIVAL_MARGIN:
        return None
    present = [v for v in VITAL_PERIODS if v in inventory]
    first = min(present, key=lambda v: (inventory[v] * VITAL_PERIODS[v], v))
    if inventory[first] <= VITAL_THRESHOLDS[first]:
        return _vital_option(state, first)
    return _vital_on_the_way(state) if on_the_way else None


def _vital_on_the_way(state: library.AgentState) -> options.Option | None:
    """Drink or eat when water or a cow is a few steps away and the vital is well below its max."""
    known = state.known
    dist = None
    sources = {"drink": library.material_yielding(state.rules, "drink")}
    edible = options.edible(state.rules)
    if edible:
        sources["food"] = edible[0]
    for vital, source in sources.items():
        level = state.inventory.get(vital)
        if source is None or level is None:
            continue
        if level > state.rules.item_max(vital) - ON_THE_WAY["below_max"]:
            continue
        near = navigation.adjacent_cells(known.mask(source))
        if not near.any():
            continue
        if dist is None:
            dist = navigation.distances(known, state.position)
        reach = near & (dist >= 0) & (dist <= ON_THE_WAY["distance"])
        if reach.any():
            return _vital_option(state, vital)
    return None


def stations_within(state: library.AgentState, reach: int) -> frozenset[str]:
    """The known stations the agent can stand next to within `reach` steps."""
    known = state.known
    dist = None
    near = set()
    for name in state.stations_known:
        if dist is None:
            dist = navigation.distances(known, state.position, optimistic=True)
        cells = navigation.near_cells(known.mask(name)) & (dist >= 0) & (dist <= reach)
        if cells.any():
            near.add(name)
    return frozenset(near)


def plan_steps(
    state: library.AgentState, goal: str | None = None, wanted: Mapping[str, int] | None = None
) -> tuple[prerequisites.Step, ...]:
    """The plan toward `goal` (an achievement) or up to `wanted` item counts. A known station more
    than `STATION_REACH` steps away is left out (a new one is placed where the agent is) when
    that needs no more gathering than walking back: with the stone a tunnel yields, a furnace
    costs nothing but the `place`."""
    rules, inventory = state.rules, state.inventory

    def plan(stations: frozenset[str]) -> tuple[prerequisites.Step, ...]:
        if goal is not None:
            return prerequisites.plan(rules, goal, inventory, stations)
        return prerequisites.plan_items(rules, wanted or {}, inventory, stations)

    known = state.stations_known
    steps = plan(known)
    if not known:
        return steps
    near = stations_within(state, STATION_REACH)
    if near != known:
        local = plan(near)
        if prerequisites.bill(local) == prerequisites.bill(steps):
            return local
    return steps


def walled_in(state: library.AgentState, material: str) -> bool:
    """Whether `material` is known but no walk reaches a tile next to it (unknown ground counts
    as open): the agent must dig its way there."""
    known = state.known
    tiles = known.mask(material)
    if not tiles.any():
        return False
    dist = navigation.distances(known, state.position, optimistic=True)
    return not (navigation.adjacent_cells(tiles) & (dist >= 0)).any()


def choose_step(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...]
) -> prerequisites.Step:
    """The plan's first step, or a nearer collect the inventory already allows (one trip less)."""
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


class Roles:
    """The scripted behaviour of each S-CS role; who plays which comes from a comms role policy.

    The paper's policy (the default) gives crafter (0), supplier (1), helpers, goal seeker (n-1);
    the scripted planner plays helpers as suppliers, since both feed the crafter.
    """

    def __init__(self, enabled: bool = True, policy: comms.RolePolicy | None = None) -> None:
        self.enabled = enabled
        self.policy = (policy or comms.PaperRoles()) if enabled else comms.NoRoles()

    def role(self, index: int, n_agents: int) -> str:
        role = self.policy.role(index, n_agents)
        return "supplier" if role in comms_roles.SUPPORT_ROLES else role

    def decide(self, agent: ScriptedAgent, state: library.AgentState) -> Decision:
        role = self.role(agent.spec.index, len(agent.spec.team))
        goal, rules = agent.spec.goal, state.rules
        tool = prerequisites.goal_tool(rules, goal)
        if role == "solo" or tool is None:
            return agent.toward(state, goal, "own plan to the goal")
        team = agent.spec.team
        crafter, seeker = team[0], team[-1]
        board = agent.board
        if state.inventory.get(tool, 0) > 0:
            mate_status = board.status.get(seeker)
            if role != "seeker" and mate_status and mate_status.alive:
                if mate_status.inventory.get(tool, 0) == 0:
                    return Decision(
                        options.Option("share", tool, seeker),
                        f"the {readable_role('seeker')} needs it",
                    )
            return agent.toward(state, goal, f"holding the {library.readable(tool)}")
        if role == "crafter":
            if board.dispatch:
                return self.dispatch_crafter(agent, state, tool)
            return agent.toward(state, f"make_{tool}", "crafter: make the tools")
        crafter_status = board.status.get(crafter)
        if crafter_status is None or not crafter_status.alive:
            return agent.toward(state, goal, "no crafter left: own plan to the goal")
        material = goal.partition("_")[2]
        # With helpers to supply the crafter, the seeker goes to the goal at once and waits there
        # for the tool (a share reaches any distance); alone with the crafter it supplies first.
        go_early = len(team) > 2
        if role == "seeker" and (go_early or _seeker_goes(board, team, crafter_status, rules)):
            target = library.material_yielding(rules, material)
            # With helpers, the seeker also searches for an unseen goal (navigation explores
            # toward where the generator puts it) while the others craft.
            if target and (state.known.knows(target) or go_early):
                if state.known.material_at(state.facing_tile) == target:
                    return Decision(options.Option("wait", amount=5), "seeker: wait for the tool")
                # A goal walled in by rock needs a pickaxe for the rock to be reached.
                rock_tool = prerequisites.goal_tool(rules, f"collect_{ROCK}")
                if (
                    rock_tool
                    and state.inventory.get(rock_tool, 0) == 0
                    and walled_in(state, target)
                ):
                    if board.dispatch:
                        return self.dig_tool(agent, state, rock_tool, crafter)
                    return agent.toward(
                        state, f"make_{rock_tool}", "seeker: a pickaxe to dig to the goal"
                    )
                if board.dispatch and rock_tool:
                    agent.status.wants = rock_tool if digging_pays(state, target, rock_tool) else ""
                return Decision(options.Option("navigate", target), "seeker: go to the goal")
        if board.dispatch:
            return self.dispatch_feeder(agent, state, crafter, crafter_status)
        search = self.search(agent, state, crafter_status)
        if search is not None:
            return search
        return self.supply(agent, state, crafter, crafter_status)

    def search(
        self, agent: ScriptedAgent, state: library.AgentState, status: AgentStatus
    ) -> Decision | None:
        """Search for the goal's material while nobody has seen it and this agent has nothing
        to give or fetch (the crafter's bill is covered or a teammate fetches each item): a
        feeder that would otherwise wait or start its own tools looks too, and maps are shared,
        so a sighting by anyone ends everyone's search. Navigating to an unseen material
        explores toward where the generator puts it; the frontiers teammates claim send them
        different ways. The seeker searches once the crafter is `SEEKER_SEARCH_FROM` plan steps
        from the tool (with helpers it went earlier). None when the agent should supply."""
        material = agent.spec.goal.partition("_")[2]
        target = library.material_yielding(state.rules, material)
        if target is None or state.known.knows(target):
            return None
        wanted = [item for item, amount in status.missing.items() if amount > 0]
        if any(state.inventory.get(item, 0) > 0 for item in wanted):
            return None
        seeker = self.role(agent.spec.index, len(agent.spec.team)) == "seeker"
        if seeker and status.remaining <= SEEKER_SEARCH_FROM:
            return Decision(options.Option("navigate", target), "seeker: search for the goal")
        team = agent.board.status
        taken = {s.fetching for aid, s in team.items() if aid != agent.spec.agent_id}
        if any(item not in taken for item in wanted):
            return None
        agent.status.fetching = ""
        return Decision(options.Option("navigate", target), "search for the unseen goal")

    def supply(
        self, agent: ScriptedAgent, state: library.AgentState, crafter: str, status: AgentStatus
    ) -> Decision:
        """Give the crafter what it misses; fetch what nobody holds yet."""
        rules = state.rules
        for item, amount in status.missing.items():
            if amount > 0 and state.inventory.get(item, 0) > 0:
                return Decision(
                    options.Option("share", item, crafter), f"supplier: crafter misses {item}"
                )
        wanted = [item for item, amount in status.missing.items() if amount > 0]
        if not wanted:
            return agent.toward(state, agent.spec.goal, "supplier: crafter needs nothing")
        taken = {s.fetching for aid, s in agent.board.status.items() if aid != agent.spec.agent_id}
        free = [item for item in wanted if item not in taken] or wanted
        helpers = len(agent.spec.team) - 1
        item = free[(agent.spec.index - 1) % helpers % len(free)]
        agent.status.fetching = item
        steps = prerequisites.plan_items(
            rules,
            {item: state.inventory.get(item, 0) + status.missing[item]},
            state.inventory,
            state.stations_known,
        )
        if not steps:
            return Decision(options.Option("explore"), "supplier: nothing to fetch")
        return Decision(
            options.Option.from_step(choose_step(state, steps)), f"supplier: fetch {item}"
        )

    # --- team dispatch (a board with positions and holdings: `agents.teamwork`) ----------------

    def crafter_steps(
        self, agent: ScriptedAgent, state: library.AgentState, tool: str
    ) -> tuple[prerequisites.Step, ...]:
        """The crafter's plan to the goal's tool, counting a gathering tool a teammate holds as
        its own (a stone pickaxe handed to the iron fetcher is not made again), plus the
        ingredients of the tool copies teammates ask for."""
        rules, me = state.rules, agent.spec.agent_id
        if any(s.inventory.get(tool, 0) for a, s in agent.board.status.items() if a != me):
            return ()  # the tool is made and handed over
        inventory = dict(state.inventory)
        for aid, status in agent.board.status.items():
            if aid == me or not status.alive:
                continue
            for held in teamwork.gathering_tools(rules) - {tool}:
                if status.inventory.get(held, 0) > 0 or _handed(agent.status, held, aid, state):
                    inventory[held] = max(inventory.get(held, 0), 1)
        steps = plan_steps(dataclasses.replace(state, inventory=inventory), goal=f"make_{tool}")
        copies: dict[str, int] = {}
        for aid, status in agent.board.status.items():
            wanted = status.wants
            if aid == me or not status.alive or not wanted or status.inventory.get(wanted, 0):
                continue
            if _handed(agent.status, wanted, aid, state):
                continue
            if state.inventory.get(wanted, 0) > copies.get(wanted, 0) + teamwork.KEEP.get(
                wanted, 0
            ):
                copies[wanted] = copies.get(wanted, 0) + 1  # one it holds goes out as it is
                continue
            copies[wanted] = copies.get(wanted, 0) + 1
            for use, amount in rules.make[wanted].uses.items():
                steps += (prerequisites.Step("collect", use, amount),)
        return steps

    def members(
        self, agent: ScriptedAgent, crafter: str, crafter_status: AgentStatus
    ) -> list[teamwork.Member]:
        """The team's gatherers: the crafter and the feeders (with the seeker while it supplies)."""
        team, board = agent.spec.team, agent.board
        found = []
        for index, aid in enumerate(team):
            status = board.status.get(aid)
            if status is None or not status.alive:
                continue
            role = self.role(index, len(team))
            if role == "seeker" and not _seeker_supplies(board, team, crafter_status, agent.rules):
                continue
            found.append(
                teamwork.Member(
                    aid, status.position, status.inventory, status.fetching, aid == crafter
                )
            )
        return found

    def jobs(
        self,
        agent: ScriptedAgent,
        state: library.AgentState,
        crafter: str,
        crafter_status: AgentStatus,
    ) -> dict[str, teamwork.Job]:
        """Who fetches which unit of the crafter's bill (everyone computes the same split)."""
        members = self.members(agent, crafter, crafter_status)
        held = [m.inventory for m in members if not m.crafter]
        bill = teamwork.units(crafter_status.missing, held)
        return teamwork.assign(state.rules, teamwork.Reach(state.known), members, bill)

    def dispatch_crafter(
        self, agent: ScriptedAgent, state: library.AgentState, tool: str
    ) -> Decision:
        """Make what can be made now (in the plan's order), then copies of the gathering tools
        teammates ask for, then fetch its own unit of the bill; else wait for deliveries."""
        rules, status = state.rules, agent.status
        steps = self.crafter_steps(agent, state, tool)
        known = state.stations_known
        for step in steps:
            if step.kind == "collect" or not prerequisites.executable(rules, step, state.inventory):
                continue
            if step.kind == "make" and not set(rules.make[step.target].nearby) <= known:
                continue
            status.fetching = ""
            return Decision(options.Option.from_step(step), "crafter: make what it can now")
        handed = self.hand_out(agent, state, tool)
        if handed is not None:
            status.fetching = ""
            return handed
        job = self.jobs(agent, state, agent.spec.agent_id, status).get(agent.spec.agent_id)
        if job is not None and not teamwork.lacking(rules, job.item, state.inventory):
            status.fetching = job.item
            return Decision(options.Option("collect", job.item), f"crafter: fetch {job.item}")
        status.fetching = ""
        unseen = [
            item
            for item, n in status.missing.items()
            if n > 0 and not state.known.knows(library.material_yielding(rules, item) or item)
        ]
        if not steps or unseen:  # its own plan searches for what nobody has seen
            return agent.toward(state, f"make_{tool}", "crafter: make the tools")
        return Decision(options.Option("wait"), "crafter: waiting for deliveries")

    def hand_out(
        self, agent: ScriptedAgent, state: library.AgentState, tool: str
    ) -> Decision | None:
        """Share a gathering tool a teammate asks for (one it holds beyond what it keeps), or
        make a copy when it holds the ingredients (walking back to the stations: a feeder
        waits at its material meanwhile); the seeker's request first."""
        rules, board = state.rules, agent.board
        # The seeker first: its dig to the goal is the longest way in the team.
        for aid in (agent.spec.team[-1], *agent.spec.team[:-1]):
            status = board.status.get(aid)
            if aid == agent.spec.agent_id or status is None or not status.alive:
                continue
            wanted = status.wants
            if not wanted or wanted == tool or status.inventory.get(wanted, 0) > 0:
                agent.status.handed.pop((wanted, aid), None)
                continue
            if _handed(agent.status, wanted, aid, state):
                continue
            if state.inventory.get(wanted, 0) > teamwork.KEEP.get(wanted, 0):
                agent.status.handed[(wanted, aid)] = state.step
                return Decision(
                    options.Option("share", wanted, aid), f"crafter: {aid} asks for {wanted}"
                )
            copy = prerequisites.Step("make", wanted)
            if prerequisites.executable(rules, copy, state.inventory) and set(
                rules.make[wanted].nearby
            ) <= set(state.stations_known):
                return Decision(options.Option("make", wanted), f"crafter: a copy for {aid}")
        return None

    def dispatch_feeder(
        self,
        agent: ScriptedAgent,
        state: library.AgentState,
        crafter: str,
        crafter_status: AgentStatus,
    ) -> Decision:
        """Hand the crafter what it misses; fetch this agent's unit of the bill, walking to the
        material to wait there for a tool the crafter hands over."""
        rules, status = state.rules, agent.status
        for item, amount in crafter_status.missing.items():
            if amount > 0 and state.inventory.get(item, 0) > 0:
                return Decision(
                    options.Option("share", item, crafter), f"supplier: crafter misses {item}"
                )
        job = self.jobs(agent, state, crafter, crafter_status).get(agent.spec.agent_id)
        if job is None:
            status.fetching, status.wants = "", ""
            if not any(n > 0 for n in crafter_status.missing.values()):
                return agent.toward(state, agent.spec.goal, "supplier: crafter needs nothing")
            goal_material = library.material_yielding(rules, agent.spec.goal.partition("_")[2])
            sought = [library.material_yielding(rules, i) for i in crafter_status.missing]
            for material in (*sought, goal_material):
                if material and not state.known.knows(material):
                    # Search where the generator puts it (navigation explores toward it).
                    return Decision(
                        options.Option("navigate", material), f"supplier: search for {material}"
                    )
            if navigation.frontier(state.known, state.position).any():
                return Decision(options.Option("explore"), "supplier: no unit left; exploring")
            return Decision(options.Option("wait"), "supplier: no unit left")
        status.fetching = job.item
        missing = teamwork.lacking(rules, job.item, state.inventory)
        status.wants = missing[0] if missing else ""
        if not missing:
            return Decision(options.Option("collect", job.item), f"supplier: fetch {job.item}")
        material = library.material_yielding(rules, job.item) or ""
        if state.known.material_at(state.facing_tile) == material:
            return Decision(options.Option("wait"), f"supplier: at {material}, waiting for a tool")
        return Decision(
            options.Option("navigate", material), f"supplier: to {material}, a tool is coming"
        )

    def dig_tool(
        self, agent: ScriptedAgent, state: library.AgentState, rock_tool: str, crafter: str
    ) -> Decision:
        """The seeker asks the crafter for the pickaxe that digs to the goal, and hands in what
        it holds that the crafter misses; it waits where it is until the pickaxe comes."""
        agent.status.wants = rock_tool
        crafter_status = agent.board.status.get(crafter)
        if crafter_status is not None:
            for item, amount in crafter_status.missing.items():
                if amount > 0 and state.inventory.get(item, 0) > 0:
                    return Decision(
                        options.Option("share", item, crafter), f"seeker: crafter misses {item}"
                    )
        return Decision(options.Option("wait"), f"seeker: waiting for a {rock_tool} to dig")


def _handed(status: AgentStatus, tool: str, mate: str, state: library.AgentState) -> bool:
    """Whether the crafter shared `tool` with `mate` in the last `HANDED_FOR` steps (the mate's
    posted status may not show it yet)."""
    when = status.handed.get((tool, mate))
    return when is not None and state.step - when < HANDED_FOR


def digging_pays(state: library.AgentState, material: str, tool: str) -> bool:
    """Whether holding `tool` (which mines rock) would shorten the way to `material` by at least
    `library.DIG_SAVING` steps: the crafter's copy of it is then worth asking for."""
    if state.inventory.get(tool, 0) > 0:
        return False
    known = state.known
    goal = navigation.adjacent_cells(known.mask(material))
    walk = navigation.distances(known, state.position)
    dig = navigation.diggable(known, {**state.inventory, tool: 1}) & ~known.mask(material)
    dug = navigation.dig_distances(known, state.position, dig)
    by_dig = dug[goal & (dug >= 0)]
    if not by_dig.size:
        return False
    by_walk = walk[goal & (walk >= 0)]
    return not by_walk.size or int(by_dig.min()) + library.DIG_SAVING <= int(by_walk.min())


def _seeker_goes(
    board: TeamBoard,
    team: tuple[str, ...],
    crafter_status: AgentStatus,
    rules: rules_lib.Rules,
) -> bool:
    """Whether a seeker alone with the crafter stops feeding it and goes to the goal."""
    if board.dispatch:
        return not _seeker_supplies(board, team, crafter_status, rules)
    return crafter_status.remaining <= 3


def _seeker_supplies(
    board: TeamBoard,
    team: tuple[str, ...],
    crafter_status: AgentStatus,
    rules: rules_lib.Rules,
) -> bool:
    """Whether the seeker feeds the crafter now: alone with it, while more than `SEEKER_LEAVES`
    units of the bill are left, or a unit needs a tool the seeker holds and the crafter lacks
    (the crafter's plan counts on the seeker then)."""
    if len(team) > 2:
        return False
    left = sum(max(n, 0) for n in crafter_status.missing.values())
    if left > SEEKER_LEAVES:
        return True
    seeker = board.status.get(team[-1])
    if seeker is None or left == 0:
        return False
    for item, n in crafter_status.missing.items():
        for tool in teamwork.lacking(rules, item, {}) if n > 0 else ():
            if seeker.inventory.get(tool, 0) and not crafter_status.inventory.get(tool, 0):
                return True
    return False


def readable_role(role: str) -> str:
    return {"seeker": "goal seeker", "crafter": "crafter"}.get(role, role)


class ScriptedAgent(team_lib.Agent):
    """Scripted (not an LLM): takes the planner's best option, keeps itself alive, follows roles.

    Its options run on a `driver.SkillDriver` like every other option-level decision-maker's; the
    agent adds only its decisions and when to re-plan (its own vital checks, so the driver's
    alerts are off).
    """

    def __init__(
        self, board: TeamBoard, roles: Roles, privileged_map: bool = False, share_maps: bool = True
    ) -> None:
        super().__init__()
        self.board = board
        self.roles = roles
        self.privileged_map = privileged_map
        self.share_maps = share_maps
        self.driver = driver_lib.SkillDriver(privileged_map=privileged_map, alerts=False)

    def reset(self, spec: team_lib.AgentSpec) -> None:
        super().reset(spec)
        self.rules = rules_lib.load(spec.rules)
        self.driver.reset(spec.agent_id, spec.team, self.rules, spec.action_names, spec.seed)
        self.status = AgentStatus()
        self.board.status[spec.agent_id] = self.status
        self.board.maps[spec.agent_id] = self.driver.known
        self.last_items: dict[str, int] = {}
        # The episode's last step: vitals are tended only as far as living to it needs.
        self.end = (spec.max_steps or self.rules.length) - 1
        self._trace: list[dict[str, Any]] = []

    @property
    def known(self) -> mapping.KnownMap:
        return self.driver.known

    @property
    def option(self) -> options.Option | None:
        return self.driver.option if self.driver.skill is not None else None

    # --- the step ---------------------------------------------------------------------------

    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        shared = tuple(self.board.maps.values()) if self.share_maps else ()
        state = self.driver.observe(info, shared)
        self._post_status(state, info)
        interrupt = "interrupted: re-planning" if self._should_replan(state) else ""
        action = None
        if self.driver.skill is not None and self.driver.skill.finished:
            self._close(state)
        elif self.driver.skill is not None:
            action = self.driver.advance(state, interrupt)
            if action is None:
                self._record()
        for _ in range(3):
            if action is not None:
                break
            action = self._begin(state)
        return self.driver.action_id(action)

    def _post_status(self, state: library.AgentState, info: Mapping[str, Any]) -> None:
        self.status.inventory = dict(state.inventory)
        self.status.position = state.position
        self.status.alive = bool(info.get("alive", True))
        tool = prerequisites.goal_tool(self.rules, self.spec.goal)
        if self.roles.role(self.spec.index, len(self.spec.team)) == "crafter" and tool:
            if self.board.dispatch:
                steps = self.roles.crafter_steps(self, state, tool)
            else:
                steps = plan_steps(state, goal=f"make_{tool}")
            if state.inventory.get(tool, 0) > 0:
                steps = ()
            self.status.missing = prerequisites.bill(steps)
            self.status.remaining = len(steps)

    def _should_replan(self, state: library.AgentState) -> bool:
        """Re-plan when items changed (a collect finished early, a share arrived) or vitals fell."""
        items = {k: v for k, v in state.inventory.items() if k not in self.rules.vitals}
        changed = items != self.last_items
        self.last_items = items
        if not self.driver.busy:
            return False
        option = self.driver.option
        if option is not None and option.kind in ("drink", "eat", "sleep"):
            return False
        vital = self.vital(state)
        if vital is not None and not self.driver.failed_recently(vital, state.step):
            return True
        if option is None or option.kind not in ("collect", "explore", "navigate", "wait"):
            return False
        if changed:
            return True
        # Now and then, check whether the role's choice moved on (e.g. the seeker's turn came).
        if state.step % 5 == 0:
            fresh = self.roles.decide(self, state).option
            return (fresh.kind, fresh.target) != (option.kind, option.target)
        return False

    def _begin(self, state: library.AgentState) -> str | None:
        """Decide and start an option; its first action (None if it ended at once)."""
        decision = self.decide(state)
        option = decision.option
        if self.driver.failed_recently(option, state.step):
            if navigation.frontier(state.known, state.position).any() and option.kind != "explore":
                option = options.Option("explore")
                decision = Decision(option, f"{decision.option.text} failed recently; exploring")
            else:
                option = options.Option("wait")
                decision = Decision(option, f"{decision.option.text} failed recently; waiting")
        self.count(decisions=1)
        self._trace.append(
            {
                "agent": self.spec.agent_id,
                "step": state.step,
                "decision": option.text,
                "reason": decision.reason,
                "method": LABEL,
            }
        )
        action = self.driver.start(option, state)
        if action is None:
            self._record()
        return action

    def _close(self, state: library.AgentState) -> None:
        """Close a skill that finished on its last action."""
        self.driver.finish(state)
        self._record()

    def _record(self) -> None:
        """Write the driver's last outcome into the trace entry of its decision."""
        if self._trace and self.driver.history:
            outcome = self.driver.history[-1]
            self._trace[-1]["result"] = outcome.status
            self._trace[-1]["outcome"] = outcome.reason

    # --- decisions --------------------------------------------------------------------------

    def decide(self, state: library.AgentState) -> Decision:
        """Vitals first, then the role's choice."""
        vital = self.vital(state)
        if vital is not None and not self.driver.failed_recently(vital, state.step):
            return Decision(vital, f"vitals: {vital.text}")
        return self.roles.decide(self, state)

    def vital(self, state: library.AgentState) -> options.Option | None:
        """The vital to tend now: only what living to the episode's end needs (`vital_need`)."""
        return vital_need(state, self.end, goal_unseen(state, self.spec.goal))

    def toward(self, state: library.AgentState, goal: str, why: str) -> Decision:
        """The planner's best option toward `goal` (an achievement)."""
        steps = plan_steps(state, goal=goal)
        if not steps:
            return Decision(options.Option("explore"), f"{why}: nothing to plan")
        step = choose_step(state, steps)
        return Decision(options.Option.from_step(step), f"{why}: {len(steps)} steps left")

    def trace(self) -> list[dict[str, Any]]:
        return list(self._trace)


class ScriptedTeam(team_lib.Team):
    """A team of scripted agents sharing one board."""

    def __init__(self, agents: list[ScriptedAgent], board: TeamBoard, config: dict) -> None:
        super().__init__(agents, config)
        self.board = board

    def reset(self, specs) -> None:
        self.board.reset()
        super().reset(specs)


def build_team(env: mac.EnvConfig, roles: bool = True) -> team_lib.Team:
    """A team of scripted (not an LLM) agents; `roles` turns the S-CS division of labour on."""
    board = TeamBoard()
    policy = Roles(enabled=roles)
    agents = [
        ScriptedAgent(board, policy, privileged_map=env.privileged_map) for _ in range(env.n_agents)
    ]
    # Two agents on their own explored maps keep the paper's supply roles: there the seeker's
    # search for the goal decides the steps, and the unit split measured slower (own map, 21
    # maps, 2 agents: 174 mean steps with it, 160 without; privileged and 6 agents gain).
    board.dispatch = roles and (env.privileged_map or env.n_agents > 2)
    team = ScriptedTeam(agents, board, {"roles": roles, "label": LABEL})
    team.method = "scripted"
    return team
