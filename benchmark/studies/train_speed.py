"""Training throughput of PPO and MAPPO next to the random policy's env speed, in one run.

    python -m benchmark.studies.train_speed                # 1, 2 and 6 agents, symbolic observations

Steps are player steps (a joint step of N players is N steps), the unit of `--total-steps`. Each
learner trains for a few rollouts with its default hyperparameters (updates included, as in a real
run); the random policy only steps the environment. The ratio says how much of the env's speed a
learner keeps. Numbers depend on the machine's load: run it on an idle machine.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import tyro

from baselines import mappo, ppo
from baselines import run_config as run_config_lib
from benchmark.studies import output
from envs import mac


@dataclasses.dataclass(frozen=True)
class Args:
    agents: tuple[int, ...] = (1, 2, 6)
    """Team sizes to measure."""
    rollouts: int = 3
    """Rollouts (with their updates) per learner and team size."""
    random_steps: int = 3000
    """Joint env steps for the random policy."""
    rules: str = "damcs"
    """Rule set."""


def random_speed(n_agents: int, rules: str, joint_steps: int) -> float:
    """Player steps/s of uniform random actions on the raw env (episode resets included)."""
    env = mac.EnvConfig(n_agents=n_agents, rules=rules).make_env()
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    started, steps = time.perf_counter(), 0
    for _ in range(joint_steps):
        if not env.agents:
            env.reset()
        actions = {a: int(rng.integers(env.action_space(a).n)) for a in env.agents}
        steps += len(actions)
        env.step(actions)
    return steps / (time.perf_counter() - started)


def train_speed(algo: str, n_agents: int, rules: str, rollouts: int) -> float:
    """Player steps/s of a short training run (env, forward passes and updates)."""
    trainer, args = (ppo.train, ppo.Args()) if algo == "ppo" else (mappo.train, mappo.Args())
    config = run_config_lib.RunConfig(
        algo=algo,
        env=mac.EnvConfig(n_agents=n_agents, rules=rules),
        total_steps=rollouts * args.n_steps * n_agents,
        hyper=dataclasses.asdict(args),
    )
    with tempfile.TemporaryDirectory() as out:
        return trainer(config, Path(out) / "run", progress_bar=False).steps_per_second


def main(args: Args) -> None:
    torch.set_num_threads(1)
    rows = []
    for n in args.agents:
        rand = random_speed(n, args.rules, args.random_steps)
        speeds = {
            algo: train_speed(algo, n, args.rules, args.rollouts) for algo in run_config_lib.ALGOS
        }
        rows.append((n, rand, speeds))
    print(f"training throughput, {args.rules} rules, symbolic obs, player steps/s (1 thread)")
    header = ("agents", "random env", "PPO", "PPO / random", "MAPPO", "MAPPO / random")
    print(
        output.markdown_table(
            header,
            (
                (
                    n,
                    f"{rand:,.0f}",
                    f"{s['ppo']:,.0f}",
                    f"{s['ppo'] / rand:.2f}",
                    f"{s['mappo']:,.0f}",
                    f"{s['mappo'] / rand:.2f}",
                )
                for n, rand, s in rows
            ),
        )
    )


if __name__ == "__main__":
    main(tyro.cli(Args))
