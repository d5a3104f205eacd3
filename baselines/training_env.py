"""The environment the learners train on, and the training-only choices that shape it.

Both algorithms train on the same stack, so their numbers are comparable::

    mac.EnvConfig.make_env(reward=...)  ->  TrainingEnv (seed, shaped reward, agent id, stats)
                                        ->  supersuit.black_death_v3 (dead players see zeros)

The world itself is the one env description `mac.EnvConfig`; `TrainingEnvConfig` holds only what
training adds on top (reward mode, shaping, goal bonus, agent id).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import supersuit
from pettingzoo.utils.wrappers import BaseParallelWrapper

from envs import mac

SHAPING_UNLOCK_BONUS = 1.0
"""Extra reward for each achievement a player unlocks for the first time (crafter already gives +1)."""
SHAPING_COLLECT_BONUS: Mapping[str, float] = {
    "wood": 0.1,
    "stone": 0.2,
    "coal": 0.3,
    "iron": 0.5,
    "diamond": 1.0,
}
"""Reward per unit a player collects, by item. Counted from `collect_<item>` achievement counts, so
items received through `share` actions earn nothing (two players cannot farm reward by passing an
item back and forth)."""


@dataclass(frozen=True)
class TrainingEnvConfig:
    """What training adds to the world: the reward the learner sees and its agent-id input."""

    reward: str = "individual"
    """individual (crafter's reward per player) or team (every player gets the sum)."""
    shaped: bool = False
    """Add the paper-style shaping: unlock bonus and per-item collect bonus (see SHAPING_*)."""
    goal_bonus: float = 0.0
    """Reward every player this much when the team reaches the goal. Crafter's reward pays +1 for
    *any* first unlock, so on an easy goal a learner may farm saplings and naps instead; this
    aligns the reward with the benchmark's success."""
    agent_id: bool = True
    """Append a one-hot player id to each observation so the shared policy can tell seats apart."""

    def __post_init__(self) -> None:
        if self.reward not in mac.REWARD_MODES:
            raise mac.ConfigError(
                f"invalid reward={self.reward!r}; allowed: {', '.join(mac.REWARD_MODES)}"
            )
        if not isinstance(self.goal_bonus, int | float) or isinstance(self.goal_bonus, bool):
            raise mac.ConfigError(f"invalid goal_bonus={self.goal_bonus!r}; allowed: a number")


def with_agent_id(observation: np.ndarray, index: int, n_agents: int) -> np.ndarray:
    """`observation` with a one-hot player id: extra vector entries (1.0) or image channels (255)."""
    if observation.ndim == 1:
        onehot = np.zeros(n_agents, observation.dtype)
        onehot[index] = 1
        return np.concatenate([observation, onehot])
    planes = np.zeros((*observation.shape[:2], n_agents), observation.dtype)
    planes[..., index] = 255
    return np.concatenate([observation, planes], axis=2)


def policy_observation_space(training: TrainingEnvConfig, n_agents: int, space: Any) -> Any:
    """The observation space the policy sees (the env's, widened by the agent id if any)."""
    import gymnasium

    if not training.agent_id:
        return space
    n = n_agents
    if len(space.shape) == 1:
        low = np.concatenate([space.low, np.zeros(n, space.dtype)])
        high = np.concatenate([space.high, np.ones(n, space.dtype)])
    else:
        low = np.concatenate([space.low, np.zeros((*space.shape[:2], n), space.dtype)], axis=2)
        high = np.concatenate(
            [space.high, np.full((*space.shape[:2], n), 255, space.dtype)], axis=2
        )
    return gymnasium.spaces.Box(low, high, dtype=space.dtype)


class TrainingEnv(BaseParallelWrapper):
    """The MAC env as the learners see it.

    - The first `reset()` without a seed uses `seed`, so a run is reproducible even though
      stable-baselines3 resets the env itself (supersuit's vec env has no `seed` method).
    - Optional shaped reward, goal bonus and agent-id indicator (see `TrainingEnvConfig`).
    - Per-player episode statistics in ``info["episode"]`` at the end of an episode (the key
      stable-baselines3 reads for its episode buffer).
    - At the end of an episode every player is reported both terminated and truncated:
      supersuit's `black_death_v3` only ends an episode when all players are terminated *and*
      truncated, and otherwise steps a finished env.
    """

    def __init__(
        self,
        env: mac.MultiAgentCrafter,
        env_config: mac.EnvConfig,
        training: TrainingEnvConfig,
        seed: int,
    ) -> None:
        super().__init__(env)
        self.env_config, self.training = env_config, training
        self._seed: int | None = seed
        self._index = {a: i for i, a in enumerate(env.possible_agents)}
        self._spaces = {
            a: policy_observation_space(training, env_config.n_agents, env.observation_space(a))
            for a in env.possible_agents
        }

    def observation_space(self, agent: str) -> Any:
        return self._spaces[agent]

    def state(self) -> np.ndarray:
        return self.env.state()

    def _observe(self, observations: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if not self.training.agent_id:
            return observations
        n = self.env_config.n_agents
        return {a: with_agent_id(o, self._index[a], n) for a, o in observations.items()}

    def reset(self, seed: int | None = None, options: dict | None = None):
        if seed is None and self._seed is not None:
            seed = self._seed
        self._seed = None
        observations, infos = self.env.reset(seed=seed, options=options)
        self.agents = list(self.env.agents)
        self._returns = dict.fromkeys(self.env.possible_agents, 0.0)
        self._collected = {a: _collect_counts(infos[a]) for a in infos}
        self._unlocked = {a: _unlocked(infos[a]) for a in infos}
        return self._observe(observations), infos

    def step(self, actions: dict[str, int]):
        observations, rewards, terms, truncs, infos = self.env.step(actions)
        if self.training.shaped:
            rewards = {a: r + self._shaping(a, infos[a]) for a, r in rewards.items()}
        if self.training.goal_bonus and self.env_config.goal in self.env.team_achievements:
            # The goal ends the episode, so this pays once.
            rewards = {a: r + self.training.goal_bonus for a, r in rewards.items()}
        for agent, reward in rewards.items():
            self._returns[agent] += reward
        self.agents = list(self.env.agents)
        if not self.env.agents:
            terms = dict.fromkeys(terms, True)
            truncs = dict.fromkeys(truncs, True)
            team = infos[next(iter(infos))]["team_achievements"] if infos else {}
            for agent, info in infos.items():
                info["episode"] = {
                    "r": self._returns[agent],
                    "l": int(info["step"]),
                    "achievements": len(team),
                    "unlocked": sorted(team),
                    "success": self.env_config.goal in team,
                }
        return self._observe(observations), rewards, terms, truncs, infos

    def _shaping(self, agent: str, info: Mapping[str, Any]) -> float:
        counts, unlocked = _collect_counts(info), _unlocked(info)
        bonus = SHAPING_UNLOCK_BONUS * len(unlocked - self._unlocked[agent])
        bonus += sum(
            SHAPING_COLLECT_BONUS[item] * max(0, n - self._collected[agent][item])
            for item, n in counts.items()
        )
        self._collected[agent], self._unlocked[agent] = counts, unlocked
        return bonus


def _collect_counts(info: Mapping[str, Any]) -> dict[str, int]:
    achievements = info["achievements"]
    return {item: int(achievements.get(f"collect_{item}", 0)) for item in SHAPING_COLLECT_BONUS}


def _unlocked(info: Mapping[str, Any]) -> set[str]:
    return {name for name, count in info["achievements"].items() if count > 0}


def make_env(env: mac.EnvConfig, training: TrainingEnvConfig, seed: int) -> Any:
    """The parallel env both learners train on: MAC -> TrainingEnv -> black death."""
    world = env.make_env(reward=training.reward)
    return supersuit.black_death_v3(TrainingEnv(world, env, training, seed))
