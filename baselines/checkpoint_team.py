"""A trained PPO or MAPPO checkpoint as a benchmark `Team`, so it plays through `episode.loop`.

    env = mac.EnvConfig(n_agents=2)
    team = checkpoint_team.build_team(env, checkpoint="results/checkpoints/mappo-n2")
    result = loop.play_episode(team, env, method="mappo", method_config=team.config)

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

from baselines import run_config as run_config_lib
from baselines import run_dir, train_result, training_env
from envs import mac
from episode import loop
from episode import record as record_lib
from episode import team as team_lib


class PolicySeat(team_lib.Agent):
    """One player's seat at a `PolicyTeam`; the team decides, the seat counts decisions."""

    def __init__(self, team: PolicyTeam) -> None:
        super().__init__()
        self._team = team

    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        return self._team.act({self.spec.agent_id: observation}, {})[self.spec.agent_id]


class PolicyTeam(team_lib.Team):
    """All players share one trained policy, as in training (same agent id encoding)."""

    def __init__(
        self,
        logits: train_result.LogitsFn,
        run_config: run_config_lib.RunConfig,
        n_agents: int,
        deterministic: bool,
        config: Mapping[str, Any],
    ) -> None:
        super().__init__([PolicySeat(self) for _ in range(n_agents)], config)
        self.method = run_config.algo
        self._logits = logits
        self._env = run_config.env
        self._training = run_config.training
        self._deterministic = deterministic
        self._generator = torch.Generator()

    def reset(self, specs: Sequence[team_lib.AgentSpec]) -> None:
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
            self.by_id[aid].count(decisions=1)
        return {aid: int(a) for aid, a in zip(ids, actions.tolist(), strict=True)}

    def _observation(self, agent_id: str, observation: np.ndarray) -> np.ndarray:
        if not self._training.agent_id:
            return observation
        return training_env.with_agent_id(observation, self._index[agent_id], self._env.n_agents)


def load(
    checkpoint: str | Path, algo: str | None = None
) -> tuple[train_result.LogitsFn, run_config_lib.RunConfig]:
    """The policy's logits function and training config; `algo`, if given, must match the run."""
    path, run_config = run_dir.find_run(checkpoint)
    if algo is not None and run_config.algo != algo:
        raise run_config_lib.ConfigError(f"{path} is a {run_config.algo} checkpoint, not {algo}")
    module = importlib.import_module(f"baselines.{run_config.algo}")
    try:
        return module.load_logits(path), run_config
    except run_dir.CHECKPOINT_ERRORS as error:
        raise run_config_lib.ConfigError(f"cannot load checkpoint {path}: {error}") from error


def build_team(
    env: mac.EnvConfig,
    checkpoint: str | Path,
    algo: str | None = None,
    deterministic: bool = False,
) -> PolicyTeam:
    """A team playing the checkpoint in `env`. The checkpoint must have been trained for the same
    rules and goal, and, when the policy reads an agent id (its input width depends on it), the
    same team size; the team reads the observation type it was trained on."""
    logits, run_config = load(checkpoint, algo)
    trained = run_config.env
    for name, asked, had in (("rules", env.rules, trained.rules), ("goal", env.goal, trained.goal)):
        if asked != had:
            raise run_config_lib.ConfigError(
                f"checkpoint {checkpoint} was trained with {name}={had!r}; asked for {asked!r}"
            )
    if run_config.training.agent_id and trained.n_agents != env.n_agents:
        raise run_config_lib.ConfigError(
            f"checkpoint {checkpoint} was trained with {trained.n_agents} agents (agent id "
            f"input); asked for {env.n_agents}"
        )
    config = {
        "checkpoint": str(checkpoint),
        "deterministic": deterministic,
        "training": run_config.to_dict(),
    }
    team = PolicyTeam(logits, run_config, env.n_agents, deterministic, config)
    team.obs_type = trained.obs_type
    return team


def evaluate(
    checkpoint: str | Path,
    episodes: int,
    first_seed: int = 0,
    deterministic: bool = False,
    max_steps: int | None = None,
) -> Iterator[record_lib.EpisodeRecord]:
    """Episode records of the checkpoint on seeds ``first_seed ...``, under its training rules,
    goal and observation type (`max_steps` defaults to the training episode length)."""
    _, run_config = run_dir.find_run(checkpoint)
    trained = run_config.env
    env = mac.EnvConfig(
        n_agents=trained.n_agents,
        rules=trained.rules,
        goal=trained.goal,
        obs_type=trained.obs_type,
        max_steps=max_steps or trained.max_steps,
    )
    team = build_team(env, checkpoint, deterministic=deterministic)
    for seed in range(first_seed, first_seed + episodes):
        yield loop.play_episode(
            team, env, seed, method=run_config.algo, method_config=team.config
        ).record
