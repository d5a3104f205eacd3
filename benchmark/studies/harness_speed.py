"""Harness throughput: episodes per hour of a suite with 1 and with 2 worker processes, in one run.

    python -m benchmark.studies.harness_speed [--suite FILE_OR_PRESET]

The default suite is the fast part of `quick` (random and the scripted planner, 1/2/6 agents, two
maps). Each setting runs into a fresh temporary store; the ratio is the speed-up from parallel workers.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time

import tyro

from benchmark import runner, suite
from benchmark.studies import output

FAST_QUICK = {
    "name": "harness-speed",
    "team_sizes": [1, 2, 6],
    "maps": {"paper": True, "count": 1, "first_seed": 1},
    "methods": [
        "random",
        "scripted",
        {"name": "scripted", "label": "scripted-privileged", "privileged_map": True},
    ],
}


@dataclasses.dataclass(frozen=True)
class Args:
    suite: str | None = None
    """A preset or suite file; default: the fast methods of `quick`."""
    workers: tuple[int, ...] = (1, 2)
    """Worker counts to compare."""


def main(args: Args) -> int:
    try:
        chosen = suite.from_dict(FAST_QUICK) if args.suite is None else suite.load(args.suite)
    except suite.SuiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = []
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            ran, _ = runner.run_suite(chosen, out, workers=workers, progress=False)
            elapsed = time.perf_counter() - start
        rows.append((workers, ran, elapsed, ran / elapsed * 3600))
    base = rows[0][3]
    print(f"suite {chosen.name}: {rows[0][1]} episodes")
    header = ("workers", "episodes", "seconds", "episodes/hour", "x 1st row")
    print(
        output.markdown_table(
            header,
            (
                (workers, ran, f"{elapsed:.1f}", f"{per_hour:,.0f}", f"{per_hour / base:.2f}")
                for workers, ran, elapsed, per_hour in rows
            ),
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(tyro.cli(Args)))
