"""Aggregate episode records into the benchmark's tables: one `GroupSummary` per method label and
team size (a *cell*), reductions between cells, and the rliable statistics.

The kernels live in `benchmark.statistics` and one record's facts in `benchmark.record_views`; this
module decides what counts as a unit (the summary objects it builds are `benchmark.summary`):

- **Steps to a milestone are a time to event**, failures censored at the episode cap. The headline
  number is the *restricted mean* (area under the Kaplan-Meier curve up to the cap), which every
  episode enters; the mean over the episodes that reached it is kept beside it only because it is
  what the paper reports (its runs all succeeded).
- **Maps are the independent units.** Intervals come from a hierarchical bootstrap (maps, then
  episodes within a map), and `n` in every interval is a count of maps.
- **Deterministic repeats count once.** When all episodes of one cell on one map are identical in
  milestones and length they are one unit: repeating a deterministic planner five times is one
  observation (see `record_views.distinct_by_map`).
- **Reductions are paired**: team vs single are compared on the maps both cells ran, only.
- **rliable**: IQM of `goal_score` over units, stratified by team size, and the probability of
  improvement (ties count half). `goal_score` is ``(cap + 1 - step) / (cap + 1)`` on success and 0 on
  failure, so a failure ranks strictly below any success and faster is higher.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from benchmark import record_views as views
from benchmark import statistics as stats
from benchmark.summary import GroupSummary, Improvement, MilestoneStats, Reduction, Summary
from envs.mac import rules as rules_lib
from episode import achievements as achievements_lib
from episode import record as records_lib

CONFIDENCE = stats.CONFIDENCE
TEAM_SIZES = (2, 6)

# Re-exported so callers keep one import for the numbers they print (as for the summary objects,
# imported above from `benchmark.summary`: callers name them `metrics.Summary` and so on).
Estimate = stats.Estimate
mean_ci = stats.mean_ci
t_critical = stats.t_critical
iqm = stats.iqm
stratified_bootstrap_ci = stats.stratified_bootstrap_ci
probability_of_improvement = stats.probability_of_improvement
probability_of_improvement_ci = stats.probability_of_improvement_ci
reduction = stats.reduction


MetricsError = views.MetricsError


# ---------------------------------------------------------------------------------------------
# Building the summary
# ---------------------------------------------------------------------------------------------


def _restricted_means(times: np.ndarray, events: np.ndarray, tau: float) -> np.ndarray:
    """Restricted mean per column of (units x milestones) arrays."""
    if np.all(times[~events] >= tau):
        return np.minimum(np.where(events, times, tau), tau).mean(axis=0)
    return np.array(
        [stats.restricted_mean(times[:, j], events[:, j], tau) for j in range(times.shape[1])]
    )


def _interval(point: float, samples: np.ndarray, n: int, confidence: float) -> Estimate:
    if samples.size == 0:
        return Estimate(float(point), None, None, n)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(samples, [alpha, 1.0 - alpha])
    # Percentile intervals of a skewed statistic can miss the point; widen so bars stay drawable.
    return Estimate(float(point), float(min(low, point)), float(max(high, point)), n)


def summarize_group(
    records: Sequence[records_lib.EpisodeRecord],
    milestones: Sequence[str],
    *,
    achievements: Sequence[str] = (),
    reps: int = stats.DEFAULT_REPS,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> GroupSummary:
    """Summary of the episodes of one method label at one team size."""
    if not records:
        raise MetricsError("cannot summarize an empty group")
    first = records[0]
    by_map = views.distinct_by_map(records)
    units = [r for rs in by_map.values() for r in rs]
    sizes = [len(rs) for rs in by_map.values()]
    # Restricted means need one horizon; with mixed caps the shortest is where all are observed.
    tau = min(r.max_steps for r in units)
    steps = [[views.milestone_step(r, m) for m in milestones] for r in units]
    events = np.array([[s is not None for s in row] for row in steps], dtype=bool)
    caps = np.array([r.max_steps for r in units], dtype=float)[:, None]
    times = np.where(events, np.array([[s or 0 for s in row] for row in steps], float), caps)

    point = _restricted_means(times, events, tau)
    needs_interval = len(units) > 1
    rng = np.random.default_rng(seed)
    samples = (
        np.array(
            [
                _restricted_means(times[i], events[i], tau)
                for i in stats.hierarchical_indices(sizes, reps, rng)
            ]
        )
        if needs_interval
        else np.empty((0, len(milestones)))
    )
    milestone_stats = []
    for j, m in enumerate(milestones):
        reached = int(events[:, j].sum())
        milestone_stats.append(
            MilestoneStats(
                milestone=m,
                episodes=len(units),
                reached=reached,
                steps=_interval(point[j], samples[:, j], len(by_map), confidence),
                success=stats.wilson_interval(reached, len(units), confidence),
                median=stats.km_median(times[:, j], events[:, j]),
                reached_mean=stats.mean_ci(times[events[:, j], j], confidence),
            )
        )
    goal_j = list(milestones).index(first.goal)
    curve = 1.0 - stats.survival_at(times[:, goal_j], events[:, goal_j], np.arange(tau + 1))

    unlocked: dict[str, list[bool]] = {}
    for r in units:
        for name, step in views.achievement_steps(r).items():
            unlocked.setdefault(name, []).append(step is not None)
    achievement_rates = {
        a: stats.wilson_interval(sum(unlocked[a]), len(unlocked[a]), confidence)
        for a in achievements
        if len(unlocked.get(a, ())) == len(units)
    }
    goal_units = {
        m: tuple(
            (float(r.max_steps if r.goal_step is None else r.goal_step), r.goal_step is not None)
            for r in rs
        )
        for m, rs in by_map.items()
    }
    training = first.method_config.get("training")
    return GroupSummary(
        method=first.method,
        n_agents=first.n_agents,
        episodes=len(units),
        successes=int(events[:, goal_j].sum()),
        milestones=tuple(milestone_stats),
        goal=first.goal,
        max_steps=tau,
        reach_curve=tuple(float(v) for v in curve),
        llm_calls=sum(r.llm_calls for r in records),
        llm_tokens=sum(r.llm_prompt_tokens + r.llm_completion_tokens for r in records),
        llm_fallbacks=sum(r.llm_fallbacks for r in records),
        messages_sent=sum(r.messages_sent for r in records),
        mean_length=float(np.mean([r.length for r in records])),
        mean_wall_time_s=float(np.mean([r.wall_time_s for r in records])),
        units=len(units),
        maps=len(by_map),
        family=views.method_family(first),
        decision_maker=views.decision_maker(first),
        communicates=views.communicates(first),
        deviations=views.deviations(first),
        achievements=achievement_rates,
        model_revisions=model_revisions(records),
        goal_units=goal_units,
        training=training if isinstance(training, Mapping) else None,
        episodes_run=len(records),
        successes_run=sum(r.success for r in records),
    )


def model_revisions(records: Iterable[records_lib.EpisodeRecord]) -> tuple[str, ...]:
    """`spec@revision` of every model whose config names a revision (what the backend resolved,
    `model_resolved`, as the LLM agents record it; or `revision`, `model_revision`, a `model` dict
    with `revision`), so a table can be traced to the weights behind it."""
    found = []
    for r in records:
        config = r.method_config
        model = config.get("model")
        spec = model.get("spec") if isinstance(model, Mapping) else model
        revision = config.get("revision") or config.get("model_revision")
        if isinstance(model, Mapping):
            revision = model.get("revision") or revision
        resolved = config.get("model_resolved")
        if isinstance(resolved, Mapping):
            revision = resolved.get("revision") or revision
        if revision:
            found.append(f"{spec}@{revision}")
    return tuple(sorted(set(found)))


def paired_reduction(
    team: GroupSummary,
    base: GroupSummary,
    *,
    reps: int = stats.DEFAULT_REPS,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> Reduction:
    """``1 - team / base`` of restricted mean steps to the goal on the maps both cells ran, with a
    paired bootstrap over those maps (then units within each map, on each side)."""
    shared = sorted(set(team.goal_units) & set(base.goal_units))
    tau = float(min(team.max_steps, base.max_steps))

    def rows(group: GroupSummary) -> list[np.ndarray]:
        return [np.array(group.goal_units[m], dtype=float).reshape(-1, 2) for m in shared]

    def rmst(rows_: np.ndarray) -> float:
        return stats.restricted_mean(rows_[:, 0], rows_[:, 1].astype(bool), tau)

    def statistic(a: np.ndarray, b: np.ndarray) -> float:
        base_steps = rmst(b)
        return 1.0 - rmst(a) / base_steps if base_steps > 0 else np.nan

    a_rows, b_rows = rows(team), rows(base)
    if any(r[:, 1].any() for r in a_rows + b_rows):
        estimate = stats.paired_hierarchical_bootstrap(
            a_rows, b_rows, statistic, reps=reps, seed=seed, confidence=confidence
        )
    else:
        # Neither side ever reached the goal: both sit at the cap, and "0% fewer steps" would read
        # as a measured tie rather than as no information.
        estimate = Estimate(None, None, None, len(shared))
    team_steps = rmst(np.concatenate(a_rows)) if shared else None
    base_steps = rmst(np.concatenate(b_rows)) if shared else None

    def rate(rows_: list[np.ndarray]) -> float:
        return float(np.concatenate(rows_)[:, 1].mean()) if rows_ else float("nan")

    return Reduction(
        method=team.method,
        n_agents=team.n_agents,
        baseline_method=base.method,
        baseline_n_agents=base.n_agents,
        team_steps=team_steps,
        baseline_steps=base_steps,
        team_success_rate=rate(a_rows),
        baseline_success_rate=rate(b_rows),
        estimate=estimate,
    )


def summarize(
    records: Iterable[records_lib.EpisodeRecord],
    *,
    reference_method: str | None = "plain-llm",
    bootstrap_reps: int = stats.DEFAULT_REPS,
    seed: int = 0,
) -> Summary:
    """Every table of the benchmark from a set of records of one rule set and goal.

    `reference_method` names the method label whose single agent plays the paper's "Baseline" in
    the step reductions (skipped when it has no 1-agent runs). Bootstrap intervals are seeded: same
    records, same seed, same numbers.
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
        rules = rules_lib.load(rule_name)
        milestones = rules.milestones(goal)
    except rules_lib.RulesError as error:
        raise MetricsError(str(error)) from None

    by_group: dict[tuple[str, int], list[records_lib.EpisodeRecord]] = {}
    for r in records:
        by_group.setdefault((r.method, r.n_agents), []).append(r)
    groups = tuple(
        summarize_group(
            by_group[k],
            milestones,
            achievements=rules.achievements,
            reps=bootstrap_reps,
            seed=seed,
        )
        for k in sorted(by_group)
    )
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
            if single is not None:
                reductions.append(paired_reduction(g, single, reps=bootstrap_reps, seed=seed))

    scores: dict[str, dict[int, list[float]]] = {}
    for (method, n), rs in sorted(by_group.items()):
        units = [u for us in views.distinct_by_map(rs).values() for u in us]
        scores.setdefault(method, {})[n] = [views.goal_score(u) for u in units]
    iqm_by_method = {
        m: stats.stratified_bootstrap_ci(s, reps=bootstrap_reps, seed=seed)
        for m, s in scores.items()
    }
    improvements = tuple(
        Improvement(
            m,
            o,
            stats.probability_of_improvement_ci(
                scores[m], scores[o], reps=bootstrap_reps, seed=seed
            ),
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
        achievements=tuple(rules.achievements),
        bootstrap_reps=bootstrap_reps,
        seed=seed,
    )


def crafter_score(group: GroupSummary, achievements: Sequence[str]) -> tuple[float | None, int]:
    """Crafter score (percent) of a cell and how many of the rule set's achievements it is over:
    the full score only when the records tell every achievement, else a partial score over the
    ones they tell (today: the goal chain) that the caller must label as partial."""
    known = [a for a in achievements if a in group.achievements]
    if not known:
        return None, 0
    rates = {a: 100.0 * (group.achievements[a].mean or 0.0) for a in known}
    return achievements_lib.crafter_score(rates), len(known)
