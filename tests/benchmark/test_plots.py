"""Figures for a paper: stable colours, legends outside the data, intervals inside [0, cap], and no
figure drawn for data that cannot support it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from benchmark import metrics, plots
from tests.benchmark.conftest import fixture_records, make_record


@pytest.fixture(scope="module")
def summary():
    return metrics.summarize(fixture_records(), bootstrap_reps=100)


def test_colours_are_fixed_by_label_not_by_position():
    assert plots.color("damcs") == plots.KNOWN_COLORS["damcs"]
    assert plots.color("my-new-method") == plots.color("my-new-method")
    assert plots.color("my-new-method").startswith("#")
    # the same label gets the same colour whatever else is in the result set
    alone = metrics.summarize([make_record("zeta", 1, 100)], bootstrap_reps=10)
    fig = plots.milestone_figure(alone)
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("zeta")]
    assert line.get_color() == plots.color("zeta")


def test_labels_drawn_together_never_share_a_colour():
    # these two hash to the same colour; drawn together, the later one takes the next free colour
    assert plots.color("damcs-noisy-0") == plots.color("damcs-noisy-0.9")
    labels = ["damcs", "damcs-noisy-0", "damcs-noisy-0.9", *(f"label-{i}" for i in range(9))]
    colours = plots.palette(labels)
    assert len(set(colours.values())) == len(labels)
    assert colours["damcs"] == plots.KNOWN_COLORS["damcs"]
    assert colours["damcs-noisy-0"] == plots.color("damcs-noisy-0")
    records = [make_record("damcs-noisy-0", 1, 100), make_record("damcs-noisy-0.9", 1, 120)]
    fig = plots.milestone_figure(metrics.summarize(records, bootstrap_reps=10))
    drawn = {ln.get_label(): ln.get_color() for ln in fig.axes[0].get_lines()}
    assert drawn["damcs-noisy-0"] != drawn["damcs-noisy-0.9"]


@pytest.mark.parametrize("name", sorted(plots.FIGURES))
def test_legend_sits_outside_the_axes(summary, name):
    fig = plots.FIGURES[name](summary)
    assert fig is not None
    FigureCanvasAgg(fig).draw()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box, area = legend.get_window_extent(), ax.get_window_extent()
        assert box.x0 >= area.x1 - 1 or box.y1 <= area.y0 + 1, name


def test_step_intervals_stay_inside_zero_and_the_cap(summary):
    fig = plots.milestone_figure(summary)
    ax = fig.axes[0]
    for band in ax.collections:
        y = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
        y = y[np.isfinite(y)]
        assert y.min() >= 0 and y.max() <= 350
    ladder = plots.ladder_figure(summary)
    for ax in ladder.axes:
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), dtype=float)
            assert np.nanmin(y) >= 0 and np.nanmax(y) <= 350


def test_figures_without_support_are_not_drawn(tmp_path):
    no_llm = [make_record("scripted", n, 100, map_seed=m) for n in (1, 2) for m in (0, 1)]
    s = metrics.summarize(no_llm, bootstrap_reps=20)
    assert plots.cost_figure(s) is None  # no method used an LLM
    assert plots.quality_figure(s) is None  # no decision-maker of known accuracy
    never = metrics.summarize([make_record("ppo", n, None) for n in (1, 2)], bootstrap_reps=20)
    assert plots.reduction_figure(never) is None  # neither side ever reached the goal
    assert plots.survival_figure(never) is None
    assert plots.ladder_figure(never) is None  # a trained policy has no decision-maker
    # a figure an earlier run drew is removed when the data no longer supports it
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "cost_tokens.png").write_bytes(b"stale")
    written = plots.plot_all(s, figures, ("png",))
    assert not (figures / "cost_tokens.png").exists()
    assert {p.stem for p in written} >= {"milestone_steps", "ablation_ladder", "step_reduction"}


def test_quality_figure_with_a_sweep():
    records = []
    for spec, step in (("uniform", None), ("noisy-oracle:0.5", 200), ("oracle", 90)):
        for family in ("plain-llm", "damcs"):
            r = make_record(f"{family}-{spec}", 1, step)
            records.append(dataclasses.replace(r, method_config={"method": family, "model": spec}))
    s = metrics.summarize(records, reference_method=None, bootstrap_reps=20)
    fig = plots.quality_figure(s, {"qwen2.5-0.5b": 0.6})
    assert fig is not None and len(fig.axes) == 2  # steps and success, one team size


def test_cost_figure_leaves_out_model_free_controls():
    """A control builds prompts no model reads: its token count is no cost, so it is not drawn."""

    def cell(spec: str) -> list:
        return [
            dataclasses.replace(
                make_record(f"damcs-{spec}", 1, 100, map_seed=m, llm_calls=10, llm_tokens=1000),
                method_config={"method": "damcs", "model": spec},
            )
            for m in (0, 1)
        ]

    controls_only = metrics.summarize(cell("oracle") + cell("noisy-oracle:0.5"), bootstrap_reps=10)
    assert plots.cost_figure(controls_only) is None
    with_model = metrics.summarize(cell("oracle") + cell("qwen2.5-0.5b"), bootstrap_reps=10)
    fig = plots.cost_figure(with_model)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert len(labels) == 1 and labels[0].startswith("damcs-qwen2.5-0.5b")


def test_milestone_panels_one_per_team_size(summary):
    fig = plots.milestone_figure(summary)
    sizes = sorted({g.n_agents for g in summary.groups})
    assert [ax.get_title() for ax in fig.axes] == [
        f"{n} agent{'s' if n > 1 else ''}" for n in sizes
    ]
    fig = plots.success_figure(summary)
    assert len(fig.axes) == len(sizes)
