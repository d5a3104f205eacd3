"""Learning check that can fail: on an easy goal both learners beat the random policy.

Two players, goal ``collect_wood``, 100-step episodes, 40k player steps each (about a CPU
minute each). Crafter's reward plus a goal bonus of 10: on crafter's reward alone both learners
learn to farm other unlocks (sapling, place_plant, wake_up) without moving, and find wood *less*
often. Success is measured on 30 held-out map seeds through the benchmark's episode runner, with
sampled actions. Run by ``scripts/nightly.sh``.
"""

from __future__ import annotations

import dataclasses

import pytest

from agents import random_agent
from baselines import checkpoint_team, mappo, ppo, run_config, training_env
from envs import mac
from episode import loop

GOAL, MAX_STEPS, N_AGENTS, STEPS = "collect_wood", 100, 2, 40_000
SEEDS = range(1000, 1030)
ENV = mac.EnvConfig(n_agents=N_AGENTS, goal=GOAL, max_steps=MAX_STEPS)
HYPER = {
    "ppo": dataclasses.asdict(ppo.Args(n_steps=256, batch_size=128)),
    "mappo": dataclasses.asdict(mappo.Args(n_steps=256)),
}


def success_rate(team_factory, method: str) -> float:
    wins = 0
    for seed in SEEDS:
        team = team_factory()
        wins += loop.play_episode(team, ENV, seed, method=method).record.success
    return wins / len(SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["ppo", "mappo"])
def test_learner_beats_random_on_collect_wood(algo, tmp_path):
    config = run_config.RunConfig(
        algo=algo,
        env=ENV,
        training=training_env.TrainingEnvConfig(goal_bonus=10.0),
        total_steps=STEPS,
        seed=1,
        hyper=HYPER[algo],
    )
    trainer = ppo.train if algo == "ppo" else mappo.train
    trainer(config, tmp_path / algo, progress_bar=False)
    random = success_rate(lambda: random_agent.build_team(ENV), "random")
    trained = success_rate(
        lambda: checkpoint_team.build_team(ENV, checkpoint=str(tmp_path / algo), algo=algo),
        algo,
    )
    print(f"\n{algo}: success {trained:.2f} vs random {random:.2f} ({STEPS} steps, {GOAL})")
    assert trained > random
