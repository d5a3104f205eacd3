"""The plain LLM agent (the paper's Baseline) plays MAC episodes through the benchmark's runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agents import plain_llm
from agents.llm import FakeModel, model_config, presets
from benchmark.studies import tiny_model as tiny_model_lib
from envs import mac
from episode import loop
from episode import record as records

ROOT = Path(__file__).resolve().parents[2]
TRACE_KEYS = {"agent", "step", "decision", "reason", "fallback", "options", "scores", "previous"}


def _episode(lm, n_agents: int = 2, steps: int = 40, **options):
    env = mac.EnvConfig(n_agents=n_agents, max_steps=steps)
    team = plain_llm.build_team(env, model=lm, **options)
    return team, loop.play_episode(team, env, 0, method="plain-llm", method_config=team.config)


def _check(result, n_agents: int, steps: int) -> None:
    record = result.record
    assert records.EpisodeRecord.from_json(record.to_json()) == record
    assert record.length == steps and record.method == "plain-llm"
    assert 0 < record.llm_calls and 0 < record.decisions < steps * n_agents
    assert record.llm_prompt_tokens > 0
    entries = [e for trace in result.trace.values() for e in trace]
    assert record.decisions == len(entries)
    assert all(TRACE_KEYS <= set(e) for e in entries)
    assert all(e["decision"] in e["options"] or e["fallback"] for e in entries)
    # Options that ran to their end carry their outcome, and the next decision shows it.
    finished = [e for e in entries if "result" in e]
    assert finished and all(e["result"] in ("done", "failed", "interrupted") for e in finished)


def test_an_episode_with_a_scripted_fake_model_gives_a_valid_record():
    team, result = _episode(FakeModel(), 2, 40)
    _check(result, 2, 40)
    assert result.record.llm_fallbacks == 0
    entries = [e for trace in result.trace.values() for e in trace]
    # The fake model takes the first option; menus are shuffled, so that is no plan.
    assert all(e["decision"] == e["options"][0] for e in entries)
    assert len({tuple(sorted(e["options"])) for e in entries}) < len(entries)
    assert team.config["label"] == plain_llm.LABEL and team.config["decide"] == "score"
    prompt = team.lm.prompts[0]
    assert "wood pickaxe: uses 1 wood; near a table" in prompt
    assert "Possible subgoals:" in prompt and "messages" not in prompt.lower()


def test_an_episode_through_hf_model_on_the_tiny_random_model(tmp_path):
    import torch

    torch.set_num_threads(1)
    directory = tiny_model_lib.build_tiny_model(tmp_path / "tiny")
    team, result = _episode(
        {
            "spec": str(directory),
            "device": "cpu",
            "call_cache": False,
            "keep_loaded": False,
            "decide": "score",
        },
        2,
        40,
    )
    _check(result, 2, 40)
    assert result.record.llm_fallbacks == 0  # scoring always names a menu option
    assert result.record.method_config["model"]["spec"] == str(directory)
    resolved = result.record.method_config["model_resolved"]
    assert resolved["device"] == "cpu" and resolved["dtype"] in ("float32", "bfloat16")
    assert len(resolved["revision"]) >= 12  # a content hash of the weights
    entries = [e for trace in result.trace.values() for e in trace]
    assert all(len(e["scores"]) == len(e["options"]) for e in entries if not e["fallback"])


def test_play_cli_runs_plain_llm_and_reports_a_missing_model_in_one_line(tmp_path):
    def play(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "play.py"), "--method", "plain-llm", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )

    missing = play("--model", str(tmp_path / "nothing-here"))
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("error: no model at")
    assert len(missing.stderr.strip().splitlines()) == 1
    out = tmp_path / "ep.json"
    done = play("--model", "fake", "--n-agents", "2", "--max-steps", "20", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert records.EpisodeRecord.from_json(out.read_text()).llm_calls > 0


@pytest.mark.slow
def test_an_episode_on_the_default_real_preset():
    if not presets.is_installed(model_config.DEFAULT_SPEC):
        pytest.skip(f"preset {model_config.DEFAULT_SPEC} is not installed")
    import torch

    torch.set_num_threads(1)
    team, result = _episode({"spec": model_config.DEFAULT_SPEC, "call_cache": False}, 1, 30)
    _check(result, 1, 30)
    assert result.record.llm_fallbacks == 0


def test_the_prompt_counts_steps_against_the_episodes_real_length():
    team, _ = _episode(FakeModel(), 1, 30)
    assert "of 30." in team.lm.prompts[0] and "of 350" not in team.lm.prompts[0]
