"""What PPO and MAPPO share: the training environment, reward shaping, run directories and logging.

Both algorithms train on the same stack, so their numbers are comparable::

    mac.parallel_env(...)  ->  TrainingEnv (seed, shaped reward, agent id, episode stats)
                           ->  supersuit.black_death_v3 (dead players get zero observations)

Steps: a *step* is one player's decision (what stable-baselines3 counts for one vector-env slot),
so a joint step of N players is N steps. `total_steps`, checkpoints and steps/s all use it.

A run directory holds ``config.json`` (the resolved config, written before training starts),
``checkpoint.zip`` (PPO) or ``checkpoint.pt`` (MAPPO), ``progress.json`` (steps done, finished or
not) and ``tb/`` (TensorBoard).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import supersuit
import torch
from pettingzoo.utils.wrappers import BaseParallelWrapper

from envs import mac
from envs.mac import rules as rules_lib

ALGOS = ("ppo", "mappo")
MAX_AGENTS = 64  # the env's limit
CONFIG_FILE = "config.json"
PROGRESS_FILE = "progress.json"

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


LogitsFn = Callable[[np.ndarray], torch.Tensor]
"""A policy: a batch of policy observations (with agent id, if trained so) -> action logits."""


@dataclass(frozen=True)
class TrainResult:
    """What a training call leaves in memory: the steps done and the policy as trained."""

    steps: int
    finished: bool
    logits: LogitsFn
    steps_per_second: float
    """Over this call's training loop (env, forward passes and updates; setup excluded)."""


class ConfigError(ValueError):
    """A training config or run directory cannot be used; the message says why in one line."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True)
class EnvConfig:
    """The training environment: which game, how big a team, which reward."""

    n_agents: int = 1
    """Players in the world; all share one policy."""
    rules: str = "damcs"
    """Rule set from envs/mac/data.yaml: damcs (the paper's variant) or crafter."""
    obs: str = "symbolic"
    """Observation: symbolic (float vector, MLP) or image (64x64 RGB, CNN)."""
    goal: str = "collect_diamond"
    """Achievement that ends the episode for everyone."""
    max_cycles: int | None = None
    """Episode length in joint steps (default: the rule set's, 350 for damcs)."""
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
        _check(
            isinstance(self.n_agents, int) and 1 <= self.n_agents <= MAX_AGENTS,
            f"invalid n_agents={self.n_agents!r}; allowed: 1 to {MAX_AGENTS}",
        )
        _check(
            self.rules in rules_lib.names(),
            f"invalid rules={self.rules!r}; allowed: {', '.join(rules_lib.names())}",
        )
        _check(
            self.obs in ("symbolic", "image"), f"invalid obs={self.obs!r}; allowed: symbolic, image"
        )
        _check(
            self.reward in ("individual", "team"),
            f"invalid reward={self.reward!r}; allowed: individual, team",
        )
        _check(
            self.max_cycles is None or self.max_cycles >= 1,
            f"invalid max_cycles={self.max_cycles!r}; allowed: a positive integer",
        )
        try:
            rules_lib.load(self.rules).check_achievement(self.goal)
        except ValueError as error:
            raise ConfigError(str(error)) from error

    def make_mac(self) -> mac.MultiAgentCrafter:
        return mac.parallel_env(
            n_agents=self.n_agents,
            rules=self.rules,
            obs_type=self.obs,
            goal=self.goal,
            max_cycles=self.max_cycles,
            reward=self.reward,
        )


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a training run; written as ``config.json`` next to checkpoints."""

    algo: str
    env: EnvConfig
    total_steps: int
    seed: int = 0
    checkpoint_every: int = 50_000
    hyper: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The algorithm's own `Args`, as a dict."""

    def __post_init__(self) -> None:
        _check(self.algo in ALGOS, f"invalid algo={self.algo!r}; allowed: {', '.join(ALGOS)}")
        _check(self.total_steps >= 1, f"invalid total_steps={self.total_steps}; must be >= 1")
        _check(
            self.checkpoint_every >= 1,
            f"invalid checkpoint_every={self.checkpoint_every}; must be >= 1",
        )
        # Store hyperparameters as JSON would return them, so a saved config compares equal.
        object.__setattr__(self, "hyper", json.loads(json.dumps(dict(self.hyper))))

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["hyper"] = dict(self.hyper)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        fields = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in fields}
        kwargs["env"] = EnvConfig(**kwargs["env"])
        return cls(**kwargs)


