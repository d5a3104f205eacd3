"""Run a benchmark suite into a results directory (resumable), then write its tables and figures.

    python scripts/run_benchmark.py --suite quick --out runs/quick

Without `--out` a suite's results go to `runs/SUITE` (SUITE: the suite's name), never into the
committed `results/`. Rerunning the same command resumes: finished episodes are kept and skipped. A results directory
belongs to one suite configuration; a different one is refused rather than mixed in.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Literal

import tyro

from benchmark import report, runner, store, suite


@dataclasses.dataclass(frozen=True)
class Args:
    suite: str = "quick"
    """A preset (a file of benchmark/suites/ by name: quick, paper, paper-fast, controls, ...) or
    a suite YAML file (format: benchmark/suite.py)."""
    out: Path | None = None
    """Results directory: store.sqlite, summary tables, figures/ (default: runs/SUITE, SUITE the
    suite's name)."""
    workers: int = 2
    """Parallel worker processes (episodes run side by side)."""
    backend: Literal["local", "ray"] = "local"
    """local: worker processes on this machine; ray: tasks on a Ray cluster (RAY_ADDRESS) or a
    local Ray instance."""
    html: bool = False
    """Also write an HTML episode viewer per episode into OUT/episodes/."""
    figures: bool = True
    """Write summary tables and figures when the run ends (scripts/make_figures.py does it later)."""


def main(args: Args) -> int:
    out = args.out
    try:
        chosen = suite.load(args.suite)
        jobs = chosen.jobs()
        if out is None:
            out = Path("runs") / chosen.name
        print(
            f"suite {chosen.name}: {len(jobs)} episodes ({len(chosen.methods)} methods x "
            f"team sizes {list(chosen.team_sizes)} x {len(chosen.world_seeds)} maps x "
            f"{chosen.repeats} repeats) -> {out}"
        )
        ran, skipped = runner.run_suite(
            chosen, out, workers=args.workers, backend=args.backend, html=args.html
        )
    except (suite.SuiteError, store.StoreError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished episodes are kept in {out}; rerun to resume")
        return 130
    print(f"ran {ran} episodes, {skipped} already stored")
    if args.figures:
        try:
            written = report.make_report(out)
        except report.REPORT_ERRORS as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        report.print_report(out, written)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
