"""The summary's tables as rows, and the summary files: one wide row per cell (restricted mean steps
and success per milestone), the paper's conditions beside ours, the ablation ladder, achievements and
the Crafter score, trained policies across seeds, the store's completeness; `write_summary` writes
them as CSV beside summary.md (`benchmark.summary_markdown`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmark import bound_table, components, export, metrics, reference, seeds, summary_markdown
from benchmark import ladder as ladder_lib
from benchmark import store as store_lib


def summary_rows(summary: metrics.Summary) -> list[dict[str, Any]]:
    """One wide row per cell: goal, cost, then restricted mean steps and success per milestone."""
    rows = []
    for g in summary.groups:
        goal, success = g.steps_to_goal, g.success
        row: dict[str, Any] = {
            "method": g.method,
            "n_agents": g.n_agents,
            "family": g.family,
            "decision_maker": g.decision_maker,
            "episodes": g.episodes,
            "maps": g.maps,
            "success_rate": g.success_rate,
            "success_ci_low": success.low,
            "success_ci_high": success.high,
            "steps_to_goal_mean": goal.mean,
            "steps_to_goal_ci_low": goal.low,
            "steps_to_goal_ci_high": goal.high,
            "steps_to_goal_median": g.goal_stats.median,
            "steps_of_reached_mean": g.goal_stats.reached_mean.mean,
            "cap": g.max_steps,
            "llm_calls_per_success": g.llm_calls_per_success,
            "llm_tokens_per_success": g.llm_tokens_per_success,
            "llm_fallbacks": g.llm_fallbacks,
            "messages_sent": g.messages_sent,
            "mean_wall_time_s": g.mean_wall_time_s,
        }
        for m in g.milestones:
            row[f"steps_{m.milestone}"] = m.steps.mean
            row[f"success_{m.milestone}"] = m.success_rate
        rows.append(row)
    return rows


def paper_comparison(
    summary: metrics.Summary, method_map: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Each of the paper's conditions beside ours, by method label. `method_map` renames the
    paper's default stand-ins (e.g. ``{"plain-llm": "my-baseline"}``); a condition we did not run
    shows blanks. Ours are restricted means (failures at the cap); the paper's runs all succeeded."""
    method_map = dict(method_map or {})
    rows = []
    for p in reference.RESULTS:
        method = method_map.get(p.our_method, p.our_method)
        g = summary.group(method, p.n_agents)
        rows.append(
            {
                "condition": p.condition,
                "n_agents": p.n_agents,
                "paper_steps": p.steps_to_goal,
                "paper_approximate": p.approximate,
                "our_method": method,
                "our_steps": g.steps_to_goal.mean if g else None,
                "our_ci_low": g.steps_to_goal.low if g else None,
                "our_ci_high": g.steps_to_goal.high if g else None,
                "our_success_rate": g.success_rate if g else None,
                "our_episodes": g.episodes if g else 0,
                "our_maps": g.maps if g else 0,
            }
        )
    return rows


def ladder_rows(summary: metrics.Summary) -> list[dict[str, Any]]:
    """The ablation ladder of every decision-maker, flat, for CSV and JSON."""
    return [row.to_dict() for rows in ladder_lib.ladders(summary).values() for row in rows]


def achievement_rows(summary: metrics.Summary) -> list[dict[str, Any]]:
    """Per-cell success rate of each achievement the records tell, and the Crafter score."""
    rows = []
    for g in summary.groups:
        score, known = metrics.crafter_score(g, summary.achievements)
        row: dict[str, Any] = {
            "method": g.method,
            "n_agents": g.n_agents,
            "crafter_score": score,
            "achievements_known": known,
            "achievements_total": len(summary.achievements),
            "score_is_partial": known < len(summary.achievements),
        }
        row.update({a: g.achievements[a].mean for a in summary.achievements if a in g.achievements})
        rows.append(row)
    return rows


def completeness(counts: store_lib.StoreCounts) -> dict[str, Any]:
    """How complete the store behind a summary is, for summary.json (`partial` true = read with
    care: episodes are missing or corrupt rows were skipped)."""
    return {
        "partial": counts.partial,
        "expected_episodes": counts.expected,
        "stored_episodes": counts.stored,
        "corrupt_rows_skipped": counts.corrupt,
    }


def seed_rows(summary: metrics.Summary) -> list[dict[str, Any]]:
    """One row per training recipe and team size evaluated with several seeds (`benchmark.seeds`)."""
    rows = []
    for group in seeds.seed_groups(summary):
        row: dict[str, Any] = {
            "recipe": group.name,
            "n_agents": group.n_agents,
            "seeds": " ".join(map(str, group.seeds)),
            "methods": " ".join(group.methods),
        }
        for name, spread in [("crafter_score", group.crafter_score), *group.milestones.items()]:
            for part in ("mean", "low", "high"):
                row[f"{name}_{part}"] = None if spread is None else getattr(spread, part)
        rows.append(row)
    return rows


def write_summary(
    out_dir: str | Path,
    summary: metrics.Summary,
    *,
    method_map: Mapping[str, str] | None = None,
    provenance: Mapping[str, Any] | None = None,
    model_accuracy: Mapping[str, float] | None = None,
    counts: store_lib.StoreCounts | None = None,
    bounds: Sequence[bound_table.BoundRow] = (),
    component_rows: Sequence[components.ComponentRow] = (),
) -> dict[str, Path]:
    """Write summary.md and the CSV tables (summary, reductions, components against their
    controls, paper comparison, ladder, achievements) into `out_dir`; `bounds` are the cells set
    against the optimal-team bound, `component_rows` `components.component_rows`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "summary.md"
    comparison = paper_comparison(summary, method_map)
    achievements = achievement_rows(summary)
    text = summary_markdown.summary_markdown(
        summary,
        comparison=comparison,
        achievements=achievements,
        provenance=provenance,
        model_accuracy=model_accuracy,
        counts=counts,
        bounds=bounds,
        component_rows=component_rows,
    )
    md.write_text(text + "\n")
    written = {
        "summary.md": md,
        "summary.csv": export.write_csv(out / "summary.csv", summary_rows(summary)),
        "reductions.csv": export.write_csv(
            out / "reductions.csv", [r.to_dict() for r in summary.reductions]
        ),
        "paper_comparison.csv": export.write_csv(out / "paper_comparison.csv", comparison),
        "achievements.csv": export.write_csv(out / "achievements.csv", achievements),
    }
    if component_rows:
        written["components.csv"] = export.write_csv(
            out / "components.csv", [r.to_dict() for r in component_rows]
        )
    across_seeds = seed_rows(summary)
    if across_seeds:
        written["seeds.csv"] = export.write_csv(out / "seeds.csv", across_seeds)
    ladder = ladder_rows(summary)
    if ladder:
        flat = [
            {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
            for row in ladder
        ]
        written["ladder.csv"] = export.write_csv(out / "ladder.csv", flat)
    return written
