"""The scripted planner (not an LLM): a rule-based decision-maker over the option menu and skills.

It always takes the planner's best option toward its role's goal, looks after its vitals, and, in a
team, follows the DAMCS paper's S-CS roles by id: agent 0 crafts the tools, the last agent goes for
the goal material and receives the finished tool by `share`, everyone between supplies agent 0 with
what it still misses. It is the reference for what the architecture achieves with a perfect
decision-maker, and a fast method for the benchmark on a machine without a GPU.

Team knowledge (maps, what agent 0 still needs, placed stations) passes through a `TeamBoard`;
what each role does is `agents.scripted_roles.Roles` (the oracle control calls it on a board built
from heard messages), which plan and step to take is `agents.planner`, and which vital to tend is
`agents.vitals`. This module is the agent: observe, re-plan when needed, run options on the driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents import driver as driver_lib
from agents import options, planner, prerequisites, scripted_board, scripted_roles, vitals
from agents.skills import library, mapping, navigation
from envs import mac
from envs.mac import rules as rules_lib
from episode import team as team_lib

LABEL = "scripted (not an LLM)"


class ScriptedAgent(team_lib.Agent):
    """Scripted (not an LLM): takes the planner's best option, keeps itself alive, follows roles.

    Its options run on a `driver.SkillDriver` like every other option-level decision-maker's; the
    agent adds only its decisions and when to re-plan (its own vital checks, so the driver's
    alerts are off).
    """

    def __init__(
        self,
        board: scripted_board.TeamBoard,
        roles: scripted_roles.Roles,
        privileged_map: bool = False,
        share_maps: bool = True,
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
        self.status = scripted_board.AgentStatus()
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
                steps = self.roles.dispatcher.crafter_steps(self, state, tool)
            else:
                steps = planner.plan_steps(state, goal=f"make_{tool}")
            if state.inventory.get(tool, 0) > 0:
                steps = ()
            self.status.missing = prerequisites.bill(steps)
            self.status.remaining = len(steps)
            self.status.unseen_since = scripted_roles.unseen_since(
                state.known, self.status, state.step
            )

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
        if option is None:
            return False
        if option.kind in ("make", "place"):
            # The walk back to a station can be long: an arrival that changes the role's choice
            # (the goal's tool shared to this agent) must not wait for it (six agents, seed 172:
            # a feeder carried the iron pickaxe on a 60-step walk to make a wood pickaxe while
            # the seeker stood at the diamond).
            return changed and self._choice_moved(state, option)
        if option.kind not in ("collect", "explore", "navigate", "wait"):
            return False
        if changed:
            return True
        # Now and then, check whether the role's choice moved on (e.g. the seeker's turn came).
        return state.step % 5 == 0 and self._choice_moved(state, option)

    def _choice_moved(self, state: library.AgentState, option: options.Option) -> bool:
        """Whether the role would now choose another option than the running `option`."""
        fresh = self.roles.decide(self, state).option
        return (fresh.kind, fresh.target) != (option.kind, option.target)

    def _begin(self, state: library.AgentState) -> str | None:
        """Decide and start an option; its first action (None if it ended at once)."""
        decision = self.decide(state)
        option = decision.option
        if self.driver.failed_recently(option, state.step):
            if navigation.frontier(state.known, state.position).any() and option.kind != "explore":
                option = options.Option("explore")
                decision = scripted_board.Decision(
                    option, f"{decision.option.text} failed recently; exploring"
                )
            else:
                option = options.Option("wait")
                decision = scripted_board.Decision(
                    option, f"{decision.option.text} failed recently; waiting"
                )
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
        action = self.driver.start(option, state, decision.toward)
        if option.kind == "share" and option.teammate:
            self.status.handed[(option.target, option.teammate)] = state.step
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

    def decide(self, state: library.AgentState) -> scripted_board.Decision:
        """The goal's tool handed to a teammate nearer the goal, then vitals, then the role's
        choice."""
        vital = self.vital(state)
        if vital is not None and not self.driver.failed_recently(vital, state.step):
            handed = self.roles.hand_off(self, state)
            if handed is not None:
                return handed
            return scripted_board.Decision(vital, f"vitals: {vital.text}")
        return self.roles.decide(self, state)

    def vital(self, state: library.AgentState) -> options.Option | None:
        """The vital to tend now: only what living to the episode's end needs (`vitals.vital_need`)."""
        goal = self.spec.goal
        end = vitals.episode_end(state, goal, self.end)
        return vitals.vital_need(state, end, vitals.goal_unseen(state, goal))

    def toward(
        self, state: library.AgentState, goal: str, why: str, gathers: bool = False
    ) -> scripted_board.Decision:
        """The planner's best option toward `goal` (an achievement). An agent that `gathers` for
        itself (alone, or the last of its team) first walks to where a station it places will be
        used again (`planner.station_site`), and once the rest of its plan stands at no station
        it has placed, takes its units on the way to the goal (`planner.route_on_the_way`)."""
        steps = planner.plan_steps(state, goal=goal)
        if not steps:
            return scripted_board.Decision(options.Option("explore"), f"{why}: nothing to plan")
        site = planner.station_site(state, steps) if gathers else None
        if site is not None:
            station = library.readable(steps[0].target)
            return scripted_board.Decision(
                options.Option("navigate", site), f"{why}: place the {station} by the {site}"
            )
        step, toward = planner.choose_step(state, steps), ()
        routed = (
            planner.route_on_the_way(state, steps, goal)
            if gathers and step.kind == "collect"
            else None
        )
        if routed is not None:
            step, toward = routed
        on_the_way = f", on the way to the {toward[-1]}" if toward else ""
        return scripted_board.Decision(
            options.Option.from_step(step), f"{why}: {len(steps)} steps left{on_the_way}", toward
        )

    def trace(self) -> list[dict[str, Any]]:
        return list(self._trace)


class ScriptedTeam(team_lib.Team):
    """A team of scripted agents sharing one board."""

    def __init__(
        self, agents: list[ScriptedAgent], board: scripted_board.TeamBoard, config: dict
    ) -> None:
        super().__init__(agents, config)
        self.board = board

    def reset(self, specs) -> None:
        self.board.reset()
        super().reset(specs)


def build_team(env: mac.EnvConfig, roles: bool = True) -> team_lib.Team:
    """A team of scripted (not an LLM) agents; `roles` turns the S-CS division of labour on."""
    board = scripted_board.TeamBoard()
    policy = scripted_roles.Roles(enabled=roles)
    agents = [
        ScriptedAgent(board, policy, privileged_map=env.privileged_map) for _ in range(env.n_agents)
    ]
    # Two agents on their own explored maps keep the paper's supply roles: there the seeker's
    # search for the goal decides the steps, and the unit split measured slower (own map, 21
    # maps, 2 agents: 174 mean steps with it, 160 without; privileged and 6 agents gain); again
    # at 9f052b2 on 500 other maps, -2.0 +- 5.6 steps with it: no gain
    # (results/changes/not-kept/two-agents-split-the-bill-on-own-maps.patch).
    board.dispatch = roles and (env.privileged_map or env.n_agents > 2)
    team = ScriptedTeam(agents, board, {"roles": roles, "label": LABEL})
    team.method = "scripted"
    return team
