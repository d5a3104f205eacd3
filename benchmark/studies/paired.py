"""Did a code change move the scripted team? Two cooperation runs, compared map by map.

    git worktree add /tmp/before COMMIT^
    (cd /tmp/before && python -m benchmark.studies.cooperation --first 110 --maps 300 \
        --team-sizes 1 --no-bound --json /tmp/before.json)
    python -m benchmark.studies.cooperation --first 110 --maps 300 --team-sizes 1 --no-bound \
        --json /tmp/after.json
    python -m benchmark.studies.paired /tmp/before.json /tmp/after.json
    python -m benchmark.studies.paired b1.json a1.json --more b2.json a2.json  # two map sets

The planner is deterministic on a map, so a single map's steps move by tens either way when any
choice changes (the search sees other tiles first); only the difference paired over many maps
says whether a change helped. For each navigation and team size both runs played, on the maps
both played: successes before and after, mean steps (a failure counts at the cap, as in the
cooperation study), the paired difference with its 95% Student-t interval over maps (the maps
are the independent units), and on how many maps it got better or worse. A second table pairs
the first step of each achievement of the crafting chain, over the maps where both runs reached it.
With `--more`, further before/after pairs on other maps (e.g. `--first 410` beside `--first 110`)
are pooled with the first into one comparison over all their maps; a map in two pairs is refused,
as it would count twice.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import statistics
import sys

import tyro

from benchmark import statistics as stats
from benchmark.studies import cooperation, output


@dataclasses.dataclass(frozen=True)
class Args:
    before: tyro.conf.Positional[str]
    """Rows of the control run (`cooperation --json`, e.g. at the commit before a change)."""
    after: tyro.conf.Positional[str]
    """Rows of the run with the change, on the same maps."""
    more: tuple[str, ...] = ()
    """Further BEFORE AFTER pairs, each on other maps, pooled with the first pair."""

    def pairs(self) -> list[tuple[str, str]]:
        """The (before, after) files, the first pair first."""
        return [(self.before, self.after), *zip(self.more[::2], self.more[1::2], strict=False)]


def read_run(path: str) -> dict:
    """A `cooperation --json` file: its config (with the code version, for newer runs) and rows."""
    return json.loads(pathlib.Path(path).read_text())


def made_by(run: dict) -> str:
    """The code version and date a run's config names ("unrecorded" for older runs)."""
    config = run.get("config", {})
    made = (
        f"{config.get('code_version', 'code version unrecorded')}, {config.get('date', 'undated')}"
    )
    # A killed cooperation run's file holds the rows it finished (rerun its command to go on).
    return made + (", unfinished" if config.get("finished") is False else "")


def invalid(args: Args) -> str | None:
    """One line naming a bad argument, or None (checked before any comparison)."""
    if len(args.more) % 2:
        return f"--more takes BEFORE AFTER pairs of files; got an odd number ({len(args.more)})"
    files = [("before", args.before), ("after", args.after), *(("--more", p) for p in args.more)]
    rows_of: dict[str, list] = {}
    for name, given in files:
        path = pathlib.Path(given)
        if not path.is_file():
            return f"{name} {path}: no such file (a --json file of benchmark.studies.cooperation)"
        not_rows = f"{name} {path}: not the rows of a benchmark.studies.cooperation --json run"
        try:
            rows = read_run(str(path))["rows"]
        except (ValueError, KeyError, TypeError):
            return not_rows
        if not isinstance(rows, list) or not all(
            isinstance(r, dict) and "map" in r and "n_agents" in r for r in rows
        ):
            return not_rows
        rows_of[given] = rows
    for side in zip(*args.pairs(), strict=True):  # the before files, then the after files
        owner: dict[tuple[str, int], int] = {}
        for number, path in enumerate(side):
            for row in rows_of[path]:
                key = (row["map"], row["n_agents"])
                if owner.setdefault(key, number) != number:
                    return (
                        f"--more: {row['map']} ({row['n_agents']} agents) is in both "
                        f"{side[owner[key]]} and {path}; pooled pairs must be on different maps"
                    )
    return None


@dataclasses.dataclass(frozen=True)
class Pairing:
    """One navigation and team size, the rows of both runs on the maps both played."""

    navigation: str
    n_agents: int
    before: list[dict]
    after: list[dict]


def pairings(before: list[dict], after: list[dict]) -> list[Pairing]:
    """Every navigation and team size both runs played, matched by map (runs over different maps
    pair on the maps they share)."""
    index = {(r["map"], r["n_agents"]): r for r in after}
    found = []
    for nav in cooperation.NAVIGATION:
        sizes = sorted({r["n_agents"] for r in before if nav in r})
        for n in sizes:
            pairs = [
                (r, index[(r["map"], n)])
                for r in before
                if r["n_agents"] == n and nav in r and nav in index.get((r["map"], n), {})
            ]
            if pairs:
                found.append(Pairing(nav, n, [a for a, _ in pairs], [b for _, b in pairs]))
    return found


def difference(values: list[float]) -> str:
    """Mean paired difference, "+- half-width [low, high]" at 95% (the mean alone for one map)."""
    estimate = stats.mean_ci(values)
    if estimate.mean is None:
        return "-"
    if estimate.low is None:
        return f"{estimate.mean:+.1f}"
    half = (estimate.high - estimate.low) / 2
    return f"{estimate.mean:+.1f} +- {half:.1f} [{estimate.low:+.1f}, {estimate.high:+.1f}]"


