"""The benchmark's figures, drawn from a `metrics.Summary` only (never from raw records).

Uses matplotlib's object API (`Figure`, no pyplot), so it needs no display and never changes the
global backend of a caller. Every figure is written as PNG (for the README) and PDF (for papers).

Conventions, the same in every figure: colour is the method label (a fixed table for the known
methods, a stable hash of the label for others, so a method keeps its colour across result sets);
line style and marker are the team size; legends sit outside the data; intervals of steps are held
inside [0, cap]; `n=` in a label is the number of maps (the independent units) behind an interval.
A figure with nothing to show is not drawn at all (`None`), rather than drawn empty.

1. `milestone_figure`: restricted mean steps per milestone, with the paper's 6-agent DAMCS line.
2. `success_figure`: success rate per milestone with Wilson intervals.
3. `reduction_figure`: paired step reduction of teams vs single agents.
4. `survival_figure`: Kaplan-Meier share of episodes that reached the goal by step t.
5. `ladder_figure`: the paper's ablation ladder per decision-maker, ours beside the paper's.
6. `quality_figure`: steps and success against decision accuracy P.
7. `cost_figure`: steps to the goal vs LLM tokens per success (only when an LLM was used).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from agents.llm import controls
from benchmark import export, metrics, reference
from benchmark import ladder as ladder_lib

FORMATS = ("png", "pdf")
_STYLE = {1: (":", "o"), 2: ("--", "s"), 6: ("-", "^")}
KNOWN_COLORS = {
    "damcs": "#1f77b4",
    "damcs-nocomm": "#9ecae1",
    "plain-llm": "#d62728",
    "scripted": "#2ca02c",
    "scripted-privileged": "#98df8a",
    "ppo": "#ff7f0e",
    "mappo": "#9467bd",
    "random": "#7f7f7f",
    "scripted-noroles": "#bcbd22",
    "plain-oracle": "#e377c2",
    "damcs-oracle": "#17becf",
    "damcs-oracle-nocomm": "#8c564b",
}
"""Fixed colours of the methods every suite runs, so figures of different result sets agree."""
_HASHED = (
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#d6616b", "#e7ba52", "#ce6dbd",
    "#5254a3", "#b5cf6b", "#ad494a", "#a55194",
)  # fmt: skip
"""Colours for other labels, none close to a fixed colour above (no grey, orange, blue or green
that a reader could take for random, PPO, DAMCS or scripted)."""
PAPER_STYLE = {"color": "black", "marker": "x", "linestyle": "none", "markersize": 9}


def color(method: str) -> str:
    """The colour of a method label: fixed for known methods, else a stable hash (not Python's
    salted `hash`) of the label, so reruns and other result sets agree."""
    return palette([method])[method]


def palette(labels: Iterable[str]) -> dict[str, str]:
    """The colours of the labels one result set draws together: `KNOWN_COLORS` for known ones;
    the others their hashed colour unless a label before it (sorted) took it, then the next free
    one, so no two labels of a figure share a colour while fewer than 13 are hashed, and a label
    keeps the colour it has in other result sets unless two of them collide."""
    wanted = set(labels)
    found = {label: KNOWN_COLORS[label] for label in wanted if label in KNOWN_COLORS}
    taken: set[str] = set()
    for label in sorted(wanted - set(found)):
        start = zlib.crc32(label.encode()) % len(_HASHED)
        probe = (_HASHED[(start + k) % len(_HASHED)] for k in range(len(_HASHED)))
        found[label] = next((c for c in probe if c not in taken), _HASHED[start])
        taken.add(found[label])
    return found


def _style(n_agents: int) -> tuple[str, str]:
    return _STYLE.get(n_agents, ("-.", "D"))


def _label(group: metrics.GroupSummary) -> str:
    agents = "agent" if group.n_agents == 1 else "agents"
    return f"{group.method}, {group.n_agents} {agents} (n={group.maps} maps)"


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _legend_outside(fig: Figure, ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _milestone_axis(ax: Axes, summary: metrics.Summary) -> np.ndarray:
    x = np.arange(len(summary.milestones))
    ax.set_xticks(x, [export.short_name(m) for m in summary.milestones], rotation=35, ha="right")
    ax.grid(alpha=0.3)
    return x


def _cap(summary: metrics.Summary) -> int:
    return max(g.max_steps for g in summary.groups)


def _yerr(est: metrics.Estimate, low: float, high: float) -> list[list[float]] | None:
    """Asymmetric error bar of an estimate, held inside [low, high]; None without an interval."""
    if est.mean is None or est.low is None or est.high is None:
        return None
    e = est.clipped(low, high)
    return [[e.mean - e.low], [e.high - e.mean]]


def milestone_figure(summary: metrics.Summary) -> Figure | None:
    """Restricted mean steps to each milestone (failures at the cap), 95% bootstrap bands; one
    panel per team size, so a panel holds one line per method."""
    colors = palette(summary.methods)
    if not summary.groups:
        return None
    sizes = sorted({g.n_agents for g in summary.groups})
    cap = _cap(summary)
    fig = Figure(figsize=(4.6 * len(sizes) + 3.0, 5.5), layout="constrained")
    axes = fig.subplots(1, len(sizes), squeeze=False, sharey=True)[0]
    paper = [reference.SIX_AGENT_MILESTONES.get(m) for m in summary.milestones]
    draw_paper = summary.rules == reference.PAPER_RULES and all(p is not None for p in paper)
    handles: dict[str, Any] = {}
    for ax, n in zip(axes, sizes, strict=True):
        x = _milestone_axis(ax, summary)
        for g in (g for g in summary.groups if g.n_agents == n):
            line, marker = _style(g.n_agents)
            ests = [m.steps.clipped(0, g.max_steps) for m in g.milestones]
            mean = np.array([_nan(e.mean) for e in ests])
            (h,) = ax.plot(
                x, mean, linestyle="-", marker=marker, color=colors[g.method], label=g.method
            )
            handles.setdefault(g.method, h)
            low = np.array([_nan(e.low) for e in ests])
            high = np.array([_nan(e.high) for e in ests])
            ax.fill_between(x, low, high, color=colors[g.method], alpha=0.12, linewidth=0)
        ax.axhline(cap, color="grey", linewidth=0.8, linestyle=":")
        ax.set_ylim(0, cap * 1.03)
        if draw_paper and n == 6:
            (h,) = ax.plot(x, paper, color="black", linestyle="-", marker="x", alpha=0.6)
            handles["paper: DAMCS, 6 agents with S-CS (GPT-4o, 5 runs)"] = h
        ax.set_title(f"{n} agent{'s' if n > 1 else ''}", fontsize=10)
    maps = sorted({g.maps for g in summary.groups})
    span = f"{maps[0]}" if len(maps) == 1 else f"{maps[0]}-{maps[-1]}"
    axes[0].set_ylabel(f"joint steps, restricted mean to the cap ({cap}), 95% CI")
    fig.suptitle(
        f"Steps to each milestone toward {export.short_name(summary.goal)} "
        f"(a milestone never reached counts at the cap; n={span} maps per line)"
    )
    axes[-1].legend(
        handles.values(), handles.keys(), fontsize=8, loc="upper left",
        bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
    )  # fmt: skip
    return fig


def success_figure(summary: metrics.Summary) -> Figure | None:
    """Share of distinct episodes in which any agent reached each milestone (95% Wilson); one
    panel per team size."""
    colors = palette(summary.methods)
    if not summary.groups:
        return None
    sizes = sorted({g.n_agents for g in summary.groups})
    fig = Figure(figsize=(4.6 * len(sizes) + 3.0, 5.0), layout="constrained")
    axes = fig.subplots(1, len(sizes), squeeze=False, sharey=True)[0]
    handles: dict[str, Any] = {}
    for ax, n in zip(axes, sizes, strict=True):
        x = _milestone_axis(ax, summary)
        groups = [g for g in summary.groups if g.n_agents == n]
        offsets = np.linspace(-0.2, 0.2, len(groups)) if len(groups) > 1 else [0.0]
        for g, dx in zip(groups, offsets, strict=True):
            _, marker = _style(g.n_agents)
            rates = np.array([m.success.mean for m in g.milestones])
            err = np.array([[m.success.mean - m.success.low, m.success.high - m.success.mean]
                            for m in g.milestones]).T  # fmt: skip
            h = ax.errorbar(x + dx, rates, yerr=err, linestyle="-", marker=marker, markersize=4,
                            capsize=0, linewidth=1, elinewidth=0.5, alpha=0.9,
                            color=colors[g.method])  # fmt: skip
            handles.setdefault(g.method, h)
        ax.set_ylim(-0.03, 1.03)
        ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        units = sorted({g.units for g in groups})
        span = f"{units[0]}" if len(units) == 1 else f"{units[0]}-{units[-1]}"
        ax.set_title(
            f"{n} agent{'s' if n > 1 else ''} (n={span} distinct episodes per line)", fontsize=10
        )
    axes[0].set_ylabel("episodes that reached the milestone (95% Wilson)")
    fig.suptitle("Success rate per milestone")
    axes[-1].legend(
        handles.values(), handles.keys(), fontsize=8, loc="upper left",
        bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
    )  # fmt: skip
    return fig


def reduction_figure(summary: metrics.Summary) -> Figure | None:
    """Paired step reduction, 1 - team/single of restricted means on shared maps, with 95% CIs;
    one panel per kind of single agent, only panels with something to draw."""
    colors = palette(summary.methods)
    measured = [r for r in summary.reductions if r.reduction is not None]
    own = [r for r in measured if r.baseline_method == r.method]
    ref = [r for r in measured if r.baseline_method != r.method]
    panels = [
        (p, rows, mark)
        for p, rows, mark in (
            ("vs the same method's single agent", own, False),
            (f"vs the single {summary.reference_method or 'reference'} agent", ref, True),
        )
        if rows
    ]
    if not panels:
        return None
    fig = Figure(figsize=(5 + 3.5 * len(panels), 4.8), layout="constrained")
    for i, (title, rows, mark_paper) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("fewer steps to the goal (paired, 95% CI)")
        ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.grid(axis="y", alpha=0.3)
        marked = False
        for j, r in enumerate(rows):
            hatch = "" if r.n_agents == 6 else "//"
            ax.bar(j, r.reduction, color=colors[r.method], hatch=hatch, edgecolor="white")
            err = _yerr(r.estimate, -np.inf, 1.0)
            if err is not None:
                ax.errorbar(j, r.reduction, yerr=err, color="black", capsize=3)
            paper = reference.HEADLINE_REDUCTIONS.get(r.n_agents)
            if mark_paper and paper is not None:
                ax.plot(j, paper, **PAPER_STYLE,
                        label=None if marked else "paper, vs its Baseline (GPT-4o)")  # fmt: skip
                marked = True
        ax.set_xticks(
            range(len(rows)),
            [f"{r.method}\n{r.n_agents} agents ({r.maps} maps)" for r in rows],
            fontsize=7,
            rotation=30,
            ha="right",
        )
        lows = [r.estimate.low for r in rows if r.estimate.low is not None]
        ax.set_ylim(min([0.0, *lows, *(r.reduction for r in rows)]) - 0.05, 1.05)
        if marked:
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.35))
    return fig


def survival_figure(summary: metrics.Summary) -> Figure | None:
    """Kaplan-Meier share of episodes that reached the goal by step t; failures never arrive."""
    colors = palette(summary.methods)
    groups = [g for g in summary.groups if g.successes]
    if not groups:
        return None
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.add_subplot()
    for g in groups:
        line, _ = _style(g.n_agents)
        ax.step(np.arange(len(g.reach_curve)), g.reach_curve, where="post", linestyle=line,
                color=colors[g.method], label=_label(g))  # fmt: skip
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(0, _cap(summary))
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.set_xlabel("joint step t (the cap ends the axis)")
    ax.set_ylabel(f"{export.short_name(summary.goal)} reached by step t (Kaplan-Meier)")
    skipped = len(summary.groups) - len(groups)
    note = f"; {skipped} cells that never reached it not drawn" if skipped else ""
    ax.set_title(f"Reaching the goal over time{note}", fontsize=10)
    ax.grid(alpha=0.3)
    _legend_outside(fig, ax)
    return fig


def ladder_figure(summary: metrics.Summary) -> Figure | None:
    """The paper's ablation ladder, one panel per decision-maker: our restricted mean steps (bars,
    95% CI, success and reduction vs Baseline above) beside the paper's values (black x)."""
    ladders = ladder_lib.ladders(summary)
    if not ladders:
        return None
    cap = _cap(summary)
    fig = Figure(figsize=(10, 3.6 * len(ladders) + 1.0), layout="constrained")
    axes = fig.subplots(len(ladders), 1, squeeze=False)[:, 0]
    names = ["Baseline\n1 agent", "DAMCS\n1 agent", "2, no comm", "2, S-CS", "6, no comm",
             "6, S-CS"]  # fmt: skip
    for ax, (maker, rows) in zip(axes, ladders.items(), strict=True):
        for j, row in enumerate(rows):
            first = j == 0 and ax is axes[0]
            ax.plot(j, row.paper.steps_to_goal, **PAPER_STYLE,
                    label="paper (GPT-4o, 5 runs, one map)" if first else None)  # fmt: skip
            g = row.group
            if g is None:
                ax.text(j, cap * 0.04, "not run", ha="center", va="bottom", fontsize=8,
                        color="grey", rotation=90)  # fmt: skip
                continue
            steps = g.steps_to_goal.clipped(0, g.max_steps)
            # Colour by family here: labels differ per decision-maker, the family is the rung.
            ax.bar(j, steps.mean, color=color(g.family), alpha=0.85, width=0.6)
            err = _yerr(steps, 0, g.max_steps)
            if err is not None:
                ax.errorbar(j, steps.mean, yerr=err, color="black", capsize=3)
            text = f"{g.method}\nsuccess {100 * g.success_rate:.0f}%, {g.maps} maps"
            if row.vs_baseline and row.vs_baseline.reduction is not None:
                text += f"\n{100 * row.vs_baseline.reduction:.0f}% vs Baseline"
            ax.text(j, min(steps.high or steps.mean, cap) + cap * 0.02, text, ha="center",
                    va="bottom", fontsize=6.5)  # fmt: skip
        ax.set_xticks(range(len(names)), names, fontsize=8)
        ax.set_ylim(0, cap * 1.35)
        ax.axhline(cap, color="grey", linewidth=0.8, linestyle=":",
                   label=f"episode cap ({cap}): a failure counts here" if ax is axes[0] else None)  # fmt: skip
        ax.set_ylabel("steps to goal\n(restricted mean)")
        ax.set_title(f"Ablation ladder, decision-maker {maker}", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        _legend_outside(fig, ax)
    return fig


def quality_figure(
    summary: metrics.Summary, model_accuracy: Mapping[str, float] | None = None
) -> Figure | None:
    """Steps to the goal (top) and success rate (bottom) against decision accuracy P, one column
    per team size, plain LLM vs DAMCS in each; real models (stars) at their probe accuracy."""
    points = ladder_lib.decision_quality(summary, model_accuracy)
    synthetic = [p for p in points if not p.measured]
    if len({p.accuracy for p in synthetic}) < 2:
        return None  # one accuracy is a point, not a curve
    sizes = sorted({p.n_agents for p in synthetic})
    cap = _cap(summary)
    fig = Figure(figsize=(3.6 * len(sizes) + 2.5, 6.5), layout="constrained")
    axes = fig.subplots(2, len(sizes), squeeze=False, sharex=True)
    for col, n in enumerate(sizes):
        ax_steps, ax_success = axes[0, col], axes[1, col]
        for family in ladder_lib.QUALITY_FAMILIES:
            pts = sorted(
                (p for p in synthetic if p.family == family and p.n_agents == n),
                key=lambda p: p.accuracy,
            )
            if not pts:
                continue
            maps = sorted({p.group.maps for p in pts})
            span = f"{maps[0]}" if len(maps) == 1 else f"{maps[0]}-{maps[-1]}"
            label = f"{family} (n={span} maps per point)"
            x = [p.accuracy for p in pts]
            for ax, ests in (
                (ax_steps, [p.group.steps_to_goal.clipped(0, p.group.max_steps) for p in pts]),
                (ax_success, [p.group.success for p in pts]),
            ):
                _, marker = _style(n)
                ax.plot(x, [e.mean for e in ests], marker=marker, color=color(family),
                        label=label if col == len(sizes) - 1 else None)  # fmt: skip
                ax.fill_between(x, [_nan(e.low) for e in ests], [_nan(e.high) for e in ests],
                                color=color(family), alpha=0.15, linewidth=0)  # fmt: skip
        for p in points:
            if not p.measured or p.n_agents != n:
                continue
            for ax, value in (
                (ax_steps, p.group.steps_to_goal.mean),
                (ax_success, p.group.success_rate),
            ):
                ax.plot(p.accuracy, value, marker="*", markersize=13, linestyle="none",
                        color=color(p.family), markeredgecolor="black")  # fmt: skip
                ax.annotate(p.decision_maker, (p.accuracy, value), fontsize=7,
                            textcoords="offset points", xytext=(6, -10))  # fmt: skip
        ax_steps.set_title(f"{n} agent{'s' if n > 1 else ''}", fontsize=10)
        ax_steps.set_ylim(0, cap * 1.03)
        ax_success.set_ylim(-0.03, 1.03)
        ax_success.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax_success.set_xlabel("decision accuracy P\n(0 = uniform pick, 1 = oracle)")
        for ax in (ax_steps, ax_success):
            ax.set_xlim(-0.03, 1.03)
            ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("steps to goal\n(restricted mean, 95% CI)")
    axes[1, 0].set_ylabel("success rate (95% Wilson)")
    fig.suptitle("How good must decisions be? (stars: real models at their probe accuracy)")
    _legend_outside(fig, axes[0, -1])
    return fig


def cost_figure(summary: metrics.Summary) -> Figure | None:
    """Steps to the goal (95% CI) against LLM tokens spent per successful episode; only cells that
    used a real language model (not a model-free control) and succeeded at least once."""
    colors = palette(summary.methods)
    groups = [
        g
        for g in summary.groups
        if g.uses_llm
        and g.llm_tokens_per_success is not None
        and not (g.decision_maker and controls.is_control(g.decision_maker))
    ]  # a control builds prompts no model reads: its "tokens" cost nothing
    if not groups:
        return None
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.add_subplot()
    for g in groups:
        tokens, steps = g.llm_tokens_per_success, g.steps_to_goal.clipped(0, g.max_steps)
        _, marker = _style(g.n_agents)
        ax.errorbar(tokens, steps.mean, yerr=_yerr(steps, 0, g.max_steps), marker=marker,
                    markersize=8, capsize=3, color=colors[g.method], linestyle="none",
                    label=_label(g))  # fmt: skip
        ax.annotate(f"{100 * g.success_rate:.0f}%", (tokens, steps.mean), fontsize=7,
                    textcoords="offset points", xytext=(6, 4))  # fmt: skip
    ax.set_xscale("log")
    ax.set_ylim(0, _cap(summary) * 1.03)
    ax.set_xlabel("LLM tokens per successful episode (log)")
    ax.set_ylabel(f"steps to {export.short_name(summary.goal)} (restricted mean, 95% CI)")
    ax.set_title("Cost: speed vs LLM tokens (labels: success rate)")
    ax.grid(alpha=0.3)
    _legend_outside(fig, ax)
    return fig


FIGURES: dict[str, Callable[[metrics.Summary], Figure | None]] = {
    "milestone_steps": milestone_figure,
    "milestone_success": success_figure,
    "step_reduction": reduction_figure,
    "goal_survival": survival_figure,
    "ablation_ladder": ladder_figure,
    "cost_tokens": cost_figure,
}


def save(
    fig: Figure, out_dir: str | Path, name: str, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Write `fig` as out_dir/name.<fmt> per format; PDFs carry no timestamp, so reruns match."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        metadata = {"CreationDate": None} if fmt == "pdf" else None
        fig.savefig(path, dpi=150, metadata=metadata)
        paths.append(path)
    return paths


def plot_all(
    summary: metrics.Summary,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    *,
    model_accuracy: Mapping[str, float] | None = None,
) -> list[Path]:
    """Draw every figure that has something to show into `out_dir`; returns the files written."""
    paths = []
    drawn = {name: draw(summary) for name, draw in FIGURES.items()}
    drawn["decision_quality"] = quality_figure(summary, model_accuracy)
    for name, fig in drawn.items():
        if fig is not None:
            paths += save(fig, out_dir, name, formats)
            continue
        # A figure an earlier run drew must not outlive the data that supported it.
        for fmt in formats:
            (Path(out_dir) / f"{name}.{fmt}").unlink(missing_ok=True)
    return paths
