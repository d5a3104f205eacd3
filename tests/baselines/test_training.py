"""Both learners train briefly, save, reload to the same policy, and resume where they stopped."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from stable_baselines3.common.logger import Logger

from baselines import checkpoint_team, monitor, ppo, run_config, training_env
from envs import mac


def _observations(config: run_config.RunConfig, steps: int = 30) -> np.ndarray:
    """Policy inputs from a short random walk, each player with its agent id."""
    env = training_env.make_env(config.env, config.training, seed=3)
    obs, _ = env.reset()
    rng = np.random.default_rng(0)
    batch = []
    for _ in range(steps):
        batch.extend(obs[a] for a in env.possible_agents)
        actions = {a: int(rng.integers(env.action_space(a).n)) for a in env.agents}
        obs, *_ = env.step(actions)
        if not env.agents:
            obs, _ = env.reset()
    return np.stack(batch)


@pytest.mark.parametrize("algo", ["ppo", "mappo"])
@pytest.mark.parametrize("n_agents", [1, 2])
def test_train_save_reload_same_actions(algo, n_agents, small_config, train, tmp_path):
    config = small_config(algo, n_agents)
    result = train(config, tmp_path / "run")
    assert result.finished and result.steps >= config.total_steps
    progress = json.loads((tmp_path / "run" / "progress.json").read_text())
    assert progress == {**progress, "steps": result.steps, "finished": True}
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["algo"] == algo and saved["env"]["n_agents"] == n_agents
    assert (tmp_path / "run" / "tb").is_dir()

    obs = _observations(config)
    logits, loaded_config = checkpoint_team.load(tmp_path / "run", algo=algo)
    assert loaded_config == config
    before, after = result.logits(obs), logits(obs)
    torch.testing.assert_close(before, after)
    assert torch.equal(before.argmax(-1), after.argmax(-1))


@pytest.mark.parametrize("algo", ["ppo", "mappo"])
def test_image_observations_train(algo, small_config, train, tmp_path):
    config = small_config(algo, 2, total_steps=128, obs_type="image")
    result = train(config, tmp_path / "run")
    obs = _observations(config, steps=3)
    assert obs.shape[1:] == (64, 64, 5)
    assert result.logits(obs).shape == (6, mac.parallel_env(n_agents=2).action_space("player_0").n)


def _first_update(seed: int, small_config, tmp_path) -> list[torch.Tensor]:
    config = small_config("ppo", 2, seed=seed)
    model = ppo.build_model(config, ppo.make_vec_env(config.env, config.training, config.seed))
    # SB3's default logger makes an empty SB3-<time> folder in the system temp dir per learn().
    model.set_logger(Logger(folder=None, output_formats=[]))
    model.learn(1)  # one rollout (64 joint steps x 2 players) and one update
    return [p.detach().clone() for p in model.policy.parameters()]


def test_ppo_same_seed_same_first_update(small_config, tmp_path):
    first = _first_update(7, small_config, tmp_path)
    again = _first_update(7, small_config, tmp_path)
    other = _first_update(8, small_config, tmp_path)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("algo", ["ppo", "mappo"])
def test_resume_continues_from_checkpoint(algo, small_config, train, tmp_path, monkeypatch):
    out = tmp_path / "run"
    advance = monitor.Monitor.advance

    def interrupt(self, steps, n):  # a Ctrl-C mid-run, after the first periodic checkpoint
        advance(self, steps, n)
        if steps >= 300:
            raise KeyboardInterrupt

    monkeypatch.setattr(monitor.Monitor, "advance", interrupt)
    with pytest.raises(KeyboardInterrupt):
        train(small_config(algo, 2, total_steps=512), out)
    monkeypatch.undo()
    stopped = json.loads((out / "progress.json").read_text())
    assert not stopped["finished"] and 300 <= stopped["steps"] < 512

    with pytest.raises(run_config.ConfigError, match="--resume"):
        train(small_config(algo, 2, total_steps=512), out)
    starts = []
    init = monitor.Monitor.__init__

    def record_start(self, run, config, start, desc, bar=True):
        starts.append(start)
        init(self, run, config, start, desc, bar)

    monkeypatch.setattr(monitor.Monitor, "__init__", record_start)
    result = train(small_config(algo, 2, total_steps=512), out, resume=True)
    assert starts == [stopped["steps"]]  # continued from the checkpoint, did not start over
    assert result.finished and 512 <= result.steps < stopped["steps"] + 512

    with pytest.raises(run_config.ConfigError, match="finished run"):
        train(small_config(algo, 2, total_steps=512), out)
    with pytest.raises(run_config.ConfigError, match="n_agents|env"):
        train(small_config(algo, 1, total_steps=1024), out, resume=True)


def test_mappo_minibatch_size_keeps_steps_per_sample_across_team_sizes():
    from baselines import mappo

    args = mappo.Args(n_steps=256, minibatch_size=256)
    assert [mappo._minibatches(args, n) for n in (1, 2, 6)] == [1, 2, 6]
    assert mappo._minibatches(mappo.Args(n_steps=256), 6) == 2  # the default: fixed count


def test_a_local_critic_reads_each_players_own_view_and_trains(small_config, tmp_path):
    """critic='local' (IPPO): the critic's input is one player's observation, not the state."""
    import dataclasses

    from baselines import mappo

    config = small_config("mappo", 2)
    config = dataclasses.replace(config, hyper={**config.hyper, "critic": "local"})
    result = mappo.train(config, tmp_path / "run", progress_bar=False)
    assert result.finished
    learner = mappo.load_learner(tmp_path / "run" / mappo.CHECKPOINT)
    obs_dim = learner.meta["obs_shape"][0]
    assert learner.critic.net[0].in_features == obs_dim + 2  # own view + agent id
    assert learner.meta["state_dim"] != obs_dim and mappo.Args().critic == "central"
    with pytest.raises(run_config.ConfigError, match="invalid critic"):
        mappo.Args(critic="shared")
    image = small_config("mappo", 2, total_steps=64, obs_type="image")
    image = dataclasses.replace(image, hyper={**image.hyper, "critic": "local"})
    with pytest.raises(run_config.ConfigError, match="symbolic"):
        mappo.train(image, tmp_path / "image", progress_bar=False)
