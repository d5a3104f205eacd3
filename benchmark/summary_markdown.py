"""summary.md, the report a reader opens first, as Markdown: the partial-store warning, provenance,
restricted mean steps with bootstrap intervals over maps, milestones, paired reductions, the paper's
ablation ladder per decision-maker, decision quality, achievements and the Crafter score, trained
policies across seeds, rliable, and our numbers beside the paper's. It renders `benchmark.metrics`'
summary and the rows `benchmark.tables` builds (passed in: `tables.write_summary` writes this
report beside its CSV tables, so the import runs one way only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from benchmark import bound_table, components, export, metrics, reference, seeds
from benchmark import ladder as ladder_lib
from benchmark import store as store_lib


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _ci(est: metrics.Estimate | None, digits: int = 1) -> str:
    if est is None or est.mean is None:
        return "—"
    if est.low is None:
        return f"{est.mean:.{digits}f}"
    return f"{est.mean:.{digits}f} [{est.low:.{digits}f}, {est.high:.{digits}f}]"


def _ci_pct(est: metrics.Estimate | None) -> str:
    if est is None or est.mean is None:
        return "—"
    if est.low is None:
        return _pct(est.mean)
    return f"{_pct(est.mean)} [{_pct(est.low)}, {_pct(est.high)}]"


def _ci_frac(est: metrics.Estimate) -> str:
    return _ci(est, 3)


def completeness_markdown(counts: store_lib.StoreCounts) -> list[str]:
    """The warning at the very top of summary.md when the store is partial or damaged (nothing
    when it is complete), so a reader never takes a half-run suite for the full one."""
    if not counts.partial:
        return []
    parts = []
    if counts.expected is not None and counts.stored < counts.expected:
        parts.append(
            f"{counts.stored} of the suite's {counts.expected} episodes are stored "
            "(the run is unfinished or was stopped)"
        )
    if counts.corrupt:
        parts.append(f"{counts.corrupt} corrupt record(s) were skipped")
    return [
        f"> **Partial results:** {'; '.join(parts)}. Every number below is over what is stored.",
        "",
    ]


def provenance_markdown(provenance: Mapping[str, Any]) -> list[str]:
    """The provenance block at the top of summary.md: how and from what these numbers were made."""
    lines = ["## Provenance", ""]
    for key, value in provenance.items():
        if isinstance(value, Mapping):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "—"
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value) or "—"
        lines.append(f"- {key.replace('_', ' ')}: `{value}`")
    return lines + [""]


def _steps_section(summary: metrics.Summary) -> list[str]:
    cap = max((g.max_steps for g in summary.groups), default=0)
    lines = [
        "## Steps to the goal",
        "",
        f"Steps are joint environment steps. **Restricted mean** = area under the Kaplan-Meier "
        f"curve up to the episode cap ({cap}): every episode counts, a failure at the cap. "
        "Intervals: 95% hierarchical bootstrap (maps, then episodes within a map; "
        f"{summary.bootstrap_reps} resamples, seed {summary.seed}); success: 95% Wilson. "
        "Deterministic repeats (all episodes of a map identical in milestones and length) count "
        "once, so `units` can be fewer than the episodes run. *mean of reached* is the paper's statistic "
        "(it drops failures) and is shown only for comparison.",
        "",
    ]
    lines += _md_table(
        [
            "method",
            "agents",
            "maps",
            "units",
            "success [95% CI]",
            "restricted mean steps [95% CI]",
            "median",
            "mean of reached",
            "LLM calls/success",
            "tokens/success",
        ],
        (
            [
                g.method,
                str(g.n_agents),
                str(g.maps),
                str(g.units),
                _ci_pct(g.success),
                _ci(g.steps_to_goal),
                _fmt(g.goal_stats.median, 0),
                _fmt(g.goal_stats.reached_mean.mean),
                _fmt(g.llm_calls_per_success),
                _fmt(g.llm_tokens_per_success, 0),
            ]
            for g in summary.groups
        ),
    )
    lines += ["## Restricted mean steps per milestone (success rate)", ""]
    lines += _md_table(
        ["method", "agents", *(export.short_name(m) for m in summary.milestones)],
        (
            [g.method, str(g.n_agents)]
            + [f"{_fmt(m.steps.mean)} ({_pct(m.success_rate)})" for m in g.milestones]
            for g in summary.groups
        ),
    )
    return lines


def _reduction_section(summary: metrics.Summary) -> list[str]:
    lines = [
        "## Step reduction of teams vs a single agent",
        "",
        "1 - team / single of restricted mean steps, on the maps both cells ran (`maps`), with a "
        "paired bootstrap over those maps. — where neither side ever reached the goal.",
        "",
    ]
    lines += _md_table(
        [
            "method",
            "agents",
            "vs single",
            "maps",
            "team steps",
            "single steps",
            "reduction [95% CI]",
        ],
        (
            [
                r.method,
                str(r.n_agents),
                r.baseline_method,
                str(r.maps),
                _fmt(r.team_steps),
                _fmt(r.baseline_steps),
                _ci_pct(r.estimate),
            ]
            for r in summary.reductions
        ),
    )
    return lines


def _component_section(rows: Sequence[components.ComponentRow]) -> list[str]:
    if not rows:
        return []
    lines = [
        "## Each component against its control",
        "",
        "Cells that differ by one component only (S-CS on/off; A-KGMS memory on/off; the DAMCS "
        "agent against the plain agent), same decision-maker and team size: 1 - with / without "
        "of mean steps (a failure at the cap) on the maps both ran, each map's runs averaged "
        "first, with a paired bootstrap over those maps (above 0: the component saves steps). "
        "— where neither side ever reached the goal.",
        "",
    ]
    lines += _md_table(
        [
            "component",
            "decision-maker",
            "agents",
            "with",
            "without",
            "maps",
            "success with / without",
            "mean steps over maps with / without",
            "fewer steps with [95% CI]",
        ],
        (
            [
                r.component,
                r.decision_maker,
                str(r.comparison.n_agents),
                r.comparison.method,
                r.comparison.baseline_method,
                str(r.comparison.maps),
                f"{_pct(r.comparison.team_success_rate)} / "
                f"{_pct(r.comparison.baseline_success_rate)}",
                f"{_fmt(r.comparison.team_steps)} / {_fmt(r.comparison.baseline_steps)}",
                _ci_pct(r.comparison.estimate),
            ]
            for r in rows
        ),
    )
    return lines


def _bound_section(rows: Sequence[bound_table.BoundRow]) -> list[str]:
    if not rows:
        return []
    lines = [
        "## Against the optimal-team bound",
        "",
        "Cells of the perfect decision-makers (the scripted team, the oracle control) beside the "
        "fewest joint steps a team of their size could take with full map knowledge "
        "(`benchmark.studies.team_bound`: a proven lower bound and the best plan found in a relaxed "
        "game; the optimum lies between them). Per map: the cell's mean steps (a failure at the "
        "cap) over the bound; means over the maps where the bound is finite. On an own explored "
        "map the team also searches, so the ratio there includes the search.",
        "",
    ]
    lines += _md_table(
        [
            "method",
            "agents",
            "decision-maker",
            "maps",
            "mean steps over maps",
            "best plan",
            "lower bound",
            "steps / best plan",
            "steps / lower bound",
        ],
        (
            [
                r.method,
                str(r.n_agents),
                r.decision_maker,
                str(r.maps),
                _fmt(r.steps),
                _fmt(r.best_plan),
                _fmt(r.lower),
                _fmt(r.steps_per_best_plan, 2),
                _fmt(r.steps_per_lower, 2),
            ]
            for r in rows
        ),
    )
    return lines


def _ladder_section(summary: metrics.Summary) -> list[str]:
    ladders = ladder_lib.ladders(summary)
    lines = [
        "## The paper's ablation ladder",
        "",
        "Rungs found from each cell's `method_config` (family, S-CS on/off, team size), one ladder "
        "per decision-maker. Ours: restricted mean steps to the goal and reduction against the same "
        "decision-maker's Baseline (plain LLM, 1 agent) on shared maps. **Paper** columns are the "
        "DAMCS paper's numbers (GPT-4o, 5 runs on one map; ~ read off its figure), not ours.",
        "",
    ]
    if not ladders:
        return lines + ["No cell of this result set stands on the ladder.", ""]
    for maker, rows in ladders.items():
        lines += [f"### Decision-maker `{maker}`", ""]
        lines += _md_table(
            [
                "rung",
                "our method",
                "maps",
                "success",
                "our steps [95% CI]",
                "our reduction vs Baseline",
                "paper steps",
                "paper reduction",
            ],
            (
                [
                    row.paper.condition,
                    (
                        row.group.method
                        + (f" ({', '.join(row.group.deviations)})" if row.group.deviations else "")
                    )
                    if row.group
                    else "not run",
                    str(row.group.maps) if row.group else "—",
                    _ci_pct(row.group.success) if row.group else "—",
                    _ci(row.group.steps_to_goal) if row.group else "not run",
                    _ci_pct(row.vs_baseline.estimate) if row.vs_baseline else "—",
                    ("~" if row.paper.approximate else "") + f"{row.paper.steps_to_goal:.1f}",
                    _pct(row.paper_reduction) if row.paper.family != "plain-llm" else "—",
                ]
                for row in rows
            ),
        )
    return lines


def _quality_section(
    summary: metrics.Summary, model_accuracy: Mapping[str, float] | None
) -> list[str]:
    points = ladder_lib.decision_quality(summary, model_accuracy)
    if not points:
        return []
    lines = ["## Decision quality", "", "Cells whose decision-maker has a known accuracy P.", ""]
    lines += _md_table(
        ["family", "agents", "P", "decision-maker", "method", "success", "steps [95% CI]"],
        (
            [
                p.family,
                str(p.n_agents),
                f"{p.accuracy:.2f}" + (" (probe)" if p.measured else ""),
                p.decision_maker,
                p.group.method,
                _ci_pct(p.group.success),
                _ci(p.group.steps_to_goal),
            ]
            for p in points
        ),
    )
    return lines


def _achievement_section(summary: metrics.Summary, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    known = sorted(
        {a for g in summary.groups for a in g.achievements}, key=summary.achievements.index
    )
    if not rows or not known:
        return []
    total = len(summary.achievements)
    partial = any(r["score_is_partial"] for r in rows)
    lines = [
        "## Achievements and Crafter score",
        "",
        "Crafter score = exp(mean(ln(1 + s_i))) - 1 over the rule set's achievements, s_i the "
        "success rate in percent.",
    ]
    if partial:
        lines[-1] += (
            f" **Partial**: the records tell only {len(known)} of the {total} achievements (the "
            "goal chain in `milestones`), so the score here is over those, and is not comparable "
            "with Crafter scores in the literature."
        )
    lines.append("")
    lines += _md_table(
        ["method", "agents", "score", *(export.short_name(a) for a in known)],
        (
            [
                r["method"],
                str(r["n_agents"]),
                _fmt(r["crafter_score"]) + ("*" if r["score_is_partial"] else ""),
                *(_pct(r.get(a)) for a in known),
            ]
            for r in rows
        ),
    )
    return lines


def _seeds_section(summary: metrics.Summary) -> list[str]:
    groups = seeds.seed_groups(summary)
    if not groups:
        return []
    milestones = list(groups[0].milestones)
    lines = [
        "## Across training seeds",
        "",
        "Cells whose policies share one training recipe (the run's config without its seed) at one "
        "team size, one cell per training seed: the mean over seeds and, in brackets, the lowest "
        "and highest seed. Seeds are the units; each seed's value is its rate over all its "
        "evaluation episodes.",
        "",
    ]

    def cell(spread: seeds.Spread | None, percent: bool) -> str:
        if spread is None:
            return "—"
        if percent:
            return f"{_pct(spread.mean)} [{_pct(spread.low)}, {_pct(spread.high)}]"
        return f"{spread.mean:.1f} [{spread.low:.1f}, {spread.high:.1f}]"

    lines += _md_table(
        ["recipe", "agents", "seeds", "Crafter score", *(export.short_name(m) for m in milestones)],
        (
            [
                g.name,
                str(g.n_agents),
                " ".join(map(str, g.seeds)),
                cell(g.crafter_score, percent=False),
                *(cell(g.milestones.get(m), percent=True) for m in milestones),
            ]
            for g in groups
        ),
    )
    return lines


def summary_markdown(
    summary: metrics.Summary,
    *,
    comparison: Sequence[Mapping[str, Any]],
    achievements: Sequence[Mapping[str, Any]],
    paper_method: str = "damcs",
    provenance: Mapping[str, Any] | None = None,
    model_accuracy: Mapping[str, float] | None = None,
    counts: store_lib.StoreCounts | None = None,
    bounds: Sequence[bound_table.BoundRow] = (),
    component_rows: Sequence[components.ComponentRow] = (),
) -> str:
    """The report a reader opens first: provenance, goal table, milestones, reductions, each
    component against its control, the optimal-team bound, the ablation ladder, decision quality,
    achievements, rliable, and the paper beside ours. `comparison` and `achievements` are
    `tables.paper_comparison` and `tables.achievement_rows`; `bounds` are
    `bound_table.bound_rows`; `component_rows` are `components.component_rows`."""
    lines = [f"# Results: rules `{summary.rules}`, goal `{summary.goal}`", ""]
    if counts is not None:
        lines += completeness_markdown(counts)
    if provenance:
        lines += provenance_markdown(provenance)
    lines += _steps_section(summary)
    lines += _reduction_section(summary)
    lines += _component_section(component_rows)
    lines += _bound_section(bounds)
    lines += _ladder_section(summary)
    lines += _quality_section(summary, model_accuracy)
    lines += _achievement_section(summary, achievements)
    lines += _seeds_section(summary)
    lines += [
        "## rliable: IQM of the goal score (stratified bootstrap over team sizes)",
        "",
        "goal score = (cap + 1 - steps) / (cap + 1) on success, 0 on failure; runs = distinct "
        "episodes.",
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
    lines += [
        "## Beside the paper (by method label)",
        "",
        "Paper: DAMCS, GPT-4o, mean of 5 runs on its one map (all succeeded). Ours: restricted "
        "mean [95% CI].",
        "",
    ]
    lines += _md_table(
        ["condition", "paper steps", "our method", "our steps [95% CI]", "our success", "maps"],
        (
            [
                row["condition"],
                ("~" if row["paper_approximate"] else "") + f"{row['paper_steps']:.1f}",
                row["our_method"],
                _ci(metrics.Estimate(row["our_steps"], row["our_ci_low"], row["our_ci_high"], 0)),
                _pct(row["our_success_rate"]),
                str(row["our_maps"]),
            ]
            for row in comparison
        ),
    )
    six = summary.group(paper_method, 6)
    lines += [f"Per-milestone steps, 6 agents: paper (S-CS) vs our `{paper_method}`", ""]
    lines += _md_table(
        ["milestone", "paper", "ours (restricted mean)", "our success"],
        (
            [
                export.short_name(m),
                _fmt(reference.SIX_AGENT_MILESTONES.get(m)),
                _fmt(six.milestone(m).steps.mean) if six else "—",
                _pct(six.milestone(m).success_rate) if six else "—",
            ]
            for m in summary.milestones
        ),
    )
    return "\n".join(lines)
