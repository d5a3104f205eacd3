"""Write stored episodes and summaries where other tools and readers can use them.

- `episodes.csv`: one row per episode, one column per milestone (empty = never reached).
- marl-eval JSON (the layout BenchMARL writes and `marl-eval` reads), see `marl_eval_with_index`:
  an environment per rule set and team size, runs = the maps every method there ran (independent
  units, not episodes), training steps of trained policies as ``step_count``; plus
  `marl_eval_runs.csv`, which says which map and training seed each run is.

The summary tables are `benchmark.tables` (CSV) and `benchmark.summary_markdown` (summary.md).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmark import record_views
from benchmark import store as store_lib
from episode import record as records_lib

Item = records_lib.EpisodeRecord | tuple[store_lib.EpisodeKey | None, records_lib.EpisodeRecord]


def short_name(milestone: str) -> str:
    """`collect_wood` -> `wood`, `make_iron_pickaxe` -> `iron pickaxe`: labels for tables, plots."""
    for prefix in ("collect_", "place_", "make_"):
        if milestone.startswith(prefix):
            milestone = milestone[len(prefix) :]
            break
    return milestone.replace("_", " ")


def _pairs(items: Iterable[Item]) -> list[tuple[store_lib.EpisodeKey | None, Any]]:
    return [item if isinstance(item, tuple) else (None, item) for item in items]


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


# ---------------------------------------------------------------------------------------------
# Episodes
# ---------------------------------------------------------------------------------------------


def episode_rows(items: Iterable[Item]) -> list[dict[str, Any]]:
    """One flat row per episode (key fields when known), milestones as columns."""
    rows = []
    for key, r in _pairs(items):
        row: dict[str, Any] = {
            "key": key.text if key else None,
            "suite": key.suite if key else None,
            "repeat": key.repeat if key else None,
            "method": r.method,
            "n_agents": r.n_agents,
            "rules": r.rules,
            "goal": r.goal,
            "map_seed": r.map_seed,
            "episode_seed": r.episode_seed,
            "max_steps": r.max_steps,
            "length": r.length,
            "success": int(r.success),
            "steps_to_goal": r.goal_step,
            "goal_score": record_views.goal_score(r),
            "wall_time_s": r.wall_time_s,
            "llm_calls": r.llm_calls,
            "llm_prompt_tokens": r.llm_prompt_tokens,
            "llm_completion_tokens": r.llm_completion_tokens,
            "llm_fallbacks": r.llm_fallbacks,
            "decisions": r.decisions,
            "messages_sent": r.messages_sent,
            "message_bytes": r.message_bytes,
            "code_version": r.code_version,
        }
        row.update(r.milestones)
        row["method_config"] = json.dumps(r.method_config, sort_keys=True)
        row["map_info"] = json.dumps(r.map_info, sort_keys=True)
        rows.append(row)
    return rows


def write_episodes_csv(path: str | Path, items: Iterable[Item]) -> Path:
    return write_csv(Path(path), episode_rows(items))


def _marl_eval_cells(
    items: Iterable[Item],
) -> dict[tuple[str, str], dict[str, dict[int, list[records_lib.EpisodeRecord]]]]:
    """(env, task) -> algorithm -> map -> distinct units."""
    grouped: dict[tuple[str, str], dict[str, list[records_lib.EpisodeRecord]]] = {}
    for _, r in _pairs(items):
        env = f"mac_{r.rules}_{r.n_agents}_agents"
        grouped.setdefault((env, r.goal), {}).setdefault(r.method, []).append(r)
    return {
        cell: {method: record_views.distinct_by_map(rs) for method, rs in methods.items()}
        for cell, methods in sorted(grouped.items())
    }


def _training(r: records_lib.EpisodeRecord) -> tuple[int, int | None]:
    """(training steps, training seed) of a trained policy, (0, None) for untrained methods."""
    training = r.method_config.get("training")
    if not isinstance(training, Mapping):
        return 0, None
    steps, seed = training.get("total_steps"), training.get("seed")
    return (
        int(steps) if isinstance(steps, int | float) and not isinstance(steps, bool) else 0,
        int(seed) if isinstance(seed, int) and not isinstance(seed, bool) else None,
    )


def _unit_metrics(units: Sequence[records_lib.EpisodeRecord]) -> dict[str, list[float]]:
    return {
        "success": [float(u.success) for u in units],
        "goal_score": [record_views.goal_score(u) for u in units],
        "milestone_fraction": [
            sum(s is not None for s in u.milestones.values()) / len(u.milestones) for u in units
        ],
        "capped_steps": [float(u.max_steps if u.goal_step is None else u.goal_step) for u in units],
    }


def marl_eval_with_index(items: Iterable[Item]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """marl-eval raw data plus one index row per (algorithm, map): which run it became, its seeds.

    marl-eval needs the same algorithms in every task of an environment and the same run count for
    every algorithm, and treats runs as independent. So an environment is a rule set at one team
    size (``mac_damcs_6_agents``), its one task the goal, and a run is a *map* that every method at
    that team size ran (maps are the independent units; episodes on a map are its evaluation
    episodes, deterministic repeats once). Maps not shared by all are left out of the JSON and
    listed in the index as such. ``step_count`` is the policy's training steps
    (``method_config["training"]["total_steps"]``), 0 for methods that are not trained; metric lists
    hold one value per distinct episode: success, goal_score, milestone_fraction (higher is better)
    and capped_steps (steps to the goal, failures at the cap; lower is better).
    """
    out: dict[str, Any] = {}
    index: list[dict[str, Any]] = []
    for (env, task), methods in _marl_eval_cells(items).items():
        shared = sorted(set.intersection(*(set(by_map) for by_map in methods.values())))
        for method, by_map in sorted(methods.items()):
            for map_seed, units in by_map.items():
                steps, seed = _training(units[0])
                run = f"run_{shared.index(map_seed)}" if map_seed in shared else None
                index.append(
                    {
                        "env": env,
                        "task": task,
                        "algorithm": method,
                        "run": run,
                        "map_seed": map_seed,
                        "units": len(units),
                        "training_steps": steps,
                        "training_seed": seed,
                        "note": "" if run else "left out: not run by every method of this env",
                    }
                )
                if run is None:
                    continue
                values = _unit_metrics(units)
                out.setdefault(env, {}).setdefault(task, {}).setdefault(method, {})[run] = {
                    "step_0": {"step_count": steps, **values},
                    "absolute_metrics": values,
                }
    return out, index


def marl_eval(items: Iterable[Item]) -> dict[str, Any]:
    """Episodes in marl-eval's raw-data layout (see `marl_eval_with_index`)."""
    return marl_eval_with_index(items)[0]


def write_marl_eval(path: str | Path, items: Iterable[Item]) -> Path:
    """Write marl_eval.json and, beside it, marl_eval_runs.csv (run -> map, training seed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data, index = marl_eval_with_index(items)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    if index:
        write_csv(path.with_name(path.stem + "_runs.csv"), index)
    return path
