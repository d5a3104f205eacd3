"""Aggregation against hand-computed values: censoring, distinct units, paired reductions, rliable,
the ablation ladder and the decision-quality points."""

from __future__ import annotations

import dataclasses

import pytest

from benchmark import ladder, metrics, record_views
from tests.benchmark.conftest import MILESTONES, make_record

CAP = 350


def cell(method, n, steps, *, maps=None, config=None):
    """Records of one cell; `steps[i]` on map `maps[i]` (default: map i)."""
    maps = maps or list(range(len(steps)))
    out = []
    for i, (step, m) in enumerate(zip(steps, maps, strict=True)):
        r = make_record(method, n, step, map_seed=m, episode_seed=i)
        if config is not None:
            r = dataclasses.replace(r, method_config=config)
        out.append(r)
    return out


def test_failure_is_censored_at_the_cap(record_factory):
    recs = cell("scripted", 1, [100, 120, 140, None])
    group = metrics.summarize_group(recs, MILESTONES, reps=200)
    # restricted mean: the failure enters at the cap; the paper's mean of reached drops it
    assert group.steps_to_goal.mean == pytest.approx((100 + 120 + 140 + CAP) / 4)
    assert group.goal_stats.reached_mean.mean == 120
    assert group.success_rate == 0.75 and group.success.n == 4
    assert group.goal_stats.median == 120  # KM: S falls to 0.5 at 120 (smallest t with S <= 0.5)
    assert 0 <= group.steps_to_goal.low <= group.steps_to_goal.mean <= group.steps_to_goal.high
    assert group.steps_to_goal.high <= CAP and group.steps_to_goal.n == 4  # n = maps
    # wood at 10, 12, 14 and 10 (the failure reached it): every unit reached it
    assert group.milestone("collect_wood").steps.mean == pytest.approx(11.5)
    assert group.milestone("make_stone_pickaxe").success_rate == 0.75
    curve = group.reach_curve
    assert len(curve) == CAP + 1 and curve[99] == 0 and curve[100] == 0.25 and curve[CAP] == 0.75


def test_a_failure_moves_the_restricted_mean_where_dropping_it_would_not():
    with_failure = metrics.summarize_group(cell("x", 1, [100, None]), MILESTONES, reps=50)
    without = metrics.summarize_group(cell("x", 1, [100]), MILESTONES, reps=50)
    assert with_failure.goal_stats.reached_mean.mean == without.goal_stats.reached_mean.mean
    assert with_failure.steps_to_goal.mean == (100 + CAP) / 2 > without.steps_to_goal.mean


def test_deterministic_repeats_count_once():
    same = cell("scripted", 1, [100] * 5 + [200] * 5, maps=[0] * 5 + [1] * 5)
    group = metrics.summarize_group(same, MILESTONES, reps=100)
    assert (group.units, group.maps, group.success.n) == (2, 2, 2)
    # a map whose repeats differ is random there: each episode is a unit, coincidences included
    mixed = cell("random", 1, [100, 100, 300], maps=[0, 0, 0])
    assert metrics.summarize_group(mixed, MILESTONES, reps=100).units == 3
    assert metrics.summarize_group(mixed, MILESTONES, reps=100).steps_to_goal.mean == (
        pytest.approx(500 / 3)
    )


def test_iqm_and_poi_by_hand():
    assert metrics.iqm([1, 2, 3, 4, 5, 6, 7, 100]) == 4.5
    assert metrics.probability_of_improvement([3, 1], [2, 1]) == 0.625
    est = metrics.probability_of_improvement_ci({1: [3, 1], 2: [1]}, {1: [2, 1], 2: [0]}, reps=100)
    assert est.mean == pytest.approx((0.625 + 1.0) / 2)
    scores = {1: [0.1, 0.5, 0.9, 0.3], 2: [0.2, 0.8], 6: [0.6, 0.7, 0.4]}
    a = metrics.stratified_bootstrap_ci(scores, reps=500, seed=3)
    assert a == metrics.stratified_bootstrap_ci(scores, reps=500, seed=3)
    assert a.low <= a.mean <= a.high and a.n == 9