# --- the training environment ------------------------------------------------------------------


def with_agent_id(observation: np.ndarray, index: int, n_agents: int) -> np.ndarray:
    """`observation` with a one-hot player id: extra vector entries (1.0) or image channels (255)."""
    if observation.ndim == 1:
        onehot = np.zeros(n_agents, observation.dtype)
        onehot[index] = 1
        return np.concatenate([observation, onehot])
    planes = np.zeros((*observation.shape[:2], n_agents), observation.dtype)
    planes[..., index] = 255
    return np.concatenate([observation, planes], axis=2)


def policy_observation_space(env_config: EnvConfig, space: Any) -> Any:
    """The observation space the policy sees (the env's, widened by the agent id if any)."""
    import gymnasium

    if not env_config.agent_id:
        return space
    n = env_config.n_agents
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
    - Optional shaped reward, goal bonus and agent-id indicator (see `EnvConfig`).
    - Per-player episode statistics in ``info["episode"]`` at the end of an episode (the key
      stable-baselines3 reads for its episode buffer).
    - At the end of an episode every player is reported both terminated and truncated:
      supersuit's `black_death_v3` only ends an episode when all players are terminated *and*
      truncated, and otherwise steps a finished env.
    """

    def __init__(self, env: mac.MultiAgentCrafter, config: EnvConfig, seed: int) -> None:
        super().__init__(env)
        self.config = config
        self._seed: int | None = seed
        self._index = {a: i for i, a in enumerate(env.possible_agents)}
        self._spaces = {
            a: policy_observation_space(config, env.observation_space(a))
            for a in env.possible_agents
        }

    def observation_space(self, agent: str) -> Any:
        return self._spaces[agent]

    def state(self) -> np.ndarray:
        return self.env.state()

    def _observe(self, observations: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if not self.config.agent_id:
            return observations
        n = self.config.n_agents
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
        if self.config.shaped:
            rewards = {a: r + self._shaping(a, infos[a]) for a, r in rewards.items()}
        if self.config.goal_bonus and self.config.goal in self.env.team_achievements:
            # The goal ends the episode, so this pays once.
            rewards = {a: r + self.config.goal_bonus for a, r in rewards.items()}
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
                    "success": self.config.goal in team,
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


def make_env(config: EnvConfig, seed: int) -> Any:
    """The parallel env both learners train on: MAC -> TrainingEnv -> black death."""
    return supersuit.black_death_v3(TrainingEnv(config.make_mac(), config, seed))


# --- run directories ---------------------------------------------------------------------------


class RunDir:
    """A training run's directory: config, checkpoint, progress and TensorBoard logs."""

    def __init__(self, path: str | Path, checkpoint_name: str) -> None:
        self.path = Path(path)
        self.config_path = self.path / CONFIG_FILE
        self.progress_path = self.path / PROGRESS_FILE
        self.checkpoint_path = self.path / checkpoint_name
        self.tb_path = self.path / "tb"

    def progress(self) -> dict[str, Any]:
        if not self.progress_path.exists():
            return {"steps": 0, "finished": False}
        return json.loads(self.progress_path.read_text())

    def write_progress(self, steps: int, finished: bool, started: float) -> None:
        data = {"steps": int(steps), "finished": finished, "wall_time_s": time.time() - started}
        _write_atomic(self.progress_path, json.dumps(data, indent=2) + "\n")

    def write_config(self, config: RunConfig) -> None:
        data = {**config.to_dict(), "versions": versions()}
        _write_atomic(self.config_path, json.dumps(data, indent=2) + "\n")

    def prepare(self, config: RunConfig, resume: bool) -> tuple[RunConfig, int]:
        """The config to run and the steps already done; refuses to clobber an existing run."""
        if not resume:
            if self.config_path.exists():
                state = "finished" if self.progress()["finished"] else "unfinished"
                raise ConfigError(
                    f"{self.path} holds a {state} run; pass --resume to continue it "
                    "or choose another --out"
                )
            self.path.mkdir(parents=True, exist_ok=True)
            self.write_config(config)
            return config, 0
        if not self.config_path.exists():
            raise ConfigError(f"--resume: no run in {self.path} (missing {CONFIG_FILE})")
        saved = load_config(self.config_path)
        for name in ("algo", "env", "seed"):
            if getattr(saved, name) != getattr(config, name):
                raise ConfigError(
                    f"--resume: {name} differs from the saved run's "
                    f"({getattr(saved, name)!r} vs {getattr(config, name)!r})"
                )
        steps = self.progress()["steps"] if self.checkpoint_path.exists() else 0
        merged = dataclasses.replace(saved, total_steps=config.total_steps)
        self.write_config(merged)
        return merged, steps


