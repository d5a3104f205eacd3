"""Write stored episodes and summaries where other tools and readers can use them.

- `episodes.csv`: one row per episode, one column per milestone (empty = never reached).
- marl-eval JSON (the layout BenchMARL writes and `marl-eval` reads):
  ``env -> task -> algorithm -> run_k -> {step_0: {step_count, metric: [..]}, absolute_metrics}``.
  Here env is ``mac_<rules>``, task ``<n>_agents``, algorithm the method, and each episode is one
  run with one evaluation episode. Metrics are higher-is-better numbers defined for every episode
  (success, goal_score, milestone_fraction); the censored steps-to-goal is deliberately absent,
  because a failure has no step value (see `benchmark.metrics`). ``step_count`` is the method's
  training steps (``method_config["train_steps"]``, 0 for untrained planners and LLM agents).
- Summary tables, Markdown and CSV, including our numbers beside the paper's.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmark import metrics, reference
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


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
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
            "goal_score": metrics.goal_score(r),
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
    return _write_csv(Path(path), episode_rows(items))


def marl_eval(items: Iterable[Item]) -> dict[str, Any]:
    """Episodes in marl-eval's raw-data layout (see the module docstring)."""
    grouped: dict[tuple[str, str, str], list[tuple[Any, records_lib.EpisodeRecord]]] = {}
    for key, r in _pairs(items):
        grouped.setdefault((f"mac_{r.rules}", f"{r.n_agents}_agents", r.method), []).append(
            (key, r)
        )
    out: dict[str, Any] = {}
    for (env, task, method), episodes in sorted(grouped.items()):
        episodes.sort(
            key=lambda kr: (kr[1].map_seed, kr[0].repeat if kr[0] else 0, kr[1].episode_seed)
        )
        runs = {}
        for i, (_, r) in enumerate(episodes):
            values = {
                "success": [float(r.success)],
                "goal_score": [metrics.goal_score(r)],
                "milestone_fraction": [
                    sum(s is not None for s in r.milestones.values()) / len(r.milestones)
                ],
            }
            train_steps = r.method_config.get("train_steps", 0)
            step_count = int(train_steps) if isinstance(train_steps, int | float) else 0
            runs[f"run_{i}"] = {
                "step_0": {"step_count": step_count, **values},
                "absolute_metrics": values,
            }
        out.setdefault(env, {}).setdefault(task, {})[method] = runs
    return out


def write_marl_eval(path: str | Path, items: Iterable[Item]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(marl_eval(items), indent=2, sort_keys=True) + "\n")
    return path


# ---------------------------------------------------------------------------------------------
# Summary tables
# ---------------------------------------------------------------------------------------------


def summary_rows(summary: metrics.Summary) -> list[dict[str, Any]]:
    """One wide row per (method, n_agents): goal, cost, then steps and success per milestone."""
    rows = []
    for g in summary.groups:
        goal = g.steps_to_goal
        row: dict[str, Any] = {
            "method": g.method,
            "n_agents": g.n_agents,
            "episodes": g.episodes,
            "success_rate": g.success_rate,
            "steps_to_goal_mean": goal.mean,
            "steps_to_goal_ci_low": goal.low,
            "steps_to_goal_ci_high": goal.high,
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
    """Each of the paper's conditions beside ours. `method_map` renames the paper's default
    stand-ins (e.g. ``{"plain-llm": "my-baseline"}``); a condition we did not run shows blanks."""
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
            }
        )
    return rows


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _ci(est: metrics.Estimate) -> str:
    if est.mean is None:
        return "—"
    if est.low is None:
        return f"{est.mean:.1f}"
    return f"{est.mean:.1f} [{est.low:.1f}, {est.high:.1f}]"


