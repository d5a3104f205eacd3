"""A trained PPO or MAPPO checkpoint as a benchmark `Team`, so it plays through `agents.runner`.

    team = registry.build("mappo", 2, checkpoint="results/checkpoints/mappo-n2")
    result = runner.play_episode(team, runner.EpisodeSpec(n_agents=2), method="mappo",
                                 method_config=team.config)

Actions are sampled from the policy by default, from a generator seeded by the episode's agent
seeds, so an episode replays exactly; ``deterministic=True`` takes the most likely action instead
(on the reference checkpoints that gets stuck: the same move into a wall, no milestone at all).
The team decides for all live players in one forward pass. Its `config` (for the episode
record's `method_config`) holds the checkpoint path and the training config saved with it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agents import base, runner
from baselines import common
from benchmark import records


class PolicySeat(base.Agent):
    """One player's seat at a `PolicyTeam`; the team decides, the seat counts decisions."""

    def __init__(self, team: PolicyTeam) -> None:
        super().__init__()
        self._team = team

    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        return self._team.act({self.spec.agent_id: observation}, {})[self.spec.agent_id]


class PolicyTeam(base.Team):
    """All players share one trained policy, as in training (same agent id encoding)."""

    def __init__(
        self,
        logits: common.LogitsFn,
        run_config: common.RunConfig,
        n_agents: int,
        deterministic: bool,
        config: Mapping[str, Any],
    ) -> None:
        super().__init__([PolicySeat(self) for _ in range(n_agents)], config)
        self.method = run_config.algo
        self._logits = logits
        self._env = run_config.env
        self._deterministic = deterministic
        self._generator = torch.Generator()

    def reset(self, specs: Sequence[base.AgentSpec]) -> None:
        super().reset(specs)
        self._index = {spec.agent_id: i for i, spec in enumerate(specs)}
        self._generator.manual_seed(specs[0].seed)

    def act(self, observations: Mapping[str, Any], infos: Mapping[str, Any]) -> dict[str, int]:
        # The runner passes the observation of a player who died on the last step; it has no turn.
        ids = [aid for aid in observations if infos.get(aid, {}).get("alive", True)]
        if not ids:
            return {}
        batch = np.stack([self._observation(aid, observations[aid]) for aid in ids])
        logits = self._logits(batch)
        if self._deterministic:
            actions = logits.argmax(dim=-1)
        else:
            probs = torch.softmax(logits, dim=-1)
            actions = torch.multinomial(probs, 1, generator=self._generator).squeeze(-1)
        for aid in ids:
            self.by_id[aid].counters.decisions += 1
        return {aid: int(a) for aid, a in zip(ids, actions.tolist(), strict=True)}

    def _observation(self, agent_id: str, observation: np.ndarray) -> np.ndarray:
        if not self._env.agent_id:
            return observation
        return common.with_agent_id(observation, self._index[agent_id], self._env.n_agents)


def load(
    checkpoint: str | Path, algo: str | None = None
) -> tuple[common.LogitsFn, common.RunConfig]:
    """The policy's logits function and training config; `algo`, if given, must match the run."""
    path, run_config = common.find_run(checkpoint)
    if algo is not None and run_config.algo != algo:
        raise common.ConfigError(f"{path} is a {run_config.algo} checkpoint, not {algo}")
    module = importlib.import_module(f"baselines.{run_config.algo}")
    try:
        return module.load_logits(path), run_config
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise common.ConfigError(f"cannot load checkpoint {path}: {error}") from error


def build_team(
    n_agents: int, checkpoint: str | Path, algo: str | None = None, deterministic: bool = False
) -> PolicyTeam:
    """A team of `n_agents` players driven by the checkpoint; the team size must match training
    when the policy reads an agent id (its input width depends on it)."""
    logits, run_config = load(checkpoint, algo)
    if run_config.env.agent_id and run_config.env.n_agents != n_agents:
        raise common.ConfigError(
            f"checkpoint trained with {run_config.env.n_agents} agents (agent id input); "
            f"asked for {n_agents}"
        )
    config = {
        "checkpoint": str(checkpoint),
        "deterministic": deterministic,
        "training": run_config.to_dict(),
    }
    return PolicyTeam(logits, run_config, n_agents, deterministic, config)


def evaluate(
    checkpoint: str | Path,
    episodes: int,
    first_seed: int = 0,
    deterministic: bool = False,
    max_steps: int | None = None,
) -> Iterator[records.EpisodeRecord]:
    """Episode records of the checkpoint on seeds ``first_seed ...``, under its training rules,
    goal and observation type (`max_steps` defaults to the training episode length)."""
    _, run_config = common.find_run(checkpoint)
    env = run_config.env
    team = build_team(env.n_agents, checkpoint, deterministic=deterministic)
    for seed in range(first_seed, first_seed + episodes):
        spec = runner.EpisodeSpec(
            n_agents=env.n_agents,
            rules=env.rules,
            seed=seed,
            goal=env.goal,
            max_steps=max_steps or env.max_cycles,
            obs_type=env.obs,
        )
        yield runner.play_episode(
            team, spec, method=run_config.algo, method_config=team.config
        ).record