def load_config(path: str | Path) -> RunConfig:
    """The run config saved at `path` (a ``config.json``)."""
    try:
        return RunConfig.from_dict(json.loads(Path(path).read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"cannot read run config {path}: {error}") from error


def find_run(checkpoint: str | Path) -> tuple[Path, RunConfig]:
    """A checkpoint file (or its run directory) and the run config saved next to it."""
    path = Path(checkpoint)
    if path.is_dir():
        candidates = [path / "checkpoint.zip", path / "checkpoint.pt"]
        found = [c for c in candidates if c.exists()]
        if not found:
            raise ConfigError(f"no checkpoint.zip or checkpoint.pt in {path}")
        path = found[0]
    if not path.is_file():
        raise ConfigError(f"checkpoint {path} does not exist")
    return path, load_config(path.parent / CONFIG_FILE)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def versions() -> dict[str, str]:
    import gymnasium
    import pettingzoo
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "pettingzoo": pettingzoo.__version__,
        "supersuit": supersuit.__version__,
        "gymnasium": gymnasium.__version__,
    }


# --- logging -----------------------------------------------------------------------------------


class Monitor:
    """Progress bar and TensorBoard scalars for a run, with steps/s over the whole run."""

    def __init__(self, run: RunDir, total: int, start: int, desc: str, bar: bool = True) -> None:
        from torch.utils.tensorboard import SummaryWriter
        from tqdm import tqdm

        self.writer = SummaryWriter(str(run.tb_path))
        self.bar = tqdm(total=total, initial=start, desc=desc, unit="step", disable=not bar)
        self.start_steps = self.steps = start
        self.started = time.time()
        self.episodes = 0

    def advance(self, steps: int, n: int) -> None:
        self.bar.update(n)
        self.steps = steps
        if steps // 1000 != (steps - n) // 1000:
            self.writer.add_scalar("charts/steps_per_second", self.rate(), steps)

    def rate(self) -> float:
        """Steps per second since the monitor started."""
        return (self.steps - self.start_steps) / max(time.time() - self.started, 1e-9)

    def episode(self, stats: Mapping[str, Any], steps: int) -> None:
        self.episodes += 1
        self.writer.add_scalar("charts/episode_return", stats["r"], steps)
        self.writer.add_scalar("charts/episode_length", stats["l"], steps)
        self.writer.add_scalar("charts/achievements_unlocked", stats["achievements"], steps)
        self.writer.add_scalar("charts/success", float(stats["success"]), steps)

    def scalars(self, values: Mapping[str, float], steps: int) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, steps)

    def close(self) -> None:
        self.bar.close()
        self.writer.close()
