"""Which value of a search constant? Settings of the explorer's constants against the code's own,
on the same maps, in one run.

    python -m benchmark.studies.sweep --set PRIOR_RADIUS=1 --set PRIOR_RADIUS=3 \
        --set STEP_OFFSET=2,HOME_PULL=0 --first 410 --maps 400 --out runs/sweep

The frontier search of `agents.skills.navigation` weighs unseen ground by a handful of module
constants (the prior's radius and weights, the step offset, the pull toward home, the diamond's
region weight, ...). Each `--set` is one setting: one or more of them replaced by a value. The
study plays the cooperation study's rows (`benchmark.studies.cooperation`, `--no-bound`: the
scripted team, 350 steps, a failure at the cap) once with the code's constants, the control, and
once per setting, every run on the same maps, the constants replaced in the process that plays a
row and put back after it. A setting moves a lone agent's steps on single maps by tens either
way, so only the difference paired over many maps with the control of the same run says anything
(400 lone maps take about a minute per setting with `--workers 2`).

`--out` gets each run's rows as `benchmark.studies.cooperation --json` writes them
(`control.json`, and one file per setting named by it), which `benchmark.studies.paired` reads,
and `summary.md`, the table printed at the end: per setting, team size and navigation, the
successes, the mean steps and the paired difference with the control, its 95% Student-t interval
over maps and on how many maps the setting was better or worse (with `--hide-goal`, the rock the
search had seen by a few steps, paired the same way). The same command goes on from a
killed run (`benchmark.studies.resumable`: only the rows a file lacks are played); a file of
other arguments or other code is refused in one line before any play.

A constant this study sweeps is one the search reads from its module at each call; the kept
value of a setting is a change to `agents/skills/navigation.py`, measured again on maps it was not
chosen on (`benchmark.studies.trial`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import pathlib
import sys
from collections.abc import Iterator

import tyro

from agents.skills import navigation
from benchmark.studies import cooperation, output, paired, resumable

SWEEPABLE: dict[str, type] = {
    "PRIOR_RADIUS": int,
    "PRIOR_BASE": float,
    "PRIOR_WEIGHT": float,
    "PRIOR_WEIGHT_TUNNELLING": float,
    "STEP_OFFSET": float,
    "HOME_PULL": float,
    "CLAIMED": float,
    "HEADING": float,
}
"""The search's module constants a setting may replace, with their type (each >= 0); besides
these, `REGION_WEIGHT.<material>` replaces one material's entry of `navigation.REGION_WEIGHT`
(a material the search has hints for, `navigation.SEARCH_HINTS`). Not `COVERED`: it weighs
ground a teammate saw where maps are not shared, and the scripted team shares one (a sweep of it
moved no episode, `results/changes/not-kept/sweep-team-search-constants.md`)."""
REGION = "REGION_WEIGHT."
CONTROL = "control"
"""The name of the run with the code's own constants (its rows go to `control.json`)."""


@dataclasses.dataclass(frozen=True)
class Args:
    set: tyro.conf.UseAppendAction[tuple[str, ...]] = ()
    """A setting, NAME=VALUE[,NAME=VALUE...] (names: `SWEEPABLE`); once per setting, each one
    run."""
    out: str = "runs/sweep"
    """A folder for each run's rows and the summary (an earlier run of the same command in it
    is continued)."""
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
    """Worker processes playing rows at once (the rows are the same at any count)."""
    hide_goal: bool = False
    """Players see the goal's material as stone (`cooperation --hide-goal`, own map only), and the
    table pairs the rock each setting's search had seen by a few steps: a smoother measure of a
    search than its steps."""


Setting = tuple[tuple[str, float], ...]
"""A setting: (constant, value) pairs, in the order given."""


def parse_setting(text: str) -> Setting:
    """The setting `text` names ("PRIOR_RADIUS=2,STEP_OFFSET=1"); ValueError with one line
    naming what is wrong and what is allowed."""
    allowed = ", ".join([*SWEEPABLE, f"{REGION}<material>"])
    pairs: list[tuple[str, float]] = []
    for part in text.split(","):
        name, equals, value = part.strip().partition("=")
        if not equals or not name:
            raise ValueError(
                f"--set {text}: allowed: NAME=VALUE[,NAME=VALUE...], NAME one of {allowed}"
            )
        if name.startswith(REGION):
            material, kind = name[len(REGION) :], float
            if material not in navigation.SEARCH_HINTS:
                materials = ", ".join(navigation.SEARCH_HINTS)
                raise ValueError(f"--set {text}: {name}: allowed after {REGION}: {materials}")
        elif name in SWEEPABLE:
            kind = SWEEPABLE[name]
        else:
            raise ValueError(f"--set {text}: {name}: allowed: {allowed}")
        try:
            number = kind(value)
        except ValueError:
            raise ValueError(
                f"--set {text}: {name}={value}: allowed: a number >= 0"
                + (" (an integer)" if kind is int else "")
            ) from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"--set {text}: {name}={value}: allowed: a number >= 0")
        if any(name == seen for seen, _ in pairs):
            raise ValueError(f"--set {text}: {name} is set twice")
        pairs.append((name, number))
    return tuple(pairs)


