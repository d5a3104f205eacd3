"""The config of a training run: written as ``config.json`` before training, read to resume or
evaluate. It nests the one env description `mac.EnvConfig` and the training-only
`TrainingEnvConfig`; `from_dict` also reads the older flat layout (``env.obs``, ``env.max_cycles``
and the reward fields inside ``env``) so runs saved before the split still load.

Steps: a *step* is one player's decision (what stable-baselines3 counts for one vector-env slot),
so a joint step of N players is N steps. `total_steps`, checkpoints and steps/s all use it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baselines import training_env
from envs import mac

ALGOS = ("ppo", "mappo")
TRAINING_FIELDS = tuple(f.name for f in dataclasses.fields(training_env.TrainingEnvConfig))
_OLD_ENV_NAMES = {"obs": "obs_type", "max_cycles": "max_steps"}


class ConfigError(mac.ConfigError):
    """A training config or run directory cannot be used; the message says why in one line."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a training run; written as ``config.json`` next to checkpoints."""

    algo: str
    """ppo or mappo."""
    env: mac.EnvConfig
    """The world trained in."""
    total_steps: int
    """Training budget in player steps."""
    seed: int = 0
    """Seed for maps, network initialisation and action sampling."""
    checkpoint_every: int = 50_000
    """Save a checkpoint at least this often (player steps)."""
    hyper: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The algorithm's own `Args`, as a dict."""
    training: training_env.TrainingEnvConfig = training_env.TrainingEnvConfig()
    """Reward mode, shaping, goal bonus and agent id."""
    eval_every: int = 50_000
    """Play evaluation episodes on held-out seeds at least this often (player steps; 0: never)."""
    eval_episodes: int = 10
    """Evaluation episodes each time (seeds 10000, 10001, ...: the same maps every time)."""

    def __post_init__(self) -> None:
        _check(self.algo in ALGOS, f"invalid algo={self.algo!r}; allowed: {', '.join(ALGOS)}")
        _check(isinstance(self.env, mac.EnvConfig), "env must be a mac.EnvConfig")
        _check(
            isinstance(self.training, training_env.TrainingEnvConfig),
            "training must be a TrainingEnvConfig",
        )
        _check(self.total_steps >= 1, f"invalid total_steps={self.total_steps}; must be >= 1")
        _check(
            self.checkpoint_every >= 1,
            f"invalid checkpoint_every={self.checkpoint_every}; must be >= 1",
        )
        _check(
            self.eval_every >= 0 and self.eval_episodes >= 1,
            f"invalid eval_every={self.eval_every}, eval_episodes={self.eval_episodes}; "
            "allowed: eval_every >= 0, eval_episodes >= 1",
        )
        # Store hyperparameters as JSON would return them, so a saved config compares equal.
        object.__setattr__(self, "hyper", json.loads(json.dumps(dict(self.hyper))))

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["hyper"] = dict(self.hyper)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        """The config in `data`, in the current layout or the flat pre-split one."""
        fields = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in fields}
        env = dict(kwargs["env"])
        training = dict(kwargs.get("training", {}))
        # Old layout: training fields and old field names inside "env".
        for name in TRAINING_FIELDS:
            if name in env:
                training[name] = env.pop(name)
        for old, new in _OLD_ENV_NAMES.items():
            if old in env:
                env[new] = env.pop(old)
        kwargs["env"] = mac.EnvConfig(**env)
        kwargs["training"] = training_env.TrainingEnvConfig(**training)
        return cls(**kwargs)


def load_config(path: str | Path) -> RunConfig:
    """The run config saved at `path` (a ``config.json``)."""
    try:
        return RunConfig.from_dict(json.loads(Path(path).read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"cannot read run config {path}: {error}") from error
