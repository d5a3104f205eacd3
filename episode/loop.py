"""Play one episode of a team in Multi-Agent Crafter and return its benchmark record.

This is the single place where an episode is run, for `scripts/play.py`, the benchmark harness and
the MARL evaluation alike, so every method is measured the same way.

Why a package of its own (`episode`): the episode contract (the Agent/Team interface in
`episode.team`, this loop, the record in `episode.record`) is what the harness, the agents and the
baselines share. Kept apart and importing only `envs`, it lets agents and baselines be peers that
import neither each other nor the harness, and the harness compose them (`benchmark.methods`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envs import mac
from envs.mac import recorder
from episode import record as record_lib
from episode import team as team_lib


@dataclass
class EpisodeResult:
    record: record_lib.EpisodeRecord
    trace: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    frames: list[Any] = field(default_factory=list)
    top_down: Any = None  # the world from above at the end (with record_frames or record_map)


def map_info(env: mac.MultiAgentCrafter) -> dict[str, Any]:
    """Resource counts and the distance to the nearest goal material, for the record."""
    counts = env.material_counts()
    info: dict[str, Any] = {"world_seed": env.current_world_seed, "counts": counts}
    goal_material = env.goal.removeprefix("collect_")
    if goal_material in counts:
        info["goal_distance"] = env.nearest_distance(goal_material)
    return info


def play_episode(
    team: team_lib.Team,
    config: mac.EnvConfig,
    seed: int = 0,
    *,
    method: str,
    method_config: Mapping[str, Any] | None = None,
    record_frames: bool = False,
    record_map: bool = False,
    progress: Any = None,
) -> EpisodeResult:
    """Run `team` for one episode of `config` with episode seed `seed`; the record holds the team's
    milestones and costs. The env gives the team the observation type the team states it reads."""
    if config.obs_type != team.obs_type:
        config = config.replace(obs_type=team.obs_type)
    env = config.make_env(render=record_frames)
    started = time.perf_counter()
    observations, infos = env.reset(seed=seed)
    specs = [
        team_lib.AgentSpec(
            agent_id=agent,
            team=tuple(env.possible_agents),
            seed=seed * 1000 + i,
            action_names=tuple(env.action_names(agent)),
            rules=config.rules,
            goal=config.goal,
            max_steps=env.max_cycles,
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
    last_info = next(iter(last_infos.values()))
    milestones = dict(last_info["milestones"])
    counters = team.counters()
    record = record_lib.EpisodeRecord(
        method=method,
        n_agents=config.n_agents,
        rules=config.rules,
        goal=config.goal,
        map_seed=int(env.current_world_seed),
        episode_seed=seed,
        max_steps=env.max_cycles,
        length=env.game.step_count,
        success=milestones[config.goal] is not None,
        milestones=milestones,
        wall_time_s=time.perf_counter() - started,
        method_config=dict(method_config or {}),
        map_info=map_info(env),
        obs_type=config.obs_type,
        achievements={
            name: last_info["team_achievements"].get(name) for name in env.rules.achievements
        },
        code_version=record_lib.code_version(),
        **counters.to_dict(),
    )
    top_down = env.top_down_map() if record_frames or record_map else None
    return EpisodeResult(record=record, trace=team.trace(), frames=frames, top_down=top_down)


def save_frames(frames: list[Any], path: str | Path, fps: int = 10) -> Path:
    """Write recorded frames as a GIF or MP4 (by the file's suffix)."""
    return recorder.write(frames, path, fps=fps)
