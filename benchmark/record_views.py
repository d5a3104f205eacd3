"""What one episode record says: its method family and decision-maker, whether it communicates,
how it departs from the paper's method, and when it reached each milestone.

`benchmark.metrics` aggregates these per-episode views into cells; tables, figures and studies read
them directly when they need one record's facts (its decision accuracy, its goal score).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from episode import record as records_lib


class MetricsError(ValueError):
    """Records cannot be aggregated together (mixed rules or goals, a milestone absent)."""


# ---------------------------------------------------------------------------------------------
# What a record says about its method (read defensively from method_config)
# ---------------------------------------------------------------------------------------------


def method_family(record: records_lib.EpisodeRecord) -> str:
    """The method family (`plain-llm`, `damcs`, `scripted`, `ppo`, ...), else the label."""
    family = record.method_config.get("method")
    return family if isinstance(family, str) and family else record.method


def decision_maker(record: records_lib.EpisodeRecord) -> str | None:
    """Who makes the decisions: the model spec (`qwen2.5-0.5b`, `uniform`, `noisy-oracle:0.5`),
    `scripted` for the scripted method, None for trained policies and random play."""
    family = method_family(record)
    if family == "scripted":
        return "scripted"
    model = record.method_config.get("model")
    if isinstance(model, Mapping):
        model = model.get("spec")
    return model if isinstance(model, str) and model else None


def communicates(record: records_lib.EpisodeRecord) -> bool:
    """S-CS on or off: `comm` for LLM teams, `roles` for the scripted team (default on)."""
    config = record.method_config
    if method_family(record) == "scripted":
        return bool(config.get("roles", True))
    return bool(config.get("comm", True))


NO_MEMORY = "no memory"
"""The deviation of a DAMCS cell run with `memory: false` (A-KGMS off)."""


def deviations(record: records_lib.EpisodeRecord) -> tuple[str, ...]:
    """Options that differ from the paper's form of the method (privileged map, memory off, the
    planner's menu filter on), so tables can prefer the faithful method and name any stand-in."""
    config = record.method_config
    out = []
    if config.get("privileged_map"):
        out.append("privileged map")
    if config.get("memory", True) is False:
        out.append(NO_MEMORY)
    if config.get("focus", False) is True:
        out.append("planner-assisted")
    return tuple(out)


def uses_llm(record: records_lib.EpisodeRecord) -> bool:
    return record.llm_calls > 0 or record.llm_prompt_tokens + record.llm_completion_tokens > 0


_ORACLE = re.compile(r"^noisy-oracle:([0-9]*\.?[0-9]+)$")


def decision_accuracy(spec: str | None) -> float | None:
    """Accuracy P of a synthetic decision-maker: `noisy-oracle:P`, `oracle` = 1, `uniform` = 0 (the
    lowest point: a uniform pick is an oracle that is never consulted); None for real models."""
    if spec == "oracle":
        return 1.0
    if spec == "uniform":
        return 0.0
    match = _ORACLE.match(spec or "")
    if match:
        value = float(match.group(1))
        return value if 0.0 <= value <= 1.0 else None
    return None


# ---------------------------------------------------------------------------------------------
# Per-episode views of records
# ---------------------------------------------------------------------------------------------


def milestone_step(record: records_lib.EpisodeRecord, milestone: str) -> int | None:
    """Earliest joint step of `milestone` in `record`, None if never reached."""
    if milestone not in record.milestones:
        raise MetricsError(
            f"record of {record.method} (map {record.map_seed}) has no milestone {milestone!r}"
        )
    return record.milestones[milestone]


def reached_steps(records: Iterable[records_lib.EpisodeRecord], milestone: str) -> np.ndarray:
    """Steps of the episodes that reached `milestone`; failures are left out, never 0 or the cap."""
    steps = [milestone_step(r, milestone) for r in records]
    return np.array([s for s in steps if s is not None], dtype=float)


def success_rate(records: Sequence[records_lib.EpisodeRecord], milestone: str) -> float:
    """Share of episodes in which any agent reached `milestone`."""
    if not records:
        raise MetricsError("success rate of no episodes")
    return sum(milestone_step(r, milestone) is not None for r in records) / len(records)


def reached_by(
    records: Sequence[records_lib.EpisodeRecord], milestone: str, horizon: int
) -> np.ndarray:
    """Entry t is the share of episodes that reached `milestone` by step t, for t = 0..horizon."""
    if not records:
        raise MetricsError("reach curve of no episodes")
    steps = reached_steps(records, milestone)
    t = np.arange(horizon + 1)
    return (steps[None, :] <= t[:, None]).sum(axis=1) / len(records)


def goal_score(record: records_lib.EpisodeRecord) -> float:
    """One number per episode for rliable statistics: faster success is higher, failure is 0."""
    step = record.goal_step
    if step is None:
        return 0.0
    return (record.max_steps + 1 - step) / (record.max_steps + 1)


def achievement_steps(record: records_lib.EpisodeRecord) -> Mapping[str, int | None]:
    """Unlock step per achievement, as far as the record tells.

    A record's `achievements` maps every achievement of its rule set to its first step or None;
    records made before it was kept hold only the goal chain in `milestones`, so the others are
    unknown there, not failed."""
    return {**record.milestones, **record.achievements}


def distinct_by_map(
    records: Iterable[records_lib.EpisodeRecord],
) -> dict[int, list[records_lib.EpisodeRecord]]:
    """Independent units per map: a map's episodes that are all identical in milestones and length
    are one unit (a deterministic method repeated is one observation, not five).

    Only a *whole* map collapses: when the episodes of a map differ at all the method is random
    there, and two of its episodes that happen to agree (two random failures, say) are two draws;
    merging them would under-weight the method's most common outcome."""
    by_map: dict[int, list[records_lib.EpisodeRecord]] = {}
    for r in records:
        by_map.setdefault(r.map_seed, []).append(r)
    out = {}
    for map_seed, rs in sorted(by_map.items()):
        signatures = {(r.length, tuple(sorted(r.milestones.items()))) for r in rs}
        out[map_seed] = rs[:1] if len(signatures) == 1 else rs
    return out
