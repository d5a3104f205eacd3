"""The language-model contract every agent talks to, and the data that crosses it.

In the spirit of Concordia's `LanguageModel`: two verbs only. `generate` continues prompts with
text; `choose` picks one option of a menu per request and returns the scores behind the pick.
Backends (transformers, an OpenAI-compatible server, a scripted fake) implement both, batched,
and account every call in a `UsageMeter`, so the harness reports tokens, latency and fallbacks.

Everything that crosses the boundary is a frozen dataclass that validates itself and round-trips
through JSON (`to_dict` / `from_dict`). Errors are `ModelError`s whose message is one line that
says what to do; a reply that cannot be read as a menu option is a `ParseError` that the caller
turns into a counted fallback.
"""

from __future__ import annotations

import abc
import dataclasses
import math
import threading
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

# -------------------------------------------------------------------------------------------------
# Errors
# -------------------------------------------------------------------------------------------------


class ModelError(RuntimeError):
    """A model could not be loaded or asked; the message is one line telling the user what to do."""

    def __init__(self, message: str) -> None:
        # One line: these reach the terminal of someone running a benchmark, not a debugger.
        super().__init__(" ".join(str(message).split()))


class ModelNotFoundError(ModelError):
    """The name is neither a preset, an existing local path, nor a model available offline."""


class ModelUnavailableError(ModelError):
    """The model exists in principle but cannot be used now (package missing, server down, OOM)."""


class ModelTimeoutError(ModelUnavailableError):
    """A remote model did not answer in time."""


class ParseError(ValueError):
    """A model reply could not be read as one of the menu options."""


class ValidationError(ValueError):
    """A dataclass crossing the model boundary was built with invalid fields."""


# -------------------------------------------------------------------------------------------------
# Data crossing the boundary
# -------------------------------------------------------------------------------------------------


class _Record:
    """JSON round-trip shared by the boundary dataclasses (tuples come back from JSON as lists)."""

    _tuple_fields: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)  # type: ignore[call-overload]
        for name in self._tuple_fields:
            out[name] = list(out[name])
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = set(data) - names
        if unknown:
            raise ValidationError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
        kwargs = dict(data)
        for name in cls._tuple_fields:
            if name in kwargs:
                kwargs[name] = tuple(kwargs[name])
        return cls(**kwargs)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValidationError(message)


@dataclasses.dataclass(frozen=True)
class Completion(_Record):
    """One generated continuation of one prompt."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"  # "stop" (eos or stop string), "length" (max_new_tokens)
    cached: bool = False

    FINISH_REASONS: ClassVar[tuple[str, ...]] = ("stop", "length")

    def __post_init__(self) -> None:
        _check(isinstance(self.text, str), "Completion.text must be a str")
        _check(self.prompt_tokens >= 0, "Completion.prompt_tokens must be >= 0")
        _check(self.completion_tokens >= 0, "Completion.completion_tokens must be >= 0")
        _check(
            self.finish_reason in self.FINISH_REASONS,
            f"Completion.finish_reason must be one of {self.FINISH_REASONS}",
        )


@dataclasses.dataclass(frozen=True)
class ChoiceRequest(_Record):
    """A prompt and the menu to choose from; `default` is the option a fallback takes.

    `reference` is the index of the option the scripted planner would take here (the `oracle`
    controls read it; no model sees it), or None when the agent computed none.
    `neutral_prompt` is the content-free prompt the `"pmi"` option score calibrates against (an
    option's log-prob given the prompt minus given the neutral prompt); None when not calibrated.
    """

    prompt: str
    options: tuple[str, ...]
    default: int = 0
    reference: int | None = None
    neutral_prompt: str | None = None

    _tuple_fields: ClassVar[tuple[str, ...]] = ("options",)

    def __post_init__(self) -> None:
        _check(isinstance(self.prompt, str), "ChoiceRequest.prompt must be a str")
        _check(isinstance(self.options, tuple), "ChoiceRequest.options must be a tuple of str")
        _check(len(self.options) > 0, "ChoiceRequest.options must not be empty")
        _check(
            all(isinstance(o, str) and o.strip() for o in self.options),
            "ChoiceRequest.options must be non-empty strings",
        )
        _check(len(set(self.options)) == len(self.options), "ChoiceRequest.options must be unique")
        _check(0 <= self.default < len(self.options), "ChoiceRequest.default out of range")
        _check(
            self.reference is None or 0 <= self.reference < len(self.options),
            "ChoiceRequest.reference out of range",
        )
        _check(
            self.neutral_prompt is None or isinstance(self.neutral_prompt, str),
            "ChoiceRequest.neutral_prompt must be a str or None",
        )


@dataclasses.dataclass(frozen=True)
class Choice(_Record):
    """The option picked for one `ChoiceRequest`.

    `scores` has one entry per option: for scoring backends the log-probabilities the pick was made
    by (summed, or per-token mean with `option_score="mean"`), one-hot for backends that only return
    text. `valid` is False when the reply could not be read and the request's default was used
    instead (a fallback); `raw` keeps the reply text for the logs.
    """

    index: int
    option: str
    scores: tuple[float, ...]
    valid: bool = True
    cached: bool = False
    raw: str = ""
    scoring: str = ""  # how `scores` were made ("sum", "mean", "pmi", ...); "" when not scored

    _tuple_fields: ClassVar[tuple[str, ...]] = ("scores",)

    def __post_init__(self) -> None:
        _check(isinstance(self.scores, tuple) and len(self.scores) > 0, "Choice.scores empty")
        _check(0 <= self.index < len(self.scores), "Choice.index out of range of scores")
        _check(
            all(isinstance(s, int | float) and not math.isnan(s) for s in self.scores),
            "Choice.scores must be numbers, not NaN",
        )
        _check(isinstance(self.option, str) and bool(self.option), "Choice.option must be a str")


@dataclasses.dataclass(frozen=True)
class Usage(_Record):
    """A snapshot of what a model has been asked; subtract two snapshots for one episode's share."""

    calls: int = 0  # requests served (prompts generated or menus chosen), cache hits included
    batches: int = 0  # backend invocations (one `generate`/`choose` call = one batch)
    prompt_tokens: int = 0  # tokens sent to the model (option tokens count as prompt for scoring)
    completion_tokens: int = 0
    latency_s: float = 0.0  # wall time spent inside backend calls
    valid: int = 0  # choices read from the model's reply
    fallbacks: int = 0  # choices (or parses reported by callers) that fell back to a default
    cache_hits: int = 0
    cache_misses: int = 0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            _check(getattr(self, field.name) >= 0, f"Usage.{field.name} must be >= 0")

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in _USAGE})

    def __sub__(self, other: Usage) -> Usage:
        return Usage(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in _USAGE})


