"""Each component against its control: which cells pair, and the paired number they give."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from benchmark import components, metrics, tables
from tests.benchmark.conftest import make_record


def _cell(label, family, spec, n_agents, steps_by_map, **options):
    config = {"method": family, "model": {"spec": spec}, **options}
    return [
        dataclasses.replace(make_record(label, n_agents, steps, map_seed=m), method_config=config)
        for m, steps in steps_by_map.items()
    ]


def _summary(*cells):
    records = [r for cell in cells for r in cell]
    return metrics.summarize(records, reference_method=None, bootstrap_reps=50)


def _found(rows):
    return [
        (
            r.component,
            r.decision_maker,
            r.comparison.n_agents,
            r.comparison.method,
            r.comparison.baseline_method,
        )
        for r in rows
    ]


def test_s_cs_is_read_against_the_same_agents_without_communication_on_shared_maps():
    summary = _summary(
        _cell("damcs-oracle", "damcs", "oracle", 2, {0: 100, 1: 100, 2: 100}),
        _cell("damcs-oracle-nocomm", "damcs", "oracle", 2, {0: 200, 1: 200, 2: 200}, comm=False),
        # another decision-maker, and a single agent without communication: no S-CS pair
        _cell("damcs-uniform-nocomm", "damcs", "uniform", 2, {0: 300}, comm=False),
        _cell("damcs-oracle-nocomm", "damcs", "oracle", 1, {0: 150}, comm=False),
        _cell("damcs-oracle", "damcs", "oracle", 1, {0: 150}),
    )
    rows = [r for r in components.component_rows(summary) if r.component == "S-CS"]
    assert _found(rows) == [("S-CS", "oracle", 2, "damcs-oracle", "damcs-oracle-nocomm")]
    (row,) = rows
    assert row.comparison.maps == 3
    assert (row.comparison.team_steps, row.comparison.baseline_steps) == (100.0, 200.0)
    estimate = row.comparison.estimate
    assert (estimate.mean, estimate.low, estimate.high) == pytest.approx((0.5, 0.5, 0.5))


def test_memory_and_the_damcs_agent_pair_only_with_their_own_controls():
    summary = _summary(
        _cell("damcs", "damcs", "m", 2, {0: 100, 1: 120}),
        _cell("damcs-nomem", "damcs", "m", 2, {0: 150, 1: 150}, memory=False),
        _cell("plain", "plain-llm", "m", 2, {0: 200, 1: 240}),
        # the planner-assisted variant is not the paper's agent: no pair with the plain agent
        _cell("damcs-assisted", "damcs", "m", 2, {0: 90, 1: 90}, focus=True),
    )
    found = _found(components.component_rows(summary))
    assert found == [
        ("A-KGMS", "m", 2, "damcs", "damcs-nomem"),
        ("DAMCS vs plain agent", "m", 2, "damcs", "plain"),
    ]
    by_name = {r.component: r for r in components.component_rows(summary)}
    assert by_name["DAMCS vs plain agent"].comparison.reduction == pytest.approx(1 - 110 / 220)


def test_cells_on_different_maps_are_not_compared():
    summary = _summary(
        _cell("damcs", "damcs", "oracle", 2, {0: 100}),
        _cell("damcs-nocomm", "damcs", "oracle", 2, {1: 200}, comm=False),
    )
    assert components.component_rows(summary) == ()


def test_the_summary_files_carry_the_components(tmp_path):
    summary = _summary(
        _cell("damcs", "damcs", "oracle", 6, {0: 80, 1: 90}),
        _cell("damcs-nocomm", "damcs", "oracle", 6, {0: 160, 1: None}, comm=False),
    )
    rows = components.component_rows(summary)
    written = tables.write_summary(tmp_path, summary, component_rows=rows)
    with open(written["components.csv"]) as f:
        (line,) = list(csv.DictReader(f))
    assert (line["component"], line["with_method"], line["without_method"]) == (
        "S-CS",
        "damcs",
        "damcs-nocomm",
    )
    assert float(line["without_success_rate"]) == 0.5
    text = written["summary.md"].read_text()
    assert "## Each component against its control" in text
    assert "| S-CS | oracle | 6 | damcs | damcs-nocomm | 2 | 100% / 50% |" in text


def test_cells_that_played_the_same_episodes_read_zero_with_a_zero_interval():
    # two runs per map that differ: the maps are resampled, not the runs within a map
    runs = {0: (100, 180), 1: (150, None), 2: (90, 95)}

    def cell(label, family):
        config = {"method": family, "model": {"spec": "oracle"}}
        return [
            dataclasses.replace(
                make_record(label, 1, steps, map_seed=m, episode_seed=i), method_config=config
            )
            for m, pair in runs.items()
            for i, steps in enumerate(pair)
        ]

    summary = _summary(cell("damcs", "damcs"), cell("plain", "plain-llm"))
    (row,) = components.component_rows(summary)
    estimate = row.comparison.estimate
    assert (estimate.mean, estimate.low, estimate.high, estimate.n) == (0.0, 0.0, 0.0, 3)
    # each map's runs averaged first, then the maps: (140 + 250 + 92.5) / 3
    assert row.comparison.team_steps == pytest.approx((140 + 250 + 92.5) / 3)