def compared(before: list[float], after: list[float]) -> tuple[str, str, str]:
    """The cells both paired tables show for values paired per map: mean before -> after, the
    paired difference with its interval, and maps better / worse (- = fewer steps after)."""
    gaps = [b - a for a, b in zip(before, after, strict=True)]
    return (
        f"{statistics.mean(before):.1f} -> {statistics.mean(after):.1f}",
        difference(gaps),
        f"{sum(g < 0 for g in gaps)} / {sum(g > 0 for g in gaps)}",
    )


STEPS_HEADER = (
    "navigation",
    "agents",
    "maps",
    "success before -> after",
    "mean steps before -> after",
    "after - before [95% CI]",
    "maps better / worse",
)


def steps_rows(found: list[Pairing]) -> list[tuple]:
    """The cells of `steps_table`, a row per pairing (`STEPS_HEADER`)."""
    table = []
    for p in found:
        first = [cooperation.capped(r, p.navigation) for r in p.before]
        second = [cooperation.capped(r, p.navigation) for r in p.after]
        won = sum(r[p.navigation] is not None for r in p.before)
        won_after = sum(r[p.navigation] is not None for r in p.after)
        table.append(
            (
                p.navigation,
                p.n_agents,
                len(first),
                f"{won} -> {won_after}",
                *compared(first, second),
            )
        )
    return table


def steps_table(found: list[Pairing]) -> str:
    """Steps to the goal, before and after, paired per map (- = fewer steps after the change)."""
    return output.markdown_table(STEPS_HEADER, steps_rows(found))


def chain_table(found: list[Pairing]) -> str:
    """The first step of each achievement of the crafting chain, paired over the maps where both
    runs reached it (empty when the rows hold no chain)."""
    header = ("navigation", "agents", "achievement", "maps", "after - before [95% CI]")
    table = []
    for p in found:
        key = f"{p.navigation}_chain"
        names = list(dict.fromkeys(n for r in p.before + p.after for n in r.get(key, {})))
        for name in names:
            gaps = [
                b[key][name] - a[key][name]
                for a, b in zip(p.before, p.after, strict=True)
                if a.get(key, {}).get(name) is not None and b.get(key, {}).get(name) is not None
            ]
            table.append(
                (p.navigation, p.n_agents, name.replace("_", " "), len(gaps), difference(gaps))
            )
        seen = f"{p.navigation}_seen"
        gaps = [
            b[seen] - a[seen]
            for a, b in zip(p.before, p.after, strict=True)
            if a.get(seen) is not None and b.get(seen) is not None
        ]
        if p.navigation == "own" and gaps:
            table.append(
                (p.navigation, p.n_agents, "diamond first seen", len(gaps), difference(gaps))
            )
    if not table:
        return ""
    return output.markdown_table(header, table)


def coverage_table(found: list[Pairing]) -> str:
    """Runs with the goal hidden (`cooperation --hide-goal`): on how many maps a diamond came into
    view by the cap, the step it first did (paired over maps where both saw one) and the rock
    seen by each of `cooperation.COVERAGE_STEPS`, paired per map."""
    header = (
        "agents",
        "measure",
        "maps",
        "before -> after",
        "after - before [95% CI]",
        "maps lower / higher after",
    )
    table = []
    for p in found:
        if p.navigation != "own":
            continue
        pairs = list(zip(p.before, p.after, strict=True))
        cap = cooperation.cap_of(p.before[0])
        in_view = [sum(r["own_seen"] is not None for r in side) for side in (p.before, p.after)]
        counts = " -> ".join(map(str, in_view))
        table.append((p.n_agents, f"diamond in view by {cap}", len(pairs), counts, "", ""))
        both = [(a["own_seen"], b["own_seen"]) for a, b in pairs]
        both = [pair for pair in both if None not in pair]
        if both:
            first = compared([a for a, _ in both], [b for _, b in both])
            table.append((p.n_agents, "first in view (step)", len(both), *first))
        for step in cooperation.COVERAGE_STEPS:
            key = str(step)
            rock = compared(
                [a["own_rock"][key] for a, _ in pairs], [b["own_rock"][key] for _, b in pairs]
            )
            table.append((p.n_agents, f"rock seen by {step}", len(pairs), *rock))
    return output.markdown_table(header, table)


def main(args: Args) -> int:
    error = invalid(args)
    if error is not None:
        print(f"paired: {error}", file=sys.stderr)
        return 2
    before: list[dict] = []
    after: list[dict] = []
    sources = []
    for first, second in args.pairs():
        runs = read_run(first), read_run(second)
        before += runs[0]["rows"]
        after += runs[1]["rows"]
        sources += [
            f"before: {first} ({made_by(runs[0])})",
            f"after: {second} ({made_by(runs[1])})",
        ]
    if cooperation.hides_goal(before) != cooperation.hides_goal(after):
        print("paired: one run hid the goal (--hide-goal) and the other did not", file=sys.stderr)
        return 2
    found = pairings(before, after)
    if not found:
        print("paired: before and after share no map, team size and navigation", file=sys.stderr)
        return 2
    print("\n".join(sources))
    if cooperation.hides_goal(before):
        print(
            "the goal hidden from the players (cooperation --hide-goal): the search's coverage, "
            "paired per map (the steps of such runs are not the team's)"
        )
        print(coverage_table(found))
        return 0
    print(
        "after - before, paired per map (- = fewer steps after); failures count at the cap"
        f" (before: {cooperation.lengths_text(before)}, after: {cooperation.lengths_text(after)})"
    )
    print(steps_table(found))
    chain = chain_table(found)
    if chain:
        print(
            "\nthe crafting chain, first step of each achievement, paired over maps both reached it:"
        )
        print(chain)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
