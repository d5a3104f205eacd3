"""Aggregate episode records into the paper's numbers, plus the RL community's conventions.

Pure functions over `EpisodeRecord`s and numpy arrays, no I/O. The conventions, and why:

- **Steps per milestone** (the paper's figure): the mean over the episodes that *reached* the
  milestone, with a two-sided 95% Student-t interval (the paper: mean and 95% CI over 5 runs).
  Always read it beside the **success rate**: a method that reaches the diamond once, fast, must
  not look better than one that always reaches it a little slower.
- **Censoring**: an episode that never reached a milestone is a failure. It is never counted as
  step 0 nor as the cap; it is left out of the step means, counted against the success rate, and
  on the survival curve it simply never arrives.
- **Step reduction** of a team versus a single agent is ``1 - team_mean / single_mean``; the paper's
  63% / 74% are relative to its single "Baseline" LLM agent, so we report it both versus the same
  method's single agent and versus a named reference method's single agent.
- **rliable** (Agarwal et al. 2021): interquartile mean (IQM) with percentile stratified-bootstrap
  CIs, where the strata ("tasks") are the team sizes 1/2/6, and the probability of improvement
  (Mann-Whitney, ties count half). These need one number per episode that also orders failures, so
  they use `goal_score`: ``(max_steps + 1 - goal_step) / (max_steps + 1)`` on success and 0 on
  failure, so a failure ranks strictly below any success (even one at the cap) and faster is higher.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from envs.mac import rules as rules_lib
from episode import record as records_lib

CONFIDENCE = 0.95
TEAM_SIZES = (2, 6)


class MetricsError(ValueError):
    """Records cannot be aggregated together (mixed rules or goals, a milestone absent)."""


# ---------------------------------------------------------------------------------------------
# Small statistics, numpy only (scipy is not a dependency)
# ---------------------------------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_critical(df: int, confidence: float = CONFIDENCE) -> float:
    """Two-sided critical value of Student's t (e.g. 2.776 for df=4 at 95%), by bisection."""
    if df < 1:
        raise MetricsError(f"t interval needs df >= 1, got {df}")
    target = 0.5 + confidence / 2.0
    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < target:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if student_t_cdf(mid, df) < target:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval; None where undefined (no or one sample)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise MetricsError(f"estimate over a negative count {self.n}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise MetricsError(f"estimate interval [{self.low}, {self.high}] is inverted")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> Estimate:
    """Mean with a two-sided Student-t interval, the paper's way; one value gives no interval."""
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, None, None, 1)
    half = t_critical(n - 1, confidence) * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def iqm(values: Sequence[float] | np.ndarray) -> float:
    """Interquartile mean: the mean after cutting floor(n/4) values from each end (rliable's
    `scipy.stats.trim_mean(x, 0.25)`), robust to outliers yet less noisy than the median."""
    x = np.sort(np.asarray(values, dtype=float).ravel())
    if x.size == 0:
        raise MetricsError("interquartile mean of no values")
    cut = int(0.25 * x.size)
    return float(x[cut : x.size - cut].mean())


