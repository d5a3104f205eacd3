"""Trained policies across training seeds: one recipe, several seeds, the spread between them.

A MARL result from one training seed says little: in `results/marl-seeds` two seeds of the same
PPO recipe differ as much as PPO differs from MAPPO. So cells whose policies were trained by the
same recipe (algorithm, environment, budget, hyperparameters, reward: the run's `config.json`
without its seed and its bookkeeping) at the same team size are grouped, and each group reports
its seeds, the mean over seeds and the lowest and highest seed, for the Crafter score and the
success of every milestone. Seeds, not episodes, are the units here: a seed's value is its cell's
rate over all of its evaluation episodes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from benchmark import metrics

# Fields of a training config that do not change what is learnt.
BOOKKEEPING = ("seed", "checkpoint_every", "eval_every", "eval_episodes", "versions")


@dataclasses.dataclass(frozen=True)
class Spread:
    """Mean, lowest and highest of one quantity over seeds."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("a spread needs at least one value")
        return cls(sum(values) / len(values), min(values), max(values))

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class SeedGroup:
    """One training recipe at one team size, evaluated once per training seed."""

    name: str
    n_agents: int
    methods: tuple[str, ...]
    seeds: tuple[int, ...]
    crafter_score: Spread | None
    milestones: Mapping[str, Spread]
    """Success rate of each milestone, spread over seeds."""

    def __post_init__(self) -> None:
        if len(self.methods) != len(self.seeds) or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seed group {self.name}: one cell per distinct seed expected")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n_agents": self.n_agents,
            "methods": list(self.methods),
            "seeds": list(self.seeds),
            "crafter_score": None if self.crafter_score is None else self.crafter_score.to_dict(),
            "milestones": {k: v.to_dict() for k, v in self.milestones.items()},
        }


def recipe(training: Mapping[str, Any]) -> str:
    """The training config without its seed and bookkeeping, as a canonical string (unset
    hyperparameters dropped, so a config written before a new option existed still matches)."""
    kept = {k: v for k, v in training.items() if k not in BOOKKEEPING}
    if isinstance(kept.get("hyper"), Mapping):
        kept["hyper"] = {k: v for k, v in kept["hyper"].items() if v is not None}
    return json.dumps(kept, sort_keys=True, default=str)


def _seed(training: Mapping[str, Any]) -> int | None:
    seed = training.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


def group_name(methods: Sequence[str]) -> str:
    """`ppo-s0`, `ppo-s1` -> `ppo`: the labels without a trailing seed tag, when they agree."""
    stems = {re.sub(r"[-_]s(eed)?\d+$", "", m) for m in methods}
    return stems.pop() if len(stems) == 1 else " / ".join(methods)


def seed_groups(summary: metrics.Summary, min_seeds: int = 2) -> list[SeedGroup]:
    """Groups of cells trained by one recipe with at least `min_seeds` different seeds."""
    cells: dict[tuple[str, int], list[tuple[int, metrics.GroupSummary]]] = {}
    for g in summary.groups:
        seed = None if not g.training else _seed(g.training)
        if seed is None:
            continue
        cells.setdefault((recipe(g.training), g.n_agents), []).append((seed, g))
    groups = []
    for (_, n_agents), members in cells.items():
        members.sort(key=lambda item: (item[0], item[1].method))
        seeds = [seed for seed, _ in members]
        if len(set(seeds)) < min_seeds or len(set(seeds)) != len(seeds):
            continue
        scores = [metrics.crafter_score(g, summary.achievements)[0] for _, g in members]
        milestones = {
            m.milestone: Spread.of([g.milestone(m.milestone).success_rate for _, g in members])
            for m in members[0][1].milestones
        }
        methods = tuple(g.method for _, g in members)
        groups.append(
            SeedGroup(
                name=group_name(methods),
                n_agents=n_agents,
                methods=methods,
                seeds=tuple(seeds),
                crafter_score=None if None in scores else Spread.of(scores),
                milestones=milestones,
            )
        )
    return sorted(groups, key=lambda s: (s.n_agents, s.name))
