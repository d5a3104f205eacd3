"""Metrics against hand-computed values: t intervals, censoring, reductions, IQM, bootstrap, PoI."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmark import metrics

T2 = 4.302652729749464  # Student t, df=2, two-sided 95%


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706205), (2, 4.302653), (4, 2.776445), (9, 2.262157), (30, 2.042272)],
)
def test_t_critical_matches_tables(df, expected):
    assert metrics.t_critical(df) == pytest.approx(expected, abs=1e-5)


def test_mean_ci_is_a_t_interval():
    est = metrics.mean_ci([100, 120, 140])
    half = T2 * 20 / math.sqrt(3)
    assert (est.mean, est.n) == (120, 3)
    assert est.low == pytest.approx(120 - half) and est.high == pytest.approx(120 + half)


def test_mean_ci_edge_cases_have_no_invented_interval():
    assert metrics.mean_ci([]) == metrics.Estimate(None, None, None, 0)
    assert metrics.mean_ci([7]) == metrics.Estimate(7.0, None, None, 1)


def test_failed_episode_is_never_zero_or_cap(record_factory):
    recs = [record_factory("scripted", 1, s) for s in (100, 120, 140)]
    recs.append(record_factory("scripted", 1, None))
    steps = metrics.reached_steps(recs, "collect_diamond")
    assert sorted(steps) == [100, 120, 140]
    assert metrics.success_rate(recs, "collect_diamond") == 0.75
    group = metrics.summarize_group(recs, metrics.rules_lib.load("damcs").milestones())
    assert group.steps_to_goal.mean == 120  # not (100+120+140+0)/4 = 90 nor (...+350)/4 = 177.5
    assert group.milestone("collect_wood").steps.mean == pytest.approx(11.5)  # 10,12,14 and 10
    assert group.milestone("make_stone_pickaxe").success_rate == 0.75


def test_reach_curve_is_share_reached_by_step(record_factory):
    recs = [record_factory("x", 1, s) for s in (100, 120, 140)] + [record_factory("x", 1, None)]
    curve = metrics.reached_by(recs, "collect_diamond", 350)
    assert len(curve) == 351
    assert curve[99] == 0 and curve[100] == 0.25 and curve[139] == 0.5 and curve[140] == 0.75
    assert curve[350] == 0.75  # the failure never arrives, even at the cap


def test_iqm_trims_a_quarter_each_side():
    assert metrics.iqm([1, 2, 3, 4, 5, 6, 7, 100]) == 4.5
    assert metrics.iqm([1, 2, 3, 4, 100]) == 3.0
    assert metrics.iqm([5, 1, 3]) == 3.0  # n=3: nothing trimmed


def test_stratified_bootstrap_is_seeded_and_keeps_task_sizes():
    scores = {1: [0.1, 0.5, 0.9, 0.3], 2: [0.2, 0.8], 6: [0.6, 0.7, 0.4]}
    a = metrics.stratified_bootstrap_ci(scores, reps=500, seed=3)
    b = metrics.stratified_bootstrap_ci(scores, reps=500, seed=3)
    c = metrics.stratified_bootstrap_ci(scores, reps=500, seed=4)
    assert a == b and a != c
    assert a.low <= a.mean <= a.high and a.n == 9
    assert a.mean == pytest.approx(metrics.iqm(sum(scores.values(), [])))
    # Task A always 0 and task B always 1, two runs each: resampling within tasks keeps the pooled
    # mean at exactly 0.5; pooling first would not.
    fixed = metrics.stratified_bootstrap_ci({1: [0, 0], 2: [1, 1]}, np.mean, reps=200, seed=0)
    assert fixed.low == fixed.high == 0.5


def test_probability_of_improvement_by_hand():
    # pairs: 3>2, 3>1, 1<2, 1=1 -> (2 + 0.5) / 4
    assert metrics.probability_of_improvement([3, 1], [2, 1]) == 0.625
    assert metrics.probability_of_improvement([1, 1], [1, 1]) == 0.5
    est = metrics.probability_of_improvement_ci({1: [3, 1], 2: [1]}, {1: [2, 1], 2: [0]}, reps=100)
    assert est.mean == pytest.approx((0.625 + 1.0) / 2)


def test_goal_score_orders_failure_below_any_success(record_factory):
    at_cap = metrics.goal_score(record_factory("x", 1, 350))
    failed = metrics.goal_score(record_factory("x", 1, None))
    fast = metrics.goal_score(record_factory("x", 1, 100))
    assert failed == 0.0 < at_cap < fast
    assert fast == pytest.approx(251 / 351)


def test_summary_numbers_by_hand(suite_records):
    s = metrics.summarize(suite_records, reference_method="plain-llm", bootstrap_reps=200)
    assert s.milestones[0] == "collect_wood" and s.milestones[-1] == "collect_diamond"
    assert s.methods == ("damcs", "plain-llm", "scripted")
    damcs6 = s.group("damcs", 6)
    assert damcs6.steps_to_goal.mean == 80 and damcs6.success_rate == 1.0
    assert damcs6.llm_calls_per_success == 60 and damcs6.llm_tokens_per_success == 6000
    plain = s.group("plain-llm", 1)
    assert plain.steps_to_goal.mean == 280 and plain.success_rate == pytest.approx(2 / 3)
    assert plain.llm_calls_per_success == 15
    assert s.group("scripted", 1).llm_calls_per_success == 0
    assert s.group("scripted", 2) is None

    red = {(r.method, r.n_agents, r.baseline_method): r.reduction for r in s.reductions}
    assert red[("damcs", 2, "damcs")] == pytest.approx(1 - 110 / 140)
    assert red[("damcs", 6, "damcs")] == pytest.approx(1 - 80 / 140)
    assert red[("damcs", 2, "plain-llm")] == pytest.approx(1 - 110 / 280)
    assert red[("damcs", 6, "plain-llm")] == pytest.approx(1 - 80 / 280)
    assert len(red) == 4

    poi = {(i.method, i.other): i.probability.mean for i in s.improvements}
    assert poi[("damcs", "plain-llm")] == 1.0  # shared task n=1: 140,140 beat 300, 260, failure
    assert poi[("scripted", "plain-llm")] == pytest.approx(9.5 / 12)
    assert poi[("plain-llm", "scripted")] == pytest.approx(2.5 / 12)
    again = metrics.summarize(suite_records, bootstrap_reps=200)
    assert again.iqm == s.iqm


def test_summarize_rejects_mixed_goals(record_factory):
    a = record_factory("x", 1, 100)
    b = metrics.records_lib.EpisodeRecord.from_dict({**a.to_dict(), "rules": "crafter"})
    with pytest.raises(metrics.MetricsError, match="mix"):
        metrics.summarize([a, b])
    with pytest.raises(metrics.MetricsError):
        metrics.summarize([])
