"""Turn a results directory into tables and figures.

    python scripts/make_figures.py results/NAME [--out DIR] [--model-accuracy probe.json]

Reads RESULTS_DIR/store.sqlite (written by scripts/run_benchmark.py) and writes, next to it (or
into --out): summary.md, summary.csv, summary.json, reductions.csv, paper_comparison.csv,
ladder.csv, achievements.csv, seeds.csv (several training seeds), episodes.csv, marl_eval.json (+ marl_eval_runs.csv), and the figures
(PNG + PDF) in figures/. Corrupt stored records are skipped and counted, never deleted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import tyro

from benchmark import ladder, plots, report, store


def check(args: Args) -> None:
    """Every argument checked before any file is written; a ValueError names the one at fault."""
    from matplotlib.backend_bases import FigureCanvasBase

    allowed = sorted(FigureCanvasBase.get_supported_filetypes())
    bad = [f for f in args.formats if f not in allowed]
    if bad or not args.formats:
        raise ValueError(f"invalid --formats {bad or '(none)'}; allowed: {', '.join(allowed)}")
    if args.bootstrap_reps < 1:
        raise ValueError(
            f"invalid --bootstrap-reps {args.bootstrap_reps}; allowed: an integer >= 1"
        )
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ValueError(f"invalid --out {args.out}: it is a file; allowed: a directory")
    path = args.results_dir / store.STORE_FILENAME
    if not args.results_dir.is_dir():
        raise ValueError(f"no such results directory: {args.results_dir}")
    if not path.is_file():
        raise ValueError(f"invalid RESULTS_DIR {args.results_dir}: no {store.STORE_FILENAME} in it")
    with store.ResultsStore.read(path) as results:
        labels = sorted({key.method for key, _ in results.scan()[0]})
    if args.reference_method is not None and args.reference_method not in labels:
        raise ValueError(
            f"invalid --reference-method {args.reference_method!r}; allowed: the methods of "
            f"this result set: {', '.join(labels)}"
        )


@dataclass(frozen=True)
class Args:
    results_dir: Annotated[Path, tyro.conf.Positional, tyro.conf.arg(metavar="RESULTS_DIR")]
    """Directory of a benchmark run, holding store.sqlite."""
    reference_method: str | None = None
    """Method whose single agent plays the paper's "Baseline" in the step reductions (default:
    plain-llm when the result set has it)."""
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
        check(args)
    except (ValueError, store.StoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        accuracy = ladder.load_model_accuracy(args.model_accuracy) if args.model_accuracy else None
        written = report.make_report(
            args.results_dir,
            reference_method=args.reference_method or "plain-llm",
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
    except OSError as error:
        # A full disk or a vanished directory: the store is only read, so it is unharmed.
        print(
            f"error: could not write the report ({error.strerror or error}); the results store "
            "is unchanged, free space or pick --out and rerun",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    report.print_report(args.results_dir, written)


if __name__ == "__main__":
    main()
