"""Play one episode of a team in Multi-Agent Crafter and return its benchmark record.

This is the single place where an episode is run, for `scripts/play.py`, the benchmark harness and
the MARL evaluation alike, so every method is measured the same way.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents import base
from benchmark import records
from envs import mac
from envs.mac import recorder


@dataclass(frozen=True)
class EpisodeSpec:
    """The environment side of an episode: team size, rules, map and length."""

    n_agents: int
    rules: str = "damcs"
    seed: int = 0
    goal: str = "collect_diamond"
    max_steps: int | None = None
    obs_type: str = "symbolic"
    world_seed: int | None = None
    privileged_map: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.n_agents, bool) or not isinstance(self.n_agents, int):
            raise ValueError(f"invalid n_agents={self.n_agents!r}; allowed: an integer >= 1")
        if self.n_agents < 1:
            raise ValueError(f"invalid n_agents={self.n_agents!r}; allowed: an integer >= 1")

    def make_env(self, render: bool = False) -> mac.MultiAgentCrafter:
        return mac.parallel_env(
            n_agents=self.n_agents,
            rules=self.rules,
            obs_type=self.obs_type,
            goal=self.goal,
            max_cycles=self.max_steps,
            privileged_map=self.privileged_map,
            world_seed=self.world_seed,
            render_mode="rgb_array" if render else None,
        )


@dataclass
class EpisodeResult:
    record: records.EpisodeRecord
    trace: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    frames: list[Any] = field(default_factory=list)


def map_info(env: mac.MultiAgentCrafter) -> dict[str, Any]:
    """Resource counts and the distance to the nearest goal material, for the record."""
    counts = env.material_counts()
    info: dict[str, Any] = {"world_seed": env.current_world_seed, "counts": counts}
    goal_material = env.goal.removeprefix("collect_")
    if goal_material in counts:
        info["goal_distance"] = env.nearest_distance(goal_material)
    return info


def play_episode(
    team: base.Team,
    spec: EpisodeSpec,
    *,
    method: str,
    method_config: Mapping[str, Any] | None = None,
    record_frames: bool = False,
    progress: Any = None,
) -> EpisodeResult:
    """Run `team` for one episode of `spec`; the record holds the team's milestones and costs."""
    env = spec.make_env(render=record_frames)
    started = time.perf_counter()
    observations, infos = env.reset(seed=spec.seed)
    specs = [
        base.AgentSpec(
            agent_id=agent,
            team=tuple(env.possible_agents),
            seed=spec.seed * 1000 + i,
            action_names=tuple(env.action_names(agent)),
            rules=spec.rules,
            goal=spec.goal,
        )
        for i, agent in enumerate(env.possible_agents)
    ]
    team.reset(specs)
    frames = [env.render()] if record_frames else []
    last_infos = infos
    while env.agents:
        # Players who died in the last step got a final observation but act no more.
        live = env.agents
        actions = team.act({a: observations[a] for a in live}, {a: infos[a] for a in live})
        observations, _, _, _, infos = env.step(actions)
        last_infos = infos or last_infos
        if record_frames:
            frames.append(env.render())
        if progress is not None:
            progress.update(1)
    milestones = dict(next(iter(last_infos.values()))["milestones"])
    counters = team.counters()
    record = records.EpisodeRecord(
        method=method,
        n_agents=spec.n_agents,
        rules=spec.rules,
        goal=spec.goal,
        map_seed=int(env.current_world_seed),
        episode_seed=spec.seed,
        max_steps=env.max_cycles,
        length=env.game.step_count,
        success=milestones[spec.goal] is not None,
        milestones=milestones,
        wall_time_s=time.perf_counter() - started,
        method_config=dict(method_config or {}),
        map_info=map_info(env),
        code_version=records.code_version(),
        **counters.to_dict(),
    )
    return EpisodeResult(record=record, trace=team.trace(), frames=frames)


def save_frames(frames: list[Any], path: str | Path, fps: int = 10) -> Path:
    """Write recorded frames as a GIF or MP4 (by the file's suffix)."""
    return recorder.write(frames, path, fps=fps)
