"""A deterministic, scripted language model for tests.

It replies from a script (a list consumed in order, cycling, or a callable), may reply garbage or
out-of-menu text on purpose, and reads its choice replies with the same `parse_choice` every agent
uses, so the repair and fallback paths are exercised. Usage is counted like a real backend (tokens
are whitespace-separated words).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence

from agents.llm import model, parsing

# A script entry sees the prompt and, for `choose`, the options (None for `generate`).
Script = Sequence[str] | Callable[[str, tuple[str, ...] | None], str]


def uniform_choice(prompt: str, options: tuple[str, ...] | None) -> str:
    """A script that picks an option uniformly at random, seeded by the question itself, so the
    same decision gets the same pick whatever order episodes run in. As `--model uniform` it is a
    control: what a menu is worth with no model behind it."""
    if options is None:
        return "ok"
    digest = hashlib.sha256("\x00".join((prompt, *options)).encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


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

    def generate(
        self, prompts: Sequence[str], *, max_new_tokens: int, stop: Sequence[str] = ()
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
            raw = self._reply(request.prompt, request.options)
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
