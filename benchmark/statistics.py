"""Statistics kernels of the benchmark: pure functions on numpy arrays, with scipy for distributions.

Nothing here knows about episode records (that is `benchmark.metrics`). The conventions, and why:

- **Steps to the goal are a time to event.** An episode that never reached the goal is *censored at
  its cap*: we know only that the event did not happen by step `cap`. Dropping failures flatters a
  method that succeeds rarely but fast; counting them as 0 or as the cap invents a value. The
  Kaplan-Meier curve handles both, and the **restricted mean** (the area under the KM survival curve
  up to the cap) is a mean that every episode contributes to. With one cap for all episodes it equals
  ``mean(min(step, cap))`` with failures at the cap.
- **Success rates** get a Wilson score interval, which stays inside [0, 1] and is honest at 0 or n.
- **Bootstrap intervals resample maps, then episodes within a map** (hierarchical): maps are the
  independent units of a suite, episodes on one map are not independent of each other.
- **rliable** (Agarwal et al. 2021): interquartile mean with stratified-bootstrap intervals and the
  probability of improvement, for one higher-is-better score per episode.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

CONFIDENCE = 0.95
DEFAULT_REPS = 2000


class StatisticsError(ValueError):
    """A statistic was asked of data that cannot give it (no values, inverted interval)."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval; None where undefined (no or one unit).

    `n` is the count the interval is over (maps for bootstrap intervals, episodes for Wilson), so a
    reader can tell how many independent units stand behind it.
    """

    mean: float | None
    low: float | None
    high: float | None
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise StatisticsError(f"estimate over a negative count {self.n}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise StatisticsError(f"estimate interval [{self.low}, {self.high}] is inverted")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def clipped(self, low: float, high: float) -> Estimate:
        """The same estimate with every value held inside [low, high] (e.g. steps in [0, cap])."""

        def clip(v: float | None) -> float | None:
            return None if v is None else float(min(max(v, low), high))

        return Estimate(clip(self.mean), clip(self.low), clip(self.high), self.n)


NONE = Estimate(None, None, None, 0)


# ---------------------------------------------------------------------------------------------
# Classic intervals
# ---------------------------------------------------------------------------------------------


def t_critical(df: int, confidence: float = CONFIDENCE) -> float:
    """Two-sided critical value of Student's t (e.g. 2.776 for df=4 at 95%)."""
    if df < 1:
        raise StatisticsError(f"t interval needs df >= 1, got {df}")
    return float(scipy_stats.t.ppf(0.5 + confidence / 2.0, df))


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> Estimate:
    """Mean with a two-sided Student-t interval, the paper's way; one value gives no interval."""
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        return NONE
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, None, None, 1)
    half = t_critical(n - 1, confidence) * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> Estimate:
    """Success rate with the Wilson score interval (never outside [0, 1], sensible at 0/n and n/n)."""
    if n < 0 or not 0 <= successes <= n:
        raise StatisticsError(f"Wilson interval of {successes} successes in {n}")
    if n == 0:
        return NONE
    z = float(scipy_stats.norm.ppf(0.5 + confidence / 2.0))
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Exact ends at 0/n and n/n, where rounding would otherwise leave 1e-17 above 0.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Estimate(p, low, high, n)


# ---------------------------------------------------------------------------------------------
# Time to event
# ---------------------------------------------------------------------------------------------


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival S(t): returns the distinct event times and S just after each.

    `times` holds the event step where `events` is True and the censoring step (the cap) where it
    is False. S is the probability the event has *not* happened by t; 1 - S is "reached by t".
    """
    t = np.asarray(times, dtype=float).ravel()
    e = np.asarray(events, dtype=bool).ravel()
    if t.size != e.size:
        raise StatisticsError("times and events differ in length")
    if t.size == 0:
        raise StatisticsError("Kaplan-Meier curve of no episodes")
    event_times = np.unique(t[e])
    if event_times.size == 0:
        return event_times, event_times.copy()
    at_risk = (t[None, :] >= event_times[:, None]).sum(axis=1)
    happened = ((t[None, :] == event_times[:, None]) & e[None, :]).sum(axis=1)
    return event_times, np.cumprod(1.0 - happened / at_risk)


def survival_at(times: np.ndarray, events: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The KM survival curve evaluated on `grid` (a right-continuous step function)."""
    event_times, surv = kaplan_meier(times, events)
    idx = np.searchsorted(event_times, np.asarray(grid, dtype=float), side="right")
    return np.concatenate([[1.0], surv])[idx]


