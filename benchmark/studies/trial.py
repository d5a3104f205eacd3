"""Does a change to the scripted team help? A patch against its control, in one command.

    python -m benchmark.studies.trial my-change.patch --team-sizes 1 --maps 150 --out runs/my-change

Checks the base commit out twice (git worktrees in a temporary folder), applies the patch to one,
plays the cooperation study in both at once on the same maps (`--no-bound`; each run's code is
its own worktree's), and compares the two map by map (`benchmark.studies.paired`). The control
is played in the same run on the same machine, so nothing is compared with rows of other code.
`--out` gets `before.json` and `after.json` (the rows; the patched run's code version reads
"<base>-dirty"), their logs, and `paired.md` (the comparison, also printed). The planner is
deterministic on a map and a single map's steps move by tens either way when any choice changes,
so only the paired difference over many maps says whether a patch helped: 150 maps or more.
Each run plays in one process; `--workers N` gives each N (on a machine with 2N cores).

The patch is checked against the base before anything is played; a `--out` that exists is
refused (never written over). The worktrees are removed at the end, also when the run is
interrupted (after a kill -9, `git worktree prune` removes their records).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import tqdm
import tyro

from benchmark.studies import cooperation, paired

ROOT = pathlib.Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True)
class Args:
    patch: tyro.conf.Positional[str]
    """The change: a `git diff` of the project, applied to the base commit."""
    base: str = "HEAD"
    """The commit the patch applies to, played as the control."""
    out: str = "runs/trial"
    """A new folder for the rows, logs and comparison."""
    maps: int = 150
    """Maps that hold a diamond, after skipping `first` of them."""
    first: int = 110
    """Skip this many maps (the cooperation study tunes on the first 90 and holds out the next
    20)."""
    team_sizes: tuple[int, ...] = (1,)
    """Team sizes to play."""
    navigation: tuple[str, ...] = ("own",)
    """Navigation settings to play (privileged, own)."""
    workers: int = 1
    """Processes each of the two runs plays its maps in (`cooperation --workers`; the same rows):
    on a machine with 2N cores, N."""
    hide_goal: bool = False
    """Play with the goal hidden from the players (`cooperation --hide-goal`, own map only) and
    compare the search's coverage: a smoother measure of a change to the search than its steps
    (the base commit's study must have the option)."""


def _git(*args: str, cwd: pathlib.Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def invalid(args: Args) -> str | None:
    """One line naming a bad argument and what it allows, or None (checked before any work)."""
    # The study's own checks of what both runs get; a trial also needs a map and a setting.
    played = cooperation.Args(
        maps=args.maps,
        team_sizes=args.team_sizes,
        first=args.first,
        navigation=args.navigation,
        bound=False,
        hide_goal=args.hide_goal,
        workers=args.workers,
    )
    error = cooperation.invalid_comparison(played)
    if error is not None:
        return error
    if not pathlib.Path(args.patch).is_file():
        return f"patch {args.patch}: no such file (a `git diff` of the project)"
    if pathlib.Path(args.out).exists():
        return f"--out {args.out}: exists; choose a new folder (a trial never writes over one)"
    if _git("rev-parse", "--verify", "--quiet", f"{args.base}^{{commit}}").returncode != 0:
        return f"--base {args.base}: not a commit of this repository"
    return None


def study_command(args: Args, rows: pathlib.Path) -> list[str]:
    """The cooperation study as both runs play it (options every version of the study takes;
    `--workers` only when more than one is asked for: a base older than it lacks it)."""
    return [
        sys.executable, "-m", "benchmark.studies.cooperation",
        "--maps", str(args.maps), "--first", str(args.first),
        "--team-sizes", *map(str, args.team_sizes), "--navigation", *args.navigation,
        "--no-bound", "--json", str(rows), *(["--hide-goal"] if args.hide_goal else []),
        *(["--workers", str(args.workers)] if args.workers > 1 else []),
    ]  # fmt: skip


def _rows_written(path: pathlib.Path) -> int:
    """Rows a run has written so far (studies write them as they finish; older ones at the end)."""
    try:
        return len(json.loads(path.read_text())["rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def play_both(args: Args, trees: dict[str, pathlib.Path], out: pathlib.Path) -> str | None:
    """Play the study in each worktree at once; an error line when a run failed."""
    runs = {}
    for name, tree in trees.items():
        log = (out / f"{name}.log").open("w")
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = study_command(args, out.resolve() / f"{name}.json")
        runs[name] = (subprocess.Popen(command, cwd=tree, env=env, stdout=log, stderr=log), log)
    total = 2 * args.maps * len(args.team_sizes)
    try:
        with tqdm.tqdm(total=total, unit="row") as bar:
            while any(process.poll() is None for process, _ in runs.values()):
                time.sleep(2.0)
                bar.update(sum(_rows_written(out / f"{n}.json") for n in runs) - bar.n)
            bar.update(total - bar.n)
    finally:
        for process, log in runs.values():
            if process.poll() is None:
                process.kill()
            process.wait()
            log.close()
    for name, (process, _) in runs.items():
        if process.returncode != 0:
            return f"the {name} run failed (exit {process.returncode}): see {out / name}.log"
    return None


def main(args: Args) -> int:
    error = invalid(args)
    if error is not None:
        print(f"trial: {error}", file=sys.stderr)
        return 2
    out = pathlib.Path(args.out)
    patch = pathlib.Path(args.patch).resolve()
    with tempfile.TemporaryDirectory(prefix="trial-") as temporary:
        trees = {name: pathlib.Path(temporary) / name for name in ("before", "after")}
        try:
            for tree in trees.values():
                added = _git("worktree", "add", "--detach", "--quiet", str(tree), args.base)
                if added.returncode != 0:
                    error = f"--base {args.base}: git worktree add failed: {added.stderr.strip()}"
                    break
            else:
                # Into the index too: a file the patch adds then makes the code version
                # "-dirty", as a changed one does (git describe ignores untracked files).
                applied = _git("apply", "--index", str(patch), cwd=trees["after"])
                if applied.returncode != 0:
                    first = (applied.stderr.strip().splitlines() or ["?"])[0]
                    error = f"patch {args.patch}: does not apply to {args.base}: {first}"
            if error is None:
                out.mkdir(parents=True)
                print(f"playing {args.base} and {args.base} with {args.patch}; logs in {out}")
                error = play_both(args, trees, out)
        finally:
            for tree in trees.values():
                if tree.exists():
                    _git("worktree", "remove", "--force", str(tree))
    if error is not None:
        print(f"trial: {error}", file=sys.stderr)
        return 2
    comparison = io.StringIO()
    with contextlib.redirect_stdout(comparison):
        code = paired.main(paired.Args(str(out / "before.json"), str(out / "after.json")))
    (out / "paired.md").write_text(comparison.getvalue())
    print(comparison.getvalue(), end="")
    return code


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