def stratified_bootstrap_ci(
    scores_by_task: Mapping[Any, Sequence[float]],
    statistic: Callable[[np.ndarray], float] = iqm,
    *,
    reps: int = 2000,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Estimate:
    """`statistic` over all runs pooled across tasks, with a percentile CI from resampling runs with
    replacement *within* each task, so every bootstrap sample keeps each task's run count."""
    tasks = [np.asarray(v, dtype=float).ravel() for v in scores_by_task.values()]
    tasks = [t for t in tasks if t.size]
    if not tasks:
        return Estimate(None, None, None, 0)
    pooled = np.concatenate(tasks)
    point = statistic(pooled)
    rng = np.random.default_rng(seed)
    stats = np.empty(reps)
    for i in range(reps):
        sample = np.concatenate([t[rng.integers(0, t.size, t.size)] for t in tasks])
        stats[i] = statistic(sample)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return Estimate(point, float(low), float(high), int(pooled.size))


def probability_of_improvement(x: Sequence[float], y: Sequence[float]) -> float:
    """P(X > Y) + 0.5 P(X = Y) over all pairs of runs (Mann-Whitney U / (n m)); higher is better."""
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.size == 0 or b.size == 0:
        raise MetricsError("probability of improvement needs runs on both sides")
    greater = (a[:, None] > b[None, :]).sum()
    ties = (a[:, None] == b[None, :]).sum()
    return float((greater + 0.5 * ties) / (a.size * b.size))


def probability_of_improvement_ci(
    x_by_task: Mapping[Any, Sequence[float]],
    y_by_task: Mapping[Any, Sequence[float]],
    *,
    reps: int = 2000,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Estimate:
    """Average over shared tasks of the per-task probability that X improves on Y, with a
    stratified-bootstrap percentile CI (both sides resampled within each task), as in rliable."""
    tasks = [k for k in x_by_task if k in y_by_task and len(x_by_task[k]) and len(y_by_task[k])]
    if not tasks:
        return Estimate(None, None, None, 0)
    xs = [np.asarray(x_by_task[k], dtype=float) for k in tasks]
    ys = [np.asarray(y_by_task[k], dtype=float) for k in tasks]
    point = float(np.mean([probability_of_improvement(a, b) for a, b in zip(xs, ys, strict=True)]))
    rng = np.random.default_rng(seed)
    stats = np.empty(reps)
    for i in range(reps):
        stats[i] = np.mean(
            [
                probability_of_improvement(
                    a[rng.integers(0, a.size, a.size)], b[rng.integers(0, b.size, b.size)]
                )
                for a, b in zip(xs, ys, strict=True)
            ]
        )
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    n = sum(a.size + b.size for a, b in zip(xs, ys, strict=True))
    return Estimate(point, float(low), float(high), int(n))


def reduction(team_steps: float | None, single_steps: float | None) -> float | None:
    """Fraction of steps saved, ``1 - team / single``; None when either side never succeeded."""
    if team_steps is None or single_steps is None or single_steps <= 0:
        return None
    return 1.0 - team_steps / single_steps


# ---------------------------------------------------------------------------------------------
# Per-episode views of records
# ---------------------------------------------------------------------------------------------


def milestone_step(record: records_lib.EpisodeRecord, milestone: str) -> int | None:
    """Earliest joint step of `milestone` in `record`, None if never reached."""
    if milestone not in record.milestones:
        raise MetricsError(
            f"record of {record.method} (map {record.map_seed}) has no milestone {milestone!r}"
        )
    return record.milestones[milestone]


def reached_steps(records: Iterable[records_lib.EpisodeRecord], milestone: str) -> np.ndarray:
    """Steps of the episodes that reached `milestone`; failures are left out, never 0 or the cap."""
    steps = [milestone_step(r, milestone) for r in records]
    return np.array([s for s in steps if s is not None], dtype=float)


def success_rate(records: Sequence[records_lib.EpisodeRecord], milestone: str) -> float:
    """Share of episodes in which any agent reached `milestone`."""
    if not records:
        raise MetricsError("success rate of no episodes")
    return sum(milestone_step(r, milestone) is not None for r in records) / len(records)


def reached_by(
    records: Sequence[records_lib.EpisodeRecord], milestone: str, horizon: int
) -> np.ndarray:
    """Survival-style curve: entry t is the share of episodes that reached `milestone` by step t,
    for t = 0..horizon. Its final height is the success rate; where it rises shows the speed."""
    if not records:
        raise MetricsError("reach curve of no episodes")
    steps = reached_steps(records, milestone)
    t = np.arange(horizon + 1)
    return (steps[None, :] <= t[:, None]).sum(axis=1) / len(records)


def goal_score(record: records_lib.EpisodeRecord) -> float:
    """One number per episode for rliable statistics: faster success is higher, failure is 0."""
    step = record.goal_step
    if step is None:
        return 0.0
    return (record.max_steps + 1 - step) / (record.max_steps + 1)


# ---------------------------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneStats:
    """One milestone for one (method, n_agents): steps among successes, and how many succeeded."""

    milestone: str
    episodes: int
    reached: int
    steps: Estimate

    @property
    def success_rate(self) -> float:
        return self.reached / self.episodes

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "success_rate": self.success_rate}


@dataclass(frozen=True)
class GroupSummary:
    """Everything reported for one method at one team size."""

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

    def __post_init__(self) -> None:
        if self.episodes < 1 or not 0 <= self.successes <= self.episodes:
            raise MetricsError(f"group {self.method}/{self.n_agents}: bad counts")

    @property
    def success_rate(self) -> float:
        return self.successes / self.episodes

    @property
    def goal_stats(self) -> MilestoneStats:
        return self.milestone(self.goal)

    @property
    def steps_to_goal(self) -> Estimate:
        return self.goal_stats.steps

    @property
    def llm_calls_per_success(self) -> float | None:
        return self.llm_calls / self.successes if self.successes else None

    @property
    def llm_tokens_per_success(self) -> float | None:
        return self.llm_tokens / self.successes if self.successes else None

    def milestone(self, name: str) -> MilestoneStats:
        for stats in self.milestones:
            if stats.milestone == name:
                return stats
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "n_agents": self.n_agents,
            "episodes": self.episodes,
            "successes": self.successes,
            "success_rate": self.success_rate,
            "steps_to_goal": self.steps_to_goal.to_dict(),
            "milestones": [m.to_dict() for m in self.milestones],
            "llm_calls": self.llm_calls,
            "llm_tokens": self.llm_tokens,
            "llm_fallbacks": self.llm_fallbacks,
            "llm_calls_per_success": self.llm_calls_per_success,
            "llm_tokens_per_success": self.llm_tokens_per_success,
            "messages_sent": self.messages_sent,
            "mean_length": self.mean_length,
            "mean_wall_time_s": self.mean_wall_time_s,
        }


