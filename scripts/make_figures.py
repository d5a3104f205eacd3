"""Turn a results directory into tables and figures.

    python scripts/make_figures.py results/NAME

Reads RESULTS_DIR/store.sqlite (written by scripts/run_benchmark.py) and writes, next to it:
summary.md, summary.csv, summary.json, reductions.csv, paper_comparison.csv, episodes.csv,
marl_eval.json, and the figures (PNG + PDF) in RESULTS_DIR/figures/. Corrupt stored records are
skipped and counted, never deleted.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import tyro

from benchmark import export, metrics, plots, store


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


class ReportError(RuntimeError):
    """The results directory cannot be reported on."""


def make_report(args: Args) -> dict[str, Path]:
    """Write every table and figure for `args.results_dir`; returns name -> path."""
    out = args.results_dir
    if not out.is_dir():
        raise ReportError(f"{out}: no such results directory")
    path = out / store.STORE_FILENAME
    if not path.is_file():
        raise ReportError(f"{out}: no {store.STORE_FILENAME} (run scripts/run_benchmark.py first)")
    with store.ResultsStore.read(path) as results:
        items, corrupt = results.scan()
    if corrupt:
        print(
            f"warning: skipped {len(corrupt)} corrupt record(s) in {path} "
            f"(first {corrupt[0].key}: {corrupt[0].error})",
            file=sys.stderr,
        )
    if not items:
        raise ReportError(f"{path}: the store holds no finished episodes yet")
    summary = metrics.summarize(
        [record for _, record in items],
        reference_method=args.reference_method,
        bootstrap_reps=args.bootstrap_reps,
        seed=args.seed,
    )
    written = export.write_summary(out, summary)
    summary_json = out / "summary.json"
    summary_json.write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    written["summary.json"] = summary_json
    written["episodes.csv"] = export.write_episodes_csv(out / "episodes.csv", items)
    written["marl_eval.json"] = export.write_marl_eval(out / "marl_eval.json", items)
    for figure in plots.plot_all(summary, out / "figures", args.formats):
        written[f"figures/{figure.name}"] = figure
    return written


def main() -> None:
    args = tyro.cli(Args, description=__doc__)
    try:
        written = make_report(args)
    except (ReportError, store.StoreError, metrics.MetricsError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"wrote {len(written)} files:")
    print(f"  tables:  {args.results_dir}/summary.md (+ summary.csv, episodes.csv, marl_eval.json)")
    print(f"  figures: {args.results_dir / 'figures'}/")


if __name__ == "__main__":
    main()
