"""The batched decision loop shared by LLM agents: subgoal-level decisions, one model call per step.

An `LLMAgent` runs the skill of its current option (`agents.driver`) and needs a decision only when
that skill finished, failed or was interrupted by a falling vital. Each step `LLMTeam.act`

  1. observes: every live agent updates its map and advances its running skill;
  2. decides: every agent that needs a decision builds its prompt and menu, and all of them go to the
     model in ONE `choose` call (up to `MAX_ROUNDS` rounds, for options that end at once);
  3. acts: each decided agent starts its chosen option's skill and takes its first action.

So an episode costs tens of model calls per agent, not hundreds. A reply that is invalid, out of the
menu or not executable, and any model error, never stops the episode: the agent takes the fallback
option "explore" (always on the menu, always safe, and it reveals the map), the decision is logged
with `fallback=True` and counted in `Counters.llm_fallbacks`.

Models are loaded once per process (`load_model`, keyed by model, device, dtype, threads and call
cache) because the harness builds a fresh team for every episode; `LLMTeam.close` therefore
releases nothing that is cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents import driver, options, prompting
from agents.llm import factory, model, model_config
from agents.skills import library
from envs.mac import rules as rules_lib
from episode import team as team_lib

MAX_ROUNDS = 2  # decision rounds per step: a second one when a chosen option ended at once
FALLBACK = options.Option("explore")


@dataclass(frozen=True)
class Decision:
    """One decision of one agent: what it was offered, what it took, why, and what it cost."""

    agent: str
    step: int
    options: tuple[str, ...]
    chosen: str
    scores: tuple[float, ...] = ()
    fallback: bool = False
    reason: str = ""  # the model's pick, or why the fallback was taken
    previous: str = ""  # outcome of the option before, as the prompt showed it
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

    def to_dict(self) -> dict[str, Any]:
        """A trace entry in the viewer's loose format (see `benchmark.viewer`)."""
        return {
            "agent": self.agent,
            "step": self.step,
            "decision": self.chosen,
            "reason": self.reason,
            "fallback": self.fallback,
            "previous": self.previous,
            "options": list(self.options),
            "scores": [round(s, 3) for s in self.scores],
            "llm_calls": self.llm_calls,
            "llm_prompt_tokens": self.prompt_tokens,
            "llm_completion_tokens": self.completion_tokens,
            "batch": self.batch,
        }


@dataclass(frozen=True)
class Pending:
    """A decision an agent asks for: the model request and the menu behind its texts."""

    request: model.ChoiceRequest
    menu: tuple[options.Option, ...]
    step: int


