"""Summary tables: Markdown and CSV, our numbers beside the paper's reference data."""

from __future__ import annotations

import csv

import pytest

from benchmark import metrics, reference, tables
from tests.benchmark.conftest import MILESTONES, fixture_records


def test_summary_tables_and_paper_comparison(tmp_path):
    summary = metrics.summarize(fixture_records(), bootstrap_reps=100)
    paths = tables.write_summary(tmp_path, summary)
    assert set(paths) == {
        "summary.md",
        "summary.csv",
        "reductions.csv",
        "paper_comparison.csv",
        "achievements.csv",
        "ladder.csv",
    }
    with paths["summary.csv"].open() as file:
        rows = {(r["method"], r["n_agents"]): r for r in csv.DictReader(file)}
    assert float(rows[("damcs", "6")]["steps_to_goal_mean"]) == 80
    assert float(rows[("scripted", "1")]["success_rate"]) == 0.75
    assert float(rows[("scripted", "1")]["steps_collect_wood"]) == 11.5

    comparison = {(r["condition"]): r for r in tables.paper_comparison(summary)}
    six = comparison["6 agents, S-CS (full DAMCS)"]
    assert six["paper_steps"] == 85.4 and six["our_steps"] == 80 and six["our_episodes"] == 3
    base = comparison["Baseline single LLM agent (no A-KGMS)"]
    assert base["paper_steps"] == 335 and base["our_steps"] == pytest.approx(910 / 3)
    renamed = tables.paper_comparison(summary, {"plain-llm": "scripted"})
    assert renamed[0]["our_method"] == "scripted" and renamed[0]["our_steps"] == 177.5

    text = paths["summary.md"].read_text()
    for needle in ("85.4", "~335.0", "140.0", "~120.0", "63%", "74%", "IQM", "| wood | 4.0 | 8.0"):
        assert needle in text, needle
    # the fixture's scripted team stands on its own ladder; the rungs it did not run say so
    assert (
        "### Decision-maker `scripted`" in text and "| 2 agents, no communication | not run" in text
    )
    assert "**Partial**" in text  # the records tell 10 of the 22 achievements


def test_reference_matches_the_rule_data():
    assert set(reference.SIX_AGENT_MILESTONES) == set(MILESTONES)
    single = reference.result(1, "damcs")
    assert single.steps_to_goal == 140.0 and sum(single.runs) / 5 == 140.0
    assert reference.result(6, "damcs").steps_to_goal == pytest.approx(85.4)
    for n, value in reference.HEADLINE_REDUCTIONS.items():
        paper = reference.result(n, "damcs").steps_to_goal
        assert 1 - paper / reference.BASELINE_STEPS == pytest.approx(value, abs=0.015)
