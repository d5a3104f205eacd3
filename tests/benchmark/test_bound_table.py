"""The optimal-team bound beside the cells of perfect decision-makers in every suite summary."""

from __future__ import annotations

import dataclasses
import json
import statistics

import pytest

from benchmark import bound_table, metrics, report, store
from tests.benchmark.conftest import fixture_records, make_record

INF = float("inf")


def _summary(records):
    return metrics.summarize(records, reference_method=None, bootstrap_reps=20)


def test_only_perfect_decision_makers_are_set_against_the_bound_once_per_map_and_size():
    summary = _summary(fixture_records())
    calls = []

    def bound(world_seed, n_agents):
        calls.append((world_seed, n_agents))
        return 50.0, 100.0

    rows = bound_table.bound_rows(summary, bound)
    # The fixture's scripted cell (maps 0-3: 100, 120, 140 and a failure) is the only perfect one.
    assert [(r.method, r.n_agents, r.decision_maker) for r in rows] == [("scripted", 1, "scripted")]
    assert sorted(calls) == [(m, 1) for m in range(4)]
    (row,) = rows
    cap = summary.group("scripted", 1).max_steps
    assert row.maps == 4
    assert row.steps == pytest.approx(statistics.mean([100, 120, 140, cap]))
    assert row.steps_per_best_plan == pytest.approx(row.steps / 100.0)
    assert row.steps_per_lower == pytest.approx(row.steps / 50.0)


def test_ratios_are_per_map_and_maps_without_a_finite_bound_are_left_out():
    records = [
        make_record("scripted", 2, 60, map_seed=0),
        make_record("scripted", 2, 90, map_seed=1),
        make_record("scripted", 2, 80, map_seed=2),
    ]
    bounds = {0: (20.0, 30.0), 1: (30.0, 45.0), 2: (INF, INF)}  # map 2: no plan reaches it
    rows = bound_table.bound_rows(_summary(records), lambda m, n: bounds[m])
    (row,) = rows
    assert row.maps == 2
    assert row.steps == pytest.approx(75.0)
    assert row.best_plan == pytest.approx(37.5)
    # The mean of 60/30 and 90/45, not 75/37.5 by chance alone: both are 2.
    assert row.steps_per_best_plan == pytest.approx(2.0)
    assert row.steps_per_lower == pytest.approx(statistics.mean([60 / 20, 90 / 30]))


def test_no_bound_for_another_game():
    summary = dataclasses.replace(_summary(fixture_records()), rules="crafter")
    assert bound_table.bound_rows(summary, lambda m, n: pytest.fail("computed")) == ()


def test_the_report_writes_the_bound_table(tmp_path, monkeypatch):
    monkeypatch.setattr(bound_table, "team_bound", lambda m, n: (50.0, 100.0))
    config = {"name": "fixture", "methods": ["scripted"], "repeats": 1}
    with store.ResultsStore.open(tmp_path / store.STORE_FILENAME, "fixture", config) as s:
        for i, record in enumerate(fixture_records()):
            s.add(
                store.EpisodeKey("fixture", record.method, record.n_agents, record.map_seed, i),
                record,
            )
    written = report.make_report(tmp_path, formats=("png",), bootstrap_reps=20, argv=["test"])
    text = written["summary.md"].read_text()
    assert "## Against the optimal-team bound" in text
    assert "| scripted | 1 | scripted | 4 |" in text
    document = json.loads(written["summary.json"].read_text())
    assert [r["method"] for r in document["optimal_team_bound"]] == ["scripted"]
