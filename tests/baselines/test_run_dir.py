"""Run directories: resume reads the step count from the checkpoint, refuses to shrink a run, and
turns a damaged progress.json or checkpoint into one ConfigError line."""

from __future__ import annotations

import dataclasses

import pytest

from baselines import checkpoint_team, mappo, ppo, run_config, run_dir

CHECKPOINTS = {"ppo": "checkpoint.zip", "mappo": "checkpoint.pt"}
READERS = {"ppo": ppo.checkpoint_steps, "mappo": mappo.checkpoint_steps}


@pytest.fixture(params=["ppo", "mappo"])
def trained(request, small_config, train, tmp_path_factory):
    """A finished 256-step run and its config."""
    algo = request.param
    out = tmp_path_factory.mktemp(algo) / "run"
    config = small_config(algo, 2, total_steps=256)
    train(config, out)
    return algo, out, config


def _prepare(algo, out, config, resume=True):
    run = run_dir.RunDir(out, CHECKPOINTS[algo])
    return run.prepare(config, resume, READERS[algo])


def test_checkpoint_holds_its_step_count(trained):
    algo, out, _ = trained
    assert READERS[algo](out / CHECKPOINTS[algo]) == 256


def test_resume_without_progress_takes_steps_from_checkpoint(trained):
    algo, out, config = trained
    (out / run_dir.PROGRESS_FILE).unlink()
    _, done = _prepare(algo, out, dataclasses.replace(config, total_steps=512))
    assert done == 256


def test_corrupt_progress_is_one_line_and_resume_ignores_it(trained):
    algo, out, config = trained
    (out / run_dir.PROGRESS_FILE).write_text("{not json")
    with pytest.raises(run_config.ConfigError, match="progress.json is unreadable") as error:
        _prepare(algo, out, config, resume=False)
    assert "\n" not in str(error.value)
    assert _prepare(algo, out, config)[1] == 256


def test_resume_with_smaller_total_refuses_and_keeps_config(trained):
    algo, out, config = trained
    before = (out / run_dir.CONFIG_FILE).read_bytes()
    smaller = dataclasses.replace(config, total_steps=128)
    with pytest.raises(run_config.ConfigError, match="below the 256 steps"):
        _prepare(algo, out, smaller)
    assert (out / run_dir.CONFIG_FILE).read_bytes() == before
    assert READERS[algo](out / CHECKPOINTS[algo]) == 256


def test_fresh_run_never_overwrites_a_checkpoint(trained):
    algo, out, config = trained
    (out / run_dir.CONFIG_FILE).unlink()
    with pytest.raises(run_config.ConfigError, match="--resume"):
        _prepare(algo, out, config, resume=False)


def test_corrupt_checkpoint_is_one_line(trained):
    algo, out, config = trained
    (out / CHECKPOINTS[algo]).write_bytes(b"\x00garbage")
    with pytest.raises(run_config.ConfigError, match="cannot read checkpoint") as error:
        _prepare(algo, out, config)
    assert "\n" not in str(error.value)
    with pytest.raises(run_config.ConfigError, match="cannot load checkpoint"):
        checkpoint_team.load(out)
