"""The batched decision loop shared by LLM agents: subgoal-level decisions, one model call per step.

An `LLMAgent` runs the skill of its current option (`agents.driver`) and needs a decision only when
that skill finished, failed or was interrupted by a falling vital. Each step `LLMTeam.act`

  1. observes: every live agent updates its map and advances its running skill;
  2. decides: every agent that needs a decision builds its prompt and menu, and all of them go to the
     model in ONE call (up to `MAX_ROUNDS` rounds, for options that end at once);
  3. acts: each decided agent starts its chosen option's skill and takes its first action.

Two decision modes, recorded with every decision: `score` (the model scores each option as the
continuation of the prompt, SayCan-style) and `generate` (the model writes the paper's JSON reply,
`agents.decision_reply`: goals, reflection, summary and the operation). Menus carry no plan: each
decision's options are shuffled with a seed recorded beside it, so a position bias cannot pose as
planning. The option the scripted planner would take (`agents.oracle`) rides along in the request
for the oracle controls only; no model is shown it.

A reply that cannot be read, or names an option not on the menu or not executable, becomes the
counted fallback "explore" (`Counters.llm_fallbacks`; a repaired reply counts in `llm_repairs`).
A model that *fails* (server down, out of memory, a bug) is an error: the episode stops with its
one-line message, and so does an episode whose fallback rate passes `ModelConfig.max_fallback_rate`.

Models are loaded once per process (`load_model`, keyed by the whole `ModelConfig`) because the
harness builds a fresh team for every episode (`agents.llm.loader`); `LLMTeam.close` therefore
releases nothing cached. One decision's menu order, request, answer and record, and the batched
model call, are `agents.llm_decision`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agents import decision_reply, driver, llm_decision, options, oracle, prompting
from agents.llm import model
from agents.skills import library
from envs.mac import rules as rules_lib
from episode import team as team_lib

MAX_ROUNDS = 2  # decision rounds per step: a second one when a chosen option ended at once
FALLBACK = options.Option("explore")
FALLBACK_CHECK_AFTER = 20  # decisions before the fallback-rate bound is enforced


class LLMAgent(team_lib.Agent):
    """An agent whose option-level decisions come from a language model.

    The prompt is built from `sections` (see `agents.prompting`); `context_extra` is the hook for
    agent-specific knowledge in the `DecisionContext` (memory, messages), `reference_choice` the
    hook for what the oracle makes of the team, and `on_decision` / `driver.history` the hooks
    for what an agent records.
    """

    reply_goals = False  # the plain agent asks for the operation and a reflection only

    def __init__(
        self,
        lm: model.LanguageModel,
        sections: Sequence[prompting.SectionFn] = prompting.PLAIN_SECTIONS,
        privileged_map: bool = False,
        label: str = "llm",
        mode: str = "score",
        max_fallback_rate: float = 1.0,
    ) -> None:
        super().__init__()
        if mode not in ("score", "generate"):
            raise ValueError(f"invalid decision mode {mode!r}; allowed: score, generate")
        self.lm = lm
        self.sections = tuple(sections)
        self.driver = driver.SkillDriver(privileged_map=privileged_map)
        self.label = label
        self.mode = mode
        self.max_fallback_rate = max_fallback_rate
        self._trace: list[dict[str, Any]] = []

    def reset(self, spec: team_lib.AgentSpec) -> None:
        super().reset(spec)
        self.rules = rules_lib.load(spec.rules)
        self.driver.reset(spec.agent_id, spec.team, self.rules, spec.action_names, spec.seed)
        self.state: library.AgentState | None = None
        self.action: str | None = None
        self._trace = []
        self._reported = 0

    # --- the three phases of a step (driven by LLMTeam) -------------------------------------

    def observe(self, info: Mapping[str, Any]) -> bool:
        """Update from this step's info and advance the running skill; True if a decision is needed."""
        self.state = self.driver.observe(info)
        self._close_trace()
        self.action = self.driver.advance(self.state)
        self._close_trace()
        return self.action is None

    def pending(self) -> llm_decision.Pending:
        """The model request for a decision now, on a freshly shuffled menu."""
        state = self._require_state()
        seed = llm_decision.menu_seed(self.spec.seed, state.step, self.counters.decisions)
        menu = llm_decision.shuffled(self.menu(state), seed)
        texts = tuple(o.text for o in menu)
        context = prompting.DecisionContext(
            state=state,
            goal=self.spec.goal,
            menu=texts,
            history=tuple(self.driver.history),
            max_steps=self.spec.max_steps or self.rules.length,
            extra=self.context_extra(state),
        )
        default = menu.index(FALLBACK) if FALLBACK in menu else 0
        reference = None
        if getattr(self.lm, "wants_reference", False):
            reference = self.reference_choice(menu, state)
        request = model.ChoiceRequest(
            prompting.build(context, self.sections),
            texts,
            default,
            reference=reference,
            neutral_prompt=prompting.build_neutral(context, self.sections),
        )
        reply_prompt = ""
        if self.mode == "generate":
            reply_prompt = prompting.build_reply_request(context, self.sections, self.reply_goals)
        return llm_decision.Pending(request, menu, state.step, seed, reply_prompt, self.reply_goals)

    def apply(
        self, pending: llm_decision.Pending, answer: llm_decision.Answer, cost: Mapping[str, int]
    ) -> bool:
        """Take the model's `answer` and start its option; True if it produced an action this step
        (False: it ended at once and a new decision is needed)."""
        state = self._require_state()
        previous = self.driver.history[-1].text if self.driver.history else ""
        option, reason, reply = self._read(pending, answer)
        fallback = option is None
        if fallback:
            option = FALLBACK if FALLBACK in pending.menu else pending.menu[pending.request.default]
        try:
            self.action = self.driver.start(option, state)
        except options.OptionError as error:
            fallback, reason = True, f"fallback: {option.text} not executable ({error})"
            option = FALLBACK
            self.action = self.driver.start(option, state)
        choice = answer.choice
        scores = choice.scores if choice is not None and not fallback else ()
        decision = llm_decision.Decision(
            agent=self.spec.agent_id,
            step=state.step,
            options=pending.request.options,
            chosen=option.text,
            mode=self.mode,
            menu_seed=pending.menu_seed,
            reference=pending.request.reference,
            scores=scores if len(scores) == len(pending.menu) else (),
            fallback=fallback,
            repaired=bool(reply is not None and reply.repaired),
            reason=reason,
            previous=previous,
            reply=reply.to_dict() if reply is not None else {},
            prompt_tokens=cost.get("prompt_tokens", 0),
            completion_tokens=cost.get("completion_tokens", 0),
            llm_calls=cost.get("calls", 1),
            batch=cost.get("batch", 1),
        )
        self._count(decision)
        self._trace.append({**decision.to_dict(), "method": self.label})
        self.on_decision(decision, state, reply)
        self._close_trace()
        return self.action is not None

    def idle(self) -> str:
        """The action when no option produced one this step: explore, else noop (not a model
        decision, so not counted)."""
        state = self._require_state()
        if not self.driver.failed_recently(FALLBACK, state.step):
            self.action = self.driver.start(FALLBACK, state)
            self._close_trace()
        return self.action or "noop"

    # --- hooks for richer agents ------------------------------------------------------------

    def context_extra(self, state: library.AgentState) -> Mapping[str, Any]:
        """Agent-specific knowledge the prompt sections may read (none for the plain agent)."""
        return {}

    def reference_choice(self, menu: Sequence[options.Option], state: library.AgentState) -> int:
        """The index of the option the scripted planner would take (for the oracle controls); the
        plain agent has no team view, so the planner plays solo."""
        return oracle.reference_index(menu, state, self.spec.goal, end=self.last_step)

    @property
    def last_step(self) -> int:
        """The episode's last step (the oracle tends vitals only as far as reaching it needs)."""
        return (self.spec.max_steps or self.rules.length) - 1

    def menu(self, state: library.AgentState) -> list[options.Option]:
        """The options offered to the model (the driver's full menu for the plain agent)."""
        return self.driver.menu(state)

    def on_decision(  # noqa: B027 - optional hook
        self,
        decision: llm_decision.Decision,
        state: library.AgentState,
        reply: decision_reply.DecisionReply | None,
    ) -> None:
        """Called after each decision (a memory would write its experience here)."""

    # --- the single-agent path and the record -----------------------------------------------

    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        """Decide alone (one model call per decision); `LLMTeam.act` batches across agents."""
        return LLMTeam.step_agents({self.spec.agent_id: self}, {self.spec.agent_id: info}, True)[
            self.spec.agent_id
        ]

    def trace(self) -> list[dict[str, Any]]:
        return list(self._trace)

    def _read(
        self, pending: llm_decision.Pending, answer: llm_decision.Answer
    ) -> tuple[options.Option | None, str, decision_reply.DecisionReply | None]:
        texts = pending.request.options
        if answer.text is not None:
            try:
                reply = decision_reply.parse(answer.text, texts, self.reply_goals)
            except decision_reply.ReplyError as error:
                return None, f"fallback: {error}", None
            index = texts.index(reply.operation)
            why = reply.reflection or "model reply"
            return pending.menu[index], why + (" (repaired)" if reply.repaired else ""), reply
        choice = answer.choice
        if choice is None or not choice.valid:
            raw = choice.raw[:60] if choice is not None else ""
            return None, f"fallback: unreadable reply {raw!r}", None
        if not 0 <= choice.index < len(texts) or choice.option != texts[choice.index]:
            return None, f"fallback: {choice.option[:60]!r} is not on the menu", None
        score = choice.scores[choice.index] if len(choice.scores) == len(texts) else None
        why = "model choice" + (f" (score {score:.2f})" if score is not None else "")
        return pending.menu[choice.index], why, None

    def _count(self, decision: llm_decision.Decision) -> None:
        self.count(
            decisions=1,
            llm_calls=decision.llm_calls,
            llm_prompt_tokens=decision.prompt_tokens,
            llm_completion_tokens=decision.completion_tokens,
            llm_fallbacks=int(decision.fallback),
            llm_repairs=int(decision.repaired),
        )
        made, fell = self.counters.decisions, self.counters.llm_fallbacks
        if made >= FALLBACK_CHECK_AFTER and fell / made > self.max_fallback_rate:
            raise model.ModelError(
                f"{self.lm.model_id}: {fell} of {made} decisions fell back (rate "
                f"{fell / made:.2f} > max_fallback_rate {self.max_fallback_rate}): its replies "
                "cannot be read; try decide=score, a larger model, or raise the bound"
            )

    def _close_trace(self) -> None:
        """Write the outcomes of finished options into their trace entries."""
        history = self.driver.history
        while self._reported < len(history):
            outcome = history[self._reported]
            self._reported += 1
            for entry in reversed(self._trace):
                if entry["step"] == outcome.step and entry["decision"] == outcome.option:
                    entry.setdefault("result", outcome.status)
                    entry.setdefault("outcome", outcome.reason)
                    entry.setdefault("ended", outcome.ended)
                    break

    def _require_state(self) -> library.AgentState:
        if self.state is None:
            raise RuntimeError("observe() must run before a decision")
        return self.state


