"""Synthetic episode records shared by the harness tests: steps are chosen so every number a test
checks can be computed by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from envs.mac import rules
from episode import record as records

MILESTONES = rules.load("damcs").milestones("collect_diamond")


def make_record(
    method: str,
    n_agents: int,
    goal_step: int | None,
    *,
    map_seed: int = 0,
    episode_seed: int = 0,
    max_steps: int = 350,
    reached_before_failure: int = 5,
    llm_calls: int = 0,
    llm_tokens: int = 0,
) -> records.EpisodeRecord:
    """A record whose milestone i (0-based) falls at goal_step * (i + 1) // 10 on success; a
    failed episode reaches the first `reached_before_failure` milestones at 10, 20, ..., then stops.
    """
    if goal_step is not None:
        milestones = {m: goal_step * (i + 1) // 10 for i, m in enumerate(MILESTONES)}
        length = goal_step
    else:
        milestones = {
            m: 10 * (i + 1) if i < reached_before_failure else None
            for i, m in enumerate(MILESTONES)
        }
        length = max_steps
    return records.EpisodeRecord(
        method=method,
        n_agents=n_agents,
        rules="damcs",
        goal="collect_diamond",
        map_seed=map_seed,
        episode_seed=episode_seed,
        max_steps=max_steps,
        length=length,
        success=goal_step is not None,
        milestones=milestones,
        wall_time_s=1.5,
        llm_calls=llm_calls,
        llm_prompt_tokens=llm_tokens // 2,
        llm_completion_tokens=llm_tokens - llm_tokens // 2,
    )


def fixture_records() -> list[records.EpisodeRecord]:
    """A small suite: scripted (no LLM), plain-llm (single agent only) and damcs at 1/2/6 agents.

    Goal steps, by hand:
      scripted n1: 100, 120, 140, failure  -> mean 120 over 3, success 3/4
      damcs    n1: 140, 140                -> 140
      damcs    n2: 105, 115                -> 110
      damcs    n6: 70, 80, 90              -> 80
      plain-llm n1: 300, 260, failure      -> 280, success 2/3
    """
    spec = {
        ("scripted", 1): [100, 120, 140, None],
        ("damcs", 1): [140, 140],
        ("damcs", 2): [105, 115],
        ("damcs", 6): [70, 80, 90],
        ("plain-llm", 1): [300, 260, None],
    }
    out = []
    for (method, n), steps in spec.items():
        llm = method != "scripted"
        for seed, step in enumerate(steps):
            out.append(
                make_record(
                    method,
                    n,
                    step,
                    map_seed=seed,
                    llm_calls=10 * n if llm else 0,
                    llm_tokens=1000 * n if llm else 0,
                )
            )
    return out


@pytest.fixture
def record_factory() -> Callable[..., records.EpisodeRecord]:
    return make_record


@pytest.fixture
def suite_records() -> list[records.EpisodeRecord]:
    return fixture_records()
