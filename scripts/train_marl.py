"""Train a MARL baseline (PPO with parameter sharing, or MAPPO) on Multi-Agent Crafter.

    python scripts/train_marl.py --algo mappo --n-agents 2 --total-steps 200000 --out runs/mappo-n2
    python scripts/train_marl.py --algo mappo --n-agents 2 --total-steps 400000 --out runs/mappo-n2 --resume

Writes to --out: config.json (resolved config), checkpoint.zip|pt (periodically and at the end),
progress.json and tb/ (TensorBoard, the same tags for PPO and MAPPO: charts/*, losses/*,
achievements/<name> and charts/crafter_score from training episodes, eval/* from evaluation episodes
on held-out seeds, the hyperparameters as text; see baselines/monitor.py). Plot with
``python scripts/learning_curves.py runs/mappo-n2``. Steps count player decisions (a joint step of N
players is N steps). Ctrl-C or SIGTERM saves a checkpoint; --resume continues it (a run killed
harder resumes from its last periodic checkpoint). Evaluate with
``python scripts/play.py --method mappo --checkpoint runs/mappo-n2 --n-agents 2``.
"""

from __future__ import annotations

import dataclasses
import signal
import sys
from pathlib import Path
from typing import Literal

import tyro

from baselines import mappo, ppo, training_env
from baselines import run_config as run_config_lib
from envs import mac


@dataclasses.dataclass(frozen=True)
class Args:
    algo: Literal["ppo", "mappo"]
    """ppo (stable-baselines3, shared policy) or mappo (shared actor, centralized critic)."""
    out: Path
    """Run directory for config, checkpoints and TensorBoard logs."""
    n_agents: int = 1
    """Players in the world (1 to 64); all share one policy."""
    rules: Literal["damcs", "crafter"] = "damcs"
    """Rule set: damcs (the paper's variant) or crafter (the original game)."""
    obs: Literal["symbolic", "image"] = "symbolic"
    """Observation: symbolic vector (MLP) or 64x64 image (CNN)."""
    total_steps: int = 200_000
    """Training budget in player steps (with --resume: the new total)."""
    seed: int = 0
    """Seed for maps, network initialisation and action sampling."""
    goal: str = "collect_diamond"
    """Achievement that ends an episode for the whole team."""
    max_steps: int | None = None
    """Episode length in joint steps (default: the rule set's, 350 for damcs)."""
    reward: Literal["individual", "team"] = "individual"
    """individual: crafter's reward per player; team: every player gets the sum."""
    shaped: bool = False
    """Add the shaped reward (unlock bonus, per-item collect bonus; see baselines/training_env.py)."""
    goal_bonus: float = 0.0
    """Reward every player this much when the team reaches --goal (aligns reward with success)."""
    agent_id: bool = True
    """Append a one-hot player id to every observation."""
    checkpoint_every: int = 50_000
    """Save a checkpoint at least this often (player steps)."""
    eval_every: int = 50_000
    """Play evaluation episodes on held-out seeds (10000+) this often (player steps; 0: never)."""
    eval_episodes: int = 10
    """Evaluation episodes each time."""
    resume: bool = False
    """Continue the run in --out from its last checkpoint."""
    progress: bool = True
    """Show a progress bar."""
    ppo: ppo.Args = ppo.Args()
    """PPO hyperparameters (used with --algo ppo)."""
    mappo: mappo.Args = mappo.Args()
    """MAPPO hyperparameters (used with --algo mappo)."""


def run_config(args: Args) -> run_config_lib.RunConfig:
    """The resolved config of `args` (validated: a bad value raises ConfigError)."""
    env = mac.EnvConfig(
        n_agents=args.n_agents,
        rules=args.rules,
        obs_type=args.obs,
        goal=args.goal,
        max_steps=args.max_steps,
    )
    training = training_env.TrainingEnvConfig(
        reward=args.reward,
        shaped=args.shaped,
        goal_bonus=args.goal_bonus,
        agent_id=args.agent_id,
    )
    hyper = dataclasses.asdict(args.ppo if args.algo == "ppo" else args.mappo)
    return run_config_lib.RunConfig(
        algo=args.algo,
        env=env,
        training=training,
        total_steps=args.total_steps,
        seed=args.seed,
        checkpoint_every=args.checkpoint_every,
        eval_every=args.eval_every,
        eval_episodes=args.eval_episodes,
        hyper=hyper,
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(args: Args) -> int:
    # `kill` saves a checkpoint like Ctrl-C does, so a stopped run resumes where it stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    trainer = ppo.train if args.algo == "ppo" else mappo.train
    try:
        config = run_config(args)
        result = trainer(config, args.out, resume=args.resume, progress_bar=args.progress)
    except mac.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"interrupted; checkpoint saved in {args.out}, continue with --resume", file=sys.stderr
        )
        return 130
    print(f"{args.algo}: {result.steps} steps done; checkpoint and config in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