def test_goal_score_orders_failure_below_any_success(record_factory):
    at_cap = record_views.goal_score(record_factory("x", 1, 350))
    failed = record_views.goal_score(record_factory("x", 1, None))
    fast = record_views.goal_score(record_factory("x", 1, 100))
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
    assert plain.steps_to_goal.mean == pytest.approx((300 + 260 + CAP) / 3)
    assert plain.success_rate == pytest.approx(2 / 3) and plain.llm_calls_per_success == 15
    assert s.group("scripted", 1).steps_to_goal.mean == pytest.approx(177.5)
    assert s.group("scripted", 2) is None

    # Paired: only maps both cells ran. damcs 1 agent ran maps 0, 1 (damcs 6 there: 70, 80);
    # plain-llm ran maps 0, 1, 2 (300, 260, failure), damcs 2 agents maps 0, 1.
    red = {(r.method, r.n_agents, r.baseline_method): r for r in s.reductions}
    assert red[("damcs", 2, "damcs")].reduction == pytest.approx(1 - 110 / 140)
    assert red[("damcs", 6, "damcs")].reduction == pytest.approx(1 - 75 / 140)
    assert red[("damcs", 2, "plain-llm")].reduction == pytest.approx(1 - 110 / 280)
    assert red[("damcs", 6, "plain-llm")].reduction == pytest.approx(1 - 80 / (910 / 3))
    assert red[("damcs", 6, "plain-llm")].maps == 3 and red[("damcs", 6, "damcs")].maps == 2
    assert len(red) == 4
    r = red[("damcs", 6, "plain-llm")].estimate
    assert r.low <= r.mean <= r.high <= 1

    poi = {(i.method, i.other): i.probability.mean for i in s.improvements}
    assert poi[("damcs", "plain-llm")] == 1.0
    assert poi[("scripted", "plain-llm")] == pytest.approx(9.5 / 12)
    again = metrics.summarize(suite_records, bootstrap_reps=200)
    assert again.iqm == s.iqm and again.groups == s.groups  # seeded


def test_reduction_is_undefined_when_neither_side_succeeds():
    recs = cell("ppo", 1, [None, None]) + cell("ppo", 2, [None, None])
    s = metrics.summarize(recs, bootstrap_reps=50)
    (r,) = s.reductions
    assert r.reduction is None and r.maps == 2 and r.team_steps == r.baseline_steps == CAP


def test_summarize_rejects_mixed_goals(record_factory):
    a = record_factory("x", 1, 100)
    b = metrics.records_lib.EpisodeRecord.from_dict({**a.to_dict(), "rules": "crafter"})
    with pytest.raises(metrics.MetricsError, match="mix"):
        metrics.summarize([a, b])
    with pytest.raises(metrics.MetricsError):
        metrics.summarize([])


def test_method_config_is_read_defensively():
    r = make_record("x", 2, 100)
    assert record_views.method_family(r) == "x" and record_views.decision_maker(r) is None
    assert record_views.communicates(r)
    r = dataclasses.replace(r, method_config={"method": "damcs", "model": {"spec": "oracle"}})
    assert record_views.decision_maker(r) == "oracle"
    scripted = dataclasses.replace(r, method_config={"method": "scripted", "roles": False})
    assert record_views.decision_maker(scripted) == "scripted" and not record_views.communicates(
        scripted
    )
    assert record_views.decision_accuracy("noisy-oracle:0.25") == 0.25
    assert (
        record_views.decision_accuracy("uniform") == 0.0
        and record_views.decision_accuracy("oracle") == 1
    )
    assert record_views.decision_accuracy("qwen2.5-0.5b") is None
    assert record_views.decision_accuracy("noisy-oracle:1.5") is None


def _llm(method, model, comm=True, **extra):
    return {"method": method, "model": model, "comm": comm, **extra}


def test_ablation_ladder_from_method_config():
    q = "qwen2.5-0.5b"
    recs = (
        cell("baseline", 1, [300, None], config=_llm("plain-llm", q))
        + cell("full-1", 1, [140, 160], config=_llm("damcs", q))
        + cell("assisted", 1, [10, 10], config=_llm("damcs", q, focus=True))
        + cell("nocomm", 2, [150, 150], config=_llm("damcs", q, comm=False))
        + cell("full-6", 6, [85, 85], config=_llm("damcs", q))
        + cell("other-model", 6, [50, 50], config=_llm("damcs", "smollm2-135m"))
    )
    s = metrics.summarize(recs, reference_method=None, bootstrap_reps=100)
    assert ladder.decision_makers(s) == ("qwen2.5-0.5b", "smollm2-135m")
    rows = ladder.ladder(s, q)
    used = [row.group.method if row.group else None for row in rows]
    # the paper's form is preferred over the planner-assisted variant; missing rungs stay None
    assert used == ["baseline", "full-1", "nocomm", None, None, "full-6"]
    assert rows[0].vs_baseline is None
    base = (300 + CAP) / 2
    assert rows[1].vs_baseline.reduction == pytest.approx(1 - 150 / base)
    assert rows[5].vs_baseline.reduction == pytest.approx(1 - 85 / base)
    assert rows[5].paper.steps_to_goal == 85.4
    assert rows[5].paper_reduction == 0.74 and rows[1].paper_reduction == pytest.approx(
        1 - 140 / 335
    )
    other = ladder.ladder(s, "smollm2-135m")
    assert [row.group is not None for row in other] == [False] * 5 + [True]
    assert other[5].vs_baseline is None  # no Baseline of its own: no reduction borrowed


