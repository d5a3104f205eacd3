"""What a training call hands back in memory, shared by PPO and MAPPO."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

LogitsFn = Callable[[np.ndarray], torch.Tensor]
"""A policy: a batch of policy observations (with agent id, if trained so) -> action logits."""


@dataclass(frozen=True)
class TrainResult:
    """What a training call leaves in memory: the steps done and the policy as trained."""

    steps: int
    finished: bool
    logits: LogitsFn
    steps_per_second: float
    """Over this call's training loop (env, forward passes and updates; setup excluded)."""
