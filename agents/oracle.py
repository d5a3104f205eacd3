"""The scripted planner's choice on an LLM agent's menu: the ruler a model's decisions are read by.

`reference` says which option of a menu the scripted reference agent would take in the agent's
state: a low vital first, then, alone (or with communication off) the prerequisite planner's next
step toward the goal, and in a team the scripted S-CS roles (`agents.scripted_roles.Roles`, called, not
copied) fed by what the agent has *heard*: its teammates' statuses (the crafter's needs and
holdings) and claims (which units of the crafter's bill each co-helper fetches) are written on a
`scripted_board.TeamBoard` built from those messages, so the oracle reads the same protocol the LLM
agents read. Where the scripted team dispatches (`TeamView.dispatch`: the privileged map, or more
than two agents, as `agents.scripted.build_team` decides), the statuses' positions and tool requests
fill the board too and the roles split the crafter's bill one unit per gatherer, hand out pickaxe
copies and let the seeker wait at the goal (`agents.teamwork`); the agent's own status (what it
fetches, the tool it asks for, the tools it handed out) carries over from one decision to the next. A choice the menu lacks (it failed recently) becomes "explore", else "wait", as the
scripted agent does. The `oracle` and `noisy-oracle:P` controls (`agents.llm.controls`) play by
it, and the decision probe labels its situations with it, so "accuracy" always means agreement
with this one rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from agents import comms, planner, prerequisites, scripted, scripted_board, scripted_roles, vitals
from agents import options as options_lib
from agents.comms import roles as roles_lib
from agents.skills import library
from episode import team as team_lib


@dataclass(frozen=True)
class TeamView:
    """What one S-CS agent has heard of its team: its spec, the latest statuses and co-helpers'
    claims in its inbox, and its own claim (the bill units it fetches)."""

    spec: team_lib.AgentSpec
    statuses: tuple[comms.Message, ...] = ()
    claims: tuple[comms.Message, ...] = ()
    own_claim: Mapping[str, int] = field(default_factory=dict)
    policy: comms.RolePolicy = field(default_factory=comms.PaperRoles)
    # Whether the roles dispatch (statuses carry positions and tool requests: `agents.teamwork`).
    dispatch: bool = False
    # The agent's own status after its last decision (what it fetches, asks for, handed out).
    own: scripted_board.AgentStatus | None = None


@dataclass(frozen=True)
class Reference:
    """The scripted choice: its index in the menu and, when the choice fetches part of the
    crafter's bill, the units it claims (item -> count); `claim` None leaves the claim as it was
    (a vital, a share), an empty claim releases it."""

    index: int
    claim: Mapping[str, int] | None = None
    # The agent's own status as the roles left it (its next `TeamView.own`); None alone.
    status: scripted_board.AgentStatus | None = None


class _HeardAgent:
    """The part of a `scripted.ScriptedAgent` its roles read (spec, board, own status, `toward`),
    filled from messages instead of a shared board."""

    toward = scripted.ScriptedAgent.toward

    def __init__(
        self,
        spec: team_lib.AgentSpec,
        board: scripted_board.TeamBoard,
        rules,
        own: scripted_board.AgentStatus,
    ) -> None:
        self.spec, self.board, self.rules, self.status = spec, board, rules, own


def heard_board(view: TeamView, state: library.AgentState) -> scripted_board.TeamBoard:
    """A scripted team board written from messages: each teammate's holdings (its offers), the
    crafter's missing bill less what co-helpers claimed, and what each co-helper fetches. With
    `view.dispatch` also where each stands and the tool it asks for, and the crafter's whole bill
    (the roles split it by unit, counting what feeders hold)."""
    rules, team = state.rules, view.spec.team
    tool = prerequisites.goal_tool(rules, view.spec.goal)
    board = scripted_board.TeamBoard()
    board.dispatch = view.dispatch
    board.heard = True
    claimed: dict[str, int] = {}
    for message in view.claims:
        for item, count in message.claims.items():
            claimed[item] = claimed.get(item, 0) + (0 if view.dispatch else count)
        # The scripted supplier marks one item as taken; a claim names the units it fetches.
        board.status[message.sender] = scripted_board.AgentStatus(
            fetching=next(iter(message.claims))
        )
    crafter = team[0] if view.policy.role(0, len(team)) == roles_lib.CRAFTER else ""
    for message in view.statuses:
        status = board.status.setdefault(message.sender, scripted_board.AgentStatus())
        status.inventory = dict(message.offers)
        if message.position is not None:
            status.position = message.position
        if view.dispatch:
            status.wants = message.wants
        if message.sender == crafter and tool:
            status.missing = {
                item: count - claimed.get(item, 0)
                for item, count in message.needs.items()
                if count > claimed.get(item, 0)
            }
            steps = prerequisites.plan(rules, f"make_{tool}", message.offers, state.stations_known)
            status.remaining = 0 if message.offers.get(tool, 0) else len(steps)
    return board


def _index(menu: Sequence[options_lib.Option], kind: str, target: str = "", mate: str = "") -> int:
    for i, option in enumerate(menu):
        if option.kind == kind and (not target or option.target == target):
            if not mate or option.teammate == mate:
                return i
    return -1


def _on_menu(menu: Sequence[options_lib.Option], option: options_lib.Option) -> int:
    """The menu's option doing what `option` does (amounts aside), else explore, else wait."""
    for kind, target, mate in (
        (option.kind, option.target, option.teammate),
        ("explore", "", ""),
        ("wait", "", ""),
    ):
        found = _index(menu, kind, target, mate)
        if found >= 0:
            return found
    return 0


