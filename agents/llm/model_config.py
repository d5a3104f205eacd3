"""The one description of the language model an LLM method decides with.

`ModelConfig` is built once (by a CLI, a suite's method options or a study), validated on
construction, passed whole from the CLI to the backend, and recorded whole in every episode record's
`method_config["model"]`, so a result names the exact model settings that made it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import tyro

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "fp32", "bf16")
OPTION_SCORES = ("mean", "sum", "pmi")
DECIDE_MODES = ("auto", "score", "generate")
DEFAULT_SPEC = "qwen2.5-0.5b"
"""The agents' default model: the strongest offline preset that installs on a laptop."""
DEFAULT_OPTION_SCORE = "mean"
"""Summed log-probabilities favour the one-token "explore" on every menu; the per-token mean does
not (measured by `benchmark.studies.decision_probe`)."""


class ModelConfigError(ValueError):
    """A model config names an impossible value; the message names the field."""


@dataclass(frozen=True)
class ModelConfig:
    """Which language model decides, where it runs and how it scores options."""

    spec: Annotated[str, tyro.conf.arg(name="model")] = DEFAULT_SPEC
    """A preset (smollm2-135m, gemma3-270m, qwen2.5-0.5b), a local Hugging Face directory or .gguf
    file, a hub id, an OpenAI-compatible server URL (`http://host:port/v1#model`), or a model-free
    control (fake: always the first option; uniform: a seeded random option)."""
    device: str = "auto"
    """Where local weights run: auto (CUDA when present, else CPU), cpu or cuda."""
    dtype: str = "auto"
    """Local weights' number format: auto (bf16 on CUDA and on CPUs with native bf16, AMX or
    AVX512-BF16; fp32 otherwise), fp32 or bf16."""
    threads: int | None = None
    """CPU threads for local weights (None: the process's share of the cores)."""
    option_score: str = DEFAULT_OPTION_SCORE
    """How a model (local or served) scores an option: mean (per-token) or sum of
    log-probabilities, or pmi (calibrated: given the situation minus given the prompt frame)."""
    timeout_s: float = 60.0
    """Total seconds one request to a model server may take (a server trickling bytes is cut off
    at this deadline)."""
    decide: str = "auto"
    """How the model decides: score (SayCan-style option scoring), generate (it writes the paper's
    JSON reply: goals, reflection, summary, operation) or auto (`resolved_decide`)."""
    max_fallback_rate: float = 0.5
    """Stop the episode with an error when more than this share of the model's decisions (after
    the first 20) fell back because its replies could not be read."""
    call_cache: bool = True
    """Reuse the persistent cache of model calls (same model, same prompt, same answer)."""
    keep_loaded: bool = True
    """Keep loaded weights for later episodes of this process (teams are built per episode)."""

    def __post_init__(self) -> None:
        def fail(name: str, allowed: str) -> ModelConfigError:
            value = getattr(self, name)
            return ModelConfigError(f"invalid model {name}={value!r}; allowed: {allowed}")

        if not isinstance(self.spec, str) or not self.spec.strip():
            raise fail("spec", "a preset, a model path, a hub id, a server URL, fake or uniform")
        if self.device not in DEVICES:
            raise fail("device", ", ".join(DEVICES))
        if self.dtype not in DTYPES:
            raise fail("dtype", ", ".join(DTYPES))
        if self.threads is not None and (
            isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1
        ):
            raise fail("threads", "None or an integer >= 1")
        if self.option_score not in OPTION_SCORES:
            raise fail("option_score", ", ".join(OPTION_SCORES))
        if isinstance(self.timeout_s, bool) or not isinstance(self.timeout_s, int | float):
            raise fail("timeout_s", "a number of seconds > 0")
        if not self.timeout_s > 0:
            raise fail("timeout_s", "a number of seconds > 0")
        if self.decide not in DECIDE_MODES:
            raise fail("decide", ", ".join(DECIDE_MODES))
        rate = self.max_fallback_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise fail("max_fallback_rate", "a number from 0 to 1")
        for name in ("call_cache", "keep_loaded"):
            if not isinstance(getattr(self, name), bool):
                raise fail(name, "true or false")

    @classmethod
    def coerce(cls, value: ModelConfig | Mapping[str, Any] | str | None) -> ModelConfig:
        """A config from what a suite file or a caller holds: a config, a mapping of its fields,
        or a bare model spec string."""
        if value is None:
            return cls()
        if isinstance(value, ModelConfig):
            return value
        if isinstance(value, str):
            return cls(spec=value)
        if isinstance(value, Mapping):
            known = {f.name for f in dataclasses.fields(cls)}
            unknown = sorted(set(value) - known)
            if unknown:
                raise ModelConfigError(
                    f"unknown model fields {unknown}; allowed: {', '.join(sorted(known))}"
                )
            return cls(**value)
        raise ModelConfigError(
            f"invalid model={value!r}; allowed: a model spec string or a mapping of "
            f"{', '.join(f.name for f in dataclasses.fields(cls))}"
        )

    @property
    def resolved_decide(self) -> str:
        """The decision mode `decide="auto"` stands for. Scoring for the model-free controls and
        the offline presets (135M-0.5B models that write unreadable JSON; see the README's probe),
        generation for a server or any other model (a user's instruct model, as in the paper)."""
        if self.decide != "auto":
            return self.decide
        from agents.llm import controls, presets

        if controls.is_control(self.spec) or self.spec in presets.PRESETS:
            return "score"
        return "generate"

    def replace(self, **changes: Any) -> ModelConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
