"""What a run shows while it trains: a progress bar and TensorBoard logs, the same for PPO and
MAPPO so their curves overlay.

Tags (cleanrl's names where cleanrl has one):

- ``charts/episodic_return``, ``charts/episodic_length``, ``charts/success`` (goal reached),
  ``charts/achievements_unlocked``, ``charts/SPS``, ``charts/learning_rate``: training episodes.
- ``charts/crafter_score`` and ``achievements/<name>`` (percent of episodes): training episodes,
  over windows of `ACHIEVEMENT_WINDOW` episodes.
- ``losses/<name>`` for `LOSS_NAMES`, once per update.
- ``eval/episodic_return``, ``eval/episodic_length``, ``eval/crafter_score``,
  ``eval/success/<name>``: evaluation episodes on held-out seeds (see `baselines.evaluation`).
- text ``hyperparameters``: the resolved run config, as cleanrl writes it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from baselines import evaluation, run_dir, train_result
from baselines import run_config as run_config_lib
from episode import achievements

LOSS_NAMES = (
    "policy_loss",
    "value_loss",
    "entropy",
    "approx_kl",
    "clipfrac",
    "explained_variance",
)
"""The update statistics both learners log under ``losses/``."""
ACHIEVEMENT_WINDOW = 20
"""Training episodes per point of the per-achievement success curves."""


class Monitor:
    """Progress bar and TensorBoard logs for a run, with steps/s over the whole run."""

    def __init__(
        self,
        run: run_dir.RunDir,
        config: run_config_lib.RunConfig,
        start: int,
        desc: str,
        bar: bool = True,
    ) -> None:
        from torch.utils.tensorboard import SummaryWriter
        from tqdm import tqdm

        self.config = config
        self.writer = SummaryWriter(str(run.tb_path))
        self.total = config.total_steps
        self.bar = tqdm(
            total=self.total,
            initial=min(start, self.total),
            desc=desc,
            unit="step",
            disable=not bar,
        )
        self.start_steps = self.steps = start
        self.started = time.time()
        self.episodes = 0
        self._unlocked: list[set[str]] = []
        self._last_eval = start
        self._write_hyperparameters()

    def _write_hyperparameters(self) -> None:
        flat = _flatten(self.config.to_dict())
        rows = "\n".join(f"|{key}|{json.dumps(value)}|" for key, value in flat.items())
        self.writer.add_text("hyperparameters", f"|param|value|\n|-|-|\n{rows}", self.start_steps)

    def advance(self, steps: int, n: int) -> None:
        """`n` more player steps, `steps` in all. The bar stops at the total even when the last
        rollout runs past it."""
        self.bar.update(max(0, min(steps, self.total) - self.bar.n))
        self.steps = steps
        if steps // 1000 != (steps - n) // 1000:
            self.writer.add_scalar("charts/SPS", self.rate(), steps)

    def rate(self) -> float:
        """Steps per second since the monitor started."""
        return (self.steps - self.start_steps) / max(time.time() - self.started, 1e-9)

    def episode(self, stats: Mapping[str, Any], steps: int) -> None:
        """A finished training episode (`TrainingEnv`'s ``info["episode"]``)."""
        self.episodes += 1
        self.writer.add_scalar("charts/episodic_return", stats["r"], steps)
        self.writer.add_scalar("charts/episodic_length", stats["l"], steps)
        self.writer.add_scalar("charts/achievements_unlocked", stats["achievements"], steps)
        self.writer.add_scalar("charts/success", float(stats["success"]), steps)
        self._unlocked.append(set(stats["unlocked"]))
        if len(self._unlocked) >= ACHIEVEMENT_WINDOW:
            rates = achievements.success_rates(self._unlocked, self.config.env.rules)
            self.writer.add_scalar("charts/crafter_score", achievements.crafter_score(rates), steps)
            for name, rate in rates.items():
                self.writer.add_scalar(f"achievements/{name}", rate, steps)
            self._unlocked = []

    def update(
        self,
        losses: Mapping[str, float],
        learning_rate: float,
        steps: int,
        logits: train_result.LogitsFn,
    ) -> None:
        """After an update: its statistics (exactly `LOSS_NAMES`), and evaluation when due."""
        if set(losses) != set(LOSS_NAMES):
            raise ValueError(f"losses must be {LOSS_NAMES}, got {sorted(losses)}")
        for name, value in losses.items():
            self.writer.add_scalar(f"losses/{name}", value, steps)
        self.writer.add_scalar("charts/learning_rate", learning_rate, steps)
        every = self.config.eval_every
        if every and steps - self._last_eval >= every:
            self.evaluate(logits, steps)

    def evaluate(self, logits: train_result.LogitsFn, steps: int) -> None:
        """Play the evaluation episodes now and log them under ``eval/``."""
        first = evaluation.HELD_OUT_SEED
        episodes = evaluation.play(
            logits,
            self.config.env,
            self.config.training,
            range(first, first + self.config.eval_episodes),
        )
        for key, value in evaluation.scalars(episodes, self.config.env.rules, "eval").items():
            self.writer.add_scalar(key, value, steps)
        self._last_eval = steps

    def close(self) -> None:
        self.bar.close()
        self.writer.close()


def training_success_rates(tb_dir: str | Path) -> tuple[dict[str, float], int]:
    """Per-achievement success rate (percent) over every training episode a run logged in a full
    window, and how many episodes that is: the Crafter paper's protocol, which scores an agent by
    its success rates over all training episodes within the step budget (each ``achievements/``
    point is one window of `ACHIEVEMENT_WINDOW` episodes, so the mean of the points is the rate
    over their episodes)."""
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(str(tb_dir), size_guidance={"scalars": 0})
    acc.Reload()
    series = {
        tag.removeprefix("achievements/"): [e.value for e in acc.Scalars(tag)]
        for tag in acc.Tags()["scalars"]
        if tag.startswith("achievements/")
    }
    windows = {len(points) for points in series.values()}
    if not series or len(windows) != 1 or not min(windows):
        raise ValueError(f"{tb_dir}: no complete achievements/* windows logged")
    rates = {name: sum(points) / len(points) for name, points in series.items()}
    return rates, windows.pop() * ACHIEVEMENT_WINDOW


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
