"""Evaluation episodes during training: the current policy on held-out map seeds.

Training episodes are played on maps drawn from the run seed upward and with an exploring policy;
evaluation episodes replay the same fixed, held-out seeds (``first_seed ...``, 10000 by default,
far above any run's seeds) every time, so the curves over training are comparable points. Players
sample from the policy (the Crafter paper evaluates the stochastic policy too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from baselines import train_result, training_env
from envs import mac
from episode import achievements

HELD_OUT_SEED = 10_000
"""First evaluation map seed; training runs seed from their `seed` upward and never reach it."""


@dataclass(frozen=True)
class EvalEpisode:
    """One evaluation episode: mean player return, length in joint steps, team achievements."""

    seed: int
    episode_return: float
    length: int
    unlocked: frozenset[str]


def play(
    logits: train_result.LogitsFn,
    env: mac.EnvConfig,
    training: training_env.TrainingEnvConfig,
    seeds: Sequence[int],
    sample_seed: int = 0,
) -> list[EvalEpisode]:
    """Episodes of the policy on `seeds`, in the training env (same observations and reward)."""
    world = training_env.TrainingEnv(env.make_env(reward=training.reward), env, training, seeds[0])
    generator = torch.Generator().manual_seed(sample_seed)
    played = []
    for seed in seeds:
        observations, _ = world.reset(seed=seed)
        episode = None
        while world.agents:
            agents = list(world.agents)
            batch = np.stack([observations[a] for a in agents])
            with torch.no_grad():
                probs = torch.softmax(logits(batch), dim=-1)
            actions = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
            observations, _, _, _, infos = world.step(
                {a: int(actions[i]) for i, a in enumerate(agents)}
            )
            ended = [info["episode"] for info in infos.values() if "episode" in info]
            episode = ended or episode
        stats = episode or [{"r": 0.0, "l": 0, "unlocked": ()}]
        played.append(
            EvalEpisode(
                seed=seed,
                episode_return=float(np.mean([s["r"] for s in stats])),
                length=int(stats[0]["l"]),
                unlocked=frozenset(stats[0]["unlocked"]),
            )
        )
    world.close()
    return played


def scalars(episodes: Sequence[EvalEpisode], rules: str, prefix: str) -> Mapping[str, float]:
    """TensorBoard scalars of a batch of episodes: return, length, Crafter score, success rates."""
    rates = achievements.success_rates([e.unlocked for e in episodes], rules)
    return {
        f"{prefix}/episodic_return": float(np.mean([e.episode_return for e in episodes])),
        f"{prefix}/episodic_length": float(np.mean([e.length for e in episodes])),
        f"{prefix}/crafter_score": achievements.crafter_score(rates),
        **{f"{prefix}/success/{name}": rate for name, rate in rates.items()},
    }
