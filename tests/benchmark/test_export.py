"""Exports: episodes CSV, marl-eval layout, summary tables beside the paper, reference data."""

from __future__ import annotations

import csv
import json

import pytest

from benchmark import export, metrics, reference, store
from tests.benchmark.conftest import MILESTONES, fixture_records, make_record


def test_short_names():
    assert export.short_name("collect_wood") == "wood"
    assert export.short_name("make_iron_pickaxe") == "iron pickaxe"
    assert export.short_name("place_furnace") == "furnace"


def test_episodes_csv_has_one_row_per_episode_and_milestone_columns(tmp_path):
    key = store.EpisodeKey("quick", "damcs", 1, 0, 3)
    items = [(key, make_record("damcs", 1, None)), make_record("scripted", 1, 100)]
    path = export.write_episodes_csv(tmp_path / "episodes.csv", items)
    with path.open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2
    assert set(MILESTONES) <= set(rows[0])
    assert rows[0]["key"] == key.text and rows[0]["repeat"] == "3"
    assert rows[0]["collect_diamond"] == "" and rows[0]["success"] == "0"  # missing, not 0 or cap
    assert rows[0]["collect_wood"] == "10"
    assert rows[1]["collect_diamond"] == "100" and rows[1]["key"] == ""


def test_marl_eval_layout():
    data = export.marl_eval(fixture_records())
    assert list(data) == ["mac_damcs"]
    tasks = data["mac_damcs"]
    assert set(tasks) == {"1_agents", "2_agents", "6_agents"}
    assert set(tasks["1_agents"]) == {"scripted", "damcs", "plain-llm"}
    runs = tasks["1_agents"]["scripted"]
    assert sorted(runs) == ["run_0", "run_1", "run_2", "run_3"]
    for run in runs.values():
        assert set(run) == {"step_0", "absolute_metrics"}
        assert run["step_0"]["step_count"] == 0
        for name, values in run["absolute_metrics"].items():
            assert isinstance(values, list) and len(values) == 1, name
    assert [runs[f"run_{i}"]["absolute_metrics"]["success"][0] for i in range(4)] == [1, 1, 1, 0]
    assert runs["run_3"]["absolute_metrics"]["milestone_fraction"] == [0.5]
    json.dumps(data)  # plain JSON, no NaN


def test_summary_tables_and_paper_comparison(tmp_path):
    summary = metrics.summarize(fixture_records(), bootstrap_reps=100)
    paths = export.write_summary(tmp_path, summary)
    assert set(paths) == {"summary.md", "summary.csv", "reductions.csv", "paper_comparison.csv"}
    with paths["summary.csv"].open() as file:
        rows = {(r["method"], r["n_agents"]): r for r in csv.DictReader(file)}
    assert float(rows[("damcs", "6")]["steps_to_goal_mean"]) == 80
    assert float(rows[("scripted", "1")]["success_rate"]) == 0.75
    assert float(rows[("scripted", "1")]["steps_collect_wood"]) == 11.5

    comparison = {(r["condition"]): r for r in export.paper_comparison(summary)}
    six = comparison["6 agents, S-CS (full DAMCS)"]
    assert six["paper_steps"] == 85.4 and six["our_steps"] == 80 and six["our_episodes"] == 3
    base = comparison["Baseline single LLM agent (no A-KGMS)"]
    assert base["paper_steps"] == 335 and base["our_steps"] == 280
    renamed = export.paper_comparison(summary, {"plain-llm": "scripted"})
    assert renamed[0]["our_method"] == "scripted" and renamed[0]["our_steps"] == 120

    text = paths["summary.md"].read_text()
    for needle in ("85.4", "~335.0", "140.0", "~120.0", "63%", "74%", "IQM", "| wood | 4.0 | 8.0"):
        assert needle in text, needle


def test_reference_matches_the_rule_data():
    assert set(reference.SIX_AGENT_MILESTONES) == set(MILESTONES)
    single = reference.result(1, "damcs")
    assert single.steps_to_goal == 140.0 and sum(single.runs) / 5 == 140.0
    assert reference.result(6, "damcs").steps_to_goal == pytest.approx(85.4)
    for n, value in reference.HEADLINE_REDUCTIONS.items():
        paper = reference.result(n, "damcs").steps_to_goal
        assert 1 - paper / reference.BASELINE_STEPS == pytest.approx(value, abs=0.015)
