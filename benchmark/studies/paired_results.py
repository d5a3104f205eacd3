"""Did a code change move a suite's results? Two results directories, compared map by map.

    (cd /tmp/before && PYTHONPATH=/tmp/before python scripts/run_benchmark.py --suite S \
        --out /tmp/S-before)
    python scripts/run_benchmark.py --suite S --out /tmp/S-after
    python -m benchmark.studies.paired_results /tmp/S-before /tmp/S-after [--out paired.md]

`benchmark.studies.paired` does this for the scripted team's cooperation rows; this one reads two
`store.sqlite` of the same suite (any method: the LLM agents with the oracle control, say), so a
change to the DAMCS agents is judged on the episodes both runs played (same method, team size, map
and repeat). Per method and team size: successes before and after, mean steps to the goal (a
failure at its episode cap), the paired difference with its 95% Student-t interval over maps
(the independent units; a map's repeats are averaged first), on how many maps it got better or
worse, and how many episodes changed at all.
"""

from __future__ import annotations

import dataclasses
import pathlib
import statistics
import sys
from collections import defaultdict

import tyro

from benchmark import store as store_lib
from benchmark.studies import output, paired
from episode import record as records_lib

Episodes = dict[store_lib.EpisodeKey, records_lib.EpisodeRecord]


@dataclasses.dataclass(frozen=True)
class Args:
    before: tyro.conf.Positional[pathlib.Path]
    """Results directory of the control run (its store.sqlite), e.g. at the commit before."""
    after: tyro.conf.Positional[pathlib.Path]
    """Results directory of the run with the change, same suite."""
    out: pathlib.Path | None = None
    """Also write the comparison (Markdown) here."""


def read_episodes(directory: pathlib.Path) -> tuple[Episodes, set[str]]:
    """The stored episodes of a results directory by key, and the code versions that made them;
    StoreError when there is no readable store (corrupt rows are left out, as in the reports)."""
    good, _ = store_lib.ResultsStore.read(directory / "store.sqlite").scan()
    return dict(good), {record.code_version for _, record in good}


def capped(record: records_lib.EpisodeRecord) -> int:
    """Steps to the goal, a failure at the episode's cap."""
    step = record.goal_step
    return record.max_steps if step is None else step


@dataclasses.dataclass(frozen=True)
class Cell:
    """One method and team size: per map, the mean capped steps of the repeats both runs played."""

    method: str
    n_agents: int
    before: dict[int, float]
    after: dict[int, float]
    success: tuple[int, int]  # episodes that reached the goal, before and after
    episodes: int
    changed: int  # episodes whose steps to the goal differ


def cells(before: Episodes, after: Episodes) -> list[Cell]:
    """Every method and team size with episodes in both runs, paired by key."""
    shared = sorted(set(before) & set(after), key=lambda k: k.text)
    grouped: dict[tuple[str, int], list[store_lib.EpisodeKey]] = defaultdict(list)
    for key in shared:
        grouped[(key.method, key.n_agents)].append(key)
    found = []
    for (method, n_agents), keys in sorted(grouped.items()):
        per_map: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for key in keys:
            per_map[key.map_seed][0].append(capped(before[key]))
            per_map[key.map_seed][1].append(capped(after[key]))
        found.append(
            Cell(
                method,
                n_agents,
                {m: statistics.mean(b) for m, (b, _) in per_map.items()},
                {m: statistics.mean(a) for m, (_, a) in per_map.items()},
                (
                    sum(before[k].success for k in keys),
                    sum(after[k].success for k in keys),
                ),
                len(keys),
                sum(capped(before[k]) != capped(after[k]) for k in keys),
            )
        )
    return found


def table(found: list[Cell]) -> str:
    """Steps to the goal before and after, paired per map (- = fewer steps after the change)."""
    header = (
        "method",
        "agents",
        "maps",
        "episodes (changed)",
        "success before -> after",
        "mean steps before -> after",
        "after - before [95% CI over maps]",
        "maps better / worse",
    )
    rows = []
    for cell in found:
        maps = sorted(cell.before)
        rows.append(
            (
                cell.method,
                cell.n_agents,
                len(maps),
                f"{cell.episodes} ({cell.changed})",
                f"{cell.success[0]} -> {cell.success[1]}",
                *paired.compared([cell.before[m] for m in maps], [cell.after[m] for m in maps]),
            )
        )
    return output.markdown_table(header, rows)


def main(args: Args) -> int:
    runs = []
    for name, directory in (("before", args.before), ("after", args.after)):
        try:
            runs.append(read_episodes(directory))
        except store_lib.StoreError as error:
            print(f"paired_results: {name}: {error} (a results directory)", file=sys.stderr)
            return 2
    (before, made_before), (after, made_after) = runs
    found = cells(before, after)
    if not found:
        print("paired_results: before and after share no episode (same suite?)", file=sys.stderr)
        return 2
    text = "\n".join(
        [
            f"before: {args.before} (code {', '.join(sorted(made_before))})",
            f"after: {args.after} (code {', '.join(sorted(made_after))})",
            "after - before, paired per map over the episodes both played (- = fewer steps "
            "after); a failure counts at its episode cap",
            "",
            table(found),
        ]
    )
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
