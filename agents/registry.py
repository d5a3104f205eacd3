"""Every benchmarked method by name: how `play.py` and the harness turn a name into a team.

A method is a module with `build_team(n_agents, **options) -> agents.base.Team`. Modules are imported
only when used, so naming "random" never imports torch or transformers.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from agents import base

METHODS: dict[str, str] = {
    "random": "agents.random_agent",
    "scripted": "agents.scripted",
    "ppo": "baselines.ppo",
    "mappo": "baselines.mappo",
    "plain-llm": "agents.plain_llm",
    "damcs": "agents.damcs",
}


# Methods whose agents call a language model: their episodes take minutes where the others take
# seconds (the runner starts them first).
LANGUAGE_MODEL_METHODS = ("plain-llm", "damcs")


def names() -> tuple[str, ...]:
    return tuple(METHODS)


def build(method: str, n_agents: int, **options: Any) -> base.Team:
    """A fresh team of `n_agents` agents of `method`; unknown names or options are ValueErrors."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if isinstance(n_agents, bool) or not isinstance(n_agents, int) or n_agents < 1:
        raise ValueError(f"invalid n_agents={n_agents!r}; allowed: an integer >= 1")
    builder = importlib.import_module(METHODS[method]).build_team
    accepted = inspect.signature(builder).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    unknown = [k for k in options if k not in accepted and not takes_any]
    if unknown:
        allowed = [k for k in accepted if k != "n_agents"] or ["none"]
        raise ValueError(
            f"method {method!r} takes no option {unknown[0]!r}; allowed: {', '.join(allowed)}"
        )
    team = builder(n_agents, **options)
    team.method = method
    return team
