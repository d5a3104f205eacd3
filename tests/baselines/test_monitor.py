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


def test_training_success_rates_read_back_every_logged_training_episode(tmp_path):
    """The paper's protocol: rates over all training episodes in full windows, from the log."""
    from episode import achievements
    from tests.baselines.conftest import _small_config

    config = _small_config("ppo", 1, total_steps=10_000)
    run = run_dir.RunDir(tmp_path / "run", "checkpoint.zip")
    log = monitor.Monitor(run, config, 0, "test", bar=False)
    window = monitor.ACHIEVEMENT_WINDOW
    # wood in every episode, a table in the first window only, a pickaxe once; a partial window
    # at the end is not logged and not counted
    unlocked = [{"collect_wood"} | ({"place_table"} if i < window else set()) for i in range(75)]
    unlocked[3].add("make_wood_pickaxe")
    for i, episode in enumerate(unlocked):
        stats = {"r": 1.0, "l": 10, "achievements": len(episode), "success": False}
        log.episode(stats | {"unlocked": episode}, steps=10 * (i + 1))
    log.close()
    rates, episodes = monitor.training_success_rates(run.tb_path)
    full = unlocked[: 3 * window]
    assert episodes == 3 * window
    expected = achievements.success_rates(full, "damcs")
    assert rates.keys() == expected.keys()
    assert all(rates[k] == pytest.approx(v, abs=1e-4) for k, v in expected.items())
    assert rates["place_table"] == pytest.approx(100 / 3, abs=1e-4)


def test_training_success_rates_need_a_logged_window(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(tmp_path / "tb"))
    writer.add_scalar("charts/SPS", 1.0, 1)
    writer.close()
    with pytest.raises(ValueError, match="no complete achievements"):
        monitor.training_success_rates(tmp_path / "tb")
