"""PPO with one policy shared by all players (stable-baselines3 on a supersuit vector env).

Each player is one slot of a vector env (`pettingzoo_env_to_vec_env_v1` then `concat_vec_envs_v1`
with the SB3 base class), so SB3's single-agent PPO trains a shared policy on every player's
experience; an optional one-hot agent id tells the seats apart. `MlpPolicy` on symbolic
observations, `CnnPolicy` on images. With one agent this is the paper's PPO (gamma 0.995,
ent_coef 0.01, which are the defaults here).

Seeding: `PPO(seed=N)` calls `env.seed`, which supersuit's vec env lacks. We seed Python, NumPy and
torch with SB3's `set_random_seed` and the environment through `training_env.TrainingEnv` (its first
reset uses the run seed), which makes two runs with the same seed identical.

    python scripts/train_marl.py --algo ppo --n-agents 2 --total-steps 200000 --out runs/ppo-n2
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import supersuit
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.save_util import load_from_zip_file
from stable_baselines3.common.utils import set_random_seed

from baselines import monitor as monitor_lib
from baselines import run_config as run_config_lib
from baselines import run_dir, train_result, training_env
from envs import mac

CHECKPOINT = "checkpoint.zip"


@dataclass(frozen=True)
class Args:
    """PPO hyperparameters (SB3 names)."""

    learning_rate: float = 3e-4
    """Adam step size."""
    n_steps: int = 512
    """Joint env steps per rollout; a rollout holds n_steps x n_agents samples."""
    batch_size: int = 256
    """Minibatch size in samples."""
    n_epochs: int = 4
    """Passes over each rollout."""
    gamma: float = 0.995
    """Discount (the paper's value)."""
    gae_lambda: float = 0.95
    """GAE lambda."""
    clip_range: float = 0.2
    """PPO ratio clip."""
    ent_coef: float = 0.01
    """Entropy bonus (the paper's value)."""
    vf_coef: float = 0.5
    """Value loss weight."""
    max_grad_norm: float = 0.5
    """Gradient clipping norm."""
    net_arch: tuple[int, ...] = (64, 64)
    """Hidden layers of the policy and value heads."""

    def __post_init__(self) -> None:
        if self.n_steps < 1 or self.batch_size < 1 or self.n_epochs < 1:
            raise run_config_lib.ConfigError("ppo: n_steps, batch_size and n_epochs must be >= 1")


def make_vec_env(
    env_config: mac.EnvConfig, training: training_env.TrainingEnvConfig, seed: int
) -> Any:
    """One supersuit vector env in which every player is a slot (SB3 VecEnv interface)."""
    venv = supersuit.pettingzoo_env_to_vec_env_v1(training_env.make_env(env_config, training, seed))
    return supersuit.concat_vec_envs_v1(venv, 1, base_class="stable_baselines3")


def build_model(config: run_config_lib.RunConfig, venv: Any) -> PPO:
    """A fresh PPO learner for `config` on `venv` (seeded globally, not through `PPO(seed=)`)."""
    args = Args(**config.hyper)
    set_random_seed(config.seed)
    return PPO(
        "MlpPolicy" if config.env.obs_type == "symbolic" else "CnnPolicy",
        venv,
        learning_rate=args.learning_rate,
        n_steps=args.n_steps,
        batch_size=args.batch_size,
        n_epochs=args.n_epochs,
        gamma=args.gamma,
        gae_lambda=args.gae_lambda,
        clip_range=args.clip_range,
        ent_coef=args.ent_coef,
        vf_coef=args.vf_coef,
        max_grad_norm=args.max_grad_norm,
        policy_kwargs={"net_arch": list(args.net_arch)},
        device="cpu",
        verbose=0,
    )


class _RunCallback(BaseCallback):
    """Progress bar, TensorBoard charts, losses and periodic checkpoints inside `PPO.learn`."""

    def __init__(
        self, run: run_dir.RunDir, config: run_config_lib.RunConfig, monitor: monitor_lib.Monitor
    ):
        super().__init__()
        self.run, self.config, self.monitor = run, config, monitor
        self.started = time.time()
        self.last_checkpoint = 0

    def _on_training_start(self) -> None:
        self.last_checkpoint = self.model.num_timesteps

    def _on_step(self) -> bool:
        steps = self.model.num_timesteps
        self.monitor.advance(steps, self.training_env.num_envs)
        ended = [i["episode"] for i in self.locals["infos"] if "episode" in i]
        if ended:
            self.monitor.episode(_mean_stats(ended), steps)
        return True

    def _on_rollout_start(self) -> None:
        # SB3 records the last update's statistics as train/* (cleared after each rollout's
        # dump), so at the start of the next rollout they describe the update just done.
        values = self.model.logger.name_to_value
        if "train/policy_gradient_loss" not in values:
            return
        losses = {new: float(values[f"train/{old}"]) for new, old in _SB3_LOSSES.items()}
        losses["entropy"] = -float(values["train/entropy_loss"])  # SB3 logs minus the entropy
        lr = float(values["train/learning_rate"])
        self.monitor.update(losses, lr, self.model.num_timesteps, _logits_fn(self.model))

    def _on_rollout_end(self) -> None:
        if self.model.num_timesteps - self.last_checkpoint >= self.config.checkpoint_every:
            save(self.model, self.run, finished=False, started=self.started)
            self.last_checkpoint = self.model.num_timesteps


_SB3_LOSSES = {
    "policy_loss": "policy_gradient_loss",
    "value_loss": "value_loss",
    "approx_kl": "approx_kl",
    "clipfrac": "clip_fraction",
    "explained_variance": "explained_variance",
}
"""Our `losses/` names -> SB3's `train/` keys (entropy is SB3's entropy_loss negated)."""


def _mean_stats(stats: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "r": float(np.mean([s["r"] for s in stats])),
        "l": stats[0]["l"],
        "achievements": stats[0]["achievements"],
        "unlocked": stats[0]["unlocked"],
        "success": stats[0]["success"],
    }


def checkpoint_steps(path: str | Path) -> int:
    """The steps stored in a checkpoint (SB3 saves `num_timesteps` in the zip's data)."""
    data, _, _ = load_from_zip_file(path, device="cpu", load_data=True)
    return int(data["num_timesteps"])


def save(model: PPO, run: run_dir.RunDir, finished: bool, started: float) -> None:
    """Write the checkpoint (atomically) and then the progress that points at it."""
    tmp = run.path / "checkpoint.tmp.zip"
    model.save(tmp)
    tmp.replace(run.checkpoint_path)
    run.write_progress(model.num_timesteps, finished, started)


def train(
    config: run_config_lib.RunConfig,
    out: str | Path,
    resume: bool = False,
    progress_bar: bool = True,
) -> train_result.TrainResult:
    """Train (or continue) the run in `out` up to `config.total_steps`; Ctrl-C saves a checkpoint."""
    torch.set_num_threads(1)
    run = run_dir.RunDir(out, CHECKPOINT)
    config, done = run.prepare(config, resume, checkpoint_steps)
    # A resumed run starts a fresh stream of maps rather than replaying the first ones.
    venv = make_vec_env(config.env, config.training, config.seed + done)
    if done:
        set_random_seed(config.seed + done)
        model = PPO.load(run.checkpoint_path, env=venv, device="cpu")
    else:
        model = build_model(config, venv)
    model.set_logger(Logger(folder=None, output_formats=[]))
    monitor = monitor_lib.Monitor(run, config, done, f"ppo x{config.env.n_agents}", progress_bar)
    callback = _RunCallback(run, config, monitor)
    finished = False
    try:
        if config.total_steps > done:
            model.learn(config.total_steps - done, callback=callback, reset_num_timesteps=not done)
        finished = True
    finally:
        save(model, run, finished=finished, started=callback.started)
        monitor.close()
        venv.close()
    return train_result.TrainResult(
        model.num_timesteps, finished, _logits_fn(model), monitor.rate()
    )


# --- evaluation --------------------------------------------------------------------------------


def load_logits(checkpoint: str | Path) -> train_result.LogitsFn:
    """The saved policy as a function from a batch of policy observations to action logits."""
    return _logits_fn(PPO.load(checkpoint, device="cpu"))


def _logits_fn(model: PPO) -> train_result.LogitsFn:
    model.policy.set_training_mode(False)
    image = len(model.observation_space.shape) == 3

    def logits(observations: np.ndarray) -> torch.Tensor:
        if image:
            observations = observations.transpose(0, 3, 1, 2)  # SB3 trains CNNs channels-first
        with torch.no_grad():
            tensor, _ = model.policy.obs_to_tensor(observations)
            return model.policy.get_distribution(tensor).distribution.logits

    return logits
