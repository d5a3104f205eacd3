"""Exports: episodes CSV and the marl-eval layout."""

from __future__ import annotations

import copy
import csv
import dataclasses
import json
from pathlib import Path

import pytest

from benchmark import export, store
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


def test_marl_eval_layout_runs_are_shared_maps():
    data, index = export.marl_eval_with_index(fixture_records())
    assert set(data) == {"mac_damcs_1_agents", "mac_damcs_2_agents", "mac_damcs_6_agents"}
    one = data["mac_damcs_1_agents"]["collect_diamond"]
    assert set(one) == {"scripted", "damcs", "plain-llm"}
    # damcs ran maps 0, 1; plain-llm 0, 1, 2; scripted 0..3: the shared maps 0 and 1 are the runs
    for runs in one.values():
        assert sorted(runs) == ["run_0", "run_1"]
        for run in runs.values():
            assert set(run) == {"step_0", "absolute_metrics"}
            assert run["step_0"]["step_count"] == 0
    scripted = one["scripted"]
    assert scripted["run_0"]["absolute_metrics"]["success"] == [1.0]
    assert scripted["run_1"]["absolute_metrics"]["capped_steps"] == [120.0]
    left_out = [row for row in index if row["run"] is None]
    assert {(r["algorithm"], r["map_seed"]) for r in left_out} == {
        ("scripted", 2),
        ("scripted", 3),
        ("plain-llm", 2),
    }
    json.dumps(data)  # plain JSON, no NaN


def _trained(n_agents, step, map_seed, repeat):
    training = {"algo": "ppo", "total_steps": 200000, "seed": 7}
    r = make_record("ppo", n_agents, step, map_seed=map_seed, episode_seed=repeat)
    return dataclasses.replace(r, method_config={"method": "ppo", "training": training})


def test_marl_eval_trained_policies_carry_steps_and_seed_and_repeats_count_once():
    records = [_trained(1, None, m, k) for m in (0, 1) for k in range(3)]
    records += [make_record("damcs", 1, 100 + k, map_seed=m) for m in (0, 1) for k in range(2)]
    data, index = export.marl_eval_with_index(records)
    ppo = data["mac_damcs_1_agents"]["collect_diamond"]["ppo"]
    assert ppo["run_0"]["step_0"]["step_count"] == 200000
    assert ppo["run_0"]["absolute_metrics"]["success"] == [0.0]  # 3 identical repeats, one unit
    assert (
        len(data["mac_damcs_1_agents"]["collect_diamond"]["damcs"]["run_1"]["step_0"]["success"])
        == 2
    )
    rows = {(r["algorithm"], r["map_seed"]): r for r in index}
    assert rows[("ppo", 1)]["training_seed"] == 7 and rows[("ppo", 1)]["units"] == 1


def test_marl_eval_loader_accepts_our_json(tmp_path):
    """marl-eval's own format check and loader pipeline accept the export. Install with
    ``pip install --no-deps id-marl-eval colorama``: its full dependency set pins a pandas that
    does not build on Python 3.11+, and these two modules need only numpy and colorama."""
    diagnose = pytest.importorskip(
        "marl_eval.utils.diagnose_data_errors",
        reason="id-marl-eval not installed (pip install --no-deps id-marl-eval colorama)",
    )
    processing = pytest.importorskip("marl_eval.utils.data_processing_utils")
    records = fixture_records() + [_trained(1, None, m, 0) for m in (0, 1)]
    path = export.write_marl_eval(tmp_path / "marl_eval.json", records)
    raw = json.loads(path.read_text())
    checks = diagnose.DiagnoseData(raw).check_data()
    assert set(checks) == set(raw)
    for env, result in checks.items():
        assert all(result.values()), (env, result)
    processed = processing.data_process_pipeline(raw, metrics_to_normalize=["capped_steps"])
    assert "extra" in processed  # the pipeline returns the raw data unchanged when it fails
    for env in raw:
        # one environment per call, on its own copy: the loader rewrites the shared `extra` in place
        matrices, _ = processing.create_matrices_for_rliable(
            copy.deepcopy(processed), env, metrics_to_normalize=["capped_steps"]
        )
        assert "mean_success" in matrices
        runs = len(next(iter(raw[env]["collect_diamond"].values())))
        for per_algorithm in matrices["mean_success"].values():
            assert per_algorithm.shape == (runs, 1)  # runs (shared maps) x tasks
    assert (tmp_path / "marl_eval_runs.csv").is_file()


@pytest.mark.parametrize(
    "path",
    sorted(Path(__file__).resolve().parents[2].joinpath("results").glob("*/marl_eval.json")),
    ids=lambda p: p.parent.name,
)
def test_committed_marl_eval_files_pass_marl_evals_own_check(path):
    """Each committed result set's marl_eval.json passes marl-eval's own format check (install as
    in the test above)."""
    diagnose = pytest.importorskip(
        "marl_eval.utils.diagnose_data_errors",
        reason="id-marl-eval not installed (pip install --no-deps id-marl-eval colorama)",
    )
    raw = json.loads(path.read_text())
    checks = diagnose.DiagnoseData(raw).check_data()
    assert set(checks) == set(raw)
    for env, result in checks.items():
        assert all(result.values()), (path.parent.name, env, result)