def summary_markdown(
    summary: metrics.Summary,
    *,
    method_map: Mapping[str, str] | None = None,
    paper_method: str = "damcs",
) -> str:
    """The report a reader opens first: goal table, milestones, reductions, rliable, the paper."""
    lines = [
        f"# Results: rules `{summary.rules}`, goal `{summary.goal}`",
        "",
        "Steps are joint environment steps, mean over the episodes that reached the goal with a "
        "95% t-interval; read them beside the success rate (a failure is never counted as a step "
        "value).",
        "",
        "## Steps to the goal",
        "",
    ]
    lines += _md_table(
        [
            "method",
            "agents",
            "episodes",
            "success",
            "steps [95% CI]",
            "LLM calls/success",
            "tokens/success",
        ],
        (
            [
                g.method,
                str(g.n_agents),
                str(g.episodes),
                _pct(g.success_rate),
                _ci(g.steps_to_goal),
                _fmt(g.llm_calls_per_success),
                _fmt(g.llm_tokens_per_success, 0),
            ]
            for g in summary.groups
        ),
    )
    lines += ["## Mean steps per milestone (success rate)", ""]
    lines += _md_table(
        ["method", "agents", *(short_name(m) for m in summary.milestones)],
        (
            [g.method, str(g.n_agents)]
            + [f"{_fmt(m.steps.mean)} ({_pct(m.success_rate)})" for m in g.milestones]
            for g in summary.groups
        ),
    )
    lines += ["## Step reduction of teams vs a single agent", ""]
    lines += _md_table(
        ["method", "agents", "vs single", "team steps", "single steps", "reduction", "paper"],
        (
            [
                r.method,
                str(r.n_agents),
                r.baseline_method,
                _fmt(r.team_steps),
                _fmt(r.baseline_steps),
                _pct(r.reduction),
                _pct(reference.HEADLINE_REDUCTIONS.get(r.n_agents))
                if r.baseline_method == summary.reference_method
                else "",
            ]
            for r in summary.reductions
        ),
    )
    lines += [
        "## rliable: IQM of the goal score (stratified bootstrap over 1/2/6 agents)",
        "",
        "goal score = (cap + 1 - steps) / (cap + 1) on success, 0 on failure.",
        "",
    ]
    lines += _md_table(
        ["method", "IQM [95% CI]", "runs"],
        ([m, _ci_frac(e), str(e.n)] for m, e in summary.iqm.items()),
    )
    if summary.improvements:
        lines += ["Probability of improvement P(row beats column), averaged over shared tasks:", ""]
        methods = summary.methods
        poi = {(i.method, i.other): i.probability.mean for i in summary.improvements}
        lines += _md_table(
            ["", *methods],
            ([m, *(_fmt(poi.get((m, o)), 2) if m != o else "" for o in methods)] for m in methods),
        )
    lines += ["## Beside the paper (DAMCS, 5 runs on its one map)", ""]
    lines += _md_table(
        ["condition", "paper steps", "our method", "our steps [95% CI]", "our success", "episodes"],
        (
            [
                row["condition"],
                ("~" if row["paper_approximate"] else "") + f"{row['paper_steps']:.1f}",
                row["our_method"],
                _ci(metrics.Estimate(row["our_steps"], row["our_ci_low"], row["our_ci_high"], 0)),
                _pct(row["our_success_rate"]),
                str(row["our_episodes"]),
            ]
            for row in paper_comparison(summary, method_map)
        ),
    )
    six = summary.group(paper_method, 6)
    lines += [f"Per-milestone mean steps, 6 agents: paper (S-CS) vs our `{paper_method}`", ""]
    lines += _md_table(
        ["milestone", "paper", "ours", "our success"],
        (
            [
                short_name(m),
                _fmt(reference.SIX_AGENT_MILESTONES.get(m)),
                _fmt(six.milestone(m).steps.mean) if six else "—",
                _pct(six.milestone(m).success_rate) if six else "—",
            ]
            for m in summary.milestones
        ),
    )
    return "\n".join(lines)


def _ci_frac(est: metrics.Estimate) -> str:
    if est.mean is None:
        return "—"
    return f"{est.mean:.3f} [{est.low:.3f}, {est.high:.3f}]"


def write_summary(
    out_dir: str | Path,
    summary: metrics.Summary,
    *,
    method_map: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write summary.md, summary.csv, reductions.csv and paper_comparison.csv into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "summary.md"
    md.write_text(summary_markdown(summary, method_map=method_map) + "\n")
    return {
        "summary.md": md,
        "summary.csv": _write_csv(out / "summary.csv", summary_rows(summary)),
        "reductions.csv": _write_csv(
            out / "reductions.csv", [r.to_dict() for r in summary.reductions]
        ),
        "paper_comparison.csv": _write_csv(
            out / "paper_comparison.csv", paper_comparison(summary, method_map)
        ),
    }
