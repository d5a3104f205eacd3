"""The train and play CLIs: one clear error line and exit 2 on bad input; play a checkpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


TRAIN = ["scripts/train_marl.py", "--no-progress", "--max-steps", "40"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--n-agents", "0"], "invalid n_agents=0"),
        (["--goal", "collect_unicorns"], "collect_unicorns"),
        (["--total-steps", "0"], "invalid total_steps=0"),
    ],
)
def test_train_bad_input_exits_2(tmp_path, extra, message):
    proc = _run(*TRAIN, "--algo", "mappo", "--out", str(tmp_path / "run"), *extra)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error:") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_train_then_play_checkpoint(tmp_path):
    out = tmp_path / "run"
    args = ["--algo", "ppo", "--n-agents", "2", "--total-steps", "128", "--out", str(out)]
    proc = _run(*TRAIN, *args, "--ppo.n-steps", "64")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "config.json").read_text())["hyper"]["n_steps"] == 64

    again = _run(*TRAIN, *args)
    assert again.returncode == 2 and "finished run" in again.stderr

    record = tmp_path / "record.json"
    play = ["scripts/play.py", "--method", "ppo", "--n-agents", "2", "--max-steps", "20"]
    proc = _run(*play, "--checkpoint", str(out), "--json", str(record))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(record.read_text())["method_config"]["checkpoint"] == str(out)

    missing = _run(*play)
    assert missing.returncode == 2 and "needs --checkpoint" in missing.stderr
    unreadable = _run(*play, "--checkpoint", str(tmp_path / "nope"))
    assert unreadable.returncode == 2 and "does not exist" in unreadable.stderr


def test_resume_on_a_corrupt_mappo_checkpoint_is_one_line(tmp_path):
    import dataclasses

    from baselines import mappo, run_config, run_dir
    from envs import mac

    out = tmp_path / "run"
    out.mkdir()
    config = run_config.RunConfig(
        "mappo", mac.EnvConfig(max_steps=40), 1000, hyper=dataclasses.asdict(mappo.Args())
    )
    run_dir.RunDir(out, mappo.CHECKPOINT).write_config(config)
    (out / mappo.CHECKPOINT).write_bytes(b"not a torch file")
    proc = _run(*TRAIN, "--algo", "mappo", "--out", str(out), "--resume", "--total-steps", "1000")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: cannot read checkpoint")
    assert len(proc.stderr.strip().splitlines()) == 1
