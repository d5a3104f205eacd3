"""The scripted team's dispatch: on a board whose statuses carry positions and holdings (the
scripted team's own, `TeamBoard.dispatch`), the crafter's bill is split one unit per gatherer by
who reaches it soonest (`agents.teamwork`), the crafter makes what it can at once and hands out
copies of the gathering tools teammates ask for, feeders walk to their material to wait for a tool,
and the seeker asks for a pickaxe to dig to the goal (the seeker of two feeds the crafter until
the end of the bill is near or its walk to the goal is as long as the crafter's work alone). The
hand-over of the goal's tool to whoever reaches the goal soonest holds on every board; a holder
walled off from the goal asks for a teammate's spare pickaxe, and the nearest teammate without the
tool waits at the seen goal.
`agents.scripted_roles.Roles.decide` calls it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from agents import options, planner, prerequisites, scripted_board, teamwork
from agents.skills import library, mapping, navigation
from envs.mac import rules as rules_lib

if TYPE_CHECKING:
    from agents.scripted import ScriptedAgent

# A tool the crafter shared counts as the mate's for this many steps, until its status shows it.
HANDED_FOR = 5
# A seeker alone with the crafter goes to the goal once this few units of the bill are left (4,
# not 2: waiting at the goal sooner beat one more unit fetched, -1.3 +- 0.8 and -1.4 +- 0.8 steps
# over two sets of 300 maps; 1, 3 and 5 measured too: results/changes/README.md).
SEEKER_LEAVES = 4
# ... or at once, for good, when its walk to the seen goal (plus this many steps) is as long as the
# crafter's work alone (`seeker_ahead`): fetching more, it would reach the goal after the tool is
# made. Measured on two sets of 300 maps: 0 -1.6 +- 1.1 and -1.6 +- 1.0 steps; -20 -1.0 +- 0.8
# (first set); -10 -1.6 +- 0.9 and -0.8 +- 0.6; 5 -1.4 +- 1.3 and -1.0 +- 1.3; 15 +1.9 +- 1.8
# (first set): results/changes/README.md.
SEEKER_AHEAD = 0
# The crafter's steps alone, as (steps per plan step and unit of its bill, offset) beside its
# walk to the farthest material it misses: a least-squares fit to a lone agent's steps to the iron
# pickaxe with the privileged map, every fifth step (`benchmark.studies.crafter_alone`: 2.65 and
# 2.67 per unit, -6 and -7, 0.85 and 0.93 per step of that walk on two sets of 40 maps).
ALONE_STEPS = (2.6, -7.0)
# The holder of the goal's tool hands it to a teammate that reaches the goal this many steps
# sooner (one step for the share, and a margin against handing it back and forth).
HAND_OFF = 3
# Steps a holder of the goal's tool counts for a teammate's spare pickaxe to reach it.
ASK_STEPS = 2


class Dispatch:
    """The team dispatch of the scripted roles; `role` is the roles' own (index, team size) -> role,
    so that the seeker is known under any role policy."""

    def __init__(self, role: Callable[[int, int], str]) -> None:
        self.role = role
        self._reach_step: int | None = None
        self._reaches: list[tuple[mapping.KnownMap, teamwork.Reach]] = []

    def reach(self, state: library.AgentState) -> teamwork.Reach:
        """Walking and digging distances on `state`'s map, one `teamwork.Reach` per map and step:
        the crafter's plan, the split of the bill and the seeker's leave each ask it from the same
        positions, and every answer is a search over the map."""
        if self._reach_step != state.step:
            self._reach_step, self._reaches = state.step, []
        for known, reach in self._reaches:
            if known is state.known:
                return reach
        reach = teamwork.Reach(state.known)
        self._reaches.append((state.known, reach))
        return reach

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
        reach = self.reach(state)
        diggers = library.gathering_tools(state.rules)

        def steps(position: mapping.Position, inventory: dict[str, int]) -> float:
            held = frozenset(t for t in diggers if inventory.get(t, 0) > 0) | {tool}
            return reach.steps(position, target, held)

        own = steps(state.position, state.inventory)
        rock_tool = planner.rock_tool(state.rules)
        if own == float("inf") and rock_tool and spare_holder(board, team, rock_tool, state.rules):
            # Walled in by rock it cannot mine: a teammate's spare pickaxe for the rock comes in
            # a share (`ask_dig_tool`), sooner than a teammate across the map walks there.
            own = steps(state.position, {**state.inventory, rock_tool: 1}) + ASK_STEPS
        best: tuple[float, str] | None = None
        for aid in team:
            status = board.status.get(aid)
            if aid == agent.spec.agent_id or status is None or not status.alive:
                continue
            if status.inventory.get(tool, 0):
                continue
            theirs = steps(status.position, status.inventory)
            # A teammate that cannot reach the goal either is no receiver: with every estimate
            # infinite (six agents, seed 162: a diamond on an island in water) the holders
            # handed the pickaxe back and forth for 300 steps.
            if (
                theirs < float("inf")
                and theirs + HAND_OFF <= own
                and (best is None or theirs < best[0])
            ):
                best = (theirs, aid)
        if best is None:
            return None
        return best[1], f"{best[1]} reaches the {library.readable(target)} sooner"

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
            for held in library.gathering_tools(rules) - {tool}:
                if status.inventory.get(held, 0) > 0 or _handed(agent.status, held, aid, state):
                    inventory[held] = max(inventory.get(held, 0), 1)
        spare: Counter[str] = Counter()  # what the feeders hold and would hand over at once
        reach = self.reach(state)
        for member in self.members(agent, reach, me, agent.status):
            if not member.crafter:
                spare.update(member.inventory)
        steps = planner.plan_steps(
            dataclasses.replace(state, inventory=inventory), goal=f"make_{tool}", spare=spare
        )
        copies: dict[str, int] = {}
        for aid, status in agent.board.status.items():
            wanted = status.wants
            if aid == me or not status.alive or not wanted or status.inventory.get(wanted, 0):
                continue
            if _handed(agent.status, wanted, aid, state):
                continue
            if state.inventory.get(wanted, 0) > copies.get(wanted, 0) + _kept(agent, wanted):
                copies[wanted] = copies.get(wanted, 0) + 1  # one it holds goes out as it is
                continue
            copies[wanted] = copies.get(wanted, 0) + 1
            for use, amount in rules.make[wanted].uses.items():
                steps += (prerequisites.Step("collect", use, amount),)
        return steps

    def members(
        self,
        agent: ScriptedAgent,
        reach: teamwork.Reach,
        crafter: str,
        crafter_status: scripted_board.AgentStatus,
    ) -> list[teamwork.Member]:
        """The team's gatherers: the crafter and the feeders (with the seeker while it supplies)."""
        team, board = agent.spec.team, agent.board
        found = []
        for index, aid in enumerate(team):
            status = board.status.get(aid)
            if status is None or not status.alive:
                continue
            role = self.role(index, len(team))
            if role == "seeker" and not seeker_supplies(agent, reach, crafter_status):
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
        crafter_status: scripted_board.AgentStatus,
    ) -> dict[str, teamwork.Job]:
        """Who fetches which unit of the crafter's bill (everyone computes the same split)."""
        reach = self.reach(state)
        members = self.members(agent, reach, crafter, crafter_status)
        held = [m.inventory for m in members if not m.crafter]
        bill = teamwork.units(crafter_status.missing, held)
        return teamwork.assign(state.rules, reach, members, bill)

    def dispatch_crafter(
        self, agent: ScriptedAgent, state: library.AgentState, tool: str
    ) -> scripted_board.Decision:
        """Make what can be made now (in the plan's order), then copies of the gathering tools
        teammates ask for, then fetch its own unit of the bill; else wait for deliveries."""
        rules, status = state.rules, agent.status
        steps = self.crafter_steps(agent, state, tool)
        known, placing = state.stations_known, set()
        for step in steps:
            if step.kind == "place":
                placing.add(step.target)
            if step.kind == "collect" or not prerequisites.executable(rules, step, state.inventory):
                continue
            if step.kind == "make" and not set(rules.make[step.target].nearby) <= known - placing:
                # A station the plan places anew is not walked back to (`planner.plan_steps`).
                continue
            status.fetching = ""
            return scripted_board.Decision(
                options.Option.from_step(step), "crafter: make what it can now"
            )
        handed = self.hand_out(agent, state, tool)
        if handed is not None:
            status.fetching = ""
            return handed
        job = self.jobs(agent, state, agent.spec.agent_id, status).get(agent.spec.agent_id)
        if job is not None and not teamwork.lacking(rules, job.item, state.inventory):
            status.fetching = job.item
            return scripted_board.Decision(
                options.Option("collect", job.item), f"crafter: fetch {job.item}"
            )
        status.fetching = ""
        unseen = [
            item
            for item, n in status.missing.items()
            if n > 0 and not state.known.knows(library.material_yielding(rules, item) or item)
        ]
        if not steps or unseen:  # its own plan searches for what nobody has seen
            return agent.toward(state, f"make_{tool}", "crafter: make the tools")
        if agent.board.heard:
            item = self.unclaimed(agent, state, steps)
            if item is not None:
                return scripted_board.Decision(
                    options.Option("collect", item), f"crafter: fetch {item}, claimed by nobody"
                )
        return scripted_board.Decision(options.Option("wait"), "crafter: waiting for deliveries")

    def unclaimed(
        self, agent: ScriptedAgent, state: library.AgentState, steps: tuple[prerequisites.Step, ...]
    ) -> str | None:
        """On a board heard from messages, the first item of the crafter's bill that no teammate
        claims and the crafter can collect on its own map (None: every unit is claimed). Each
        agent splits the bill on the map it has seen, so a unit the crafter's split gives a feeder
        may be one that feeder's split gives someone else: nobody fetches it (six DAMCS agents,
        seed 1747112507: the crafter waited 110 steps for one wood)."""
        rules, me = state.rules, agent.spec.agent_id
        claimed = {
            status.fetching
            for aid, status in agent.board.status.items()
            if aid != me and status.alive and status.fetching
        }
        for step in steps:
            item = step.target
            if step.kind != "collect" or item in claimed:
                continue
            if teamwork.lacking(rules, item, state.inventory):
                continue
            if state.known.knows(library.material_yielding(rules, item) or item):
                return item
        return None

    def hand_out(
        self, agent: ScriptedAgent, state: library.AgentState, tool: str
    ) -> scripted_board.Decision | None:
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
            if state.inventory.get(wanted, 0) > _kept(agent, wanted):
                # Recorded in `handed` when the share starts (`ScriptedAgent._begin`), not here:
                # the re-planning check asks for a decision it may not take.
                return scripted_board.Decision(
                    options.Option("share", wanted, aid), f"crafter: {aid} asks for {wanted}"
                )
            copy = prerequisites.Step("make", wanted)
            if prerequisites.executable(rules, copy, state.inventory) and set(
                rules.make[wanted].nearby
            ) <= set(state.stations_known):
                return scripted_board.Decision(
                    options.Option("make", wanted), f"crafter: a copy for {aid}"
                )
        return None

    def dispatch_feeder(
        self,
        agent: ScriptedAgent,
        state: library.AgentState,
        crafter: str,
        crafter_status: scripted_board.AgentStatus,
    ) -> scripted_board.Decision:
        """Hand the crafter what it misses; fetch this agent's unit of the bill, walking to the
        material to wait there for a tool the crafter hands over."""
        rules, status = state.rules, agent.status
        for item, amount in crafter_status.missing.items():
            if amount > 0 and state.inventory.get(item, 0) > 0:
                return scripted_board.Decision(
                    options.Option("share", item, crafter), f"supplier: crafter misses {item}"
                )
        jobs = self.jobs(agent, state, crafter, crafter_status)
        job = jobs.get(agent.spec.agent_id)
        passing = self.pass_tool(agent, state, jobs, job)
        if passing is not None:
            return passing
        stuck = jobs.get(crafter)
        if job is None and stuck is not None:
            # The crafter's unit needs a tool it handed out (its plan counts on a teammate's, so
            # it makes none): a feeder holding that tool fetches the unit, or nobody would.
            if teamwork.lacking(rules, stuck.item, crafter_status.inventory) and not (
                teamwork.lacking(rules, stuck.item, state.inventory)
            ):
                status.fetching, status.wants = stuck.item, ""
                return scripted_board.Decision(
                    options.Option("collect", stuck.item), f"supplier: fetch {stuck.item} for it"
                )
        if job is None:
            status.fetching, status.wants = "", ""
            goal_material = library.goal_material(rules, agent.spec.goal)
            if not any(n > 0 for n in crafter_status.missing.values()):
                if goal_material and not state.known.knows(goal_material):
                    # More eyes find the goal sooner than a second tool would be made.
                    return scripted_board.Decision(
                        options.Option("navigate", goal_material), "supplier: search for the goal"
                    )
                if goal_material and nearest_to_goal(agent, state, goal_material):
                    # The goal's tool goes to whoever reaches the goal soonest: waiting there
                    # beats a second tool (six agents, own map, seed 14: the teammate that saw
                    # the diamond walked 6 steps away to gather wood, then back with the tool).
                    # Only the nearest: a crowd at the goal blocks the way in.
                    if state.known.material_at(state.facing_tile) == goal_material:
                        return scripted_board.Decision(
                            options.Option("wait", amount=5), "supplier: at the goal, for the tool"
                        )
                    return scripted_board.Decision(
                        options.Option("navigate", goal_material), "supplier: to the goal"
                    )
                return agent.toward(state, agent.spec.goal, "supplier: crafter needs nothing")
            sought = [library.material_yielding(rules, i) for i in crafter_status.missing]
            for material in (*sought, goal_material):
                if material and not state.known.knows(material):
                    # Search where the generator puts it (navigation explores toward it).
                    return scripted_board.Decision(
                        options.Option("navigate", material), f"supplier: search for {material}"
                    )
            for item, amount in crafter_status.missing.items():
                if amount > 0 and not teamwork.lacking(rules, item, state.inventory):
                    # Every unit is someone's, but a second try at a scarce one (another tile:
                    # claims keep the two apart) ends the wait if the first is long in coming.
                    return scripted_board.Decision(
                        options.Option("collect", item), f"supplier: back up the {item}"
                    )
            if navigation.frontier(state.known, state.position).any():
                return scripted_board.Decision(
                    options.Option("explore"), "supplier: no unit left; exploring"
                )
            return scripted_board.Decision(options.Option("wait"), "supplier: no unit left")
        status.fetching = job.item
        # The tools it lacks to collect (and, behind rock, to dig to) its unit, earliest first.
        missing = [t for t in job.tools if not state.inventory.get(t, 0)]
        status.wants = missing[0] if missing else ""
        if not missing:
            return scripted_board.Decision(
                options.Option("collect", job.item), f"supplier: fetch {job.item}"
            )
        material = library.material_yielding(rules, job.item) or ""
        # Walled in by rock: at the spot where the dig to it starts, it waits for its pickaxe.
        walled = bool(material) and planner.walled_in(state, material)
        way = library.approach(state, (material,)) if walled else None
        at_rock = way is not None and not way.cells
        if state.known.material_at(state.facing_tile) == material or at_rock:
            return scripted_board.Decision(
                options.Option("wait"), f"supplier: at {material}, waiting for a tool"
            )
        return scripted_board.Decision(
            options.Option("navigate", material), f"supplier: to {material}, a tool is coming"
        )

    def pass_tool(
        self,
        agent: ScriptedAgent,
        state: library.AgentState,
        jobs: dict[str, teamwork.Job],
        job: teamwork.Job | None,
    ) -> scripted_board.Decision | None:
        """Share the gathering tool this feeder fetched a unit with, once the unit went to a
        teammate much nearer it (`teamwork.PASS_MARGIN`) and this feeder's new unit does not
        need the tool."""
        rules, mine, lost = state.rules, agent.spec.agent_id, agent.status.fetching
        own = set(job.tools) if job is not None else set()
        if job is not None:
            own |= set(teamwork.lacking(rules, job.item, {}))
        for aid, other in jobs.items():
            if aid == mine or not other.tool or other.tool in own or other.item != lost:
                continue
            if job is not None and job.item == lost:
                continue
            if state.inventory.get(other.tool, 0) > 0:
                mate = agent.board.status.get(aid)
                if mate is not None and mate.alive and not mate.inventory.get(other.tool, 0):
                    return scripted_board.Decision(
                        options.Option("share", other.tool, aid),
                        f"supplier: {aid} fetches {other.item} with my {other.tool}",
                    )
        return None

    def ask_dig_tool(
        self, agent: ScriptedAgent, state: library.AgentState
    ) -> scripted_board.Decision | None:
        """The holder of the goal's tool, walled off from the goal by rock it cannot mine, asks
        for the pickaxe that mines it when a teammate has one to spare (six agents, own map,
        seed 19: the holder three tiles from the diamond, behind iron and stone, handed the iron
        pickaxe to a teammate 40 steps away) and walks to where the dig starts; None (asking for
        nothing) otherwise."""
        rules, me = state.rules, agent.spec.agent_id
        target = library.goal_material(rules, agent.spec.goal)
        rock_tool = planner.rock_tool(rules)
        if (
            target is None
            or not rock_tool
            or state.inventory.get(rock_tool, 0)
            or not planner.walled_in(state, target)
            or not spare_holder(agent.board, agent.spec.team, rock_tool, rules, asker=me)
        ):
            agent.status.wants = ""
            return None
        agent.status.wants = rock_tool
        return _to_dig(state, target, rock_tool)

    def dig_tool(
        self, agent: ScriptedAgent, state: library.AgentState, rock_tool: str, crafter: str
    ) -> scripted_board.Decision:
        """The seeker asks the crafter for the pickaxe that digs to the goal, and hands in what
        it holds that the crafter misses; it walks to where the dig starts (`library.approach`)
        and waits there until the pickaxe comes."""
        agent.status.wants = rock_tool
        crafter_status = agent.board.status.get(crafter)
        if crafter_status is not None:
            for item, amount in crafter_status.missing.items():
                if amount > 0 and state.inventory.get(item, 0) > 0:
                    return scripted_board.Decision(
                        options.Option("share", item, crafter), f"seeker: crafter misses {item}"
                    )
        return _to_dig(state, library.goal_material(state.rules, agent.spec.goal), rock_tool)


