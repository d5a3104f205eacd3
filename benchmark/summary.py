"""The benchmark's summary objects, what every table, plot and export reads: per cell (a method
label at one team size) a `GroupSummary` with one `MilestoneStats` per milestone, the paired step
`Reduction`s between cells, the probabilities of `Improvement`, and the whole `Summary`. How they
are computed from episode records is `benchmark.metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmark import record_views as views
from benchmark import statistics as stats

Estimate = stats.Estimate
MetricsError = views.MetricsError


@dataclass(frozen=True)
class MilestoneStats:
    """One milestone for one cell: restricted mean steps to it (bootstrap over maps), success rate
    (Wilson over units), KM median, and the paper-style mean over the units that reached it."""

    milestone: str
    episodes: int
    reached: int
    steps: Estimate
    success: Estimate
    median: float | None
    reached_mean: Estimate

    @property
    def success_rate(self) -> float:
        return self.reached / self.episodes

    def to_dict(self) -> dict[str, Any]:
        return {
            "milestone": self.milestone,
            "units": self.episodes,
            "reached": self.reached,
            "success_rate": self.success_rate,
            "success": self.success.to_dict(),
            "restricted_mean_steps": self.steps.to_dict(),
            "median_steps": self.median,
            "mean_steps_of_reached": self.reached_mean.to_dict(),
        }


@dataclass(frozen=True)
class GroupSummary:
    """Everything reported for one method label at one team size."""

    method: str
    n_agents: int
    episodes: int
    successes: int
    milestones: tuple[MilestoneStats, ...]
    goal: str
    max_steps: int
    reach_curve: tuple[float, ...]
    llm_calls: int
    llm_tokens: int
    llm_fallbacks: int
    messages_sent: int
    mean_length: float
    mean_wall_time_s: float
    units: int = 0
    maps: int = 0
    family: str = ""
    decision_maker: str | None = None
    communicates: bool = True
    deviations: tuple[str, ...] = ()
    achievements: Mapping[str, Estimate] = field(default_factory=dict)
    model_revisions: tuple[str, ...] = ()
    goal_units: Mapping[int, tuple[tuple[float, bool], ...]] = field(default_factory=dict)
    """(time, reached) of the goal per distinct unit, by map: what paired reductions resample."""
    training: Mapping[str, Any] | None = None
    episodes_run: int = 0
    """Every episode run, repeats included (`episodes` counts distinct units)."""
    successes_run: int = 0

    def __post_init__(self) -> None:
        if self.episodes < 1 or not 0 <= self.successes <= self.episodes:
            raise MetricsError(f"group {self.method}/{self.n_agents}: bad counts")
        if not 0 <= self.successes_run <= max(self.episodes_run, self.episodes):
            raise MetricsError(f"group {self.method}/{self.n_agents}: bad run counts")

    @property
    def success_rate(self) -> float:
        return self.successes / self.episodes

    @property
    def goal_stats(self) -> MilestoneStats:
        return self.milestone(self.goal)

    @property
    def steps_to_goal(self) -> Estimate:
        """Restricted mean steps to the goal up to the cap, with a bootstrap interval over maps."""
        return self.goal_stats.steps

    @property
    def success(self) -> Estimate:
        return self.goal_stats.success

    @property
    def uses_llm(self) -> bool:
        return self.llm_calls > 0 or self.llm_tokens > 0

    @property
    def llm_calls_per_success(self) -> float | None:
        """Calls over every episode run per successful episode run (repeats cost calls too)."""
        return self.llm_calls / self.successes_run if self.successes_run else None

    @property
    def llm_tokens_per_success(self) -> float | None:
        return self.llm_tokens / self.successes_run if self.successes_run else None

    def milestone(self, name: str) -> MilestoneStats:
        for s in self.milestones:
            if s.milestone == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "n_agents": self.n_agents,
            "family": self.family,
            "decision_maker": self.decision_maker,
            "communicates": self.communicates,
            "deviations": list(self.deviations),
            "episodes": self.episodes_run,
            "units": self.units,
            "maps": self.maps,
            "successes": self.successes,
            "success_rate": self.success_rate,
            "success": self.success.to_dict(),
            "steps_to_goal": self.steps_to_goal.to_dict(),
            "median_steps_to_goal": self.goal_stats.median,
            "max_steps": self.max_steps,
            "milestones": [m.to_dict() for m in self.milestones],
            "achievements": {k: v.to_dict() for k, v in self.achievements.items()},
            "llm_calls": self.llm_calls,
            "llm_tokens": self.llm_tokens,
            "llm_fallbacks": self.llm_fallbacks,
            "llm_calls_per_success": self.llm_calls_per_success,
            "llm_tokens_per_success": self.llm_tokens_per_success,
            "messages_sent": self.messages_sent,
            "mean_length": self.mean_length,
            "mean_wall_time_s": self.mean_wall_time_s,
            "model_revisions": list(self.model_revisions),
            "training": dict(self.training) if self.training else None,
        }


@dataclass(frozen=True)
class Reduction:
    """Steps saved by `method` at `n_agents` versus `baseline_method` at `baseline_n_agents`, both
    as restricted means on the maps both ran (`estimate.n` of them)."""

    method: str
    n_agents: int
    baseline_method: str
    team_steps: float | None
    baseline_steps: float | None
    team_success_rate: float
    baseline_success_rate: float
    estimate: Estimate = stats.NONE
    baseline_n_agents: int = 1

    @property
    def reduction(self) -> float | None:
        return self.estimate.mean

    @property
    def maps(self) -> int:
        return self.estimate.n

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "n_agents": self.n_agents,
            "baseline_method": self.baseline_method,
            "baseline_n_agents": self.baseline_n_agents,
            "shared_maps": self.maps,
            "team_steps": self.team_steps,
            "baseline_steps": self.baseline_steps,
            "team_success_rate": self.team_success_rate,
            "baseline_success_rate": self.baseline_success_rate,
            "reduction": self.reduction,
            "reduction_ci_low": self.estimate.low,
            "reduction_ci_high": self.estimate.high,
        }


@dataclass(frozen=True)
class Improvement:
    """Probability that `method` beats `other` on a random episode, averaged over team sizes."""

    method: str
    other: str
    probability: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "other": self.other, **self.probability.to_dict()}


@dataclass(frozen=True)
class Summary:
    """All tables of a set of records; plots and exports read only this."""

    rules: str
    goal: str
    milestones: tuple[str, ...]
    groups: tuple[GroupSummary, ...]
    reductions: tuple[Reduction, ...]
    iqm: Mapping[str, Estimate]
    improvements: tuple[Improvement, ...]
    reference_method: str | None
    achievements: tuple[str, ...] = ()
    bootstrap_reps: int = stats.DEFAULT_REPS
    seed: int = 0

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.method for g in self.groups))

    def group(self, method: str, n_agents: int) -> GroupSummary | None:
        for g in self.groups:
            if g.method == method and g.n_agents == n_agents:
                return g
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "goal": self.goal,
            "milestones": list(self.milestones),
            "achievements": list(self.achievements),
            "reference_method": self.reference_method,
            "bootstrap": {"reps": self.bootstrap_reps, "seed": self.seed, "unit": "map"},
            "groups": [g.to_dict() for g in self.groups],
            "reductions": [r.to_dict() for r in self.reductions],
            "iqm_goal_score": {k: v.to_dict() for k, v in self.iqm.items()},
            "probability_of_improvement": [i.to_dict() for i in self.improvements],
        }
