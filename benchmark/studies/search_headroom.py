"""How much could a better search prior give the scripted team on its own map?

    python -m benchmark.studies.search_headroom --maps 60

On its own explored map the team must find iron and a diamond it has not seen; its frontier search
weighs unseen ground by a prior it infers from the tiles it has seen (`navigation.search_prior`).
This study plays each map six times per team size: with the privileged map, with the team's own
map, and with its own map searched with priors read from the generated map
(`navigation.terrain_prior` of a mask): the true terrain for every search (the team knows where
rock lies, not where iron or diamonds are), and that plus, for the diamond, the rock of the
mountains that hold one (it also knows which mountains to search, not where in them). Both are
references no agent gets in play: if they do little better than the inferred prior, a better
prior is not where the own-map steps are lost; what remains is seeing the diamond through a 9x7
view. A fifth play removes the diamond's search altogether: every player's map holds the tile of
each diamond from the start (`shown_tiles`), and the rest of the map is its own. Being shown the
diamonds is the most any search for them could give, so its steps over the privileged ones say
what of the own-map cost no better diamond search removes: the searches of the crafting chain
(wood, stone, coal, iron, water) and walks through ground nobody has seen. A sixth shows the
coal and iron too (`SHOWN_RESOURCES`, the chain's materials that lie in mountains, stone aside,
which is the mountains themselves): what is left is the walks through unseen ground, the search
for wood, stone and water, and the team's play without a full map.

A second table says why the episodes that search and miss the diamond miss it: in how many of
them no player ever saw a tile of a mountain that holds one (a diamond's mountain: the 4-connected
rock, caves and tunnels around it, on the generated map), and how much of the map and of all its
mountain tiles the team had seen when the 350 steps ran out.

The maps are those after the cooperation study's held-out ones by default (`--first 110`), so
that neither set is looked at again. Failures count at the 350-step cap; intervals are Student-t
over maps, the paired difference too.
"""

from __future__ import annotations

import dataclasses
import pathlib
import sys

import numpy as np
import tyro
from scipy import ndimage

from agents.skills import library, mapping, navigation
from benchmark.studies import cooperation, output, resumable, team_map
from envs import mac
from envs.mac import rules as rules_lib

SETTINGS = ("privileged", "own", "terrain", "goal_mountains", "goal_seen", "resources_seen")
"""Privileged map; own map; own map searched with the true terrain as prior; the same, but the
diamond searched for with the rock of the mountains that hold one as prior; own map with every
diamond's tile known from the start; the same with every tile of `SHOWN_RESOURCES` too."""
SHOWN_RESOURCES = ("coal", "iron")
"""The chain's materials inside mountains, besides stone (the mountains themselves), that the
sixth play shows with the diamonds."""
SEARCHED = SETTINGS[1:4]
"""The settings that search for the diamond: their rows say how much of the map and of the goal's
mountains the team saw."""
SHARE = (0.0, 1.0)
"""The range of a share of tiles seen, which its interval over maps is cut to."""
REFERENCES = {
    "terrain": "own + true terrain",
    "goal_mountains": "own + diamond mountains",
    "goal_seen": "own + diamonds shown",
    "resources_seen": "own + diamonds, iron and coal shown",
}
"""The references (no player's), as the tables name them."""
MOUNTAIN = (*cooperation.ROCK, "path")
"""What a mountain is made of on the generated map: rock, and the caves and tunnels in it."""


@dataclasses.dataclass(frozen=True)
class Args:
    maps: int = 60
    """Maps that hold a diamond, after skipping `first` of them."""
    first: int = 110
    """Skip this many maps that hold a diamond (the cooperation study tunes on the first 90 and
    holds out the next 20)."""
    team_sizes: tuple[int, ...] = (1, 2, 6)
    """Team sizes to play."""
    json: str | None = None
    """Also write the rows here, each as it finishes: the same command goes on from a killed run."""
    workers: int = 1
    """Worker processes playing maps at once (the rows are the same at any count)."""


RUN_FIELDS = ("maps", "first", "team_sizes")
"""The arguments that decide a run's rows (a --json file is resumed only by a run that matches)."""


def invalid(args: Args) -> str | None:
    """One line naming the bad argument and what it allows, or None (checked before any play)."""
    error = cooperation.invalid_maps(args.maps, args.first, args.team_sizes, least=1)
    if error is None and args.workers < 1:
        error = f"--workers {args.workers}: allowed: an integer >= 1"
    if error is None and args.json is not None:
        try:
            resumable.earlier_rows(pathlib.Path(args.json), vars(args), RUN_FIELDS)
        except ValueError as refused:
            error = str(refused)
    return error


def goal_mountains(grid: np.ndarray, material: str) -> tuple[np.ndarray, np.ndarray]:
    """Every mountain tile (`MOUNTAIN`), and those of the mountains (4-connected) that hold
    `material`."""
    mountains = np.isin(grid, MOUNTAIN)
    labels, _ = ndimage.label(mountains)
    holding = np.unique(labels[grid == material])
    return mountains, np.isin(labels, holding[holding > 0])


def shown_tiles(grid: np.ndarray, materials: tuple[str, ...]) -> tuple[mapping.Sighting, ...]:
    """Every tile of `materials`, as sightings: what a study shows a team from the start. Only
    those tiles (a view around each would be an island of known ground far from the team, whose
    edges the other searches would walk to), and the search priors leave them out
    (`KnownMap.shown`): a lone known diamond would read as ground wholly of rock and draw the
    search for iron to it (one agent, seed 216: the iron at step 162 instead of 96)."""
    return tuple(
        mapping.Sighting(str(grid[x, y]), (int(x), int(y)))
        for x, y in zip(*np.nonzero(np.isin(grid, materials)), strict=True)
    )


