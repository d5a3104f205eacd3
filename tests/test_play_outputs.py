"""play.py refuses bad output paths and bad arguments in one line, before any episode or model."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from envs import mac

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("play_cli", ROOT / "scripts" / "play.py")
play = importlib.util.module_from_spec(_spec)
sys.modules["play_cli"] = play
_spec.loader.exec_module(play)


def refuse(capsys, **kwargs) -> str:
    # damcs with a model spec that would have to load: a refusal must come before it.
    args = play.Args(method="damcs", env=mac.EnvConfig(max_steps=5), **kwargs)
    assert play.main(args) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_json_under_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert "is a file" in refuse(capsys, json=tmp_path / "file" / "out.json")


def test_unwritable_directory(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere: ask as a normal user would be told
        monkeypatch.setattr(play.os, "access", lambda path, mode: Path(path) != locked)
    assert "not writable" in refuse(capsys, json=locked / "out.json")


def test_bad_gif_suffix(tmp_path, capsys):
    assert "--gif" in refuse(capsys, gif=tmp_path / "out.txt")


def test_bad_html_suffix(tmp_path, capsys):
    assert "--html" in refuse(capsys, html=tmp_path / "out.gif")


def test_the_same_path_twice(tmp_path, capsys):
    line = refuse(capsys, json=tmp_path / "same.json", html=tmp_path / "sub" / ".." / "same.json")
    assert "same path" in line or "--html" in line


def test_gif_and_html_same_path(tmp_path, capsys):
    same = tmp_path / "same.gif"
    assert "--json" not in refuse(capsys, gif=same, html=same)


def test_existing_file(tmp_path, capsys):
    (tmp_path / "old.json").write_text("{}")
    assert "refusing to overwrite" in refuse(capsys, json=tmp_path / "old.json")
    assert (tmp_path / "old.json").read_text() == "{}"


def test_negative_seed(capsys):
    assert "--seed" in refuse(capsys, seed=-1)


def test_html_viewer_from_play(tmp_path, capsys):
    out = tmp_path / "ep.html"
    args = play.Args(method="scripted", env=mac.EnvConfig(n_agents=2, max_steps=8), html=out)
    assert play.main(args) == 0
    text = out.read_text()
    assert "class='player'" in text and "class='counter'" in text
    assert ">player_0</span>" in text and ">player_1</span>" in text
    assert text.count("iVBOR") >= 9  # a PNG per frame: the reset frame and 8 steps


def test_a_checkpoint_of_other_rules_is_one_line_before_the_episode(tmp_path, capsys):
    pytest.importorskip("torch")
    from baselines import ppo, run_config

    config = run_config.RunConfig(
        algo="ppo",
        env=mac.EnvConfig(n_agents=2, max_steps=40),
        total_steps=64,
        hyper={"n_steps": 64, "batch_size": 64},
    )
    ppo.train(config, tmp_path / "ppo", progress_bar=False)
    args = play.Args(
        method="ppo",
        env=mac.EnvConfig(n_agents=2, rules="crafter"),
        checkpoint=tmp_path / "ppo",
        json=tmp_path / "ep.json",
    )
    assert play.main(args) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "trained with rules='damcs'" in lines[0]
    assert not (tmp_path / "ep.json").exists()
