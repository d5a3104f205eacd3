"""A training run's directory on disk.

It holds ``config.json`` (the resolved config, written before training starts),
``checkpoint.zip`` (PPO) or ``checkpoint.pt`` (MAPPO), ``progress.json`` (steps done, finished or
not) and ``tb/`` (TensorBoard).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import platform
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from baselines import run_config as run_config_lib

CONFIG_FILE = "config.json"
PROGRESS_FILE = "progress.json"
CHECKPOINT_ERRORS = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
    EOFError,
    pickle.UnpicklingError,
    zipfile.BadZipFile,
)
"""What reading a damaged checkpoint raises (torch.load, SB3's zip loader)."""


class RunDir:
    """A training run's directory: config, checkpoint, progress and TensorBoard logs."""

    def __init__(self, path: str | Path, checkpoint_name: str) -> None:
        self.path = Path(path)
        self.config_path = self.path / CONFIG_FILE
        self.progress_path = self.path / PROGRESS_FILE
        self.checkpoint_path = self.path / checkpoint_name
        self.tb_path = self.path / "tb"

    def progress(self) -> dict[str, Any]:
        """Steps done and whether the run finished, as last written (a report, not the truth:
        the checkpoint holds its own step count)."""
        if not self.progress_path.exists():
            return {"steps": 0, "finished": False}
        try:
            data = json.loads(self.progress_path.read_text())
            return {"steps": int(data["steps"]), "finished": bool(data["finished"])}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise run_config_lib.ConfigError(
                f"{self.progress_path} is unreadable ({_one_line(error)}); delete it: "
                "--resume reads the step count from the checkpoint"
            ) from error

    def checkpoint_steps(self, read_steps: Callable[[Path], int]) -> int:
        """The steps stored inside the checkpoint (0 without one); a corrupt one is a ConfigError."""
        if not self.checkpoint_path.exists():
            return 0
        try:
            return int(read_steps(self.checkpoint_path))
        except CHECKPOINT_ERRORS as error:
            raise run_config_lib.ConfigError(
                f"cannot read checkpoint {self.checkpoint_path}: {_one_line(error)}"
            ) from error

    def write_progress(self, steps: int, finished: bool, started: float) -> None:
        data = {"steps": int(steps), "finished": finished, "wall_time_s": time.time() - started}
        _write_atomic(self.progress_path, json.dumps(data, indent=2) + "\n")

    def write_config(self, config: run_config_lib.RunConfig) -> None:
        data = {**config.to_dict(), "versions": versions()}
        _write_atomic(self.config_path, json.dumps(data, indent=2) + "\n")

    def prepare(
        self,
        config: run_config_lib.RunConfig,
        resume: bool,
        read_steps: Callable[[Path], int],
    ) -> tuple[run_config_lib.RunConfig, int]:
        """The config to run and the steps already done, read from the checkpoint itself by
        `read_steps`. Refuses to clobber a run or to shrink one: nothing is written on refusal."""
        if not resume:
            if self.config_path.exists() or self.checkpoint_path.exists():
                state = "finished" if self.progress()["finished"] else "unfinished"
                raise run_config_lib.ConfigError(
                    f"{self.path} holds a {state} run; pass --resume to continue it "
                    "or choose another --out"
                )
            self.path.mkdir(parents=True, exist_ok=True)
            self.write_config(config)
            return config, 0
        if not self.config_path.exists():
            raise run_config_lib.ConfigError(
                f"--resume: no run in {self.path} (missing {CONFIG_FILE})"
            )
        saved = run_config_lib.load_config(self.config_path)
        for name in ("algo", "env", "training", "seed"):
            if getattr(saved, name) != getattr(config, name):
                raise run_config_lib.ConfigError(
                    f"--resume: {name} differs from the saved run's "
                    f"({getattr(saved, name)!r} vs {getattr(config, name)!r})"
                )
        steps = self.checkpoint_steps(read_steps)
        if config.total_steps < steps:
            raise run_config_lib.ConfigError(
                f"--resume: total_steps={config.total_steps} is below the {steps} steps in the "
                "checkpoint; pass a larger --total-steps"
            )
        merged = dataclasses.replace(saved, total_steps=config.total_steps)
        self.write_config(merged)
        return merged, steps


def find_run(checkpoint: str | Path) -> tuple[Path, run_config_lib.RunConfig]:
    """A checkpoint file (or its run directory) and the run config saved next to it."""
    path = Path(checkpoint)
    if path.is_dir():
        candidates = [path / "checkpoint.zip", path / "checkpoint.pt"]
        found = [c for c in candidates if c.exists()]
        if not found:
            raise run_config_lib.ConfigError(f"no checkpoint.zip or checkpoint.pt in {path}")
        path = found[0]
    if not path.is_file():
        raise run_config_lib.ConfigError(f"checkpoint {path} does not exist")
    return path, run_config_lib.load_config(path.parent / CONFIG_FILE)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def versions() -> dict[str, str]:
    """Library versions, saved in config.json so a run can be traced."""
    import gymnasium
    import pettingzoo
    import supersuit
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "pettingzoo": pettingzoo.__version__,
        "supersuit": supersuit.__version__,
        "gymnasium": gymnasium.__version__,
    }
