"""What each S-CS role does in the scripted team (not an LLM): the crafter, its feeders and the
goal seeker, deciding from a `TeamBoard` of posted statuses; who plays which role comes from the
comms role policy (`agents.comms.roles`).

On the scripted team's own board (positions and holdings posted each step) the roles use the team
as the optimal-team plans do (`agents.teamwork`): the crafter's bill is split one unit per gatherer
by who reaches it soonest, the crafter makes what it can at once and hands out copies of the
pickaxes so feeders mine in parallel, and the seeker asks for a pickaxe to dig to the goal. In
every team the goal's tool goes to the seeker once the goal is seen and the seeker is nearer it
(a share reaches any distance): while the goal is unseen its holder searches too. A seeker of two
bound for the seen goal makes the tool there itself when that is sooner, handed what the crafter
holds (`agents.scripted_finish`; on the scripted team's own board only). The oracle
control calls the same `Roles` on a board built from the messages an LLM agent heard. The board
lives in `agents.scripted_board`, the team dispatch in `agents.scripted_dispatch`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents import (
    comms,
    options,
    planner,
    prerequisites,
    scripted_board,
    scripted_dispatch,
    scripted_finish,
    teamwork,
)
from agents.comms import roles as comms_roles
from agents.skills import library, mapping

if TYPE_CHECKING:
    from agents.scripted import ScriptedAgent

# At two agents the seeker supplies the crafter until this many plan steps are left to the tool;
# then, while the goal is unseen, it searches for it instead of fetching the last items (measured
# on the own map: 1.92 -> 1.77 and 1.73 -> 1.58 times the privileged steps on two sets of maps).
SEEKER_SEARCH_FROM = 3
# A seeker alone with the crafter goes to the goal once the crafter is this many plan steps from
# the tool (without the team dispatch: on the two agents' own maps) ...
SEEKER_GOES_AT = 3
# ... but does not wait there once the crafter has been that near for this many steps while a unit
# it misses comes from a material no map shows (iron, typically): the two search. Waiting pays on
# most maps, but on 3 of 200 the crafter searched alone for 180-280 steps while the seeker waited
# at a diamond seen by step 40 (helping: those 80-100 steps sooner; after 30 steps instead of 80,
# many more maps lost steps walking back to the diamond).
SEEKER_HELPS_AFTER = 80
# ... and it fetches a seen unit itself when it is this many steps nearer to it than the crafter.
FETCH_MARGIN = 10


class Roles:
    """The scripted behaviour of each S-CS role; who plays which comes from a comms role policy.

    The paper's policy (the default) gives crafter (0), supplier (1), helpers, goal seeker (n-1);
    the scripted planner plays helpers as suppliers, since both feed the crafter.
    """

    def __init__(self, enabled: bool = True, policy: comms.RolePolicy | None = None) -> None:
        self.enabled = enabled
        self.policy = (policy or comms.PaperRoles()) if enabled else comms.NoRoles()
        self.dispatcher = scripted_dispatch.Dispatch(self.role)

    def role(self, index: int, n_agents: int) -> str:
        role = self.policy.role(index, n_agents)
        return "supplier" if role in comms_roles.SUPPORT_ROLES else role

    def hand_off(
        self, agent: ScriptedAgent, state: library.AgentState
    ) -> scripted_board.Decision | None:
        """Sharing the goal's tool this agent holds with the teammate that reaches the goal
        sooner (`Dispatch.tool_receiver`), or None. Asked before the vitals too: a share takes
        one step, while a drink or a meal can take tens, and the receiver may stand at the goal
        (six oracle agents, map 825430161: the holder, walled off from its diamond, went for
        water at drink 3 and never handed the pickaxe to the teammate beside the other one)."""
        role = self.role(agent.spec.index, len(agent.spec.team))
        tool = prerequisites.goal_tool(state.rules, agent.spec.goal)
        if role == "solo" or tool is None or state.inventory.get(tool, 0) == 0:
            return None
        receiver = self.dispatcher.tool_receiver(agent, state, tool, role)
        if receiver is None:
            return None
        return scripted_board.Decision(options.Option("share", tool, receiver[0]), receiver[1])

    def decide(self, agent: ScriptedAgent, state: library.AgentState) -> scripted_board.Decision:
        role = self.role(agent.spec.index, len(agent.spec.team))
        goal, rules = agent.spec.goal, state.rules
        tool = prerequisites.goal_tool(rules, goal)
        if role == "solo" or tool is None:
            return agent.toward(state, goal, "own plan to the goal", gathers=True)
        team = agent.spec.team
        crafter, seeker = team[0], team[-1]
        board = agent.board
        target = library.goal_material(rules, goal)
        if state.inventory.get(tool, 0) > 0:
            handed = self.hand_off(agent, state)
            if handed is not None:
                return handed
            asked = self.dispatcher.ask_dig_tool(agent, state) if board.dispatch else None
            if asked is not None:
                return asked
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
                return scripted_board.Decision(
                    options.Option("navigate", target), "crafter: the seeker holds the tool; search"
                )
            if handed is not None and handed.alive and handed.finishes:
                return scripted_finish.feed(agent, state, seeker, handed)
            if board.dispatch:
                return self.dispatcher.dispatch_crafter(agent, state, tool)
            return agent.toward(state, f"make_{tool}", "crafter: make the tools")
        crafter_status = board.status.get(crafter)
        if role == "seeker" and agent.status.finishes and crafter_status and crafter_status.alive:
            return scripted_finish.finish(agent, state, crafter_status, tool)
        if board.dispatch:
            # A feeder or the seeker holding the spare pickaxe the goal's holder asks for.
            served = scripted_dispatch.serve_goal_holder(agent, state)
            if served is not None:
                return served
        if crafter_status is None or not crafter_status.alive:
            return agent.toward(state, goal, "no crafter left: own plan to the goal", gathers=True)
        # With helpers to supply the crafter, the seeker goes to the goal at once and waits there
        # for the tool (a share reaches any distance); alone with the crafter it supplies first.
        go_early = len(team) > 2
        if role == "seeker" and (
            go_early or _seeker_goes(agent, crafter_status, state, self.dispatcher.reach(state))
        ):
            # With helpers, the seeker also searches for an unseen goal (navigation explores
            # toward where the generator puts it) while the others craft.
            if target and (state.known.knows(target) or go_early):
                if self._finishes(agent, state, crafter_status, tool):
                    return scripted_finish.finish(agent, state, crafter_status, tool)
                if state.known.material_at(state.facing_tile) == target:
                    return scripted_board.Decision(
                        options.Option("wait", amount=5), "seeker: wait for the tool"
                    )
                # A goal walled in by rock needs a pickaxe for the rock to be reached.
                rock_tool = planner.rock_tool(rules)
                if (
                    rock_tool
                    and state.inventory.get(rock_tool, 0) == 0
                    and planner.walled_in(state, target)
                ):
                    if board.dispatch:
                        return self.dispatcher.dig_tool(agent, state, rock_tool, crafter)
                    return agent.toward(
                        state, f"make_{rock_tool}", "seeker: a pickaxe to dig to the goal"
                    )
                if board.dispatch and rock_tool:
                    agent.status.wants = (
                        rock_tool
                        if scripted_dispatch.digging_pays(state, target, rock_tool)
                        else ""
                    )
                return scripted_board.Decision(
                    options.Option("navigate", target), "seeker: go to the goal"
                )
        if board.dispatch:
            return self.dispatcher.dispatch_feeder(agent, state, crafter, crafter_status)
        search = self.search(agent, state, crafter_status)
        if search is not None:
            return search
        return self.supply(agent, state, crafter, crafter_status)

    def _finishes(
        self,
        agent: ScriptedAgent,
        state: library.AgentState,
        crafter_status: scripted_board.AgentStatus,
        tool: str,
    ) -> bool:
        """Whether the seeker of two, bound for the goal, makes the goal's tool itself there
        (`agents.scripted_finish`): on the scripted team's own board, once that is sooner; then
        for good. Asked only once it stops feeding the crafter: asked while it feeds, against
        the crafter's work alone, it left too often (+1.5 +- 1.2 steps over 300 maps)."""
        board = agent.board
        if not agent.status.finishes and not board.heard:
            agent.status.finishes = len(agent.spec.team) == 2 and scripted_finish.finishes(
                agent, state, self.dispatcher.reach(state), crafter_status, tool
            )
        return agent.status.finishes

    def search(
        self, agent: ScriptedAgent, state: library.AgentState, status: scripted_board.AgentStatus
    ) -> scripted_board.Decision | None:
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
            return scripted_board.Decision(
                options.Option("navigate", target), "seeker: search for the goal"
            )
        team = agent.board.status
        taken = {s.fetching for aid, s in team.items() if aid != agent.spec.agent_id}
        if any(item not in taken for item in wanted):
            return None
        agent.status.fetching = ""
        return scripted_board.Decision(
            options.Option("navigate", target), "search for the unseen goal"
        )

    def supply(
        self,
        agent: ScriptedAgent,
        state: library.AgentState,
        crafter: str,
        status: scripted_board.AgentStatus,
    ) -> scripted_board.Decision:
        """Give the crafter what it misses; fetch what nobody holds yet."""
        rules = state.rules
        for item, amount in status.missing.items():
            if amount > 0 and state.inventory.get(item, 0) > 0:
                return scripted_board.Decision(
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
            return scripted_board.Decision(options.Option("explore"), "supplier: nothing to fetch")
        return scripted_board.Decision(
            options.Option.from_step(planner.choose_step(state, steps)), f"supplier: fetch {item}"
        )


def _seeker_goes(
    agent: ScriptedAgent,
    crafter_status: scripted_board.AgentStatus,
    state: library.AgentState,
    reach: teamwork.Reach,
) -> bool:
    """Whether a seeker alone with the crafter stops feeding it and goes to the goal: once the
    crafter is `SEEKER_GOES_AT` plan steps from the tool, unless the seeker holds a unit the
    crafter misses, the crafter has long searched for one, or the seeker can fetch a seen one
    much sooner (a share reaches any distance). With the team dispatch, once it no longer
    supplies (`scripted_dispatch.seeker_supplies`); leaving ahead of the crafter's work alone, it
    posts that it does not come back (`AgentStatus.ahead`)."""
    if agent.board.dispatch:
        if scripted_dispatch.seeker_supplies(agent, reach, crafter_status):
            return False
        if not agent.status.ahead:
            agent.status.ahead = scripted_dispatch.seeker_ahead(agent, reach, crafter_status)
        return True
    if crafter_status.remaining > SEEKER_GOES_AT:
        return False
    if any(n > 0 and state.inventory.get(i, 0) > 0 for i, n in crafter_status.missing.items()):
        return False  # hand it over first (a step): the crafter would search for it again
    since = crafter_status.unseen_since
    if since is not None and state.step - since >= SEEKER_HELPS_AFTER:
        return False
    return not _fetches_sooner(state, crafter_status)


def _fetches_sooner(state: library.AgentState, crafter_status: scripted_board.AgentStatus) -> bool:
    """Whether a unit the crafter misses lies `FETCH_MARGIN` nearer this agent than the crafter
    (Manhattan), and this agent holds the tools to collect it."""
    for item, n in crafter_status.missing.items():
        material = library.material_yielding(state.rules, item) if n > 0 else None
        if material is None or teamwork.lacking(state.rules, item, state.inventory):
            continue
        tiles = state.known.positions(material)
        if not tiles:
            continue
        own = min(_apart(state.position, tile) for tile in tiles)
        if own + FETCH_MARGIN <= min(_apart(crafter_status.position, tile) for tile in tiles):
            return True
    return False


def _apart(a: tuple[int, int], b: tuple[int, int]) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def unseen_since(
    known: mapping.KnownMap, status: scripted_board.AgentStatus, step: int
) -> int | None:
    """The crafter's `AgentStatus.unseen_since` at `step`, from its new bill, its map (with what
    teammates' maps showed it) and its last value."""
    if status.remaining > SEEKER_GOES_AT or not unit_unseen(known, status):
        return None
    return step if status.unseen_since is None else status.unseen_since


def unit_unseen(known: mapping.KnownMap, crafter_status: scripted_board.AgentStatus) -> bool:
    """Whether a unit the crafter still misses comes from a material `known` does not show:
    finding it is a search, which two do sooner than one."""
    for item, n in crafter_status.missing.items():
        material = library.material_yielding(known.rules, item) if n > 0 else None
        if material and not known.knows(material):
            return True
    return False
