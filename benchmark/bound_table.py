"""The optimal-team bound beside every cell of a perfect decision-maker (the scripted team and the
oracle control): how far its steps are from what a team of that size could do with full map
knowledge, map by map.

The bound is `benchmark.studies.team_bound` (a proven lower bound and the best plan found in a
relaxed game; the optimum lies between the two). It is computed for the paper's protocol only
(damcs rules, the diamond), the game it was built and tested for; a result set of other rules or
another goal gets no such table. Ratios are means over maps of the cell's mean steps on the map
(a failure at the cap, so a failing cell's ratio is optimistic) over the map's bound, as in the
cooperation study.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from benchmark import summary as summary_lib
from envs.mac import rules as rules_lib

PERFECT_DECISION_MAKERS = ("scripted", "oracle")
BOUND_RULES, BOUND_GOAL = "damcs", rules_lib.DEFAULT_GOAL
"""The game the bound is built and tested for: the paper's rules and the diamond."""

# (world seed, team size) -> (lower bound, best plan found)
BoundFn = Callable[[int, int], tuple[float, float]]


@functools.cache
def team_bound(world_seed: int, n_agents: int) -> tuple[float, float]:
    """The study's bound on the fixed map of `world_seed` (the starts do not depend on the
    episode seed there); kept for the process, since result sets share maps."""
    from benchmark.studies import team_bound as study  # the search is heavy: only when needed

    found = study.team_bound(0, n_agents, world_seed, BOUND_RULES, BOUND_GOAL)
    return found.lower, found.best_plan


@dataclass(frozen=True)
class BoundRow:
    """One cell against the bound, over the maps where the bound is finite."""

    method: str
    n_agents: int
    decision_maker: str
    maps: int
    steps: float
    best_plan: float
    lower: float
    steps_per_best_plan: float
    steps_per_lower: float

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "n_agents": self.n_agents,
            "decision_maker": self.decision_maker,
            "maps": self.maps,
            "steps": self.steps,
            "best_plan": self.best_plan,
            "lower": self.lower,
            "steps_per_best_plan": self.steps_per_best_plan,
            "steps_per_lower": self.steps_per_lower,
        }


def applies(summary: summary_lib.Summary) -> bool:
    """Whether the bound is defined for this result set's game."""
    return summary.rules == BOUND_RULES and summary.goal == BOUND_GOAL


def bound_rows(summary: summary_lib.Summary, bound: BoundFn | None = None) -> tuple[BoundRow, ...]:
    """A row per cell whose decision-maker is perfect, in the summary's order (none when the
    bound does not apply); the bound is computed once per map and team size, with a progress
    bar. `bound` defaults to the study's (`team_bound`)."""
    if not applies(summary):
        return ()
    bound = bound or team_bound
    groups = [g for g in summary.groups if g.decision_maker in PERFECT_DECISION_MAKERS]
    needed = sorted({(m, g.n_agents) for g in groups for m in g.goal_units})
    found = {
        key: bound(*key)
        for key in tqdm(
            needed, desc="optimal-team bound", unit="map x size", disable=len(needed) < 2
        )
    }
    rows = []
    for g in groups:
        steps, plans, lowers = [], [], []
        for world_seed, units in sorted(g.goal_units.items()):
            lower, plan = found[(world_seed, g.n_agents)]
            if not 0 < lower <= plan < float("inf"):
                continue
            steps.append(statistics.mean(min(t, g.max_steps) for t, _ in units))
            plans.append(plan)
            lowers.append(lower)
        if not steps:
            continue
        rows.append(
            BoundRow(
                method=g.method,
                n_agents=g.n_agents,
                decision_maker=g.decision_maker or "",
                maps=len(steps),
                steps=statistics.mean(steps),
                best_plan=statistics.mean(plans),
                lower=statistics.mean(lowers),
                steps_per_best_plan=_mean_ratio(steps, plans),
                steps_per_lower=_mean_ratio(steps, lowers),
            )
        )
    return tuple(rows)


def _mean_ratio(steps: Sequence[float], bounds: Sequence[float]) -> float:
    return statistics.mean(s / b for s, b in zip(steps, bounds, strict=True))
