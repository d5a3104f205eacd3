"""The DAMCS agent: the plain LLM decision loop plus A-KGMS memory and S-CS communication.

Each agent keeps a hierarchical knowledge graph (`agents.memory`) fed every step, and talks to its
team through the S-CS router (`agents.comms`). Its prompt is the plain agent's sections plus the
working memory (summaries, prerequisite check, recipes from the rule data), its role's duty and the
messages it received (`agents.damcs_prompt`), and the decision goes through the same shuffled
option menu and model layer as the plain agent (`agents.llm_agent`). As in the paper, the model
writes its goals (ultimate, long-term, current, each with a status), a reflection, a summary and
the operation (generate mode); the goals and summary it writes are what the knowledge graph stores
and shows back. In score mode (small models that cannot write JSON) the chosen option stands for
the current goal and the previous outcome for the summary. Per step, each agent

  1. observes: updates its map, merges teammates' sightings, re-plans when a share arrived (its
     running skill is interrupted so it decides again), and feeds its memory;
  2. settles options that ended: the memory resolves and commits the experience; a finished share
     becomes a SHARE message, a placed table or furnace a STATION message;
  3. posts its STATUS (role, goals, needs, offers, a few sightings) and, feeding the crafter, its
     CLAIM (the units of the crafter's bill it fetches, so co-helpers fetch the rest) when changed;
  4. decides when its option ended; the memory records the decision.

What it hears and writes (steps 1-3) is its `agents.damcs_messages.Messenger`, with the statuses'
extensions of the paper's template. The menu also offers going to the goal's material and waiting
(the seeker walks to the diamond and waits there for the tool), and where the scripted team
dispatches (the privileged map, or more than two agents) a feeder's menu offers going to a
material of the crafter's bill it cannot mine yet (to wait there for the pickaxe): what the
scripted roles' team dispatch (`agents.teamwork`) reads and decides. The `oracle` control decides
by the scripted roles fed with the same messages (`agents.oracle.TeamView`), so its team play is
the S-CS protocol's, not a shared board's.

Ablations: `memory=False` uses the null memory (no memory section in the prompt), `comm=False` the
null router (no roles, no messages, nothing counted), `privileged_map=True` navigates on the full map.
The named variant `damcs-assisted` (`focus=True`) adds the memory's relevance filter on the menu
(`agents.memory.focus`), which keeps only the prerequisite planner's next steps: a planner the paper
does not have, so it is reported beside `scripted` as planner-assisted, never as the paper's agent.

    python scripts/play.py --method damcs --n-agents 2 --seed 0 --model qwen2.5-0.5b
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from agents import (
    comms,
    damcs_messages,
    damcs_prompt,
    decision_reply,
    llm_agent,
    llm_decision,
    memory,
    options,
    oracle,
    prerequisites,
    teamwork,
)
from agents.comms import roles as roles_lib
from agents.llm import loader, model_config
from agents.llm import model as model_lib
from agents.memory import focus, graph_files
from agents.skills import library
from envs import mac
from episode import team as team_lib

LABEL = "DAMCS (A-KGMS + S-CS)"
ASSISTED_LABEL = "DAMCS planner-assisted (relevance filter on the menu; not the paper's agent)"
WAIT_STEPS = 5  # the menu's "wait" (for a teammate's share, which ends it early)


# --- the agent ---------------------------------------------------------------------------------


class DamcsAgent(llm_agent.LLMAgent):
    """An LLM agent with a knowledge-graph memory and a place in its team's S-CS router."""

    reply_goals = True

    def __init__(
        self,
        lm: model_lib.LanguageModel,
        privileged_map: bool = False,
        memory_on: bool = True,
        focus_on: bool = False,
        mode: str = "score",
        max_fallback_rate: float = 1.0,
        label: str = LABEL,
    ) -> None:
        super().__init__(
            lm,
            damcs_prompt.SECTIONS,
            privileged_map=privileged_map,
            label=label,
            mode=mode,
            max_fallback_rate=max_fallback_rate,
        )
        self.memory_on = memory_on
        # The relevance filter is the semantic memory's: no memory, no filter.
        self.focus_on = focus_on and memory_on
        self.router: comms.Router | None = None
        self.messenger: damcs_messages.Messenger | None = None

    def reset(self, spec: team_lib.AgentSpec) -> None:
        super().reset(spec)
        self.memory = memory.build(self.rules, spec.goal, enabled=self.memory_on)
        self._settled = 0  # driver outcomes already handled
        self._open: tuple[int, str] | None = None  # the recorded decision awaiting its outcome
        self._reference: oracle.Reference | None = None  # the oracle's pick for this decision
        self.messenger = None  # its S-CS side, built when it joins the team's router

    def join(self, router: comms.Router) -> None:
        """Attach the team's router for this episode (after `reset`)."""
        self.router = router
        self.messenger = damcs_messages.Messenger(
            self.spec, self.rules, self.driver, router, self._log_message
        )

    @property
    def role(self) -> str:
        return self._require_messenger().role

    # --- the step -------------------------------------------------------------------------------

    def observe(self, info: Mapping[str, Any]) -> bool:
        router, messenger = self._require_router(), self._require_messenger()
        aid = self.spec.agent_id
        self.state = state = self.driver.observe(info)
        if state.step == 1:
            # Teammates spawn side by side and box each other in: what failed on the first step
            # says nothing about the map, so it does not stay off the menu.
            self.driver.failed.clear()
        goal_heard = messenger.merge_sightings(router.inbox(aid))
        self._close_trace()
        if router.should_replan(aid) and self.driver.skill is not None:
            # A teammate gave us something: what to do next may have changed.
            self.driver.finish(state, "interrupted", "received a share; re-planning")
        elif goal_heard and self.driver.skill is not None:
            # A teammate saw the goal's material: whoever holds the tool may hand it over, a
            # searcher may stop searching.
            self.driver.finish(state, "interrupted", "a teammate saw the goal; re-planning")
        self.action = self.driver.advance(state)
        self._close_trace()
        self._settle(state)
        self._feed_memory(info, state, router.inbox(aid))
        messenger.post_status(state, self.long_term_goal(state))
        messenger.post_claim(state)
        return self.action is None

    def context_extra(self, state: library.AgentState) -> Mapping[str, Any]:
        router = self._require_router()
        inbox = router.collect(self.spec.agent_id)  # shares are events: read once
        extra: dict[str, Any] = {"inbox": inbox}
        if self.memory.enabled:
            # Messages have their own section; the memory keeps them in its experiences only.
            extra["memory"] = dataclasses.replace(self.memory.summary(), messages=())
        if router.enabled:
            index, n = self.spec.index, len(self.spec.team)
            extra["role"] = router.role(self.spec.agent_id)
            extra["duty"] = router.policy.duty(index, n)
        return extra

    def reference_choice(self, menu: Sequence[options.Option], state: library.AgentState) -> int:
        self._reference = oracle.reference(
            menu, state, self.spec.goal, self._require_messenger().team_view(), self.last_step
        )
        return self._reference.index

    def menu(self, state: library.AgentState) -> list[options.Option]:
        """The driver's menu plus, in a team, going to the goal's material (the seeker's walk, to
        wait there for the tool) and waiting (for a teammate's share); less, with focus on, what
        neither the goal nor a teammate needs. Alone the menu is the plain agent's: a lone walk
        to the goal before its tool only costs steps, and the two agents then differ only by
        what the prompt holds (A-KGMS), the component the single-agent comparison reads."""
        menu = super().menu(state)
        extra = []
        material = library.goal_material(self.rules, self.spec.goal)
        if len(self.spec.team) > 1:
            if material is not None and self.spec.goal.startswith("collect_"):
                extra.append(options.Option("navigate", material))
            extra.append(options.Option("wait", amount=WAIT_STEPS))
        if self._require_messenger().dispatch:
            extra += self._bill_walks(state)
        menu += [
            o for o in extra if o not in menu and not self.driver.failed_recently(o, state.step)
        ]
        if not self.focus_on:
            return menu
        known, _ = self._stations(state)
        tool = prerequisites.goal_tool(self.rules, self.spec.goal)
        router = self._require_router()
        messenger = self._require_messenger()
        # With team dispatch the goal's tool goes to whoever reaches the goal soonest, and the
        # crafter copies and hands out the pickaxes teammates ask for.
        receivers = [
            m
            for m in self.spec.team
            if router.enabled
            and m != self.spec.agent_id
            and (messenger.dispatch or router.role(m) == roles_lib.SEEKER)
        ]
        # Whoever holds the goal's tool goes for the goal, whatever a teammate still asks for.
        holds_tool = bool(tool) and state.inventory.get(tool, 0) > 0
        needs = messenger.crafter_needs()
        crafter = self.spec.team[0]
        heard = {crafter: needs} if needs and not holds_tool else {}
        return focus.relevant(
            menu,
            self.rules,
            self.spec.goal,
            state.inventory,
            known,
            teammate_needs=heard,
            tool_receivers=receivers,
            supplier=bool(heard),
            tool_requests=messenger.tool_requests(),
        )

    def _bill_walks(self, state: library.AgentState) -> list[options.Option]:
        """Going to a material of the crafter's bill this agent cannot mine yet (it waits there
        for the pickaxe the crafter hands over) or has not seen (the walk searches for it)."""
        walks = []
        for item in self._require_messenger().crafter_needs() or {}:
            material = library.material_yielding(self.rules, item)
            if material is None:
                continue
            lacking = teamwork.lacking(self.rules, item, state.inventory)
            if lacking or not state.known.knows(material):
                walks.append(options.Option("navigate", material))
        return walks

    def on_decision(
        self,
        decision: llm_decision.Decision,
        state: library.AgentState,
        reply: decision_reply.DecisionReply | None,
    ) -> None:
        # The model's own goals and summary when it wrote them (generate mode); else the chosen
        # option stands for the current goal and the previous outcome for the summary.
        goal = decision.chosen
        long_term = self.long_term_goal(state)
        summary = decision.previous
        if reply is not None:
            goal = reply.current_goal.goal if reply.current_goal else goal
            long_term = reply.long_term_goal.goal if reply.long_term_goal else long_term
            summary = reply.summary or summary
        self.memory.record(
            decision.chosen,
            goal=goal,
            long_term_goal=long_term,
            reply=dict(decision.reply) or {"choice": decision.chosen, "reason": decision.reason},
            summary=summary,
        )
        self._open = (decision.step, decision.chosen)
        reference, self._reference = self._reference, None
        self._require_messenger().update_claim(decision, reference, self._require_state())
        if self._trace:
            self._trace[-1]["role"] = self.role
        self._settle(state)  # the option may have ended at once

    def idle(self) -> str:
        action = super().idle()
        self._settle(self._require_state())
        return action

    # --- what the agent remembers ---------------------------------------------------------------

    def long_term_goal(self, state: library.AgentState) -> str:
        """The next milestone toward the episode goal not yet achieved (in words)."""
        for name in self.rules.milestones(self.spec.goal):
            if not state.achievements.get(name, 0):
                return library.readable(name)
        return library.readable(self.spec.goal)

    def _stations(self, state: library.AgentState) -> tuple[tuple[str, ...], tuple[str, ...]]:
        known = tuple(sorted(state.stations_known))
        return known, tuple(sorted(state.known.stations_nearby(state.position)))

    def _feed_memory(
        self, info: Mapping[str, Any], state: library.AgentState, inbox: comms.Inbox
    ) -> None:
        known, nearby = self._stations(state)
        self.memory.observe_info(
            info,
            view=damcs_prompt.view_text(state),
            messages=tuple(m.text() for m in inbox.messages),
            stations_known=known,
            stations_nearby=nearby,
        )

    def _settle(self, state: library.AgentState) -> None:
        """Handle options that ended since the last call: memory outcome, SHARE and STATION."""
        history = self.driver.history
        while self._settled < len(history):
            outcome = history[self._settled]
            self._settled += 1
            if self._open == (outcome.step, outcome.option):
                self.memory.resolve(outcome.status, outcome.reason)
                self.memory.commit()
                self._open = None
            if outcome.status == library.DONE:
                self._require_messenger().announce(outcome, state)

    def _log_message(self, message: comms.Message) -> None:
        """Log a sent message on the agent's latest decision (the episode viewer shows what each
        agent sent and received)."""
        if self._trace:
            entry = {"to": message.recipient or "all", "text": message.text()}
            self._trace[-1].setdefault("messages", []).append(entry)

    def _require_router(self) -> comms.Router:
        if self.router is None:
            raise RuntimeError("a DAMCS agent needs its team's router (DamcsTeam.reset)")
        return self.router

    def _require_messenger(self) -> damcs_messages.Messenger:
        if self.messenger is None:
            raise RuntimeError("a DAMCS agent needs its team's router (DamcsTeam.reset)")
        return self.messenger


