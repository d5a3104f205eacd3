"""What each S-CS role does in the scripted team (not an LLM): the crafter, its feeders and the
goal seeker, deciding from a `TeamBoard` of posted statuses; who plays which role comes from the
comms role policy (`agents.comms.roles`).

On the scripted team's own board (positions and holdings posted each step) the roles use the team
as the optimal-team plans do (`agents.teamwork`): the crafter's bill is split one unit per gatherer
by who reaches it soonest, the crafter makes what it can at once and hands out copies of the
pickaxes so feeders mine in parallel, and the seeker asks for a pickaxe to dig to the goal. In
every team the goal's tool goes to the seeker once the goal is seen and the seeker is nearer it
(a share reaches any distance): while the goal is unseen its holder searches too. The oracle
control calls the same `Roles` on a board built from the messages an LLM agent heard.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents import comms, options, planner, prerequisites, teamwork
from agents.comms import roles as comms_roles
from agents.skills import library, mapping, navigation
from envs.mac import rules as rules_lib

if TYPE_CHECKING:
    from agents.scripted import ScriptedAgent

# A tool the crafter shared counts as the mate's for this many steps, until its status shows it.
HANDED_FOR = 5
# A seeker alone with the crafter goes to the goal once this few units of the bill are left.
SEEKER_LEAVES = 2
# At two agents the seeker supplies the crafter until this many plan steps are left to the tool;
# then, while the goal is unseen, it searches for it instead of fetching the last items (measured
# on the own map: 1.92 -> 1.77 and 1.73 -> 1.58 times the privileged steps on two sets of maps).
SEEKER_SEARCH_FROM = 3
# The holder of the goal's tool hands it to a teammate that reaches the goal this many steps
# sooner (one step for the share, and a margin against handing it back and forth).
HAND_OFF = 3


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
        target = library.goal_material(rules, goal)
        if state.inventory.get(tool, 0) > 0:
            receiver = self.tool_receiver(agent, state, tool, role)
            if receiver is not None:
                return Decision(options.Option("share", tool, receiver[0]), receiver[1])
            return agent.toward(state, goal, f"holding the {library.readable(tool)}")
        if role == "crafter":
            handed = board.status.get(seeker)
            if (
                handed is not None
                and handed.alive
                and handed.inventory.get(tool, 0) > 0
                and target is not None
                and not state.known.knows(target)
            ):
                # The seeker holds the tool: another pair of eyes finds the goal sooner than a
                # second tool would.
                return Decision(
                    options.Option("navigate", target), "crafter: the seeker holds the tool; search"
                )
            if board.dispatch:
                return self.dispatch_crafter(agent, state, tool)
            return agent.toward(state, f"make_{tool}", "crafter: make the tools")
        crafter_status = board.status.get(crafter)
        if crafter_status is None or not crafter_status.alive:
            return agent.toward(state, goal, "no crafter left: own plan to the goal")
        # With helpers to supply the crafter, the seeker goes to the goal at once and waits there
        # for the tool (a share reaches any distance); alone with the crafter it supplies first.
        go_early = len(team) > 2
        if role == "seeker" and (go_early or _seeker_goes(board, team, crafter_status, rules)):
            # With helpers, the seeker also searches for an unseen goal (navigation explores
            # toward where the generator puts it) while the others craft.
            if target and (state.known.knows(target) or go_early):
                if state.known.material_at(state.facing_tile) == target:
                    return Decision(options.Option("wait", amount=5), "seeker: wait for the tool")
                # A goal walled in by rock needs a pickaxe for the rock to be reached.
                rock_tool = prerequisites.goal_tool(rules, f"collect_{planner.ROCK}")
                if (
                    rock_tool
                    and state.inventory.get(rock_tool, 0) == 0
                    and planner.walled_in(state, target)
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

    def tool_receiver(
        self, agent: ScriptedAgent, state: library.AgentState, tool: str, role: str
    ) -> tuple[str, str] | None:
        """Whom the holder of the goal's tool hands it to (teammate, reason), or None to use it
        itself. While the goal is unseen nobody: the holder searches too, and a share reaches any
        distance once anyone sees it. Once it is seen, whoever reaches it soonest (positions are
        on the board), digging with the tools it holds, when `HAND_OFF` steps sooner than the
        holder: the seeker waiting there, or a feeder that found the diamond, mines it at once."""
        team, board = agent.spec.team, agent.board
        target = library.goal_material(state.rules, agent.spec.goal)
        if target is None:
            seeker = board.status.get(team[-1])
            if role != "seeker" and seeker and seeker.alive and not seeker.inventory.get(tool, 0):
                return team[-1], f"the {readable_role('seeker')} needs it"
            return None
        if not state.known.knows(target):
            return None
        reach = teamwork.Reach(state.known)
        diggers = teamwork.gathering_tools(state.rules)

        def steps(position: mapping.Position, inventory: dict[str, int]) -> float:
            held = frozenset(t for t in diggers if inventory.get(t, 0) > 0) | {tool}
            return reach.steps(position, target, held)

        own = steps(state.position, state.inventory)
        best: tuple[float, str] | None = None
        for aid in team:
            status = board.status.get(aid)
            if aid == agent.spec.agent_id or status is None or not status.alive:
                continue
            if status.inventory.get(tool, 0):
                continue
            theirs = steps(status.position, status.inventory)
            if theirs + HAND_OFF <= own and (best is None or theirs < best[0]):
                best = (theirs, aid)
        if best is None:
            return None
        return best[1], f"{best[1]} reaches the {library.readable(target)} sooner"

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
        target = library.goal_material(state.rules, agent.spec.goal)
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
            options.Option.from_step(planner.choose_step(state, steps)), f"supplier: fetch {item}"
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
        steps = planner.plan_steps(
            dataclasses.replace(state, inventory=inventory), goal=f"make_{tool}"
        )
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
                # Recorded in `handed` when the share starts (`ScriptedAgent._begin`), not here:
                # the re-planning check asks for a decision it may not take.
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
        jobs = self.jobs(agent, state, crafter, crafter_status)
        job = jobs.get(agent.spec.agent_id)
        stuck = jobs.get(crafter)
        if job is None and stuck is not None:
            # The crafter's unit needs a tool it handed out (its plan counts on a teammate's, so
            # it makes none): a feeder holding that tool fetches the unit, or nobody would.
            if teamwork.lacking(rules, stuck.item, crafter_status.inventory) and not (
                teamwork.lacking(rules, stuck.item, state.inventory)
            ):
                status.fetching, status.wants = stuck.item, ""
                return Decision(
                    options.Option("collect", stuck.item), f"supplier: fetch {stuck.item} for it"
                )
        if job is None:
            status.fetching, status.wants = "", ""
            goal_material = library.goal_material(rules, agent.spec.goal)
            if not any(n > 0 for n in crafter_status.missing.values()):
                if goal_material and not state.known.knows(goal_material):
                    # More eyes find the goal sooner than a second tool would be made.
                    return Decision(
                        options.Option("navigate", goal_material), "supplier: search for the goal"
                    )
                return agent.toward(state, agent.spec.goal, "supplier: crafter needs nothing")
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
        # The tools it lacks to collect (and, behind rock, to dig to) its unit, earliest first.
        missing = [t for t in job.tools if not state.inventory.get(t, 0)]
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
