"""What a run shows while it trains: a progress bar and TensorBoard scalars."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from baselines import run_dir


class Monitor:
    """Progress bar and TensorBoard scalars for a run, with steps/s over the whole run."""

    def __init__(
        self, run: run_dir.RunDir, total: int, start: int, desc: str, bar: bool = True
    ) -> None:
        from torch.utils.tensorboard import SummaryWriter
        from tqdm import tqdm

        self.writer = SummaryWriter(str(run.tb_path))
        self.bar = tqdm(total=total, initial=start, desc=desc, unit="step", disable=not bar)
        self.start_steps = self.steps = start
        self.started = time.time()
        self.episodes = 0

    def advance(self, steps: int, n: int) -> None:
        self.bar.update(n)
        self.steps = steps
        if steps // 1000 != (steps - n) // 1000:
            self.writer.add_scalar("charts/steps_per_second", self.rate(), steps)

    def rate(self) -> float:
        """Steps per second since the monitor started."""
        return (self.steps - self.start_steps) / max(time.time() - self.started, 1e-9)

    def episode(self, stats: Mapping[str, Any], steps: int) -> None:
        self.episodes += 1
        self.writer.add_scalar("charts/episode_return", stats["r"], steps)
        self.writer.add_scalar("charts/episode_length", stats["l"], steps)
        self.writer.add_scalar("charts/achievements_unlocked", stats["achievements"], steps)
        self.writer.add_scalar("charts/success", float(stats["success"]), steps)

    def scalars(self, values: Mapping[str, float], steps: int) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, steps)

    def close(self) -> None:
        self.bar.close()
        self.writer.close()
