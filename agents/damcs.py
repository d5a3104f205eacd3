"""The DAMCS agent: the plain LLM decision loop plus A-KGMS memory and S-CS communication.

Each agent keeps a hierarchical knowledge graph (`agents.memory`) fed every step, and talks to its
team through the S-CS router (`agents.comms`). Its prompt is the plain agent's sections plus the
working memory (summaries, prerequisite check, recipes from the rule data), its role's duty and the
messages it received, and the decision goes through the same shuffled option menu and model layer
as the plain agent (`agents.llm_agent`). As in the paper, the model writes its goals (ultimate,
long-term, current, each with a status), a reflection, a summary and the operation (generate
mode); the goals and summary it writes are what the knowledge graph stores and shows back. In score
mode (small models that cannot write JSON) the chosen option stands for the current goal and the
previous outcome for the summary. Per step, each agent

  1. observes: updates its map, merges teammates' sightings, re-plans when a share arrived (its
     running skill is interrupted so it decides again), and feeds its memory;
  2. settles options that ended: the memory resolves and commits the experience; a finished share
     becomes a SHARE message, a placed table or furnace a STATION message;
  3. posts its STATUS (role, goals, needs, offers, a few sightings) and, feeding the crafter, its
     CLAIM (the units of the crafter's bill it fetches, so co-helpers fetch the rest) when changed;
  4. decides when its option ended; the memory records the decision.

The menu also offers going to the goal's material and waiting (the seeker walks to the diamond and
waits there for the tool). Extensions of the paper's status template: a status carries the sender's
position (whoever holds the goal's tool hands it to a seeker nearer the goal), and where the
scripted team dispatches (the privileged map, or more than two agents: `dispatch`) the gathering
tool it asks the crafter for; there the crafter's needs are its bill counting the pickaxes
teammates hold and the copies they ask for, and a feeder's menu offers going to a material of the
crafter's bill it cannot mine yet (to wait there for the pickaxe): what the scripted roles' team
dispatch (`agents.teamwork`) reads and decides. The `oracle` control decides by the scripted roles
fed with the same messages (`agents.oracle.TeamView`), so its team play is the S-CS protocol's,
not a shared board's.

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
    decision_reply,
    driver,
    llm_agent,
    memory,
    options,
    oracle,
    prerequisites,
    prompting,
    scripted_roles,
    teamwork,
)
from agents.comms import protocol
from agents.comms import roles as roles_lib
from agents.llm import model as model_lib
from agents.llm import model_config
from agents.memory import focus, graph_files
from agents.skills import library, mapping
from envs import mac
from episode import team as team_lib

LABEL = "DAMCS (A-KGMS + S-CS)"
ASSISTED_LABEL = "DAMCS planner-assisted (relevance filter on the menu; not the paper's agent)"
SIGHTINGS_PER_MATERIAL = 2  # a status carries the few tiles nearest home, not the whole map
WAIT_STEPS = 5  # the menu's "wait" (for a teammate's share, which ends it early)


def sighted_materials(rules: Any) -> tuple[str, ...]:
    """Materials worth telling teammates about: those that need a tool to collect (stone, coal,
    iron, diamond) and those that restore a vital (water), read from the rule data."""
    return tuple(
        material
        for material, rule in rules.collect.items()
        if rule.require or any(item in rules.vitals for item in rule.receive)
    )


VIEW_RADIUS = (4, 3)  # half the 9x7 local view, in tiles (x, y)
GROUND = frozenset({"grass", "sand", "path"})  # what is everywhere and worth no mention


def view_text(state: library.AgentState) -> str:
    """What the agent sees in its local view, by material: the sensory memory's "view"."""
    x, y = state.position
    seen: dict[str, int] = {}
    for dx in range(-VIEW_RADIUS[0], VIEW_RADIUS[0] + 1):
        for dy in range(-VIEW_RADIUS[1], VIEW_RADIUS[1] + 1):
            material = state.known.material_at((x + dx, y + dy))
            if material and material not in GROUND:
                seen[material] = seen.get(material, 0) + 1
    return ", ".join(f"{n} {library.readable(m)}" for m, n in sorted(seen.items())) or "open ground"


# --- prompt sections ---------------------------------------------------------------------------


def memory_section(context: prompting.DecisionContext) -> prompting.Section | None:
    """The A-KGMS working memory; absent when memory is off."""
    working = context.extra.get("memory")
    if working is None:
        return None
    return prompting.Section("Memory", working.text)


def role_section(context: prompting.DecisionContext) -> prompting.Section | None:
    """The S-CS role and its duty; absent for a lone agent or with communication off."""
    role, duty = context.extra.get("role", ""), context.extra.get("duty", "")
    if not role or role == roles_lib.SOLO:
        return None
    return prompting.Section("Your role", f"{role}: {duty}")


