"""Language models loaded once per process: the harness builds a fresh team for every episode,
so a model is kept (keyed by its whole `ModelConfig`) and handed to the next team rather than
loaded again; `forget_models` drops them. Also how an episode record describes the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.llm import factory, model, model_config

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