class LLMTeam(team_lib.Team):
    """LLM agents sharing one model; the decisions of a step go to it as one batch (`batch=True`)
    or one call per agent (`batch=False`, for comparison)."""

    def __init__(
        self,
        agents: Sequence[LLMAgent],
        lm: model.LanguageModel,
        config: Mapping[str, Any] | None = None,
        batch: bool = True,
    ) -> None:
        super().__init__(agents, config)
        self.lm = lm
        self.batch = batch

    def act(self, observations: Mapping[str, Any], infos: Mapping[str, Any]) -> dict[str, int]:
        agents = {aid: self.by_id[aid] for aid in observations}
        return self.step_agents(agents, infos, self.batch)

    @staticmethod
    def step_agents(
        agents: Mapping[str, LLMAgent], infos: Mapping[str, Any], batch: bool
    ) -> dict[str, int]:
        """Observe, decide (batched per round) and act for `agents`; returns action ids."""
        needy = [aid for aid, agent in agents.items() if agent.observe(infos[aid])]
        for _ in range(MAX_ROUNDS):
            if not needy:
                break
            pending = {aid: agents[aid].pending() for aid in needy}
            groups = [list(pending)] if batch else [[aid] for aid in pending]
            needy = []
            for group in groups:
                first = agents[group[0]]
                answers, costs = llm_decision.ask(
                    first.lm, [pending[aid] for aid in group], first.mode
                )
                for aid, answer, cost in zip(group, answers, costs, strict=True):
                    if not agents[aid].apply(pending[aid], answer, cost):
                        needy.append(aid)
        for aid in needy:
            agents[aid].idle()
        return {aid: agent.driver.action_id(agent.action) for aid, agent in agents.items()}

    def close(self) -> None:
        """Nothing to release: the model stays in the per-process cache for the next episode."""
