"""Learning curves of MARL runs from their TensorBoard logs: success rate per milestone and the
Crafter score against environment steps (player steps), one line per run.

    python scripts/learning_curves.py runs/ppo-n2 runs/mappo-n2 --out results/figures/curves.png

Reads ``eval/*`` (held-out seeds) when a run logged evaluation episodes, else the training-episode
tags (``achievements/*``, ``charts/crafter_score``); `--source` forces one. The milestones are the
rule set's achievements, so every panel a run logged is drawn.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Literal

import tyro
from tensorboard.backend.event_processing import event_accumulator

SOURCES = {
    "eval": ("eval/crafter_score", "eval/success/"),
    "train": ("charts/crafter_score", "achievements/"),
}


@dataclasses.dataclass(frozen=True)
class Args:
    runs: tyro.conf.Positional[tuple[Path, ...]]
    """Run directories (each with a tb/ folder)."""
    out: Path = Path("runs/learning_curves.png")
    """Figure to write (PNG); the default lies outside the committed results/."""
    source: Literal["auto", "eval", "train"] = "auto"
    """eval: held-out evaluation episodes; train: training episodes; auto: eval if logged."""
    milestones: tuple[str, ...] = (
        "collect_wood",
        "place_table",
        "make_wood_pickaxe",
        "collect_stone",
        "make_stone_pickaxe",
        "collect_coal",
        "collect_iron",
        "collect_diamond",
    )
    """Achievements to draw, one panel each (the road to the diamond by default)."""


def curves(run: Path, source: str) -> tuple[str, dict[str, list[tuple[int, float]]]]:
    """The source used and its series: ``score`` and one per achievement, as (step, value)."""
    acc = event_accumulator.EventAccumulator(str(run / "tb"), size_guidance={"scalars": 0})
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    if source == "auto":
        source = "eval" if SOURCES["eval"][0] in tags else "train"
    score_tag, prefix = SOURCES[source]
    series = {
        tag.removeprefix(prefix): [(e.step, e.value) for e in acc.Scalars(tag)]
        for tag in tags
        if tag.startswith(prefix)
    }
    if score_tag in tags:
        series["score"] = [(e.step, e.value) for e in acc.Scalars(score_tag)]
    return source, series


def main(args: Args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = ["score", *args.milestones]
    cols = 3
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    for run in args.runs:
        if not (run / "tb").is_dir():
            print(f"error: {run} has no tb/ folder", file=sys.stderr)
            return 2
        source, series = curves(run, args.source)
        if not series:
            print(f"note: {run} logged no {source} success curves yet", file=sys.stderr)
        for ax, name in zip(axes.flat, panels, strict=False):
            points = series.get(name, [])
            if points:
                steps, values = zip(*points, strict=True)
                ax.plot(steps, values, label=f"{run.name} ({source})")
    for ax, name in zip(axes.flat, panels, strict=False):
        ax.set_title("Crafter score (%)" if name == "score" else f"{name} success (%)", fontsize=9)
        ax.set_xlabel("environment steps (player steps)", fontsize=8)
        if name == "score":
            ax.set_ylim(bottom=0)
        else:
            ax.set_ylim(-2, 102)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