def _kept(agent: ScriptedAgent, tool: str) -> int:
    """How many of `tool` this crafter keeps when a teammate asks (`teamwork.kept`; its
    feeders: the team but itself and the seeker)."""
    feeders = len(agent.spec.team) - 2
    return teamwork.kept(agent.rules, tool, agent.status.fetching, feeders)


def _to_dig(
    state: library.AgentState, target: str | None, rock_tool: str
) -> scripted_board.Decision:
    """Walk to where the dig to `target` starts (`library.approach`), then wait there for the
    `rock_tool` a teammate shares."""
    route = library.approach(state, (target,)) if target else None
    if target and route is not None and route.cells:
        return scripted_board.Decision(
            options.Option("navigate", target), f"to the rock, a {rock_tool} is coming"
        )
    return scripted_board.Decision(options.Option("wait"), f"waiting for a {rock_tool} to dig")


def nearest_to_goal(agent: ScriptedAgent, state: library.AgentState, material: str) -> bool:
    """Whether this agent stands nearest a seen tile of `material` (Manhattan, ties by team
    order) of the living teammates that do not hold the goal's tool (the seeker included)."""
    tiles = state.known.positions(material)
    tool = prerequisites.goal_tool(state.rules, agent.spec.goal)
    if not tiles or not tool:
        return False

    def apart(position: mapping.Position) -> int:
        return min(abs(position[0] - x) + abs(position[1] - y) for x, y in tiles)

    ranked = sorted(
        (apart(state.position if aid == agent.spec.agent_id else status.position), index, aid)
        for index, aid in enumerate(agent.spec.team)
        if (status := agent.board.status.get(aid)) is not None
        and status.alive
        and not status.inventory.get(tool, 0)
    )
    return bool(ranked) and ranked[0][2] == agent.spec.agent_id


