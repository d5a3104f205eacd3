"""One entry point from a `--model` string to a `LanguageModel`.

`fake`, `uniform`, `oracle` and `noisy-oracle:P` are the model-free controls of
`agents.llm.controls`, an `http(s)://...` URL an OpenAI-compatible
server (the served
model's name after `#`, e.g. `http://127.0.0.1:8000/v1#qwen`), anything else a preset, local
directory, `.gguf` file or hub id for `HFModel`.
"""

from __future__ import annotations

from typing import Any

from agents.llm import controls, model


def is_control(spec: str) -> bool:
    """Whether `spec` names a model-free control (`agents.llm.controls`: fake, uniform, oracle,
    noisy-oracle:P): no weights, no server, no device options."""
    return controls.is_control(spec)


def is_local(spec: str) -> bool:
    """Whether `spec` names weights loaded in this process (`HFModel`), the only backend that takes
    device, dtype, threads and scoring options."""
    return not is_control(spec) and not spec.startswith(("http://", "https://"))


def make_model(spec: str, **kwargs: Any) -> model.LanguageModel:
    """Build the model `spec` names; keyword arguments go to the backend's constructor."""
    if is_control(spec):
        return controls.build(spec)
    if spec.startswith(("http://", "https://")):
        from agents.llm import openai_compat

        url, _, name = spec.partition("#")
        return openai_compat.OpenAICompatibleModel(url, name or "default", **kwargs)
    from agents.llm import hf

    return hf.HFModel(spec, **kwargs)