_USAGE = dataclasses.fields(Usage)


class UsageMeter:
    """Thread-safe running totals behind `LanguageModel.usage`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals = dict.fromkeys((f.name for f in _USAGE), 0)
        self._totals["latency_s"] = 0.0

    def add(self, **counts: float) -> None:
        with self._lock:
            for name, value in counts.items():
                if name not in self._totals:
                    raise KeyError(f"unknown usage counter {name!r}")
                self._totals[name] += value

    def snapshot(self) -> Usage:
        with self._lock:
            return Usage(**self._totals)


# -------------------------------------------------------------------------------------------------
# The interface
# -------------------------------------------------------------------------------------------------


class LanguageModel(abc.ABC):
    """Generate text and choose among options, batched; every call is accounted in `usage`."""

    def __init__(self) -> None:
        self.meter = UsageMeter()

    @property
    @abc.abstractmethod
    def model_id(self) -> str:
        """A stable name for logs and cache keys (preset, hub id, path or server model)."""

    @property
    def usage(self) -> Usage:
        return self.meter.snapshot()

    @abc.abstractmethod
    def generate(
        self,
        prompts: Sequence[str],
        *,
        max_new_tokens: int,
        stop: Sequence[str] = (),
        json_schema: Mapping[str, Any] | None = None,
    ) -> list[Completion]:
        """Continue every prompt (greedy), cut at the first stop string; one batch per call. With
        `json_schema`, the reply is constrained to it where the backend can (a library for local
        weights, structured output on a server); callers still validate what comes back."""

    @abc.abstractmethod
    def choose(self, requests: Sequence[ChoiceRequest]) -> list[Choice]:
        """Pick one option per request; all requests of one call go to the model together."""

    def choose_one(self, prompt: str, options: Sequence[str]) -> Choice:
        """Convenience for a single decision."""
        return self.choose([ChoiceRequest(prompt, tuple(options))])[0]

    def record_fallback(self, count: int = 1) -> None:
        """Callers that parse generated text themselves report their failures here."""
        self.meter.add(fallbacks=count)

    def record_valid(self, count: int = 1) -> None:
        """Callers that parse generated text themselves report their successes here."""
        self.meter.add(valid=count)

    def describe(self) -> dict[str, Any]:
        """What a record keeps of the model as it runs (device, dtype, revision, served id...);
        backends add what they resolved."""
        return {"model_id": self.model_id}

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing to release
        """Release resources (caches, connections)."""


def fallback_choice(request: ChoiceRequest, raw: str = "") -> Choice:
    """The counted stand-in used when a reply names no option: the request's default, scores 0/1."""
    scores = tuple(1.0 if i == request.default else 0.0 for i in range(len(request.options)))
    return Choice(request.default, request.options[request.default], scores, valid=False, raw=raw)


def one_hot_choice(request: ChoiceRequest, index: int, raw: str = "") -> Choice:
    """A valid choice from a backend that returns text, not scores."""
    scores = tuple(1.0 if i == index else 0.0 for i in range(len(request.options)))
    return Choice(index, request.options[index], scores, valid=True, raw=raw)


def best_choice(
    request: ChoiceRequest, scores: Sequence[float], cached: bool = False, scoring: str = ""
) -> Choice:
    """The argmax of option scores (the first option wins ties, so the result is deterministic)."""
    values = tuple(float(s) for s in scores)
    if len(values) != len(request.options):
        raise ValidationError("one score per option expected")
    index = max(range(len(values)), key=lambda i: (values[i], -i))
    return Choice(index, request.options[index], values, valid=True, cached=cached, scoring=scoring)


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """`text` up to the earliest stop string, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
