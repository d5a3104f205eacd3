"""Baseline tests run on one thread, with tiny rollouts on short episodes."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from baselines import mappo, ppo, run_config, train_result
from envs import mac

torch.set_num_threads(1)

SMALL = {
    "ppo": dataclasses.asdict(ppo.Args(n_steps=64, batch_size=64, n_epochs=2)),
    "mappo": dataclasses.asdict(mappo.Args(n_steps=64, n_epochs=2, n_minibatches=2)),
}
TRAINERS = {"ppo": ppo.train, "mappo": mappo.train}


def _small_config(
    algo: str, n_agents: int, total_steps: int = 256, seed: int = 0, **env: object
) -> run_config.RunConfig:
    env_config = mac.EnvConfig(n_agents=n_agents, max_steps=40, **env)
    return run_config.RunConfig(
        algo=algo,
        env=env_config,
        total_steps=total_steps,
        seed=seed,
        checkpoint_every=128,
        hyper=SMALL[algo],
    )


@pytest.fixture
def small_config():
    """A run that finishes in a second or two: 40-step episodes, 64-step rollouts."""
    return _small_config


@pytest.fixture
def train():
    """Train a small config into a directory, without a progress bar."""

    def run(config: run_config.RunConfig, out, resume: bool = False) -> train_result.TrainResult:
        return TRAINERS[config.algo](config, out, resume=resume, progress_bar=False)

    return run
