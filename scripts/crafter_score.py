"""The Crafter score and per-achievement success rates of a MARL checkpoint (or of uniform random
actions, the control) on held-out map seeds, with a 95% bootstrap interval over episodes.

    python scripts/crafter_score.py --checkpoint results/checkpoints/ppo-crafter-1m --episodes 100
    python scripts/crafter_score.py --random --rules crafter --episodes 100
    python scripts/crafter_score.py --checkpoint runs/ppo-crafter-image-1m --training-log

With --training-log it also scores the run's training episodes from its TensorBoard log: the
Crafter paper's protocol (success rates over every training episode within the budget).

Episodes run to the rule set's length (10000 joint steps for crafter) or until every player dies;
seeds start at --first-seed (10000: maps no training run saw, since runs seed from 0 upward).
Writes the summary as JSON to --out, if given, and prints it.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import tyro

from baselines import checkpoint_team, monitor, run_dir
from benchmark import methods
from envs import mac
from episode import achievements, loop


@dataclasses.dataclass(frozen=True)
class Args:
    checkpoint: Path | None = None
    """Run directory or checkpoint file to evaluate (its training rules, obs and team size)."""
    random: bool = False
    """Evaluate uniform random actions instead (the control)."""
    rules: str = "crafter"
    """Rule set for --random."""
    n_agents: int = 1
    """Players for --random."""
    episodes: int = 50
    """Episodes to play (one per seed)."""
    first_seed: int = 10_000
    """First map seed; held out from training."""
    bootstrap: int = 10_000
    """Bootstrap resamples for the 95% interval."""
    out: Path | None = None
    """Write the summary JSON here."""
    training_log: bool = False
    """Also score the training episodes the run logged (the paper's protocol; needs RUN/tb)."""


def summarize(unlocked: list[set[str]], rules: str, resamples: int, seed: int = 0) -> dict:
    """Score, success rates and a percentile bootstrap interval of the score over episodes."""
    rates = achievements.success_rates(unlocked, rules)
    rng = np.random.default_rng(seed)
    n = len(unlocked)
    scores = [
        achievements.crafter_score(
            achievements.success_rates([unlocked[i] for i in rng.integers(n, size=n)], rules)
        )
        for _ in range(resamples)
    ]
    low, high = np.percentile(scores, [2.5, 97.5])
    return {
        "episodes": n,
        "crafter_score": achievements.crafter_score(rates),
        "ci95": [float(low), float(high)],
        "success_rates": rates,
    }


def main(args: Args) -> int:
    if (args.checkpoint is None) == (not args.random):
        print("error: pass exactly one of --checkpoint or --random", file=sys.stderr)
        return 2
    training = None
    if args.training_log:
        tb = None if args.checkpoint is None else run_dir.find_run(args.checkpoint)[0].parent / "tb"
        if tb is None or not tb.is_dir():
            print(
                "error: --training-log needs --checkpoint RUN_DIR with a tb/ log", file=sys.stderr
            )
            return 2
        try:
            rates, n = monitor.training_success_rates(tb)
        except ValueError as err:
            print(f"error: --training-log: {err}", file=sys.stderr)
            return 2
        training = {
            "episodes": n,
            "crafter_score": achievements.crafter_score(rates),
            "success_rates": rates,
        }
    started = time.time()
    if args.random:
        env = mac.EnvConfig(n_agents=args.n_agents, rules=args.rules)
        team = methods.build("random", env)
        records = [
            loop.play_episode(team, env, seed, method="random").record
            for seed in range(args.first_seed, args.first_seed + args.episodes)
        ]
        rules, source = args.rules, "random"
    else:
        _, config = run_dir.find_run(args.checkpoint)
        records = list(checkpoint_team.evaluate(args.checkpoint, args.episodes, args.first_seed))
        rules, source = config.env.rules, str(args.checkpoint)
    summary = {
        "source": source,
        "rules": rules,
        "first_seed": args.first_seed,
        **summarize([r.unlocked for r in records], rules, args.bootstrap),
        "mean_length": float(np.mean([r.length for r in records])),
        "wall_time_s": time.time() - started,
    }
    if training is not None:
        summary["training_episodes"] = training
    text = json.dumps(summary, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
