"""Turn a results directory into tables and figures.

    python scripts/make_figures.py results/NAME [--out DIR] [--model-accuracy probe.json]

Reads RESULTS_DIR/store.sqlite (written by scripts/run_benchmark.py) and writes, next to it (or
into --out): summary.md, summary.csv, summary.json, reductions.csv, paper_comparison.csv,
ladder.csv, achievements.csv, episodes.csv, marl_eval.json (+ marl_eval_runs.csv), and the figures
(PNG + PDF) in figures/. Corrupt stored records are skipped and counted, never deleted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import tyro

from benchmark import ladder, plots, report


@dataclass(frozen=True)
class Args:
    results_dir: Annotated[Path, tyro.conf.Positional, tyro.conf.arg(metavar="RESULTS_DIR")]
    """Directory of a benchmark run, holding store.sqlite."""
    reference_method: str = "plain-llm"
    """Method whose single agent plays the paper's "Baseline" in the step reductions."""
    formats: tuple[str, ...] = plots.FORMATS
    """Figure file formats."""
    bootstrap_reps: int = 2000
    """Bootstrap resamples for the IQM and probability-of-improvement intervals."""
    seed: int = 0
    """Seed of the bootstrap, so reruns give identical numbers."""
    out: Path | None = None
    """Write tables and figures here instead of into RESULTS_DIR."""
    model_accuracy: Path | None = None
    """JSON or YAML mapping of model spec -> probe accuracy, to place real models on the
    decision-quality chart (omitted without it)."""


def main() -> None:
    args = tyro.cli(Args, description=__doc__)
    try:
        accuracy = ladder.load_model_accuracy(args.model_accuracy) if args.model_accuracy else None
        written = report.make_report(
            args.results_dir,
            reference_method=args.reference_method,
            formats=args.formats,
            bootstrap_reps=args.bootstrap_reps,
            seed=args.seed,
            model_accuracy=accuracy,
            argv=["scripts/make_figures.py", *sys.argv[1:]],
            out_dir=args.out,
        )
    except report.REPORT_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    report.print_report(args.results_dir, written)


if __name__ == "__main__":
    main()
