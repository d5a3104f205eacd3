"""A training run's directory on disk.

It holds ``config.json`` (the resolved config, written before training starts),
``checkpoint.zip`` (PPO) or ``checkpoint.pt`` (MAPPO), ``progress.json`` (steps done, finished or
not) and ``tb/`` (TensorBoard).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from baselines import run_config as run_config_lib

CONFIG_FILE = "config.json"
PROGRESS_FILE = "progress.json"


class RunDir:
    """A training run's directory: config, checkpoint, progress and TensorBoard logs."""

    def __init__(self, path: str | Path, checkpoint_name: str) -> None:
        self.path = Path(path)
        self.config_path = self.path / CONFIG_FILE
        self.progress_path = self.path / PROGRESS_FILE
        self.checkpoint_path = self.path / checkpoint_name
        self.tb_path = self.path / "tb"

    def progress(self) -> dict[str, Any]:
        if not self.progress_path.exists():
            return {"steps": 0, "finished": False}
        return json.loads(self.progress_path.read_text())

    def write_progress(self, steps: int, finished: bool, started: float) -> None:
        data = {"steps": int(steps), "finished": finished, "wall_time_s": time.time() - started}
        _write_atomic(self.progress_path, json.dumps(data, indent=2) + "\n")

    def write_config(self, config: run_config_lib.RunConfig) -> None:
        data = {**config.to_dict(), "versions": versions()}
        _write_atomic(self.config_path, json.dumps(data, indent=2) + "\n")

    def prepare(
        self, config: run_config_lib.RunConfig, resume: bool
    ) -> tuple[run_config_lib.RunConfig, int]:
        """The config to run and the steps already done; refuses to clobber an existing run."""
        if not resume:
            if self.config_path.exists():
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
        steps = self.progress()["steps"] if self.checkpoint_path.exists() else 0
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
