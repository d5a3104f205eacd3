"""A trained checkpoint plays benchmark episodes through the one episode runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from baselines import checkpoint_team, run_config
from envs import mac
from episode import loop
from episode import record as records
from episode import team as team_lib


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """A tiny PPO and MAPPO run for two players (trained once for this module)."""
    from baselines import mappo, ppo

    out = tmp_path_factory.mktemp("runs")
    for algo, trainer in (("ppo", ppo.train), ("mappo", mappo.train)):
        config = run_config.RunConfig(
            algo=algo,
            env=mac.EnvConfig(n_agents=2, max_steps=40),
            total_steps=128,
            hyper={"n_steps": 64, "batch_size": 64}
            if algo == "ppo"
            else {"n_steps": 64, "n_epochs": 1},
        )
        trainer(config, out / algo, progress_bar=False)
    return out


@pytest.mark.parametrize("algo", ["ppo", "mappo"])
@pytest.mark.parametrize("deterministic", [True, False])
def test_team_plays_a_valid_episode_record(algo, deterministic, checkpoints):
    env = mac.EnvConfig(n_agents=2, max_steps=30)

    def play():
        team = checkpoint_team.build_team(
            env, checkpoint=str(checkpoints / algo), algo=algo, deterministic=deterministic
        )
        return loop.play_episode(team, env, 5, method=algo, method_config=team.config).record

    record = play()
    assert record.method == algo and record.n_agents == 2 and record.length == 30
    assert record.decisions == 60
    assert record.method_config["checkpoint"] == str(checkpoints / algo)
    assert record.method_config["training"]["algo"] == algo
    assert records.EpisodeRecord.from_json(record.to_json()) == record
    # Sampled actions come from a generator seeded by the episode: an episode replays exactly.
    again = play()
    assert again.milestones == record.milestones and again.length == record.length


def test_checkpoint_file_or_directory(checkpoints):
    env = mac.EnvConfig(n_agents=2)
    team = checkpoint_team.build_team(env, checkpoint=str(checkpoints / "mappo" / "checkpoint.pt"))
    assert team.method == "mappo"


@pytest.mark.parametrize(
    ("method", "n_agents", "path", "message"),
    [
        ("ppo", 2, "missing", "does not exist"),
        ("ppo", 2, "mappo", "is a mappo checkpoint"),
        ("mappo", 3, "mappo", "trained with 2 agents"),
        ("mappo", 2, "mappo", "trained with rules='damcs'"),
    ],
)
def test_bad_checkpoints_are_value_errors(checkpoints, method, n_agents, path, message):
    rules = "crafter" if "rules" in message else "damcs"
    env = mac.EnvConfig(n_agents=n_agents, rules=rules)
    with pytest.raises(ValueError, match=message):
        checkpoint_team.build_team(env, checkpoint=str(checkpoints / path), algo=method)


def test_evaluate_yields_records_on_the_training_setup(checkpoints):
    found = list(checkpoint_team.evaluate(checkpoints / "ppo", episodes=2, first_seed=7))
    assert [r.episode_seed for r in found] == [7, 8]
    assert all(r.method == "ppo" and r.max_steps == 40 and r.n_agents == 2 for r in found)


def test_a_player_who_just_died_gets_no_action(checkpoints):
    team = checkpoint_team.build_team(
        mac.EnvConfig(n_agents=2), checkpoint=str(checkpoints / "ppo")
    )
    env = mac.EnvConfig(n_agents=2).make_env()
    observations, infos = env.reset(seed=0)
    team.reset(
        [team_lib.AgentSpec(a, tuple(env.possible_agents), i, (), "damcs", "collect_diamond")
         for i, a in enumerate(env.possible_agents)]
    )  # fmt: skip
    infos["player_1"] = {**infos["player_1"], "alive": False}
    assert list(team.act(observations, infos)) == ["player_0"]


REFERENCE = Path(__file__).resolve().parents[2] / "results" / "checkpoints"


@pytest.mark.parametrize(
    "run", sorted(p.name for p in REFERENCE.iterdir()) if REFERENCE.is_dir() else []
)
def test_committed_reference_checkpoints_play(run):
    (record,) = checkpoint_team.evaluate(REFERENCE / run, episodes=1, max_steps=10)
    assert record.method == run.split("-")[0] and record.length == 10
    assert record.n_agents == run_config.load_config(REFERENCE / run / "config.json").env.n_agents