def spare_holder(
    board: scripted_board.TeamBoard,
    team: tuple[str, ...],
    tool: str,
    rules: rules_lib.Rules,
    asker: str = "",
) -> str | None:
    """The first teammate (in team order, so that every agent names the same one) holding a
    `tool` it does not need: one beyond its own when it is the crafter (`teamwork.KEEP`) or its
    unit needs the tool, else any."""
    for index, aid in enumerate(team):
        status = board.status.get(aid)
        if aid == asker or status is None or not status.alive:
            continue
        held = status.inventory.get(tool, 0)
        needs = index == 0 or (
            bool(status.fetching) and tool in teamwork.lacking(rules, status.fetching, {})
        )
        if held > (max(1, teamwork.KEEP.get(tool, 0)) if needs else 0):
            return aid
    return None


def serve_goal_holder(
    agent: ScriptedAgent, state: library.AgentState
) -> scripted_board.Decision | None:
    """Share the pickaxe a holder of the goal's tool asks for to dig to the goal
    (`Dispatch.ask_dig_tool`), when this agent is the teammate `spare_holder` names."""
    rules, board, me = state.rules, agent.board, agent.spec.agent_id
    tool = prerequisites.goal_tool(rules, agent.spec.goal)
    for aid, status in board.status.items():
        wanted = status.wants
        if aid == me or not status.alive or not wanted or not tool:
            continue
        if not status.inventory.get(tool, 0) or status.inventory.get(wanted, 0):
            continue
        if spare_holder(board, agent.spec.team, wanted, rules, asker=aid) != me:
            continue
        if _handed(agent.status, wanted, aid, state):
            continue
        return scripted_board.Decision(
            options.Option("share", wanted, aid), f"{aid} holds the goal's tool, asks for {wanted}"
        )
    return None


