"""Statistics kernels against known answers: t and Wilson intervals, Kaplan-Meier and restricted
means under censoring, the Crafter score, and bootstrap intervals that cover the truth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from benchmark import statistics as stats

T2 = 4.302652729749464  # Student t, df=2, two-sided 95%


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706205), (2, 4.302653), (4, 2.776445), (9, 2.262157), (30, 2.042272)],
)
def test_t_critical_matches_tables(df, expected):
    assert stats.t_critical(df) == pytest.approx(expected, abs=1e-5)


def test_mean_ci_is_a_t_interval():
    est = stats.mean_ci([100, 120, 140])
    half = T2 * 20 / math.sqrt(3)
    assert (est.mean, est.n) == (120, 3)
    assert est.low == pytest.approx(120 - half) and est.high == pytest.approx(120 + half)
    assert stats.mean_ci([]) == stats.Estimate(None, None, None, 0)
    assert stats.mean_ci([7]) == stats.Estimate(7.0, None, None, 1)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score).
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_published_values(k, n, low, high):
    est = stats.wilson_interval(k, n)
    assert est.mean == pytest.approx(k / n) and est.n == n
    assert est.low == pytest.approx(low, abs=1e-4) and est.high == pytest.approx(high, abs=1e-4)
    ci = scipy_stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert (est.low, est.high) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_wilson_is_exact_at_the_ends():
    assert stats.wilson_interval(0, 5).low == 0.0
    assert stats.wilson_interval(5, 5).high == 1.0
    assert stats.wilson_interval(0, 0) == stats.NONE


def test_kaplan_meier_by_hand():
    # events at 2, 3 (twice), censored at 3 and 5: at risk 5, then 4 (two events), S = 4/5, 4/5*2/4
    times = np.array([2, 3, 3, 3, 5])
    events = np.array([True, True, True, False, False])
    t, s = stats.kaplan_meier(times, events)
    assert t.tolist() == [2, 3]
    assert s == pytest.approx([0.8, 0.4])
    assert stats.survival_at(times, events, np.array([0, 1.9, 2, 4, 9])) == pytest.approx(
        [1, 1, 0.8, 0.4, 0.4]
    )
    assert stats.km_median(times, events) == 3.0
    assert stats.km_median(np.array([5.0, 9.0, 9.0]), np.array([True, False, False])) is None


def test_restricted_mean_counts_a_failure_and_dropping_it_would_not():
    cap = 350
    times, events = stats.censored_times([100, 120, 140, None], [cap] * 4)
    assert events.tolist() == [True, True, True, False] and times[-1] == cap
    rmst = stats.restricted_mean(times, events, cap)
    assert rmst == pytest.approx((100 + 120 + 140 + 350) / 4)
    dropped = stats.restricted_mean(times[:3], events[:3], cap)
    assert dropped == pytest.approx(120) and rmst > dropped


def test_restricted_mean_is_the_area_under_km_with_early_censoring():
    # One episode censored at 50 (a shorter cap): KM area, not a plain mean.
    times = np.array([10.0, 50.0, 100.0])
    events = np.array([True, False, True])
    # S = 1 on [0,10), 2/3 on [10,100), 0 after: area to 120 = 10 + 2/3 * 90
    assert stats.restricted_mean(times, events, 120) == pytest.approx(10 + 60)
    # With every failure at the cap, KM area equals mean(min(t, cap)).
    t = np.array([30.0, 80.0, 200.0, 200.0])
    e = np.array([True, True, False, False])
    assert stats.restricted_mean(t, e, 200) == pytest.approx(np.mean([30, 80, 200, 200]))


def test_iqm_matches_rliable_trim():
    assert stats.iqm([1, 2, 3, 4, 5, 6, 7, 100]) == 4.5
    assert stats.iqm([1, 2, 3, 4, 100]) == 3.0
    assert stats.iqm([5, 1, 3]) == 3.0


def test_hierarchical_bootstrap_resamples_maps_then_episodes():
    # Map A always 0, map B always 1: within-map resampling cannot move the mean, map resampling can.
    clusters = [np.zeros(3), np.ones(3)]
    est = stats.hierarchical_bootstrap(clusters, np.mean, reps=400, seed=1)
    assert est.mean == 0.5 and est.n == 2
    assert est.low == 0.0 and est.high == 1.0
    assert stats.hierarchical_bootstrap(clusters, np.mean, reps=400, seed=1) == est  # seeded
    one = stats.hierarchical_bootstrap([np.array([4.0])], np.mean, reps=10)
    assert one == stats.Estimate(4.0, None, None, 1)


def test_paired_bootstrap_uses_shared_maps_jointly():
    # The team is always exactly half the single agent on the same map, whatever the map: a paired
    # bootstrap sees no spread in the ratio even though the maps differ a lot.
    single = [np.array([100.0]), np.array([300.0]), np.array([200.0])]
    team = [s / 2 for s in single]

    def reduction(a, b):
        return 1 - a.mean() / b.mean()

    est = stats.paired_hierarchical_bootstrap(team, single, reduction, reps=300, seed=0)
    assert est.mean == pytest.approx(0.5) and est.n == 3
    assert est.low == pytest.approx(0.5) and est.high == pytest.approx(0.5)


def _synthetic_cell(rng, maps, episodes, cap):
    """Map effects plus episode noise, failures past the cap censored at it."""
    mu = rng.normal(200, 60, size=maps)
    steps = mu[:, None] + rng.normal(0, 40, size=(maps, episodes))
    return [np.stack([np.minimum(s, cap), s <= cap], axis=1) for s in steps]


def test_hierarchical_bootstrap_covers_the_true_restricted_mean():
    cap = 350.0
    rng = np.random.default_rng(12)
    big = rng.normal(200, 60, size=400_000) + rng.normal(0, 40, size=400_000)
    truth = float(np.minimum(big, cap).mean())

    def rmst(rows):
        return stats.restricted_mean(rows[:, 0], rows[:, 1].astype(bool), cap)

    trials, covered = 150, 0
    for i in range(trials):
        clusters = _synthetic_cell(rng, maps=10, episodes=3, cap=cap)
        est = stats.hierarchical_bootstrap(clusters, rmst, reps=200, seed=i)
        covered += est.low <= truth <= est.high
    # Percentile intervals over 10 maps run a little under nominal; 95% +- noise of 150 trials.
    assert 0.85 <= covered / trials <= 0.99, covered / trials
