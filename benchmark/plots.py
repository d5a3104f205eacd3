"""The benchmark's figures, drawn from a `metrics.Summary` only (never from raw records).

Uses matplotlib's object API (`Figure`, no pyplot), so it needs no display and never changes the
global backend of a caller. Every figure is written as PNG (for the README) and PDF (for papers).
Colour encodes the method and line style / marker the team size, the same in every figure.

1. `milestone_figure`: the paper's figure, mean steps per milestone with 95% CI bands, plus the
   paper's 6-agent DAMCS line for reference.
2. `reduction_figure`: step reduction of 2 and 6 agents vs the same method's single agent and vs
   the reference method's single agent, with the paper's 63% / 74% marked.
3. `success_figure`: success rate per milestone (the other half of figure 1).
4. `cost_figure`: steps to the goal vs LLM tokens per success.
5. `survival_figure`: share of episodes that reached the goal by step t.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from benchmark import export, metrics, reference

FORMATS = ("png", "pdf")
_STYLE = {1: (":", "o"), 2: ("--", "s"), 6: ("-", "^")}


def _color(summary: metrics.Summary, method: str) -> str:
    palette = [f"C{i}" for i in range(10)]
    return palette[summary.methods.index(method) % len(palette)]


def _style(n_agents: int) -> tuple[str, str]:
    return _STYLE.get(n_agents, ("-.", "D"))


def _label(group: metrics.GroupSummary) -> str:
    agents = "agent" if group.n_agents == 1 else "agents"
    return f"{group.method}, {group.n_agents} {agents} (n={group.episodes})"


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _milestone_axis(ax, summary: metrics.Summary) -> np.ndarray:
    x = np.arange(len(summary.milestones))
    ax.set_xticks(x, [export.short_name(m) for m in summary.milestones], rotation=35, ha="right")
    ax.grid(alpha=0.3)
    return x


def milestone_figure(summary: metrics.Summary) -> Figure:
    """Mean steps to each milestone among episodes that reached it, with 95% t-interval bands."""
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    ax = fig.add_subplot()
    x = _milestone_axis(ax, summary)
    for g in summary.groups:
        line, marker = _style(g.n_agents)
        mean = np.array([_nan(m.steps.mean) for m in g.milestones])
        low = np.array([_nan(m.steps.low) for m in g.milestones])
        high = np.array([_nan(m.steps.high) for m in g.milestones])
        color = _color(summary, g.method)
        ax.plot(x, mean, linestyle=line, marker=marker, color=color, label=_label(g))
        # Steps lie in [0, episode cap]; a t-interval over two runs can reach far outside it.
        cap = g.max_steps
        ax.fill_between(x, np.clip(low, 0, cap), np.clip(high, 0, cap), color=color, alpha=0.15,
                        linewidth=0)  # fmt: skip
    if summary.groups:
        ax.set_ylim(0, max(g.max_steps for g in summary.groups) * 1.02)
    paper = [reference.SIX_AGENT_MILESTONES.get(m) for m in summary.milestones]
    if summary.rules == reference.PAPER_RULES and all(p is not None for p in paper):
        ax.plot(x, paper, color="black", linestyle="-", marker="x", alpha=0.6,
                label="paper: DAMCS, 6 agents with S-CS (5 runs)")  # fmt: skip
    ax.set_ylabel("joint steps (mean over episodes that reached it, 95% CI)")
    ax.set_title(f"Steps to each milestone toward {export.short_name(summary.goal)}")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def reduction_figure(summary: metrics.Summary) -> Figure:
    """Bars of 1 - team/single steps for each team, one panel per kind of single-agent baseline."""
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    # Only pairs where both sides reached the goal have a reduction to draw.
    measured = [r for r in summary.reductions if r.reduction is not None]
    own = [r for r in measured if r.baseline_method == r.method]
    ref = [r for r in measured if r.baseline_method != r.method]
    panels = [
        ("vs the same method's single agent", own, False),
        (f"vs the single {summary.reference_method or 'reference'} agent", ref, True),
    ]
    for i, (title, rows, mark_paper) in enumerate(panels):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(title)
        ax.set_ylabel("step reduction to the goal")
        ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.grid(axis="y", alpha=0.3)
        if not rows:
            ax.text(0.5, 0.5, "no team and single agent both\nreached the goal", ha="center",
                    transform=ax.transAxes)  # fmt: skip
            ax.set_xticks([])
            continue
        marked = False
        for j, r in enumerate(rows):
            value = r.reduction
            hatch = "" if r.n_agents == 6 else "//"
            ax.bar(j, _nan(value), color=_color(summary, r.method), hatch=hatch)
            text = f"{100 * value:.0f}%\n(success {100 * r.team_success_rate:.0f}%)"
            ax.text(j, max(value, 0) + 0.02, text, ha="center", va="bottom", fontsize=7)
            paper = reference.HEADLINE_REDUCTIONS.get(r.n_agents)
            if mark_paper and paper is not None:
                ax.hlines(paper, j - 0.4, j + 0.4, colors="black", linestyles="--",
                          label=None if marked else "paper (vs its Baseline agent)")  # fmt: skip
                ax.text(j + 0.4, paper, f"{100 * paper:.0f}%", va="bottom", ha="right", fontsize=8)
                marked = True
        ax.set_xticks(
            range(len(rows)),
            [f"{r.method}\n{r.n_agents} agents" for r in rows],
            fontsize=7,
            rotation=30,
            ha="right",
        )
        if marked:
            ax.legend(fontsize=8, loc="upper left")
        ax.set_ylim(min(0.0, *(r.reduction for r in rows)) - 0.05, 1.1)
    return fig


def success_figure(summary: metrics.Summary) -> Figure:
    """Share of episodes in which any agent reached each milestone."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    x = _milestone_axis(ax, summary)
    for g in summary.groups:
        line, marker = _style(g.n_agents)
        ax.plot(x, [m.success_rate for m in g.milestones], linestyle=line, marker=marker,
                color=_color(summary, g.method), label=_label(g))  # fmt: skip
    ax.set_ylim(-0.03, 1.03)
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.set_ylabel("episodes that reached the milestone")
    ax.set_title("Success rate per milestone")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def cost_figure(summary: metrics.Summary) -> Figure:
    """Steps to the goal (95% CI) against LLM tokens spent per successful episode."""
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.add_subplot()
    for g in summary.groups:
        tokens, steps = g.llm_tokens_per_success, g.steps_to_goal
        if tokens is None or steps.mean is None:
            continue
        _, marker = _style(g.n_agents)
        err = None
        if steps.low is not None:
            err = [[steps.mean - steps.low], [steps.high - steps.mean]]
        ax.errorbar(tokens, steps.mean, yerr=err, marker=marker, markersize=8, capsize=3,
                    color=_color(summary, g.method), linestyle="none", label=_label(g))  # fmt: skip
        ax.annotate(f"{100 * g.success_rate:.0f}%", (tokens, steps.mean), fontsize=7,
                    textcoords="offset points", xytext=(6, 4))  # fmt: skip
    ax.set_xscale("symlog", linthresh=1000)
    ax.set_xlabel("LLM tokens per successful episode (symlog; 0 = no LLM)")
    ax.set_ylabel(f"steps to {export.short_name(summary.goal)} (95% CI)")
    ax.set_title("Cost: speed vs LLM tokens (labels: success rate)")
    ax.grid(alpha=0.3)
    if ax.has_data():
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no successful episodes", ha="center", transform=ax.transAxes)
    return fig


def survival_figure(summary: metrics.Summary) -> Figure:
    """Share of episodes that reached the goal by step t: speed and success rate in one curve."""
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.add_subplot()
    for g in summary.groups:
        line, _ = _style(g.n_agents)
        ax.step(np.arange(len(g.reach_curve)), g.reach_curve, where="post", linestyle=line,
                color=_color(summary, g.method), label=_label(g))  # fmt: skip
    ax.set_ylim(-0.03, 1.03)
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.set_xlabel("joint step t")
    ax.set_ylabel(f"episodes with {export.short_name(summary.goal)} by step t")
    ax.set_title("Reaching the goal over time (failures never arrive)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


FIGURES = {
    "milestone_steps": milestone_figure,
    "step_reduction": reduction_figure,
    "milestone_success": success_figure,
    "cost_tokens": cost_figure,
    "goal_survival": survival_figure,
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
    summary: metrics.Summary, out_dir: str | Path, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Draw every figure of the benchmark into `out_dir`; returns the files written."""
    paths = []
    for name, draw in FIGURES.items():
        paths += save(draw(summary), out_dir, name, formats)
    return paths
