"""Run a benchmark suite into a results directory (resumable), then write its tables and figures.

    python scripts/run_benchmark.py --suite quick --out runs/quick

Without `--out` a suite's results go to `runs/SUITE` (SUITE: the suite's name; `runs/SUITE-MODEL`
with `--model`), never into the committed `results/`. `--model` runs the suite's language-model
methods on your model (a GPU box: a local directory or a vLLM server), beside the same controls:

    python scripts/run_benchmark.py --suite paper --model /path/to/Qwen2.5-7B-Instruct

Rerunning the same command resumes: finished episodes are kept and skipped. A results directory
belongs to one suite configuration; a different one is refused rather than mixed in.
"""

from __future__ import annotations

import dataclasses
import re
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
    model: str | None = None
    """Run every language-model method of the suite on this model instead (a preset, a local
    Hugging Face directory or .gguf file, a hub id, or an OpenAI-compatible server URL, as
    play.py --model takes); the model-free controls (uniform, oracle, ...) stay as they are."""
    workers: int = 2
    """Parallel worker processes (episodes run side by side)."""
    backend: Literal["local", "ray"] = "local"
    """local: worker processes on this machine; ray: tasks on a Ray cluster (RAY_ADDRESS) or a
    local Ray instance."""
    html: bool = False
    """Also write an HTML episode viewer per episode into OUT/episodes/."""
    figures: bool = True
    """Write summary tables and figures when the run ends (scripts/make_figures.py does it later)."""


def default_directory(suite_name: str, model: str | None) -> str:
    """The folder under runs/ a run goes to without --out: the suite's name, and the model's
    (a served model's name, a directory's or file's last part) when --model replaces it."""
    if model is None:
        return suite_name
    if model.startswith(("http://", "https://")):
        name = model.partition("#")[2] or "server"
    else:
        name = Path(model.rstrip("/")).name
    return f"{suite_name}-{re.sub(r'[^A-Za-z0-9_.+-]+', '-', name) or 'model'}"


def main(args: Args) -> int:
    out = args.out
    try:
        chosen = suite.load(args.suite)
        if args.model is not None:
            chosen = chosen.with_model(args.model)
        jobs = chosen.jobs()
        if out is None:
            out = Path("runs") / default_directory(chosen.name, args.model)
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