def _handed(
    status: scripted_board.AgentStatus, tool: str, mate: str, state: library.AgentState
) -> bool:
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


def seeker_supplies(
    agent: ScriptedAgent, reach: teamwork.Reach, crafter_status: scripted_board.AgentStatus
) -> bool:
    """Whether the seeker feeds the crafter now: alone with it, while more than `SEEKER_LEAVES`
    units of the bill are left and it is not ahead of the crafter (`seeker_ahead`), or a unit
    needs a tool the seeker holds and the crafter lacks (the crafter's plan counts on the seeker
    then)."""
    board, team, rules = agent.board, agent.spec.team, agent.rules
    if len(team) > 2:
        return False
    seeker = board.status.get(team[-1])
    left = sum(max(n, 0) for n in crafter_status.missing.values())
    if left == 0:
        return False
    if seeker is None:
        return left > SEEKER_LEAVES
    for item, n in crafter_status.missing.items():
        for tool in teamwork.lacking(rules, item, {}) if n > 0 else ():
            if seeker.inventory.get(tool, 0) and not crafter_status.inventory.get(tool, 0):
                return True
    if left <= SEEKER_LEAVES or seeker.ahead:
        return False
    return not seeker_ahead(agent, reach, crafter_status)


def seeker_ahead(
    agent: ScriptedAgent, reach: teamwork.Reach, crafter_status: scripted_board.AgentStatus
) -> bool:
    """Whether the seeker's walk to the seen goal (digging with the pickaxe for rock, which it
    asks for when that is shorter) is within `SEEKER_AHEAD` steps of the crafter's work alone
    (`alone_steps`): fetching first, it would reach the goal after the tool is made (two
    agents, seed 6: it fetched the iron and reached the diamond 50 steps after the pickaxe)."""
    rules = agent.rules
    seeker = agent.board.status.get(agent.spec.team[-1])
    target = library.goal_material(rules, agent.spec.goal)
    if seeker is None or target is None or not reach.known.knows(target):
        return False
    reached = seeker_walk(reach, seeker.position, seeker.inventory, target) + SEEKER_AHEAD
    if reached < alone_guess(bill_work(crafter_status), 0.0):
        return False  # short of the guess before its walk term, the costly part
    return reached >= alone_steps(reach, crafter_status, rules)


