"""Turn a results store into tables and figures: the shared back end of the benchmark scripts."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmark import bound_table, components, export, ladder, metrics, plots, seeds, store, tables
from episode import record as records_lib

VERSIONED_PACKAGES = ("numpy", "scipy", "torch", "transformers", "pettingzoo")


class ReportError(RuntimeError):
    """The results directory cannot be reported on."""


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _gpu() -> str:
    """GPU names from nvidia-smi, without importing torch (slow, and it may grab a device)."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "none"
    return ", ".join(line.strip() for line in out.stdout.splitlines() if line.strip()) or "none"


def provenance(
    records: Iterable[records_lib.EpisodeRecord], argv: Sequence[str] | None = None
) -> dict[str, Any]:
    """Where a report came from: command, date, code (dirty or not) of the report and of the
    episodes, host, package versions and the model revisions the records name."""
    records = list(records)
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "command": " ".join(argv if argv is not None else sys.argv),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "report_code_version": records_lib.code_version(),
        "episode_code_versions": sorted({r.code_version for r in records}),
        "host_cpu": _cpu(),
        "host_gpu": _gpu(),
        "python": platform.python_version(),
        "packages": versions,
        "model_revisions": list(metrics.model_revisions(records)) or ["none recorded"],
        "episodes": len(records),
    }


def make_report(
    results_dir: str | Path,
    *,
    reference_method: str = "plain-llm",
    formats: tuple[str, ...] = plots.FORMATS,
    bootstrap_reps: int = 2000,
    seed: int = 0,
    model_accuracy: Mapping[str, float] | None = None,
    argv: Sequence[str] | None = None,
    out_dir: str | Path | None = None,
) -> dict[str, Path]:
    """Write every table and figure for `results_dir` (into `out_dir`, default the results
    directory itself); returns name -> path.

    `model_accuracy` (model spec -> probe accuracy) places real models on the decision-quality
    chart; `argv` is the command recorded in the provenance (default: this process's)."""
    source = Path(results_dir)
    if not source.is_dir():
        raise ReportError(f"{source}: no such results directory")
    path = source / store.STORE_FILENAME
    if not path.is_file():
        raise ReportError(
            f"{source}: no {store.STORE_FILENAME} (run scripts/run_benchmark.py first)"
        )
    out = Path(out_dir) if out_dir is not None else source
    with store.ResultsStore.read(path) as results:
        items, corrupt = results.scan()
        counts = results.counts()
    if corrupt:
        print(
            f"warning: skipped {len(corrupt)} corrupt record(s) in {path} "
            f"(first {corrupt[0].key}: {corrupt[0].error})",
            file=sys.stderr,
        )
    if not items:
        raise ReportError(f"{path}: the store holds no finished episodes yet")
    records = [record for _, record in items]
    summary = metrics.summarize(
        records, reference_method=reference_method, bootstrap_reps=bootstrap_reps, seed=seed
    )
    origin = provenance(records, argv)
    bounds = bound_table.bound_rows(summary)
    component_rows = components.component_rows(summary)
    written = tables.write_summary(
        out,
        summary,
        provenance=origin,
        model_accuracy=model_accuracy,
        counts=counts,
        bounds=bounds,
        component_rows=component_rows,
    )
    summary_json = out / "summary.json"
    document = {
        "completeness": tables.completeness(counts),
        "provenance": origin,
        **summary.to_dict(),
        "components": [row.to_dict() for row in component_rows],
        "optimal_team_bound": [row.to_dict() for row in bounds],
        "ablation_ladder": tables.ladder_rows(summary),
        "decision_quality": [p.to_dict() for p in ladder.decision_quality(summary, model_accuracy)],
        "achievement_rates": tables.achievement_rows(summary),
        "across_seeds": [g.to_dict() for g in seeds.seed_groups(summary)],
    }
    summary_json.write_text(json.dumps(document, indent=2) + "\n")
    written["summary.json"] = summary_json
    written["episodes.csv"] = export.write_episodes_csv(out / "episodes.csv", items)
    written["marl_eval.json"] = export.write_marl_eval(out / "marl_eval.json", items)
    for figure in plots.plot_all(summary, out / "figures", formats, model_accuracy=model_accuracy):
        written[f"figures/{figure.name}"] = figure
    return written


REPORT_ERRORS: tuple[type[Exception], ...] = (
    ReportError,
    store.StoreError,
    metrics.MetricsError,
    ladder.LadderError,
)


def print_report(results_dir: Path, written: dict[str, Path]) -> None:
    out = written["summary.md"].parent if "summary.md" in written else results_dir
    print(f"wrote {len(written)} files:")
    print(f"  tables:  {out}/summary.md (+ summary.csv, episodes.csv, marl_eval.json)")
    print(f"  figures: {out / 'figures'}/")