def play(where: cooperation.Map, n_agents: int) -> dict:
    """One row: the six settings' steps to the diamond (None when missed) on one map; for the
    searching settings also the shares of the map and of its mountain tiles the team saw, and
    whether it saw any tile of a diamond's mountain."""
    row: dict = {"map": where.name, "n_agents": n_agents}
    grid = team_map.layout_for(where.seed, n_agents, where.world_seed).grid
    rules = rules_lib.load(mac.EnvConfig().rules)
    material = library.goal_material(rules, cooperation.GOAL)
    mountains, holding = goal_mountains(grid, material)
    rock = np.isin(grid, cooperation.ROCK)
    terrain = dict.fromkeys(rules.materials, navigation.terrain_prior(rock))
    priors = {
        "terrain": terrain,
        "goal_mountains": {**terrain, material: navigation.terrain_prior(rock & holding)},
    }
    shown = {
        "goal_seen": shown_tiles(grid, (material,)),
        "resources_seen": shown_tiles(grid, (material, *SHOWN_RESOURCES)),
    }
    for setting in SETTINGS:
        outcome = cooperation.play_outcome(
            where,
            n_agents,
            privileged=setting == "privileged",
            priors=priors.get(setting),
            seen_at_start=shown.get(setting, ()),
        )
        row[setting] = outcome.steps
        row[f"{setting}_seen"] = outcome.seen
        if setting in SEARCHED:
            explored = outcome.explored
            row[f"{setting}_explored"] = round(float(explored.mean()), 4)
            row[f"{setting}_mountain_explored"] = round(
                float((explored & mountains).sum() / max(mountains.sum(), 1)), 4
            )
            row[f"{setting}_goal_mountain_seen"] = bool((explored & holding).any())
    return row


def summary(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """Per team size: success and mean steps of each setting, each over the privileged steps, and
    the paired difference each reference prior makes against the team's own."""
    references = [r for r in REFERENCES if rows and r in rows[0]]
    header = ["agents", "maps", "privileged steps", "own: success, steps", "own / privileged"]
    for reference in references:
        name = REFERENCES[reference]
        header += [f"{name}: success, steps", f"{name} / privileged", f"{name} - own (paired)"]
    table = []
    for n in team_sizes:
        chosen = [r for r in rows if r["n_agents"] == n]
        if not chosen:
            continue

        def steps(setting: str, subset: list[dict] = chosen) -> list[float]:
            return [cooperation.capped(r, setting) for r in subset]

        base = steps("privileged")

        def played(setting: str, subset: list[dict] = chosen, base: list[float] = base) -> list:
            success = f"{sum(r[setting] is not None for r in subset)}/{len(subset)}"
            return [
                f"{success}, {cooperation.with_interval(steps(setting))}",
                cooperation.with_interval(
                    [o / p for o, p in zip(steps(setting), base, strict=True)], 2
                ),
            ]

        line = [n, len(chosen), cooperation.with_interval(base), *played("own")]
        for reference in references:
            paired = [t - o for t, o in zip(steps(reference), steps("own"), strict=True)]
            line += [*played(reference), cooperation.with_interval(paired)]
        table.append(tuple(line))
    return "\n".join(
        [
            f"scripted team (not an LLM), damcs rules, {cooperation.CAP}-step cap (a failure"
            " counts at the cap); references (no player's): own + true terrain searches by"
            " the true share of rock around each tile, own + diamond mountains too but for the"
            " diamond by the share of the rock of the mountains that hold one; own + diamonds"
            " shown knows every diamond's tile from the start, and then iron and coal shown"
            " every iron and coal tile too",
            output.markdown_table(tuple(header), table),
        ]
    )


def misses(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """Per team size and searching setting: the episodes that miss the diamond, how many of them
    never saw a tile of a diamond's mountain, and how much of the map and of its mountains they
    had seen after the full 350 steps."""
    header = (
        "agents",
        "search",
        "misses",
        "no tile of a diamond's mountain seen",
        "share of the map seen",
        "share of the mountain tiles seen",
    )
    names = {"own": "own prior", **{k: v.removeprefix("own + ") for k, v in REFERENCES.items()}}
    table = []
    for n in team_sizes:
        chosen = [r for r in rows if r["n_agents"] == n]
        for setting in SEARCHED:
            if not chosen or f"{setting}_explored" not in chosen[0]:
                continue
            missed = [r for r in chosen if r[setting] is None]
            blind = sum(not r[f"{setting}_goal_mountain_seen"] for r in missed)
            table.append(
                (
                    n,
                    names[setting],
                    f"{len(missed)}/{len(chosen)}",
                    f"{blind}/{len(missed)}",
                    cooperation.with_interval(
                        [r[f"{setting}_explored"] for r in missed], 2, within=SHARE
                    ),
                    cooperation.with_interval(
                        [r[f"{setting}_mountain_explored"] for r in missed], 2, within=SHARE
                    ),
                )
            )
    return "\n".join(
        [
            "the misses (after all 350 steps): a diamond's mountain is the 4-connected rock, caves"
            " and tunnels around a diamond on the generated map; mountain tiles are all of those",
            output.markdown_table(header, table),
        ]
    )


def main(args: Args) -> int:
    error = invalid(args)
    if error is not None:
        print(f"search_headroom: {error}", file=sys.stderr)
        return 2
    maps = cooperation.maps_with_diamond(args.maps, args.first)
    jobs = [(where, n) for where in maps for n in args.team_sizes]
    path = None if args.json is None else pathlib.Path(args.json)
    rows = resumable.play(jobs, play, path, vars(args), RUN_FIELDS, args.workers)
    print(summary(rows, args.team_sizes))
    print()
    print(misses(rows, args.team_sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