# --- the team ----------------------------------------------------------------------------------


class DamcsTeam(llm_agent.LLMTeam):
    """DAMCS agents sharing one model and one S-CS router (rebuilt every episode)."""

    def __init__(
        self,
        agents: Sequence[DamcsAgent],
        lm: model_lib.LanguageModel,
        config: Mapping[str, Any] | None = None,
        batch: bool = True,
        comm: bool = True,
        policy: comms.RolePolicy | None = None,
    ) -> None:
        super().__init__(agents, lm, config, batch=batch)
        self.comm = comm
        self.policy = policy
        self.router: comms.Router | None = None

    def reset(self, specs: Sequence[team_lib.AgentSpec]) -> None:
        super().reset(specs)
        self.router = comms.build(
            [s.agent_id for s in specs], policy=self.policy, enabled=self.comm
        )
        for agent in self.agents:
            agent.join(self.router)

    def act(self, observations: Mapping[str, Any], infos: Mapping[str, Any]) -> dict[str, int]:
        router = self.router
        assert router is not None, "reset() must run before act()"
        for aid in list(router.alive):
            if aid not in observations:
                router.remove(aid)  # dead: no more statuses to or from it
        actions = super().act(observations, infos)
        for aid, agent in self.by_id.items():
            agent.counters = router.charge(aid, agent.counters)
        return actions

    def memories(self) -> dict[str, memory.Memory]:
        return {aid: agent.memory for aid, agent in self.by_id.items()}

    def export_memory(self, directory: str) -> list[str]:
        """Write each agent's knowledge graph (`<agent>.json`, `<agent>.graphml`) to `directory`."""
        return [str(p) for p in graph_files.export_team(self.memories(), directory)]


