"""Run a benchmark suite into a results directory (resumable), then write its tables and figures.

    python scripts/run_benchmark.py --suite quick --out results/quick

Rerunning the same command resumes: finished episodes are kept and skipped. A results directory
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
    """A preset (quick, paper) or a suite YAML file (format: benchmark/suite.py)."""
    out: Path = Path("results/quick")
    """Results directory: store.sqlite, summary tables, figures/."""
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
    try:
        chosen = suite.load(args.suite)
        jobs = chosen.jobs()
        print(
            f"suite {chosen.name}: {len(jobs)} episodes ({len(chosen.methods)} methods x "
            f"team sizes {list(chosen.team_sizes)} x {len(chosen.world_seeds)} maps x "
            f"{chosen.repeats} repeats) -> {args.out}"
        )
        ran, skipped = runner.run_suite(
            chosen, args.out, workers=args.workers, backend=args.backend, html=args.html
        )
    except (suite.SuiteError, store.StoreError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished episodes are kept in {args.out}; rerun to resume")
        return 130
    print(f"ran {ran} episodes, {skipped} already stored")
    if args.figures:
        try:
            written = report.make_report(args.out)
        except report.REPORT_ERRORS as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        report.print_report(args.out, written)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
