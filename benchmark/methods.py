"""The method table: the one place where the harness and `play.py` turn a method name into a team.

This is the composition root. Agents and baselines are peers that import neither each other nor
the harness; every method is a builder ``build_team(env: mac.EnvConfig, **options) -> Team`` named
here by import path, so naming "random" never imports torch or transformers. A user benchmarks
their own agent by naming their builder the same way, ``my_pkg.my_module:build_team``, on
`play.py --method` or in a suite; it is imported and its options checked before any episode runs.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from envs import mac
from episode import team as team_lib


class MethodError(ValueError):
    """A method name, builder path or option cannot be used; the message says what is allowed."""


@dataclass(frozen=True)
class Method:
    """A benchmarked method: its builder, the options the table fixes, and what it costs to run."""

    name: str
    builder: str
    """Import path of the team builder, ``module:function``."""
    fixed: Mapping[str, Any] = field(default_factory=dict)
    """Options the table passes and a user may not override (e.g. the checkpoint's algorithm)."""
    language_model: bool = False
    """Its agents call a language model: episodes take minutes where the others take seconds."""
    summary: str = ""


_TABLE = (
    Method("random", "agents.random_agent:build_team", summary="uniform random actions"),
    Method(
        "scripted",
        "agents.scripted:build_team",
        summary="rule-based reference planner (not an LLM)",
    ),
    Method(
        "ppo",
        "baselines.checkpoint_team:build_team",
        {"algo": "ppo"},
        summary="a PPO checkpoint (option checkpoint)",
    ),
    Method(
        "mappo",
        "baselines.checkpoint_team:build_team",
        {"algo": "mappo"},
        summary="a MAPPO checkpoint (option checkpoint)",
    ),
    Method(
        "plain-llm",
        "agents.plain_llm:build_team",
        language_model=True,
        summary="the paper's Baseline: one LLM agent per player, no memory, no messages",
    ),
    Method(
        "damcs",
        "agents.damcs:build_team",
        {"focus": False},
        language_model=True,
        summary="DAMCS as the paper runs it: A-KGMS memory + S-CS communication",
    ),
    Method(
        "damcs-assisted",
        "agents.damcs:build_team",
        {"focus": True},
        language_model=True,
        summary="DAMCS with the planner's relevance filter on the menu (planner-assisted, not the "
        "paper's agent)",
    ),
)
METHODS: dict[str, Method] = {m.name: m for m in _TABLE}


def names() -> tuple[str, ...]:
    return tuple(METHODS)


def is_builder_path(name: str) -> bool:
    """Whether `name` is a user's builder, ``module:function``, rather than a table name."""
    return ":" in name


def resolve(name: str) -> Method:
    """The method `name` names: a table entry, or a user's builder by import path."""
    if name in METHODS:
        return METHODS[name]
    if is_builder_path(name):
        return Method(name, name, summary="a user's team builder")
    raise MethodError(
        f"unknown method {name!r}; allowed: {', '.join(METHODS)}, or a builder "
        "'my_pkg.my_module:build_team'"
    )


def _builder(method: Method) -> Callable[..., team_lib.Team]:
    module_name, _, function = method.builder.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise MethodError(
            f"method {method.name!r}: cannot import {module_name!r} ({error})"
        ) from None
    builder = getattr(module, function, None)
    if not callable(builder):
        raise MethodError(f"method {method.name!r}: {module_name} has no function {function!r}")
    return builder


def check_options(name: str, options: Mapping[str, Any]) -> Method:
    """Import `name`'s builder and check that it accepts `options`, before any episode runs."""
    method = resolve(name)
    builder = _builder(method)
    parameters = inspect.signature(builder).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = [p for p in parameters if p != next(iter(parameters), None)]
    for key in options:
        if key in method.fixed:
            raise MethodError(f"method {name!r} fixes option {key!r}; it cannot be set")
        if key not in accepted and not takes_any:
            allowed = [p for p in accepted if p not in method.fixed] or ["none"]
            raise MethodError(
                f"method {name!r} takes no option {key!r}; allowed: {', '.join(allowed)}"
            )
    return method


def build(name: str, env: mac.EnvConfig, **options: Any) -> team_lib.Team:
    """A fresh team of `name` for `env`; unknown names or options are `MethodError`s."""
    method = check_options(name, options)
    team = _builder(method)(env, **method.fixed, **options)
    if not isinstance(team, team_lib.Team):
        raise MethodError(
            f"method {name!r}: the builder returned {type(team).__name__}, not an episode.team.Team"
        )
    team.method = name
    return team


def uses_language_model(name: str) -> bool:
    """Whether `name`'s episodes call a language model (the runner starts those first)."""
    return name in METHODS and METHODS[name].language_model