def setting_name(setting: Setting) -> str:
    """The setting as it is typed ("PRIOR_RADIUS=2,STEP_OFFSET=1"), or `CONTROL` for none; also
    the stem of its rows' file."""
    return ",".join(f"{name}={value:g}" for name, value in setting) or CONTROL


@contextlib.contextmanager
def replaced(setting: Setting) -> Iterator[None]:
    """The search's constants as `setting` has them, and as they were again afterwards."""
    saved = {name: getattr(navigation, name) for name in SWEEPABLE}
    region = dict(navigation.REGION_WEIGHT)
    try:
        for name, value in setting:
            if name.startswith(REGION):
                navigation.REGION_WEIGHT[name[len(REGION) :]] = value
            else:
                setattr(navigation, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(navigation, name, value)
        navigation.REGION_WEIGHT.clear()
        navigation.REGION_WEIGHT.update(region)


def play_row(
    where: cooperation.Map, n_agents: int, study: cooperation.Args, setting: Setting
) -> dict:
    """One cooperation row with the search's constants as `setting` has them (a module-level
    function of its arguments, for worker processes)."""
    with replaced(setting):
        return cooperation.play_row(where, n_agents, study)


def study_args(args: Args) -> cooperation.Args:
    """The cooperation study every run of the sweep plays (no bound: no setting moves it)."""
    return cooperation.Args(
        maps=args.maps,
        first=args.first,
        team_sizes=args.team_sizes,
        navigation=args.navigation,
        bound=False,
        workers=args.workers,
        hide_goal=args.hide_goal,
    )


RUN_FIELDS = (*cooperation.RUN_FIELDS, "setting")


def rows_file(out: pathlib.Path, setting: Setting) -> pathlib.Path:
    """Where a setting's run keeps its rows (`control.json` for the code's constants)."""
    return out / f"{setting_name(setting)}.json"


def run_config(args: Args, setting: Setting) -> dict:
    """What a run's file records and a continued run must match: the cooperation study's
    arguments and the setting."""
    study = study_args(args)
    return {**vars(study), "json": None, "setting": setting_name(setting)}


def invalid(args: Args) -> str | None:
    """One line naming a bad argument and what it allows, or None (checked before any play)."""
    if not args.set:
        names = ", ".join([*SWEEPABLE, f"{REGION}<material>"])
        return f"--set: give at least one setting, NAME=VALUE[,NAME=VALUE...] (names: {names})"
    error = cooperation.invalid_comparison(study_args(args))
    if error is not None:
        return error
    settings = []
    for text in args.set:
        try:
            settings.append(parse_setting(text))
        except ValueError as bad:
            return str(bad)
    names = [setting_name(s) for s in settings]
    repeated = next((name for name in names if names.count(name) > 1), None)
    if repeated is not None:
        return f"--set {repeated}: given twice"
    out = pathlib.Path(args.out)
    if out.exists() and not out.is_dir():
        return f"--out {args.out}: exists and is not a folder"
    for setting in [(), *settings]:
        try:
            resumable.earlier_rows(rows_file(out, setting), run_config(args, setting), RUN_FIELDS)
        except ValueError as bad:
            return str(bad)
    return None


def summary(control: list[dict], runs: dict[str, list[dict]]) -> str:
    """Per setting, navigation and team size: successes, mean steps, and the paired difference
    with the control (- = fewer steps with the setting), failures at the cap; with the goal
    hidden, the search's coverage paired with the control's (`paired.coverage_table`)."""
    if cooperation.hides_goal(control):
        parts = [
            "benchmark.studies.sweep: the goal hidden from the players (cooperation --hide-goal);"
            " the search's coverage with the search's constants replaced, paired per map with the"
            " control (the code's constants) of the same run (before: the control, after: the"
            " setting)"
        ]
        for name, rows in runs.items():
            parts += [f"\n`{name}`:", paired.coverage_table(paired.pairings(control, rows))]
        return "\n".join(parts)
    table = [
        (f"`{name}`", *row)
        for name, rows in runs.items()
        for row in paired.steps_rows(paired.pairings(control, rows))
    ]
    lengths = cooperation.lengths_text(control)
    return (
        "benchmark.studies.sweep: the scripted team with the search's constants replaced, paired"
        " per map with the control (the code's constants) of the same run (before: the control,"
        f" after: the setting); failures count at the cap ({lengths})\n"
        + output.markdown_table(("setting", *paired.STEPS_HEADER), table)
    )


def main(args: Args) -> int:
    error = invalid(args)
    if error is not None:
        print(f"sweep: {error}", file=sys.stderr)
        return 2
    out = pathlib.Path(args.out)
    study = study_args(args)
    jobs = [
        (where, n)
        for where in cooperation.maps_with_diamond(args.maps, args.first)
        for n in args.team_sizes
    ]
    settings = [(), *(parse_setting(text) for text in args.set)]
    runs: dict[str, list[dict]] = {}
    for number, setting in enumerate(settings, 1):
        name = setting_name(setting)
        print(f"run {number} of {len(settings)}: {name}", flush=True)
        runs[name] = resumable.play(
            jobs,
            play_row,
            rows_file(out, setting),
            run_config(args, setting),
            RUN_FIELDS,
            args.workers,
            (study, setting),
        )
    control = runs.pop(CONTROL)
    text = summary(control, runs)
    (out / "summary.md").write_text(text + "\n")
    print(text)
    print(f"written to {out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
