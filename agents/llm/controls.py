"""Model-free controls, and the deterministic scripted model the tests use.

A control stands where a language model would, behind the same agent code, prompts and shuffled
menus, so a real model is read against it in the same run:

- `fake`: always the menu's first option (menus are shuffled, so this is a random pick that ignores
  the situation; before menus were shuffled it followed the plan);
- `uniform`: an option uniformly at random, seeded by the question itself;
- `oracle`: the option the scripted planner would take (the request's `reference`, computed by the
  agent from its state; see `agents.oracle`);
- `noisy-oracle:P`: the oracle's option with probability P, else the uniform pick; P is the
  decision accuracy a model would need to play like it (`noisy-oracle:1` is `oracle`,
  `noisy-oracle:0` is `uniform`).

`FakeModel` replies from a script (a list consumed in order, cycling, or a callable), may reply
garbage or out-of-menu text on purpose, and reads its choice replies with the same `parse_choice`
every agent uses, so the repair and fallback paths are exercised. Usage is counted like a real
backend (tokens are whitespace-separated words).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agents.llm import model, parsing

# A script entry sees the prompt and, for `choose`, the options (None for `generate`).
Script = Sequence[str] | Callable[[str, tuple[str, ...] | None], str]

NOISY_ORACLE = "noisy-oracle:"
NAMES = ("fake", "uniform", "oracle")


def is_control(spec: str) -> bool:
    """Whether `spec` names a model-free control (no weights, no server, no device options)."""
    return spec in NAMES or spec.startswith(NOISY_ORACLE)


def _draw(prompt: str, options: Sequence[str], salt: str) -> float:
    """A number in [0, 1) fixed by the question, so a control repeats itself whatever order
    episodes run in."""
    digest = hashlib.sha256("\x00".join((salt, prompt, *options)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def uniform_choice(prompt: str, options: tuple[str, ...] | None) -> str:
    """A script that picks an option uniformly at random, seeded by the question itself."""
    if options is None:
        return "ok"
    return options[int(_draw(prompt, options, "") * len(options))]


def accuracy_of(spec: str) -> float:
    """P of `noisy-oracle:P` (1 for `oracle`, 0 for `uniform`); ValueError naming the spec."""
    if spec == "oracle":
        return 1.0
    if spec == "uniform":
        return 0.0
    text = spec.removeprefix(NOISY_ORACLE)
    try:
        accuracy = float(text)
    except ValueError:
        accuracy = -1.0
    if not spec.startswith(NOISY_ORACLE) or not 0.0 <= accuracy <= 1.0:
        raise ValueError(
            f"invalid control {spec!r}; allowed: oracle, uniform, noisy-oracle:P, 0<=P<=1"
        )
    return accuracy


def _tokens(text: str) -> int:
    return len(text.split())


class FakeModel(model.LanguageModel):
    """Scripted replies; without a script `generate` echoes "ok" and `choose` names option 1."""

    def __init__(self, script: Script | None = None, *, name: str = "fake") -> None:
        super().__init__()
        if script is not None and not callable(script) and len(script) == 0:
            raise ValueError("FakeModel script must not be empty")
        self._script = script
        self._name = name
        self._turn = 0
        self.prompts: list[str] = []  # everything asked, for assertions in tests

    @property
    def model_id(self) -> str:
        return self._name

    def _reply(self, prompt: str, options: tuple[str, ...] | None) -> str:
        self.prompts.append(prompt)
        if self._script is None:
            return "ok" if options is None else options[0]
        if callable(self._script):
            return self._script(prompt, options)
        reply = self._script[self._turn % len(self._script)]
        self._turn += 1
        return reply

    def _answer(self, request: model.ChoiceRequest) -> str:
        return self._reply(request.prompt, request.options)

    def generate(
        self,
        prompts: Sequence[str],
        *,
        max_new_tokens: int,
        stop: Sequence[str] = (),
        json_schema: Mapping[str, Any] | None = None,
    ) -> list[model.Completion]:
        start = time.perf_counter()
        out = []
        for prompt in prompts:
            words = self._reply(prompt, None).split(" ")
            text, stopped = model.cut_at_stop(" ".join(words[:max_new_tokens]), stop)
            truncated = len(words) > max_new_tokens
            reason = "length" if truncated and not stopped else "stop"
            out.append(model.Completion(text, _tokens(prompt), _tokens(text), reason))
        self.meter.add(
            calls=len(out),
            batches=1,
            prompt_tokens=sum(c.prompt_tokens for c in out),
            completion_tokens=sum(c.completion_tokens for c in out),
            latency_s=time.perf_counter() - start,
        )
        return out

    def choose(self, requests: Sequence[model.ChoiceRequest]) -> list[model.Choice]:
        start = time.perf_counter()
        out = []
        for request in requests:
            raw = self._answer(request)
            index = parsing.parse_choice(raw, request.options)
            if index is None:
                out.append(model.fallback_choice(request, raw))
            else:
                out.append(model.one_hot_choice(request, index, raw))
        valid = sum(c.valid for c in out)
        self.meter.add(
            calls=len(out),
            batches=1,
            prompt_tokens=sum(_tokens(r.prompt) for r in requests),
            completion_tokens=sum(_tokens(c.raw) for c in out),
            latency_s=time.perf_counter() - start,
            valid=valid,
            fallbacks=len(out) - valid,
        )
        return out


class OracleModel(FakeModel):
    """`oracle` and `noisy-oracle:P`: the scripted planner's option with probability P, else the
    uniform pick. It reads the request's `reference`, which no real model is shown."""

    wants_reference = True

    def __init__(self, spec: str) -> None:
        super().__init__(name=spec)
        self.accuracy = accuracy_of(spec)

    def _answer(self, request: model.ChoiceRequest) -> str:
        self.prompts.append(request.prompt)
        if request.reference is None:
            raise model.ValidationError(
                f"{self.model_id} needs the agent's reference option; this agent gives none"
            )
        if _draw(request.prompt, request.options, "oracle") < self.accuracy:
            return request.options[request.reference]
        return uniform_choice(request.prompt, request.options)


def build(spec: str) -> FakeModel:
    """The control `spec` names."""
    if spec == "fake":
        return FakeModel()
    if spec == "uniform":
        return FakeModel(uniform_choice, name="uniform")
    return OracleModel(spec)
