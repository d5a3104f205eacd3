"""One entry point from a `--model` string to a `LanguageModel`.

`fake`, `uniform`, `oracle` and `noisy-oracle:P` are the model-free controls of
`agents.llm.controls`, an `http(s)://...` URL an OpenAI-compatible
server (the served
model's name after `#`, e.g. `http://127.0.0.1:8000/v1#qwen`; without it, the one model the server
serves), anything else a preset, local
directory, `.gguf` file or hub id for `HFModel`.
"""

from __future__ import annotations

import pathlib
from typing import Any

from agents.llm import controls, model, model_config


def is_control(spec: str) -> bool:
    """Whether `spec` names a model-free control (`agents.llm.controls`: fake, uniform, oracle,
    noisy-oracle:P): no weights, no server, no device options."""
    return controls.is_control(spec)


def is_local(spec: str) -> bool:
    """Whether `spec` names weights loaded in this process (`HFModel`), the only backend that takes
    device, dtype, threads and scoring options."""
    return not is_control(spec) and not spec.startswith(("http://", "https://"))


def looks_like_path(spec: str) -> bool:
    """Whether a local `spec` names a file or directory rather than a hub id (`org/name`)."""
    return spec.startswith(("/", ".", "~")) or spec.endswith(".gguf") or spec.count("/") > 1


def unavailable(spec: str) -> str | None:
    """Why `spec` cannot load on this machine, told without loading anything (a preset whose
    packages are not installed, a local path that does not exist); None when it may load (a
    control, a server, a hub id, an existing path or an installed preset)."""
    if not is_local(spec):
        return None
    from agents.llm import presets

    if spec in presets.PRESETS:
        if presets.is_available(spec):
            return None
        return f"preset {spec} needs: python scripts/install_models.py {spec}"
    if looks_like_path(spec) and not pathlib.Path(spec).expanduser().exists():
        return (
            f"no model at {spec}; pass a preset ({', '.join(presets.PRESETS)}), an existing HF"
            " model directory or a .gguf file"
        )
    return None


def backend_kwargs(config: model_config.ModelConfig) -> dict[str, Any]:
    """The constructor arguments `config` means for its backend: device options for local weights,
    the option score for local weights and servers alike (one decision rule), the request deadline
    for servers (`timeout_s`, where the config has that field), and no call cache when
    `call_cache` is off, for every backend that has one."""
    spec = config.spec
    if is_control(spec):
        return {}
    kwargs: dict[str, Any] = {"option_score": config.option_score}
    if is_local(spec):
        kwargs.update(device=config.device, dtype=config.dtype, threads=config.threads)
    elif getattr(config, "timeout_s", None) is not None:
        kwargs["timeout_s"] = config.timeout_s
    if not config.call_cache:
        kwargs["cache"] = None
    return kwargs


def public_spec(spec: str) -> str:
    """`spec` as it may be recorded or printed: a server URL loses any `user:password@`."""
    if not spec.startswith(("http://", "https://")):
        return spec
    from agents.llm import http_client

    url, hash_, name = spec.partition("#")
    return http_client.redact_url(url) + hash_ + name


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