def reference(
    menu: Sequence[options_lib.Option],
    state: library.AgentState,
    goal: str,
    team: TeamView | None = None,
    end: int | None = None,
) -> Reference:
    """The option the scripted planner would take now, and the bill item it would fetch. Without a
    `team` (alone, or communication off) it plays solo: its own plan to the goal. `end` (the
    episode's last step) lets it tend vitals as the scripted agent does: only what living to the
    end needs."""
    if not menu:
        raise ValueError("the oracle needs a non-empty menu")
    alone = team is None or len(team.spec.team) < 2
    if end is not None:
        end = vitals.episode_end(state, goal, end)
    vital = vitals.vital_need(state, end, end is not None and vitals.goal_unseen(state, goal))
    vital_index = _index(menu, vital.kind) if vital is not None else -1
    if alone and vital_index >= 0:
        return Reference(vital_index)
    if team is None or alone:
        steps = prerequisites.plan(state.rules, goal, state.inventory, state.stations_known)
        if not steps:
            return Reference(_on_menu(menu, options_lib.Option("explore")))
        step = planner.choose_step(state, steps)
        return Reference(_on_menu(menu, options_lib.Option.from_step(step)))
    board, agent, roles = _heard_team(team, state)
    own = agent.status
    # The goal's tool is handed over before a vital is tended, as the scripted agent does.
    decision = roles.hand_off(agent, state)
    if decision is None and vital_index >= 0:
        return Reference(vital_index)
    if team.dispatch and roles.role(team.spec.index, len(team.spec.team)) == "crafter":
        steps = crafter_steps(team, state)
        own.missing, own.remaining = prerequisites.bill(steps), len(steps)
    decision = decision or roles.decide(agent, state)
    index = _on_menu(menu, decision.option)
    chosen = menu[index]
    if chosen.kind == "share" and chosen.teammate:
        # A share counts as handed from the pick on, as the scripted agent counts it from the
        # start of the share (`ScriptedAgent._begin`); kept only when the agent takes this pick
        # (`TeamView.own`), so the crafter neither shares the tool twice nor copies it again.
        own.handed[(chosen.target, chosen.teammate)] = state.step
    if own.fetching:  # the scripted supplier chose what to fetch: claim the units it plans for
        if team.dispatch:  # one unit per gatherer (`agents.teamwork`)
            return Reference(index, {own.fetching: 1}, own)
        crafter = board.status.get(team.spec.team[0], scripted_board.AgentStatus())
        count = crafter.missing.get(own.fetching, 0) or team.own_claim.get(own.fetching, 0)
        return Reference(index, {own.fetching: count} if count > 0 else {}, own)
    if decision.option.kind == "share":
        return Reference(index, None, own)  # delivering: the claim stands until the bill drops it
    return Reference(index, {}, own)


def _heard_team(
    view: TeamView, state: library.AgentState
) -> tuple[scripted_board.TeamBoard, _HeardAgent, scripted_roles.Roles]:
    """The heard board with this agent's own status on it, the agent the roles read, the roles.
    With dispatch the own status carries over from the last decision (`TeamView.own`)."""
    if view.dispatch and view.own is not None:
        own = dataclasses.replace(view.own, handed=dict(view.own.handed))
    else:
        own = scripted_board.AgentStatus()
        if view.dispatch:
            own.fetching = next(iter(view.own_claim), "")
    own.inventory, own.position = dict(state.inventory), state.position
    board = heard_board(view, state)
    board.status[view.spec.agent_id] = own
    agent = _HeardAgent(view.spec, board, state.rules, own)
    return board, agent, scripted_roles.Roles(policy=view.policy)


def crafter_steps(view: TeamView, state: library.AgentState) -> tuple[prerequisites.Step, ...]:
    """The crafter's plan to the goal's tool as the scripted crafter posts it (its bill is what a
    status says it needs): with dispatch, a gathering tool a teammate holds counts as the
    crafter's and the copies teammates ask for are added
    (`scripted_dispatch.Dispatch.crafter_steps`); () once held."""
    tool = prerequisites.goal_tool(state.rules, view.spec.goal)
    if tool is None or state.inventory.get(tool, 0) > 0:
        return ()
    if not view.dispatch:
        return planner.plan_steps(state, goal=f"make_{tool}")
    _, agent, roles = _heard_team(view, state)
    return roles.dispatcher.crafter_steps(agent, state, tool)


def reference_index(
    menu: Sequence[options_lib.Option],
    state: library.AgentState,
    goal: str,
    team: TeamView | None = None,
    end: int | None = None,
) -> int:
    """The index in `menu` of the option the scripted planner would take now (see `reference`)."""
    return reference(menu, state, goal, team, end).index
