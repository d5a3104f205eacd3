"""One decision of an LLM agent, as asked and as recorded: the menu's order (drawn from a seed kept
beside the decision, so a position bias cannot pose as planning), the request (`Pending`), the
model's `Answer`, the `Decision` the trace keeps, and `ask`, the one batched model call for every
pending decision of a step with its tokens shared out. The agents' decision loop is
`agents.llm_agent`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents import decision_reply, options
from agents.llm import model

MAX_REPLY_TOKENS = 200  # a generate-mode reply (the paper's JSON) fits well within this


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