@dataclass(frozen=True)
class Reduction:
    """Steps saved by a team of `n_agents` of `method` versus one agent of `baseline_method`."""

    method: str
    n_agents: int
    baseline_method: str
    team_steps: float | None
    baseline_steps: float | None
    team_success_rate: float
    baseline_success_rate: float

    @property
    def reduction(self) -> float | None:
        return reduction(self.team_steps, self.baseline_steps)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reduction": self.reduction}


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
            "reference_method": self.reference_method,
            "groups": [g.to_dict() for g in self.groups],
            "reductions": [r.to_dict() for r in self.reductions],
            "iqm_goal_score": {k: v.to_dict() for k, v in self.iqm.items()},
            "probability_of_improvement": [i.to_dict() for i in self.improvements],
        }


def summarize_group(
    records: Sequence[records_lib.EpisodeRecord], milestones: Sequence[str]
) -> GroupSummary:
    """Summary of the episodes of one method at one team size."""
    if not records:
        raise MetricsError("cannot summarize an empty group")
    first = records[0]
    stats = tuple(
        MilestoneStats(
            milestone=m,
            episodes=len(records),
            reached=int(reached_steps(records, m).size),
            steps=mean_ci(reached_steps(records, m)),
        )
        for m in milestones
    )
    horizon = max(r.max_steps for r in records)
    return GroupSummary(
        method=first.method,
        n_agents=first.n_agents,
        episodes=len(records),
        successes=sum(r.success for r in records),
        milestones=stats,
        goal=first.goal,
        max_steps=horizon,
        reach_curve=tuple(float(v) for v in reached_by(records, first.goal, horizon)),
        llm_calls=sum(r.llm_calls for r in records),
        llm_tokens=sum(r.llm_prompt_tokens + r.llm_completion_tokens for r in records),
        llm_fallbacks=sum(r.llm_fallbacks for r in records),
        messages_sent=sum(r.messages_sent for r in records),
        mean_length=float(np.mean([r.length for r in records])),
        mean_wall_time_s=float(np.mean([r.wall_time_s for r in records])),
    )


def summarize(
    records: Iterable[records_lib.EpisodeRecord],
    *,
    reference_method: str | None = "plain-llm",
    bootstrap_reps: int = 2000,
    seed: int = 0,
) -> Summary:
    """Every table of the benchmark from a set of records of one rule set and goal.

    `reference_method` names the method whose single agent plays the paper's "Baseline" in the
    step reductions (skipped when it has no 1-agent runs). Bootstrap CIs are seeded: same records,
    same seed, same numbers.
    """
    records = list(records)
    if not records:
        raise MetricsError("no episode records to summarize")
    rule_sets = sorted({r.rules for r in records})
    goals = sorted({r.goal for r in records})
    if len(rule_sets) != 1 or len(goals) != 1:
        raise MetricsError(f"records mix rule sets {rule_sets} or goals {goals}; summarize apart")
    rule_name, goal = rule_sets[0], goals[0]
    try:
        milestones = rules_lib.load(rule_name).milestones(goal)
    except rules_lib.RulesError as error:
        raise MetricsError(str(error)) from None

    by_group: dict[tuple[str, int], list[records_lib.EpisodeRecord]] = {}
    for r in records:
        by_group.setdefault((r.method, r.n_agents), []).append(r)
    groups = tuple(summarize_group(by_group[k], milestones) for k in sorted(by_group))
    index = {(g.method, g.n_agents): g for g in groups}

    reductions = []
    for g in groups:
        if g.n_agents == 1:
            continue
        baselines = [g.method]
        if reference_method is not None and reference_method != g.method:
            baselines.append(reference_method)
        for base in baselines:
            single = index.get((base, 1))
            if single is None:
                continue
            reductions.append(
                Reduction(
                    method=g.method,
                    n_agents=g.n_agents,
                    baseline_method=base,
                    team_steps=g.steps_to_goal.mean,
                    baseline_steps=single.steps_to_goal.mean,
                    team_success_rate=g.success_rate,
                    baseline_success_rate=single.success_rate,
                )
            )

    scores: dict[str, dict[int, list[float]]] = {}
    for (method, n), rs in sorted(by_group.items()):
        scores.setdefault(method, {})[n] = [goal_score(r) for r in rs]
    iqm_by_method = {
        m: stratified_bootstrap_ci(s, reps=bootstrap_reps, seed=seed) for m, s in scores.items()
    }
    improvements = tuple(
        Improvement(
            m,
            o,
            probability_of_improvement_ci(scores[m], scores[o], reps=bootstrap_reps, seed=seed),
        )
        for m in scores
        for o in scores
        if m != o
    )
    return Summary(
        rules=rule_name,
        goal=goal,
        milestones=tuple(milestones),
        groups=groups,
        reductions=tuple(reductions),
        iqm=iqm_by_method,
        improvements=improvements,
        reference_method=reference_method if (reference_method, 1) in index else None,
    )