def restricted_mean(times: np.ndarray, events: np.ndarray, tau: float) -> float:
    """Restricted mean time to event up to `tau`: the area under the KM survival curve on [0, tau].

    Every episode counts: a failure censored at the cap adds the whole remaining area, so failing
    raises the restricted mean, where dropping the failure would lower it.
    """
    t = np.asarray(times, dtype=float).ravel()
    e = np.asarray(events, dtype=bool).ravel()
    if t.size == 0:
        raise StatisticsError("restricted mean of no episodes")
    if np.all(t[~e] >= tau):
        # No censoring before tau: the KM curve is the empirical one, and the area is a plain mean.
        return float(np.minimum(np.where(e, t, tau), tau).mean())
    event_times, surv = kaplan_meier(t, e)
    keep = event_times < tau
    knots = np.concatenate([[0.0], event_times[keep], [tau]])
    heights = np.concatenate([[1.0], surv[keep]])
    return float((np.diff(knots) * heights).sum())


def km_median(times: np.ndarray, events: np.ndarray) -> float | None:
    """Median time to event from the KM curve, None where fewer than half reach it."""
    event_times, surv = kaplan_meier(times, events)
    below = np.nonzero(surv <= 0.5)[0]
    return float(event_times[below[0]]) if below.size else None


def censored_times(
    steps: Sequence[int | None], caps: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(times, events) from steps where None means "not by the cap": failures censored at the cap."""
    if len(steps) != len(caps):
        raise StatisticsError("steps and caps differ in length")
    events = np.array([s is not None for s in steps], dtype=bool)
    times = np.array([c if s is None else s for s, c in zip(steps, caps, strict=True)], dtype=float)
    return times, events


# ---------------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------------


def _percentile(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    low, high = np.nanquantile(samples, [alpha, 1.0 - alpha])
    return float(low), float(high)


def hierarchical_indices(
    cluster_sizes: Sequence[int], reps: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Row indices of `reps` two-level bootstrap samples over rows laid out cluster after cluster:
    draw clusters (maps) with replacement, then rows (episodes) with replacement inside each."""
    sizes = np.asarray(cluster_sizes, dtype=int)
    if sizes.size == 0 or np.any(sizes < 1):
        raise StatisticsError("hierarchical bootstrap needs clusters of at least one row")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = []
    for _ in range(reps):
        picked = rng.integers(0, sizes.size, sizes.size)
        out.append(
            np.concatenate([starts[c] + rng.integers(0, sizes[c], sizes[c]) for c in picked])
        )
    return out


def hierarchical_bootstrap(
    clusters: Sequence[np.ndarray],
    statistic: Callable[[np.ndarray], float],
    *,
    reps: int = DEFAULT_REPS,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Estimate:
    """`statistic` of the pooled rows with a percentile interval from resampling clusters (maps),
    then rows (episodes) within each drawn cluster. `n` is the number of clusters.

    Each cluster is an array whose first axis is rows (one row per independent episode)."""
    clusters = [np.asarray(c) for c in clusters if len(c)]
    if not clusters:
        return NONE
    pooled = np.concatenate(clusters)
    point = float(statistic(pooled))
    if len(clusters) == 1 and len(pooled) == 1:
        return Estimate(point, None, None, 1)
    rng = np.random.default_rng(seed)
    samples = np.array(
        [statistic(pooled[i]) for i in hierarchical_indices([len(c) for c in clusters], reps, rng)]
    )
    low, high = _percentile(samples, confidence)
    return Estimate(point, min(low, point), max(high, point), len(clusters))


def paired_hierarchical_bootstrap(
    a_clusters: Sequence[np.ndarray],
    b_clusters: Sequence[np.ndarray],
    statistic: Callable[[np.ndarray, np.ndarray], float],
    *,
    reps: int = DEFAULT_REPS,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Estimate:
    """`statistic(a_rows, b_rows)` for two methods run on the *same* maps (cluster i of `a` and of
    `b` is the same map), with an interval from resampling maps jointly for both sides, then
    episodes within each map on each side. `n` is the number of shared maps."""
    if len(a_clusters) != len(b_clusters):
        raise StatisticsError("paired bootstrap needs the same maps on both sides")
    pairs = [(np.asarray(a), np.asarray(b)) for a, b in zip(a_clusters, b_clusters, strict=True)]
    pairs = [(a, b) for a, b in pairs if len(a) and len(b)]
    if not pairs:
        return NONE
    a_all = np.concatenate([a for a, _ in pairs])
    b_all = np.concatenate([b for _, b in pairs])
    point = statistic(a_all, b_all)
    if not np.isfinite(point):
        return Estimate(None, None, None, len(pairs))
    if len(pairs) == 1 and len(a_all) == 1 and len(b_all) == 1:
        return Estimate(float(point), None, None, 1)
    rng = np.random.default_rng(seed)
    samples = np.empty(reps)
    for i in range(reps):
        picked = rng.integers(0, len(pairs), len(pairs))
        a = np.concatenate([_resample(pairs[c][0], rng) for c in picked])
        b = np.concatenate([_resample(pairs[c][1], rng) for c in picked])
        samples[i] = statistic(a, b)
    low, high = _percentile(samples, confidence)
    return Estimate(float(point), min(low, point), max(high, point), len(pairs))


def _resample(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rows[rng.integers(0, len(rows), len(rows))]


def reduction(team_steps: float | None, single_steps: float | None) -> float | None:
    """Fraction of steps saved, ``1 - team / single``; None when either side is undefined."""
    if team_steps is None or single_steps is None or single_steps <= 0:
        return None
    return 1.0 - team_steps / single_steps


# ---------------------------------------------------------------------------------------------
# rliable
# ---------------------------------------------------------------------------------------------


def iqm(values: Sequence[float] | np.ndarray) -> float:
    """Interquartile mean (rliable's ``scipy.stats.trim_mean(x, 0.25)``): robust to outliers yet
    less noisy than the median."""
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise StatisticsError("interquartile mean of no values")
    return float(scipy_stats.trim_mean(x, 0.25))


def stratified_bootstrap_ci(
    scores_by_task: Mapping[Any, Sequence[float]],
    statistic: Callable[[np.ndarray], float] = iqm,
    *,
    reps: int = DEFAULT_REPS,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Estimate:
    """`statistic` over all runs pooled across tasks, with a percentile CI from resampling runs with
    replacement *within* each task, so every bootstrap sample keeps each task's run count."""
    tasks = [np.asarray(v, dtype=float).ravel() for v in scores_by_task.values()]
    tasks = [t for t in tasks if t.size]
    if not tasks:
        return NONE
    pooled = np.concatenate(tasks)
    point = statistic(pooled)
    rng = np.random.default_rng(seed)
    samples = np.empty(reps)
    for i in range(reps):
        samples[i] = statistic(np.concatenate([t[rng.integers(0, t.size, t.size)] for t in tasks]))
    low, high = _percentile(samples, confidence)
    return Estimate(point, low, high, int(pooled.size))


def probability_of_improvement(x: Sequence[float], y: Sequence[float]) -> float:
    """P(X > Y) + 0.5 P(X = Y) over all pairs of runs (Mann-Whitney U / (n m)); higher is better."""
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.size == 0 or b.size == 0:
        raise StatisticsError("probability of improvement needs runs on both sides")
    greater = (a[:, None] > b[None, :]).sum()
    ties = (a[:, None] == b[None, :]).sum()
    return float((greater + 0.5 * ties) / (a.size * b.size))


def probability_of_improvement_ci(
    x_by_task: Mapping[Any, Sequence[float]],
    y_by_task: Mapping[Any, Sequence[float]],
    *,
    reps: int = DEFAULT_REPS,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Estimate:
    """Average over shared tasks of the per-task probability that X improves on Y, with a
    stratified-bootstrap percentile CI (both sides resampled within each task), as in rliable."""
    tasks = [k for k in x_by_task if k in y_by_task and len(x_by_task[k]) and len(y_by_task[k])]
    if not tasks:
        return NONE
    xs = [np.asarray(x_by_task[k], dtype=float) for k in tasks]
    ys = [np.asarray(y_by_task[k], dtype=float) for k in tasks]
    point = float(np.mean([probability_of_improvement(a, b) for a, b in zip(xs, ys, strict=True)]))
    rng = np.random.default_rng(seed)
    samples = np.empty(reps)
    for i in range(reps):
        samples[i] = np.mean(
            [
                probability_of_improvement(_resample(a, rng), _resample(b, rng))
                for a, b in zip(xs, ys, strict=True)
            ]
        )
    low, high = _percentile(samples, confidence)
    n = sum(a.size + b.size for a, b in zip(xs, ys, strict=True))
    return Estimate(point, low, high, int(n))


# ---------------------------------------------------------------------------------------------
# Crafter
# ---------------------------------------------------------------------------------------------