def build_team(
    env: mac.EnvConfig,
    model: model_config.ModelConfig
    | Mapping[str, Any]
    | str
    | model_lib.LanguageModel
    | None = None,
    memory: bool = True,
    comm: bool = True,
    focus: bool = False,
    batch: bool = True,
) -> DamcsTeam:
    """A team of DAMCS agents sharing one model; `memory` and `comm` are the paper's ablations;
    `focus=True` is the planner-assisted variant (`damcs-assisted` in the method table: the
    memory's relevance filter keeps only the planner's next steps on the menu). `model` as in
    `agents.plain_llm.build_team`."""
    lm, config_used = loader.resolve_model(model)
    label = ASSISTED_LABEL if focus and memory else LABEL
    agents = [
        DamcsAgent(
            lm,
            privileged_map=env.privileged_map,
            memory_on=memory,
            focus_on=focus,
            mode=config_used.resolved_decide,
            max_fallback_rate=config_used.max_fallback_rate,
            label=label,
        )
        for _ in range(env.n_agents)
    ]
    config = {
        "label": label,
        **loader.describe(lm, config_used),
        "memory": memory,
        "comm": comm,
        "focus": focus and memory,
        "batch": batch,
    }
    return DamcsTeam(agents, lm, config, batch=batch, comm=comm)