class LLMAgent(team_lib.Agent):
    """An agent whose option-level decisions come from a language model.

    The prompt is built from `sections` (see `agents.prompting`); `context_extra` is the hook for
    agent-specific knowledge in the `DecisionContext` (memory, messages), and `on_decision` /
    `driver.history` the hooks for what an agent records.
    """

    def __init__(
        self,
        lm: model.LanguageModel,
        sections: Sequence[prompting.SectionFn] = prompting.PLAIN_SECTIONS,
        privileged_map: bool = False,
        label: str = "llm",
    ) -> None:
        super().__init__()
        self.lm = lm
        self.sections = tuple(sections)
        self.driver = driver.SkillDriver(privileged_map=privileged_map)
        self.label = label
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
        """The model request for a decision now."""
        state = self._require_state()
        menu = tuple(self.menu(state))
        texts = tuple(o.text for o in menu)
        context = prompting.DecisionContext(
            state=state,
            goal=self.spec.goal,
            menu=texts,
            history=tuple(self.driver.history),
            max_steps=self.rules.length,
            extra=self.context_extra(state),
        )
        default = menu.index(FALLBACK) if FALLBACK in menu else 0
        prompt = prompting.build(context, self.sections)
        return Pending(model.ChoiceRequest(prompt, texts, default), menu, state.step)

    def apply(self, pending: Pending, choice: model.Choice | None, cost: Mapping[str, int]) -> bool:
        """Take the model's `choice` (None: the model failed) and start its option; True if it
        produced an action this step (False: it ended at once and a new decision is needed)."""
        state = self._require_state()
        previous = self.driver.history[-1].text if self.driver.history else ""
        option, reason = self._read(pending, choice)
        fallback = option is None
        if fallback:
            option = FALLBACK if FALLBACK in pending.menu else pending.menu[pending.request.default]
        try:
            self.action = self.driver.start(option, state)
        except options.OptionError as error:
            fallback, reason = True, f"fallback: {option.text} not executable ({error})"
            option = FALLBACK
            self.action = self.driver.start(option, state)
        scores = choice.scores if choice is not None and not fallback else ()
        decision = Decision(
            agent=self.spec.agent_id,
            step=state.step,
            options=pending.request.options,
            chosen=option.text,
            scores=scores if len(scores) == len(pending.menu) else (),
            fallback=fallback,
            reason=reason,
            previous=previous,
            prompt_tokens=cost.get("prompt_tokens", 0),
            completion_tokens=cost.get("completion_tokens", 0),
            llm_calls=cost.get("calls", 1),
            batch=cost.get("batch", 1),
        )
        self._count(decision)
        self._trace.append({**decision.to_dict(), "method": self.label})
        self.on_decision(decision, state)
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

    def menu(self, state: library.AgentState) -> list[options.Option]:
        """The options offered to the model (the driver's full menu for the plain agent)."""
        return self.driver.menu(state)

    def on_decision(self, decision: Decision, state: library.AgentState) -> None:  # noqa: B027
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
        self, pending: Pending, choice: model.Choice | None
    ) -> tuple[options.Option | None, str]:
        if choice is None:
            return None, "fallback: the model failed"
        if not choice.valid:
            return None, f"fallback: unreadable reply {choice.raw[:60]!r}"
        texts = pending.request.options
        if not 0 <= choice.index < len(texts) or choice.option != texts[choice.index]:
            return None, f"fallback: {choice.option[:60]!r} is not on the menu"
        score = choice.scores[choice.index] if len(choice.scores) == len(texts) else None
        return pending.menu[choice.index], (
            "model choice" + (f" (score {score:.2f})" if score is not None else "")
        )

    def _count(self, decision: Decision) -> None:
        self.count(
            decisions=1,
            llm_calls=decision.llm_calls,
            llm_prompt_tokens=decision.prompt_tokens,
            llm_completion_tokens=decision.completion_tokens,
            llm_fallbacks=int(decision.fallback),
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
                lm = agents[group[0]].lm
                choices, costs = ask(lm, [pending[aid].request for aid in group])
                for aid, choice, cost in zip(group, choices, costs, strict=True):
                    if not agents[aid].apply(pending[aid], choice, cost):
                        needy.append(aid)
        for aid in needy:
            agents[aid].idle()
        return {aid: agent.driver.action_id(agent.action) for aid, agent in agents.items()}

    def close(self) -> None:
        """Nothing to release: the model stays in the per-process cache for the next episode."""


def ask(
    lm: model.LanguageModel, requests: Sequence[model.ChoiceRequest]
) -> tuple[list[model.Choice | None], list[dict[str, int]]]:
    """One `choose` call for all `requests`; a model error gives None choices (fallbacks). Tokens
    of the call are shared out over the requests in proportion to their prompt lengths."""
    before = lm.usage
    try:
        choices: list[model.Choice | None] = list(lm.choose(requests))
        if len(choices) != len(requests):
            raise model.ValidationError(f"{len(choices)} choices for {len(requests)} requests")
    except Exception:
        # Whatever went wrong inside the model (a bug, a dead server, a bad reply) costs this
        # step's decisions a counted fallback each, never the episode.
        choices = [None] * len(requests)
    used = lm.usage - before
    weights = [len(r.prompt) + sum(len(o) for o in r.options) for r in requests]
    prompt_shares = split(used.prompt_tokens, weights)
    completion_shares = split(used.completion_tokens, weights)
    costs = [
        {"calls": 1, "batch": len(requests), "prompt_tokens": p, "completion_tokens": c}
        for p, c in zip(prompt_shares, completion_shares, strict=True)
    ]
    return choices, costs


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
    kwargs: dict[str, Any] = {}
    if factory.is_local(config.spec):
        kwargs = {
            "device": config.device,
            "dtype": config.dtype,
            "threads": config.threads,
            "option_score": config.option_score,
        }
        if not config.call_cache:
            kwargs["cache"] = None
    keep = config.keep_loaded and config.spec not in factory.SCRIPTED
    if keep and config in _MODELS:
        return _MODELS[config]
    lm = factory.make_model(config.spec, **kwargs)
    if keep:
        _MODELS[config] = lm
    return lm


def resolve_model(
    model_option: model_config.ModelConfig | Mapping[str, Any] | str | model.LanguageModel | None,
) -> tuple[model.LanguageModel, dict[str, Any] | None]:
    """The loaded model for a method's `model` option and the config to record for it (None for a
    model object handed in by a caller)."""
    if isinstance(model_option, model.LanguageModel):
        return model_option, None
    config = model_config.ModelConfig.coerce(model_option)
    return load_model(config), config.to_dict()


def forget_models() -> None:
    """Drop (and close) every cached model, e.g. between benchmark sections or in tests."""
    for lm in _MODELS.values():
        lm.close()
    _MODELS.clear()
