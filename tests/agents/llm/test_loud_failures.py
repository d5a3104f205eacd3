"""A model that fails is an error, not a silent fallback: play.py exits non-zero with one line and
writes no record; a suite against a dead server stops with one message and stores nothing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import runner, store, suite
from tests.agents.llm import stub_server

ROOT = Path(__file__).resolve().parents[3]


def _play_module():
    spec = importlib.util.spec_from_file_location("play_cli", ROOT / "scripts" / "play.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["play_cli"] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


def test_play_against_a_dead_server_is_one_line_before_any_work(tmp_path):
    out = tmp_path / "record.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "play.py"), "--method", "plain-llm"]
        + ["--model", f"{stub_server.dead_url()}#x", "--max-steps", "20", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and "connection refused" in lines[0]
    assert not out.exists()


def test_a_server_that_dies_mid_episode_stops_it_with_one_line_and_no_record(tmp_path, capsys):
    play = _play_module()
    out = tmp_path / "record.json"
    with stub_server.StubServer() as stub:
        stub.mode, stub.fail_after = "die-after", 6
        args = play.Args(
            method="plain-llm",
            env=play.mac.EnvConfig(max_steps=100),
            model=play.model_config.ModelConfig(
                f"{stub.url}#stub", call_cache=False, decide="score", keep_loaded=False
            ),
            json=out,
        )
        assert play.main(args) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(lines) == 1 and "no record written" in lines[0] and "HTTP 500" in lines[0]
    assert not out.exists()


def test_a_suite_against_a_dead_server_stops_and_stores_nothing(tmp_path):
    dead = suite.from_dict(
        {
            "name": "dead",
            "max_steps": 20,
            "team_sizes": [1],
            "maps": {"paper": True},
            "methods": [{"name": "damcs", "options": {"model": f"{stub_server.dead_url()}#x"}}],
        }
    )
    with pytest.raises(RuntimeError, match="connection refused|failed"):
        runner.run_suite(dead, tmp_path, progress=False)
    with store.ResultsStore.read(tmp_path / store.STORE_FILENAME) as results:
        assert results.records() == []