def seeker_walk(
    reach: teamwork.Reach, position: mapping.Position, inventory: dict[str, int], target: str
) -> float:
    """The seeker's steps to the seen `target`, digging with the gathering tools it holds and the
    pickaxe for rock, which it asks for when digging is shorter (`digging_pays`)."""
    rules = reach.known.rules
    held = {t for t in library.gathering_tools(rules) if inventory.get(t, 0) > 0}
    rock_tool = planner.rock_tool(rules)
    if rock_tool:
        held.add(rock_tool)
    return reach.steps(position, target, frozenset(held))


def alone_steps(
    reach: teamwork.Reach, crafter_status: scripted_board.AgentStatus, rules: rules_lib.Rules
) -> float:
    """A guess of the steps the crafter needs to make the goal's tool alone (`alone_guess`)."""
    return alone_guess(bill_work(crafter_status), farthest_walk(reach, crafter_status, rules))


def alone_guess(work: float, farthest: float) -> float:
    """`ALONE_STEPS` per plan step and unit of the bill (`work`), plus the walk to the farthest
    material the crafter misses."""
    per_unit, offset = ALONE_STEPS
    return per_unit * work + farthest + offset


def bill_work(crafter_status: scripted_board.AgentStatus) -> int:
    """The crafter's plan steps plus the units of its bill."""
    return crafter_status.remaining + sum(max(n, 0) for n in crafter_status.missing.values())


def farthest_walk(
    reach: teamwork.Reach, crafter_status: scripted_board.AgentStatus, rules: rules_lib.Rules
) -> float:
    """Steps from the crafter to the farthest material it misses, digging with the pickaxes it
    will make (the nearer ones lie on the way: stone, coal and iron share the mountains)."""
    tools = library.gathering_tools(rules)
    farthest = 0.0
    for item, n in crafter_status.missing.items():
        material = library.material_yielding(rules, item) if n > 0 else None
        if material is not None:
            farthest = max(farthest, reach.steps(crafter_status.position, material, tools))
    return farthest


def readable_role(role: str) -> str:
    return {"seeker": "goal seeker", "crafter": "crafter"}.get(role, role)
