"""The method table composes every method; a user's own builder plugs in by import path; a
checkpoint trained on images is played on images by the harness and by play.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from baselines import ppo, run_config
from benchmark import methods, runner, suite
from envs import mac

ROOT = Path(__file__).resolve().parents[2]
USER_BUILDER = textwrap.dedent(
    '''
    """A user's own agent, benchmarked without touching macbench."""
    from agents import random_agent


    def build_team(env, patience=1):
        team = random_agent.build_team(env)
        team.config = {"patience": patience}
        return team


    def not_a_team(env):
        return 42
    '''
)


@pytest.fixture
def user_package(tmp_path, monkeypatch):
    package = tmp_path / "my_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "my_agent.py").write_text(USER_BUILDER)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_every_table_method_names_an_importable_builder():
    for name in methods.names():
        method = methods.check_options(name, {})
        assert method.name == name


def test_a_user_builder_by_import_path_plays_like_any_method(user_package):
    team = methods.build("my_pkg.my_agent:build_team", mac.EnvConfig(n_agents=2), patience=3)
    assert team.method == "my_pkg.my_agent:build_team" and team.config == {"patience": 3}


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("my_pkg.nowhere:build_team", {}, "cannot import 'my_pkg.nowhere'"),
        ("my_pkg.my_agent:missing", {}, "has no function 'missing'"),
        ("my_pkg.my_agent:build_team", {"speed": 2}, "takes no option 'speed'; allowed: patience"),
        ("ppo", {"algo": "mappo"}, "fixes option 'algo'"),
        ("telepathy", {}, "unknown method 'telepathy'"),
    ],
)
def test_bad_methods_fail_before_any_episode(user_package, name, options, message):
    with pytest.raises(methods.MethodError, match=message):
        methods.check_options(name, options)


def test_a_builder_that_returns_no_team_is_refused(user_package):
    with pytest.raises(methods.MethodError, match="not an episode.team.Team"):
        methods.build("my_pkg.my_agent:not_a_team", mac.EnvConfig())


def test_a_suite_with_a_user_builder_is_checked_when_loaded(user_package, tmp_path):
    good = {"name": "mine", "max_steps": 5, "team_sizes": [1], "maps": {"paper": True}}
    ran = suite.from_dict({**good, "methods": [{"name": "my_pkg.my_agent:build_team"}]})
    assert runner.run_suite(ran, tmp_path / "out", progress=False) == (1, 0)
    with pytest.raises(suite.SuiteError, match="takes no option 'speed'"):
        suite.from_dict(
            {**good, "methods": [{"name": "my_pkg.my_agent:build_team", "options": {"speed": 1}}]}
        )


@pytest.fixture(scope="module")
def image_checkpoint(tmp_path_factory):
    """A PPO checkpoint trained (briefly) on image observations."""
    out = tmp_path_factory.mktemp("image") / "ppo"
    config = run_config.RunConfig(
        algo="ppo",
        env=mac.EnvConfig(n_agents=1, obs_type="image", max_steps=20),
        total_steps=64,
        hyper={"n_steps": 32, "batch_size": 32, "n_epochs": 1},
    )
    ppo.train(config, out, progress_bar=False)
    return out


def test_an_image_checkpoint_plays_on_images_in_the_harness(image_checkpoint, tmp_path):
    tiny = suite.from_dict(
        {
            "name": "images",
            "max_steps": 10,
            "team_sizes": [1],
            "maps": {"paper": True},
            "methods": [{"name": "ppo", "options": {"checkpoint": str(image_checkpoint)}}],
        }
    )
    (job,) = tiny.jobs()
    outcome = runner.run_job(job)
    assert '"obs_type": "image"' in outcome.record_json and '"length": 10' in outcome.record_json


def test_an_image_checkpoint_plays_on_images_in_play_py(image_checkpoint, tmp_path):
    out = tmp_path / "record.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "play.py"), "--method", "ppo"]
        + ["--checkpoint", str(image_checkpoint), "--max-steps", "10", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert '"obs_type": "image"' in out.read_text()


def test_play_py_takes_a_user_builder(user_package):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "play.py"), "--method"]
        + ["my_pkg.my_agent:build_team", "--options", "{patience: 2}", "--max-steps", "5"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{user_package}{os.pathsep}{ROOT}"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "episode length 5" in done.stdout
