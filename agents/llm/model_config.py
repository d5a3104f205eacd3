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
    """How a local model scores an option: mean (per-token) or sum of log-probabilities, or pmi
    (summed log-probability given the prompt minus given the prompt frame without the situation;
    needs the agent to send `ChoiceRequest.neutral_prompt`)."""
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

    def replace(self, **changes: Any) -> ModelConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
