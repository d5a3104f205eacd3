"""The training env: episode ends reach supersuit, shaping cannot be farmed, configs validate."""

from __future__ import annotations

import numpy as np
import pytest

from baselines import ppo, training_env
from envs import mac


def test_vec_env_runs_across_episode_ends():
    # supersuit's black_death alone never ends an episode that stops at the step cap.
    venv = ppo.make_vec_env(
        mac.EnvConfig(n_agents=2, max_steps=5), training_env.TrainingEnvConfig(), seed=0
    )
    venv.reset()
    ends = []
    for t in range(12):
        _, _, dones, infos = venv.step(np.zeros(2, dtype=np.int64))
        if dones.all():
            ends.append(t)
            assert infos[0]["episode"]["l"] == 5
    assert ends == [4, 9]


def test_first_reset_uses_the_run_seed():
    config, training = mac.EnvConfig(n_agents=2), training_env.TrainingEnvConfig()
    first = training_env.make_env(config, training, seed=4).reset()[0]
    again = training_env.make_env(config, training, seed=4).reset()[0]
    other = training_env.make_env(config, training, seed=5).reset()[0]
    assert all(np.array_equal(first[a], again[a]) for a in first)
    assert not all(np.array_equal(first[a], other[a]) for a in first)


def test_agent_id_is_one_hot():
    training = training_env.TrainingEnvConfig()
    obs, _ = training_env.make_env(mac.EnvConfig(n_agents=3), training, seed=0).reset()
    assert [list(obs[a][-3:]) for a in sorted(obs)] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


def _info(achievements):
    return {"achievements": achievements}


def test_shaping_rewards_collecting_and_first_unlocks_only():
    config, training = mac.EnvConfig(), training_env.TrainingEnvConfig(shaped=True)
    env = training_env.TrainingEnv(config.make_env(), config, training, 0)
    env._collected = {"player_0": dict.fromkeys(training_env.SHAPING_COLLECT_BONUS, 0)}
    env._unlocked = {"player_0": set()}
    first = env._shaping("player_0", _info({"collect_wood": 1}))
    assert first == pytest.approx(
        training_env.SHAPING_UNLOCK_BONUS + training_env.SHAPING_COLLECT_BONUS["wood"]
    )
    more = env._shaping("player_0", _info({"collect_wood": 3}))
    assert more == pytest.approx(2 * training_env.SHAPING_COLLECT_BONUS["wood"])
    # Items received from a teammate raise the inventory, not the collect counts: no bonus.
    assert env._shaping("player_0", _info({"collect_wood": 3})) == 0.0


def test_training_config_validates():
    with pytest.raises(mac.ConfigError, match="reward"):
        training_env.TrainingEnvConfig(reward="selfish")


def test_goal_bonus_pays_every_player_once_at_the_goal():
    config = mac.EnvConfig(n_agents=2, goal="collect_sapling")
    training = training_env.TrainingEnvConfig(goal_bonus=5.0)
    env = training_env.TrainingEnv(config.make_env(), config, training, seed=0)
    env.reset()
    bonuses = []
    rng = np.random.default_rng(0)
    while env.agents:
        actions = {a: int(rng.integers(6)) for a in env.agents}  # moves and do: finds a sapling
        _, rewards, *_ = env.step(actions)
        bonuses.append(min(rewards.values()) >= 5.0)
    assert bonuses[-1] and not any(bonuses[:-1])