def messages_section(context: prompting.DecisionContext) -> prompting.Section | None:
    """The received statuses, stations and shares (the router's compact templates)."""
    inbox: comms.Inbox | None = context.extra.get("inbox")
    if inbox is None or not inbox.messages:
        return None
    return prompting.Section("Team messages", "\n".join(f"- {m.text()}" for m in inbox.messages))


SECTIONS: tuple[prompting.SectionFn, ...] = prompting.with_sections(
    [memory_section, role_section, messages_section]
)


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
            SECTIONS,
            privileged_map=privileged_map,
            label=label,
            mode=mode,
            max_fallback_rate=max_fallback_rate,
        )
        self.memory_on = memory_on
        # The relevance filter is the semantic memory's: no memory, no filter.
        self.focus_on = focus_on and memory_on
        self.router: comms.Router | None = None

    def reset(self, spec: team_lib.AgentSpec) -> None:
        super().reset(spec)
        self.memory = memory.build(self.rules, spec.goal, enabled=self.memory_on)
        self.sighted = sighted_materials(self.rules)
        self._merged: set[tuple[str, str, int]] = set()  # messages already in the map
        self._settled = 0  # driver outcomes already handled
        self._open: tuple[int, str] | None = None  # the recorded decision awaiting its outcome
        self.claim: dict[str, int] = {}  # units of the crafter's bill this agent fetches
        self._claimed = False  # whether the latest claim sent named any units
        self._reference: oracle.Reference | None = None  # the oracle's pick for this decision
        self.wants = ""  # a gathering tool this agent asks the crafter for (dispatch)
        self.own: scripted_roles.AgentStatus | None = None  # the oracle's own status (dispatch)

    def join(self, router: comms.Router) -> None:
        """Attach the team's router for this episode (after `reset`)."""
        self.router = router

    @property
    def role(self) -> str:
        router = self._require_router()
        return router.role(self.spec.agent_id) if router.enabled else ""

    @property
    def dispatch(self) -> bool:
        """Whether the team dispatches as the scripted team would (`agents.scripted.build_team`):
        communication on, and the privileged map or more than two agents."""
        router = self._require_router()
        return router.enabled and (self.driver.privileged_map or len(self.spec.team) > 2)

    # --- the step -------------------------------------------------------------------------------

    def observe(self, info: Mapping[str, Any]) -> bool:
        router = self._require_router()
        aid = self.spec.agent_id
        self.state = state = self.driver.observe(info)
        if state.step == 1:
            # Teammates spawn side by side and box each other in: what failed on the first step
            # says nothing about the map, so it does not stay off the menu.
            self.driver.failed.clear()
        self._merge_sightings(router.inbox(aid))
        self._close_trace()
        if router.should_replan(aid) and self.driver.skill is not None:
            # A teammate gave us something: what to do next may have changed.
            self.driver.finish(state, "interrupted", "received a share; re-planning")
        self.action = self.driver.advance(state)
        self._close_trace()
        self._settle(state)
        self._feed_memory(info, state, router.inbox(aid))
        self._post_status(state)
        self._post_claim(state)
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

    def team_view(self) -> oracle.TeamView | None:
        """What this agent has heard of its team (None alone or with communication off): the
        oracle feeds the scripted roles with it."""
        router = self._require_router()
        if not router.enabled or len(self.spec.team) < 2:
            return None
        inbox = router.inbox(self.spec.agent_id)
        return oracle.TeamView(
            self.spec,
            inbox.statuses,
            inbox.claims,
            dict(self.claim),
            router.policy,
            dispatch=self.dispatch,
            own=self.own,
        )

    def reference_choice(self, menu: Sequence[options.Option], state: library.AgentState) -> int:
        self._reference = oracle.reference(
            menu, state, self.spec.goal, self.team_view(), self.last_step
        )
        return self._reference.index

    def crafter_needs(self) -> dict[str, int] | None:
        """The crafter's stated needs when this agent feeds it (None: not a feeder, or unheard)."""
        router = self._require_router()
        if not router.enabled or self.role not in (*roles_lib.SUPPORT_ROLES, roles_lib.SEEKER):
            return None
        for message in router.inbox(self.spec.agent_id).statuses:
            if router.role(message.sender) == roles_lib.CRAFTER:
                return dict(message.needs)
        return None

    def menu(self, state: library.AgentState) -> list[options.Option]:
        """The driver's menu plus going to the goal's material (the seeker's walk) and, in a team,
        waiting (for a teammate's share); less, with focus on, what neither the goal nor a
        teammate needs."""
        menu = super().menu(state)
        extra = []
        material = library.goal_material(self.rules, self.spec.goal)
        if material is not None and self.spec.goal.startswith("collect_"):
            extra.append(options.Option("navigate", material))
        if len(self.spec.team) > 1:
            extra.append(options.Option("wait", amount=WAIT_STEPS))
        if self.dispatch:
            extra += self._bill_walks(state)
        menu += [
            o for o in extra if o not in menu and not self.driver.failed_recently(o, state.step)
        ]
        if not self.focus_on:
            return menu
        known, _ = self._stations(state)
        tool = prerequisites.goal_tool(self.rules, self.spec.goal)
        router = self._require_router()
        receivers = [
            m
            for m in self.spec.team
            if router.enabled and m != self.spec.agent_id and router.role(m) == roles_lib.SEEKER
        ]
        # Whoever holds the goal's tool goes for the goal, whatever a teammate still asks for.
        holds_tool = bool(tool) and state.inventory.get(tool, 0) > 0
        needs = self.crafter_needs()
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
        )

    def _bill_walks(self, state: library.AgentState) -> list[options.Option]:
        """Going to a material of the crafter's bill this agent cannot mine yet (it waits there
        for the pickaxe the crafter hands over) or has not seen (the walk searches for it)."""
        walks = []
        for item in self.crafter_needs() or {}:
            material = library.material_yielding(self.rules, item)
            if material is None:
                continue
            lacking = teamwork.lacking(self.rules, item, state.inventory)
            if lacking or not state.known.knows(material):
                walks.append(options.Option("navigate", material))
        return walks

    def on_decision(
        self,
        decision: llm_agent.Decision,
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
        self._update_claim(decision)
        if self._trace:
            self._trace[-1]["role"] = self.role
        self._settle(state)  # the option may have ended at once

    def idle(self) -> str:
        action = super().idle()
        self._settle(self._require_state())
        return action

    # --- what the agent tells and remembers -----------------------------------------------------

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
            view=view_text(state),
            messages=tuple(m.text() for m in inbox.messages),
            stations_known=known,
            stations_nearby=nearby,
        )

    def _merge_sightings(self, inbox: comms.Inbox) -> None:
        """Put teammates' news into the known map, once per message: sightings only on tiles this
        agent has not seen (its own view is fresher), placed stations always (they are new)."""
        known = self.driver.known
        for message in (*inbox.statuses, *inbox.stations):
            key = (message.kind, message.sender, message.step)
            if key in self._merged:
                continue
            self._merged.add(key)
            if message.station is not None:
                known.merge([mapping.Sighting(message.station.name, message.station.position)])
            known.merge(s for s in message.sightings if known.material_at(s.position) is None)

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
                self._announce(outcome, state)

    def _announce(self, outcome: driver.Outcome, state: library.AgentState) -> None:
        option = self.driver.option
        if option is None or option.text != outcome.option:
            return
        aid, step = self.spec.agent_id, state.step
        if option.kind == "share":
            if option.target in self.claim:  # one unit of the claim delivered
                self.claim[option.target] -= 1
            self._send(
                comms.Message(
                    comms.SHARE, aid, step, recipient=option.teammate, gave={option.target: 1}
                )
            )
        elif option.kind == "place" and option.target in state.known.stations():
            where = self._nearest(state, option.target)
            if where is not None:
                station = comms.Station(option.target, where)
                self._send(comms.Message(comms.STATION, aid, step, station=station))

    @staticmethod
    def _nearest(state: library.AgentState, material: str) -> tuple[int, int] | None:
        x, y = state.position
        spots = state.known.positions(material)
        return min(spots, key=lambda p: abs(p[0] - x) + abs(p[1] - y)) if spots else None

    def _post_status(self, state: library.AgentState) -> None:
        router = self._require_router()
        if not router.enabled or len(self.spec.team) < 2:
            return
        known, _ = self._stations(state)
        long_term = self.long_term_goal(state)
        role = router.role(self.spec.agent_id)
        # The crafter's needs are the whole bill of its tool chain: what its suppliers fetch.
        tool = prerequisites.goal_tool(self.rules, self.spec.goal)
        wanted = (
            library.readable(f"make_{tool}") if role == roles_lib.CRAFTER and tool else long_term
        )
        if role == roles_lib.CRAFTER and tool and state.inventory.get(tool, 0) > 0:
            wanted = ""  # the tool is made: the bill is paid
        held = {
            item: int(n)
            for item, n in state.inventory.items()
            if n > 0 and item not in self.rules.vitals
        }
        needs = memory.missing_items(self.rules, wanted, held, known)
        dispatch = self.dispatch
        if dispatch and role == roles_lib.CRAFTER and wanted:
            # Its bill counting the pickaxes teammates hold and the copies they ask for.
            view = self.team_view()
            needs = prerequisites.bill(oracle.crafter_steps(view, state)) if view else needs
        self._send(
            comms.Message(
                comms.STATUS,
                self.spec.agent_id,
                state.step,
                role=role,
                long_term_goal=long_term,
                goal=self.driver.option.text if self.driver.busy else "",
                needs=needs,
                offers=held,
                sightings=self._sightings(),
                position=tuple(int(v) for v in state.position),
                wants=self.wants if dispatch and not state.inventory.get(self.wants, 0) else "",
            )
        )

    def _update_claim(self, decision: llm_agent.Decision) -> None:
        """The bill units this agent now fetches: the oracle's claim when its pick was taken;
        for a model's own pick, a collect of an item the crafter needs claims what is still
        unclaimed of it, going to or waiting releases the claim, anything else keeps it."""
        reference, self._reference = self._reference, None
        options_ = decision.options
        if reference is not None and decision.reference is not None:
            if decision.chosen == options_[decision.reference]:
                if reference.claim is not None:
                    self.claim = dict(reference.claim)
                if reference.status is not None and self.dispatch:
                    self.own = reference.status
                    self.wants = reference.status.wants
                return
        option = self.driver.option
        if option is not None and self.dispatch:
            self._update_wants(option, self._require_state())
        needs = self.crafter_needs()
        if option is None or needs is None:
            return
        if option.kind == "collect" and option.target in needs:
            inbox = self._require_router().inbox(self.spec.agent_id)
            others = sum(m.claims.get(option.target, 0) for m in inbox.claims)
            left = needs[option.target] - others
            self.claim = {option.target: left} if left > 0 else {}
        elif option.kind in ("navigate", "wait"):
            self.claim = {}

    def _update_wants(self, option: options.Option, state: library.AgentState) -> None:
        """For a model's own pick: going to a material it cannot mine asks for the pickaxe;
        collecting, or holding what it asked for, drops the request; anything else keeps it."""
        material = option.target if option.kind == "navigate" else ""
        rule = self.rules.collect.get(material)
        item = next(iter(rule.receive), "") if rule is not None else ""
        lacking = teamwork.lacking(self.rules, item, state.inventory) if item else []
        if lacking and material != library.goal_material(self.rules, self.spec.goal):
            self.wants = lacking[0]
        elif option.kind == "collect" or state.inventory.get(self.wants, 0) > 0:
            self.wants = ""
        if self.own is not None:
            self.own.wants = self.wants

    def _post_claim(self, state: library.AgentState) -> None:
        """Tell the co-helpers which units of the crafter's bill this agent fetches (no more than
        the crafter still needs; an empty claim releases them)."""
        router = self._require_router()
        if not router.enabled or len(self.spec.team) < 2:
            return
        needs = self.crafter_needs()
        if needs is not None:
            # Co-helpers earlier in the team have the prior claim (their claims of this step are
            # already posted, so both sides agree): what they claimed is not claimed again.
            team = self.spec.team
            prior = [
                m
                for m in router.inbox(self.spec.agent_id).claims
                if team.index(m.sender) < self.spec.index
            ]
            self.claim = {
                item: min(n, needs.get(item, 0) - sum(m.claims.get(item, 0) for m in prior))
                for item, n in self.claim.items()
            }
        self.claim = {item: n for item, n in self.claim.items() if n > 0}
        if not self.claim and not self._claimed:
            return  # nothing claimed yet: nothing to release
        self._claimed = bool(self.claim)
        role = router.role(self.spec.agent_id)
        self._send(
            comms.Message(comms.CLAIM, self.spec.agent_id, state.step, role=role, claims=self.claim)
        )

    def _send(self, message: comms.Message) -> None:
        """Post `message` to the team and, when it reached anyone, log it on the agent's latest
        decision (the episode viewer shows what each agent sent and received)."""
        if self._require_router().post(message) and self._trace:
            entry = {"to": message.recipient or "all", "text": message.text()}
            self._trace[-1].setdefault("messages", []).append(entry)

    def _sightings(self) -> tuple[mapping.Sighting, ...]:
        """The known tiles of each sighted material nearest home (stable, so statuses repeat)."""
        known, home = self.driver.known, self.driver.home or (0, 0)
        found: list[mapping.Sighting] = []
        for material in self.sighted:
            spots = sorted(
                known.positions(material),
                key=lambda p: (abs(p[0] - home[0]) + abs(p[1] - home[1]), p),
            )
            found += [mapping.Sighting(material, p) for p in spots[:SIGHTINGS_PER_MATERIAL]]
        return tuple(found[: protocol.MAX_SIGHTINGS])

    def _require_router(self) -> comms.Router:
        if self.router is None:
            raise RuntimeError("a DAMCS agent needs its team's router (DamcsTeam.reset)")
        return self.router


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
    lm, config_used = llm_agent.resolve_model(model)
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
        **llm_agent.describe(lm, config_used),
        "memory": memory,
        "comm": comm,
        "focus": focus and memory,
        "batch": batch,
    }
    return DamcsTeam(agents, lm, config, batch=batch, comm=comm)
