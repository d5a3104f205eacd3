"""PPO and MAPPO write the same TensorBoard tags; the progress bar stops at the total."""

from __future__ import annotations

import dataclasses

import pytest
from tensorboard.backend.event_processing import event_accumulator

from baselines import monitor, run_dir


def _tags(out) -> tuple[set[str], set[str]]:
    acc = event_accumulator.EventAccumulator(str(out / "tb"), size_guidance={"scalars": 0})
    acc.Reload()
    return set(acc.Tags()["scalars"]), set(acc.Tags()["tensors"])


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory):
    from tests.baselines.conftest import TRAINERS, _small_config

    outs, window = {}, monitor.ACHIEVEMENT_WINDOW
    monitor.ACHIEVEMENT_WINDOW = 2  # 40-step episodes: a success point every 2 episodes
    try:
        for algo in ("ppo", "mappo"):
            config = dataclasses.replace(
                _small_config(algo, 2, total_steps=2560), eval_every=512, eval_episodes=2
            )
            out = tmp_path_factory.mktemp(algo) / "run"
            TRAINERS[algo](config, out, progress_bar=False)
            outs[algo] = out
    finally:
        monitor.ACHIEVEMENT_WINDOW = window
    return outs


def test_ppo_and_mappo_write_the_same_tags(both_runs):
    ppo_tags, ppo_text = _tags(both_runs["ppo"])
    mappo_tags, mappo_text = _tags(both_runs["mappo"])
    assert ppo_tags == mappo_tags
    assert {f"losses/{name}" for name in monitor.LOSS_NAMES} <= ppo_tags
    expected = {
        "charts/episodic_return",
        "charts/episodic_length",
        "charts/SPS",
        "charts/learning_rate",
        "charts/crafter_score",
        "achievements/collect_wood",
        "eval/crafter_score",
        "eval/success/collect_wood",
    }
    assert expected <= ppo_tags
    assert any("hyperparameters" in tag for tag in ppo_text | mappo_text)


def test_progress_bar_stops_at_the_total(tmp_path):
    from tests.baselines.conftest import _small_config

    config = _small_config("ppo", 2, total_steps=100)
    mon = monitor.Monitor(run_dir.RunDir(tmp_path, "x"), config, 0, "t", bar=True)
    mon.advance(96, 32)
    mon.advance(128, 32)
    assert mon.bar.n == 100
    mon.close()
