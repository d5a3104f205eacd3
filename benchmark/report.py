"""Turn a results store into tables and figures: the shared back end of the benchmark scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmark import export, metrics, plots, store


class ReportError(RuntimeError):
    """The results directory cannot be reported on."""


def make_report(
    results_dir: str | Path,
    *,
    reference_method: str = "plain-llm",
    formats: tuple[str, ...] = plots.FORMATS,
    bootstrap_reps: int = 2000,
    seed: int = 0,
) -> dict[str, Path]:
    """Write every table and figure for `results_dir`; returns name -> path."""
    out = Path(results_dir)
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
        reference_method=reference_method,
        bootstrap_reps=bootstrap_reps,
        seed=seed,
    )
    written = export.write_summary(out, summary)
    summary_json = out / "summary.json"
    summary_json.write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    written["summary.json"] = summary_json
    written["episodes.csv"] = export.write_episodes_csv(out / "episodes.csv", items)
    written["marl_eval.json"] = export.write_marl_eval(out / "marl_eval.json", items)
    for figure in plots.plot_all(summary, out / "figures", formats):
        written[f"figures/{figure.name}"] = figure
    return written


REPORT_ERRORS: tuple[type[Exception], ...] = (ReportError, store.StoreError, metrics.MetricsError)


def print_report(results_dir: Path, written: dict[str, Path]) -> None:
    print(f"wrote {len(written)} files:")
    print(f"  tables:  {results_dir}/summary.md (+ summary.csv, episodes.csv, marl_eval.json)")
    print(f"  figures: {results_dir / 'figures'}/")
