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
harness builds a fresh team for every episode; `LLMTeam.close` therefore releases nothing cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents import decision_reply, driver, options, oracle, prompting
from agents.llm import factory, model, model_config
from agents.skills import library
from envs.mac import rules as rules_lib
from episode import team as team_lib

MAX_ROUNDS = 2  # decision rounds per step: a second one when a chosen option ended at once
FALLBACK = options.Option("explore")
MAX_REPLY_TOKENS = 200  # a generate-mode reply (the paper's JSON) fits well within this
FALLBACK_CHECK_AFTER = 20  # decisions before the fallback-rate bound is enforced


def menu_seed(agent_seed: int, step: int, decision: int) -> int:
    """The seed of one decision's menu order, fixed by the agent's episode seed, the step and the
    agent's decision count (recorded beside the decision, so its order can be rebuilt)."""
    digest = hashlib.sha256(f"{agent_seed}:{step}:{decision}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def shuffled(menu: Sequence[options.Option], seed: int) -> tuple[options.Option, ...]:
    """`menu` in the order `seed` draws (the same seed gives the same order)."""
    order = np.random.default_rng(seed).permutation(len(menu))
    return tuple(menu[i] for i in order)


@dataclass(frozen=True)
class Decision:
    """One decision of one agent: what it was offered, what it took, why, and what it cost."""

    agent: str
    step: int
    options: tuple[str, ...]
    chosen: str
    mode: str = "score"
    menu_seed: int = 0
    reference: int | None = None  # the scripted planner's option (index into options), if known
    scores: tuple[float, ...] = ()
    fallback: bool = False
    repaired: bool = False
    reason: str = ""  # the model's pick, or why the fallback was taken
    previous: str = ""  # outcome of the option before, as the prompt showed it
    reply: Mapping[str, Any] = field(default_factory=dict)  # the parsed structured reply
    prompt_tokens: int = 0  # this decision's share of its batch
    completion_tokens: int = 0
    llm_calls: int = 1
    batch: int = 1  # requests in the model call that made this decision

    def __post_init__(self) -> None:
        # A fallback may take a safe option the menu lacked (explore after it failed recently).
        if self.chosen not in self.options and not self.fallback:
            raise ValueError(f"decision {self.chosen!r} is not on the menu {self.options}")
        if self.scores and len(self.scores) != len(self.options):
            raise ValueError("one score per option expected")
        if self.mode not in ("score", "generate"):
            raise ValueError(f"invalid decision mode {self.mode!r}; allowed: score, generate")

    @property
    def agrees_with_reference(self) -> bool | None:
        """Whether the choice is the scripted planner's (None when no reference was computed)."""
        if self.reference is None:
            return None
        return self.chosen == self.options[self.reference]

    def to_dict(self) -> dict[str, Any]:
        """A trace entry in the viewer's loose format (see `benchmark.viewer`)."""
        return {
            "agent": self.agent,
            "step": self.step,
            "decision": self.chosen,
            "mode": self.mode,
            "reason": self.reason,
            "fallback": self.fallback,
            "repaired": self.repaired,
            "previous": self.previous,
            "options": list(self.options),
            "menu_seed": self.menu_seed,
            "reference": self.reference,
            "scores": [round(s, 3) for s in self.scores],
            "reply": dict(self.reply),
            "llm_calls": self.llm_calls,
            "llm_prompt_tokens": self.prompt_tokens,
            "llm_completion_tokens": self.completion_tokens,
            "batch": self.batch,
        }


@dataclass(frozen=True)
class Pending:
    """A decision an agent asks for: the model request, the menu behind its texts, and in
    generate mode the prompt asking for the structured reply."""

    request: model.ChoiceRequest
    menu: tuple[options.Option, ...]
    step: int
    menu_seed: int
    reply_prompt: str = ""
    reply_goals: bool = False


@dataclass(frozen=True)
class Answer:
    """What the model said for one pending decision: a choice (score mode) or a reply text."""

    choice: model.Choice | None = None
    text: str | None = None


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

    def pending(self) -> Pending:
        """The model request for a decision now, on a freshly shuffled menu."""
        state = self._require_state()
        seed = menu_seed(self.spec.seed, state.step, self.counters.decisions)
        menu = shuffled(self.menu(state), seed)
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
        return Pending(request, menu, state.step, seed, reply_prompt, self.reply_goals)

    def apply(self, pending: Pending, answer: Answer, cost: Mapping[str, int]) -> bool:
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
        decision = Decision(
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
        decision: Decision,
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
        self, pending: Pending, answer: Answer
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

    def _count(self, decision: Decision) -> None:
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
                answers, costs = ask(first.lm, [pending[aid] for aid in group], first.mode)
                for aid, answer, cost in zip(group, answers, costs, strict=True):
                    if not agents[aid].apply(pending[aid], answer, cost):
                        needy.append(aid)
        for aid in needy:
            agents[aid].idle()
        return {aid: agent.driver.action_id(agent.action) for aid, agent in agents.items()}

    def close(self) -> None:
        """Nothing to release: the model stays in the per-process cache for the next episode."""


def ask(
    lm: model.LanguageModel, pending: Sequence[Pending], mode: str
) -> tuple[list[Answer], list[dict[str, int]]]:
    """One model call for all `pending` decisions: `choose` in score mode, `generate` in generate
    mode. A `ModelError` (the model failed) propagates: it ends the episode. Tokens of the call are
    shared out over the decisions in proportion to their prompt lengths."""
    before = lm.usage
    if mode == "generate":
        prompts = [p.reply_prompt for p in pending]
        # One schema for the batch (the agents' menus differ); each reply is held to its menu.
        goals = any(p.reply_goals for p in pending)
        schema = decision_reply.schema(None, goals) if len(pending) > 1 else None
        if schema is None:
            only = pending[0]
            schema = decision_reply.schema(only.request.options, only.reply_goals)
        completions = lm.generate(prompts, max_new_tokens=MAX_REPLY_TOKENS, json_schema=schema)
        answers = [Answer(text=c.text) for c in completions]
        weights = [len(prompt) for prompt in prompts]
    else:
        requests = [p.request for p in pending]
        answers = [Answer(choice=c) for c in lm.choose(requests)]
        weights = [len(r.prompt) + sum(len(o) for o in r.options) for r in requests]
    if len(answers) != len(pending):
        raise model.ValidationError(f"{len(answers)} answers for {len(pending)} decisions")
    used = lm.usage - before
    prompt_shares = split(used.prompt_tokens, weights)
    completion_shares = split(used.completion_tokens, weights)
    costs = [
        {"calls": 1, "batch": len(pending), "prompt_tokens": p, "completion_tokens": c}
        for p, c in zip(prompt_shares, completion_shares, strict=True)
    ]
    return answers, costs


def split(total: int, weights: Sequence[int]) -> list[int]:
    """`total` shared out in proportion to `weights`, as integers that add up to `total`."""
    weight = sum(weights) or 1
    shares = [total * w // weight for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -(total * weights[i] % weight))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


# --- models, loaded once per process -------------------------------------------------------

_MODELS: dict[model_config.ModelConfig, model.LanguageModel] = {}


def load_model(config: model_config.ModelConfig | model.LanguageModel) -> model.LanguageModel:
    """The model `config` describes (preset, hub id, local path, URL, "fake" or "uniform"), or a
    model object itself.

    With `config.keep_loaded`, a loaded model is kept for the rest of the process and returned
    again for an equal config: teams are built per episode, weights are not. Device, dtype, threads
    and option scoring apply to local weights only. Raises `model.ModelError` with a one-line
    message when the model cannot be had.
    """
    if isinstance(config, model.LanguageModel):
        return config
    kwargs = factory.backend_kwargs(config)
    keep = config.keep_loaded and not factory.is_control(config.spec)
    if keep and config in _MODELS:
        return _MODELS[config]
    lm = factory.make_model(config.spec, **kwargs)
    if keep:
        _MODELS[config] = lm
    return lm


def resolve_model(
    model_option: model_config.ModelConfig | Mapping[str, Any] | str | model.LanguageModel | None,
) -> tuple[model.LanguageModel, model_config.ModelConfig]:
    """The loaded model for a method's `model` option and its config. A model object handed in by
    a caller (tests, studies) gets a config naming it; its decision mode is the object's `decide`
    attribute if it has one, else scoring."""
    if isinstance(model_option, model.LanguageModel):
        decide = getattr(model_option, "decide", "score")
        return model_option, model_config.ModelConfig(spec=model_option.model_id, decide=decide)
    config = model_config.ModelConfig.coerce(model_option)
    return load_model(config), config


def describe(lm: model.LanguageModel, config: model_config.ModelConfig) -> dict[str, Any]:
    """What an episode record keeps of the model: its whole config, the decision mode that ran,
    and what the backend resolved (device, dtype, revision) where it says."""
    resolved = lm.describe()
    return {
        "model": {**config.to_dict(), "spec": factory.public_spec(config.spec)},
        "model_id": lm.model_id,
        "decide": config.resolved_decide,
        "model_resolved": resolved,
    }


def forget_models() -> None:
    """Drop (and close) every cached model, e.g. between benchmark sections or in tests."""
    for lm in _MODELS.values():
        lm.close()
    _MODELS.clear()