def test_decision_quality_points():
    recs = []
    for i, p in enumerate(["uniform", "noisy-oracle:0.5", "oracle"]):
        recs += cell(f"plain-{i}", 1, [300 - 100 * i], config=_llm("plain-llm", p))
        recs += cell(f"damcs-{i}", 6, [200 - 50 * i], config=_llm("damcs", p))
    recs += cell("damcs-q", 6, [120], config=_llm("damcs", "qwen2.5-0.5b"))
    recs += cell("damcs-nocomm", 6, [120], config=_llm("damcs", "oracle", comm=False))
    s = metrics.summarize(recs, reference_method=None, bootstrap_reps=20)
    points = ladder.decision_quality(s)
    assert {(p.family, p.n_agents, p.accuracy) for p in points} == {
        (f, n, a) for f, n in (("plain-llm", 1), ("damcs", 6)) for a in (0.0, 0.5, 1.0)
    }
    placed = ladder.decision_quality(s, {"qwen2.5-0.5b": 0.7})
    (real,) = [p for p in placed if p.measured]
    assert (real.decision_maker, real.accuracy, real.group.method) == (
        "qwen2.5-0.5b",
        0.7,
        "damcs-q",
    )


def test_model_accuracy_file(tmp_path):
    (tmp_path / "a.json").write_text('{"qwen2.5-0.5b": 0.62}')
    (tmp_path / "a.yaml").write_text("qwen2.5-0.5b: 0.62\n")
    (tmp_path / "bad.yaml").write_text("qwen2.5-0.5b: 62\n")
    assert ladder.load_model_accuracy(tmp_path / "a.json") == {"qwen2.5-0.5b": 0.62}
    assert ladder.load_model_accuracy(tmp_path / "a.yaml") == {"qwen2.5-0.5b": 0.62}
    with pytest.raises(ladder.LadderError):
        ladder.load_model_accuracy(tmp_path / "bad.yaml")


def test_crafter_score_is_partial_without_all_achievements(suite_records):
    s = metrics.summarize(suite_records, bootstrap_reps=20)
    assert len(s.achievements) == 22
    score, known = metrics.crafter_score(s.group("damcs", 6), s.achievements)
    assert known == len(MILESTONES) == 10 and score == pytest.approx(100.0)
    score, _ = metrics.crafter_score(s.group("scripted", 1), s.achievements)
    # scripted: 5 milestones always reached, 5 in 3 of 4 episodes
    expected = (101.0**5 * 76.0**5) ** (1 / 10) - 1
    assert score == pytest.approx(expected)


def test_cost_per_success_counts_every_episode_run():
    # five identical repeats are one unit for the statistics, but each one paid for its LLM calls
    recs = [make_record("damcs", 1, 100, episode_seed=k, llm_calls=10) for k in range(5)]
    group = metrics.summarize_group(recs, MILESTONES, reps=20)
    assert (group.units, group.episodes_run, group.successes_run) == (1, 5, 5)
    assert group.llm_calls_per_success == 10


def test_model_revisions_read_what_the_llm_agents_record():
    """The LLM agents record the backend's resolution under `model_resolved` (loader.describe):
    the provenance names those weights; a model-free control names none."""
    real = make_record("damcs", 1, 100)
    real = dataclasses.replace(
        real,
        method_config={
            "model": {"spec": "smollm2-135m", "device": "auto"},
            "model_resolved": {"model_id": "smollm2-135m", "revision": "80bf450e", "device": "cpu"},
        },
    )
    control = dataclasses.replace(
        make_record("damcs-oracle", 1, 100),
        method_config={"model": {"spec": "oracle"}, "model_resolved": {"model_id": "oracle"}},
    )
    assert metrics.model_revisions([real, control, real]) == ("smollm2-135m@80bf450e",)
