"""Run configs validate, round-trip, and read the pre-split flat layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baselines import run_config, training_env
from envs import mac

OLD_LAYOUT = {
    "algo": "ppo",
    "env": {
        "n_agents": 2,
        "rules": "damcs",
        "obs": "symbolic",
        "goal": "collect_diamond",
        "max_cycles": 40,
        "reward": "team",
        "shaped": True,
        "goal_bonus": 2.0,
        "agent_id": False,
    },
    "total_steps": 1000,
    "seed": 3,
    "checkpoint_every": 100,
    "hyper": {"n_steps": 64},
    "versions": {"python": "3.11"},
}


def test_run_config_round_trips():
    config = run_config.RunConfig(
        "mappo",
        mac.EnvConfig(n_agents=2, obs_type="image", max_steps=9),
        1000,
        hyper={"a": (1, 2)},
        training=training_env.TrainingEnvConfig(shaped=True),
    )
    assert run_config.RunConfig.from_dict(config.to_dict()) == config


def test_old_flat_layout_migrates():
    config = run_config.RunConfig.from_dict(OLD_LAYOUT)
    assert config.env == mac.EnvConfig(n_agents=2, max_steps=40)
    assert config.training == training_env.TrainingEnvConfig(
        reward="team", shaped=True, goal_bonus=2.0, agent_id=False
    )
    assert config.seed == 3


@pytest.mark.parametrize("path", sorted(Path("results/checkpoints").glob("*/config.json")))
def test_committed_checkpoint_configs_load(path):
    config = run_config.load_config(path)
    assert "obs" not in json.loads(path.read_text())["env"], "rewrite in the new layout"
    assert config.env.n_agents >= 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"n_agents": 0}, "n_agents"),
        ({"rules": "chess"}, "rules"),
        ({"obs": "text"}, "obs"),
        ({"goal": "collect_unicorns"}, "unicorns"),
    ],
)
def test_bad_saved_env_is_one_config_error(tmp_path, env, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**OLD_LAYOUT, "env": {**OLD_LAYOUT["env"], **env}}))
    with pytest.raises(run_config.ConfigError, match=message):
        run_config.load_config(path)


def test_algo_validates():
    with pytest.raises(run_config.ConfigError, match="algo"):
        run_config.RunConfig("dqn", mac.EnvConfig(), 10)
