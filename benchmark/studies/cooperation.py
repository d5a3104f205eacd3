"""Does the scripted team (not an LLM) cooperate, and does it find the diamond on its own map?

    python -m benchmark.studies.cooperation --maps 20

Plays the scripted team on the paper's map and on the maps of episode seeds 0, 1, ... that hold a
diamond (the first `maps` of them), with the privileged map and with the agent's own explored map,
for 1, 2 and 6 agents (one episode each; the planner is deterministic on a map). Beside each it
puts the optimal-team bound of `benchmark.studies.team_bound` (the lower bound, the best plan
found, and on how many maps the two meet) and prints the issue's targets with whether they hold:

- privileged: 6 agents faster than 2, and 2 than 1, on average and on most maps; 6 agents within
  1.5x of the bound on average;
- own map: the diamond in >= 90% of episodes for 1, 2 and 6 agents, in <= 1.5x the privileged steps.

A second table says where the steps go: when the team first saw a diamond and first held the
pickaxe for it (on its own map it waits for the later of the two), and the steps after both. A
third follows the crafting chain to the pickaxe (the first step of each collect, place and make of
the goal's prerequisite plan) and, on the team's own map, how much later each comes than with the
privileged map on the same maps: where in the chain the search costs its steps. A fourth counts
the diamonds collected by each of a few steps (with `--length`, how the success grows with the
budget).

With `--hide-goal` (own map only) every player sees the goal's material as stone, so its search
runs on past the step it would have seen one: the rows give, per map, the step a diamond first came
into some player's view (the same step as in the undisguised episode, which is the same up to
then) and how many tiles of the rock a diamond may lie in the players had seen by each of
`COVERAGE_STEPS`. A search's coverage is a smooth count where the steps to the diamond jump by
tens when any choice changes, so a change to the search shows in it over fewer maps; the steps of
such a run are not the team's (a player may dig the hidden diamond out by chance).

Failures are never dropped: an episode that misses the diamond counts at the episode's length
(the 350-step cap; `--length` sets another) in every mean and ratio (its true time is at least
that, so a failing team's numbers are optimistic, never flattering by omission). Intervals are
Student-t over maps, the independent units.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import statistics
import sys
from collections.abc import Mapping

import numpy as np
import tyro

from agents import prerequisites
from agents.skills import library, mapping
from benchmark import methods
from benchmark import statistics as stats
from benchmark.studies import output, resumable, team_bound, team_map
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop
from episode import team as team_lib


@dataclasses.dataclass(frozen=True)
class Args:
    maps: int = 20
    """Maps besides the paper's: the first `maps` episode seeds whose map holds a diamond."""
    team_sizes: tuple[int, ...] = (1, 2, 6)
    """Team sizes to play."""
    first: int = 0
    """Skip the first `first` maps that hold a diamond (held-out maps: --first 90 --maps 20, episode
    seeds 97-117; the roles and the search were tuned on seeds up to 96); the paper's map is
    played only when 0."""
    navigation: tuple[str, ...] = ("privileged", "own")
    """Which navigation settings to play (privileged map, own explored map)."""
    bound: bool = True
    """Compute the optimal-team bound (slow); without it its columns are empty."""
    json: str | None = None
    """Also write the rows here, each as it finishes: the same command goes on from a killed run
    (`benchmark.studies.resumable`)."""
    rows: str | None = None
    """Print the tables from rows an earlier run wrote with --json, instead of playing."""
    length: int = mac.EnvConfig().length
    """Episode length in steps (the damcs rules' 350; a failure counts at it). Longer episodes
    say how many steps the own-map search needs to reach a success rate (agents tend their
    vitals for the whole episode, so a longer one costs them a few steps more)."""
    workers: int = 1
    """Worker processes playing maps at once (the rows are the same at any count)."""
    hide_goal: bool = False
    """Players see the goal's material as stone, and the rows say how much rock their search
    covered and when a diamond first came into view (the own map only; see above)."""


@dataclasses.dataclass(frozen=True)
class Map:
    """One map: the episode seed and, for a fixed map, its world seed."""

    name: str
    seed: int
    world_seed: int | None = None


def maps_with_diamond(count: int, first: int = 0) -> list[Map]:
    """The paper's map (when `first` is 0), then `count` seeds whose generated map holds a diamond,
    after skipping the first `first` of those."""
    found = [Map("paper", 0, mac.PAPER_WORLD_SEED)] if first == 0 else []
    seed, skipped = 0, 0
    while len(found) < count + (first == 0):
        layout = team_bound.layout_for(seed, 1)
        if (layout.grid == "diamond").any():
            if skipped < first:
                skipped += 1
            else:
                found.append(Map(f"seed {seed}", seed))
        seed += 1
    return found


GOAL = rules_lib.DEFAULT_GOAL
COVERAGE_STEPS = (100, 200, 350)
"""The steps at which a --hide-goal run counts the rock its players have seen."""
ROCK = ("stone", "coal", "iron", "diamond", "lava")
"""The tiles where crafter's generator may put iron or a diamond: a mountain's rock, never its caves
or tunnels (what a --hide-goal run counts, and a perfect-terrain prior of `search_headroom`)."""
DISGUISE = "stone"
"""What the players of a --hide-goal run see in place of the goal's material."""
CAP = mac.EnvConfig().length
"""Steps an episode that misses the diamond counts as (the damcs rules' episode cap)."""


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One scripted episode: the step the goal was reached, and where the time went before it
    (None where it did not happen)."""

    steps: int | None
    """Joint steps to the goal."""
    tool: int | None
    """The first step a player held the goal's tool (the iron pickaxe)."""
    seen: int | None
    """The first step a player's map showed the goal's material (0 on the privileged map)."""
    explored: np.ndarray | None = None
    """The tiles some player's map showed by the episode's end: where the team searched."""
    chain: Mapping[str, int | None] = dataclasses.field(default_factory=dict)
    """The first step of each achievement of the goal's prerequisite plan (`chain_of`)."""
    rock_seen: Mapping[int, int] = dataclasses.field(default_factory=dict)
    """With the goal hidden: the tiles of `ROCK` some player had seen by each of
    `COVERAGE_STEPS` (an episode that ended sooner keeps its last count)."""


@dataclasses.dataclass(frozen=True)
class Truth:
    """Where the goal's material and the rock it may lie in are on the generated map: a study's
    reference for a run with the goal hidden, never given to a player."""

    goal: np.ndarray
    rock: np.ndarray


class SightingWatch(team_lib.Team):
    """The scripted team, noting the first step any player's known map shows `material` (the
    maps its board holds): on its own map a team cannot go for the diamond before that. With
    `priors`, every player's search for a material weighs unseen ground by its entry (a study's
    reference, `KnownMap.reference_priors`). With `truth`, every player sees `material` as
    `DISGUISE`, and the sighting and the rock seen are read from the truth. Every player's map
    holds `seen_at_start` from the start (a study's reference: tiles as if seen before step 0)."""

    def __init__(
        self,
        inner: team_lib.Team,
        material: str,
        priors: Mapping[str, np.ndarray] | None = None,
        truth: Truth | None = None,
        seen_at_start: tuple[mapping.Sighting, ...] = (),
    ) -> None:
        super().__init__(inner.agents, inner.config)
        self.inner, self.material, self.priors = inner, material, dict(priors or {})
        self.truth, self.seen_at_start = truth, seen_at_start
        self.method, self.obs_type = inner.method, inner.obs_type
        self.seen: int | None = None
        self.rock_counts: list[int] = []  # with `truth`: rock seen at each step's decision
        self._step = 0

    def reset(self, specs) -> None:
        self.inner.reset(specs)
        self.seen, self.rock_counts, self._step = None, [], 0
        for known in self.inner.board.maps.values():
            known.reference_priors = dict(self.priors)
            known.show(self.seen_at_start)
            if self.truth is not None:
                known.disguised = {self.material: DISGUISE}

    def act(self, observations, infos) -> dict[str, int]:
        actions = self.inner.act(observations, infos)
        if self.truth is None:
            if self.seen is None and any(
                m.knows(self.material) for m in self.inner.board.maps.values()
            ):
                self.seen = self._step
        else:
            explored = self.explored()
            if self.seen is None and (explored & self.truth.goal).any():
                self.seen = self._step
            self.rock_counts.append(int((explored & self.truth.rock).sum()))
        self._step += 1
        return actions

    def rock_seen(self) -> dict[int, int]:
        """The rock tiles seen by each of `COVERAGE_STEPS` (empty without `truth`)."""
        counts = self.rock_counts
        return {step: counts[min(step, len(counts)) - 1] for step in COVERAGE_STEPS if counts}

    def explored(self) -> np.ndarray:
        """The tiles some player's known map shows (all of them on the privileged map)."""
        return np.logical_or.reduce([~m.unknown for m in self.inner.board.maps.values()])

    def counters(self) -> team_lib.Counters:
        return self.inner.counters()

    def trace(self) -> dict[str, list[dict]]:
        return self.inner.trace()

    def close(self) -> None:
        self.inner.close()


def play_outcome(
    where: Map,
    n_agents: int,
    privileged: bool,
    priors: Mapping[str, np.ndarray] | None = None,
    length: int | None = None,
    hide_goal: bool = False,
    seen_at_start: tuple[mapping.Sighting, ...] = (),
) -> Outcome:
    """One scripted episode on `where`: steps to the diamond, and when the team first held the
    pickaxe for it and first saw one. With `priors` every player's search for a material weighs
    unseen ground by its entry instead of the prior it infers (a study's reference); `length`
    replaces the rules' episode length; `hide_goal` disguises the goal's material (see the
    module's docstring); every player's map holds `seen_at_start` from the start (a reference)."""
    env = mac.EnvConfig(
        n_agents=n_agents,
        privileged_map=privileged,
        world_seed=where.world_seed,
        max_steps=length,
    )
    rules = rules_lib.load(env.rules)
    material = library.goal_material(rules, GOAL)
    truth = None
    if hide_goal:
        grid = team_map.layout_for(where.seed, n_agents, where.world_seed, env.rules).grid
        truth = Truth(grid == material, np.isin(grid, ROCK))
    team = SightingWatch(methods.build("scripted", env), material, priors, truth, seen_at_start)
    record = loop.play_episode(team, env, where.seed, method="scripted").record
    tool = prerequisites.goal_tool(rules, GOAL)
    return Outcome(
        record.milestones[GOAL],
        record.achievements.get(f"make_{tool}"),
        team.seen,
        team.explored(),
        {name: record.achievements.get(name) for name in chain_of(rules)},
        team.rock_seen(),
    )


def chain_of(rules: rules_lib.Rules, goal: str = GOAL) -> tuple[str, ...]:
    """The achievements of the prerequisite plan for `goal` from an empty inventory, in plan order,
    without `goal` itself (damcs: collect wood, place table, make wood pickaxe, collect coal, ...):
    the crafting chain a team walks to the goal's tool."""
    names = (f"{step.kind}_{step.target}" for step in prerequisites.plan(rules, goal, {}, set()))
    return tuple(name for name in dict.fromkeys(names) if name != goal)


def play(where: Map, n_agents: int, privileged: bool) -> int | None:
    """Steps to the diamond of one scripted episode (None when not reached)."""
    return play_outcome(where, n_agents, privileged).steps


def capped(row: Mapping, navigation: str) -> int:
    """A row's steps to the goal with `navigation`, a failure at the episode's length."""
    steps = row[navigation]
    return cap_of(row) if steps is None else steps


def cap_of(row: Mapping) -> int:
    """The episode length a row was played at (rows written before `--length` existed: 350)."""
    return row.get("length", CAP)


def lengths_text(rows: list[dict]) -> str:
    """The episode lengths of `rows`, e.g. "350-step cap"."""
    return "/".join(str(n) for n in sorted({cap_of(r) for r in rows})) + "-step cap"


def with_interval(
    values: list[float], digits: int = 1, within: tuple[float, float] | None = None
) -> str:
    """Mean and 95% interval over maps, e.g. "119.5 [104.1, 134.9]" (the mean alone for one map,
    "-" for none). `within`: the range the quantity lives in (a share: 0 to 1), which the
    interval is cut to (two maps' Student-t interval of a share reaches far outside it)."""
    estimate = stats.mean_ci(values)
    if estimate.mean is None:
        return "-"
    if estimate.low is None:
        return f"{estimate.mean:.{digits}f}"
    low, high = estimate.low, estimate.high
    if within is not None:
        low, high = max(low, within[0]), min(high, within[1])
    return f"{estimate.mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if v is not None and v != float("inf")]


NAVIGATION = ("privileged", "own")


def invalid_maps(maps: int, first: int, team_sizes: tuple[int, ...], least: int = 0) -> str | None:
    """One line naming a bad --maps (below `least`), --first or --team-sizes, or None (the
    arguments every study over `maps_with_diamond` takes)."""
    if maps < least:
        return f"--maps {maps}: allowed: an integer >= {least}"
    if first < 0:
        return f"--first {first}: allowed: an integer >= 0"
    for n in team_sizes:
        try:
            mac.EnvConfig(n_agents=n)
        except mac.ConfigError as error:
            return f"--team-sizes: {error}"
    return None


def invalid(args: Args) -> str | None:
    """One line naming the bad argument and what it allows, or None (checked before any play)."""
    error = invalid_maps(args.maps, args.first, args.team_sizes)
    if error is not None:
        return error
    try:
        mac.EnvConfig(max_steps=args.length)
    except mac.ConfigError as error:
        return f"--length {args.length}: {error}"
    unknown = [nav for nav in args.navigation if nav not in NAVIGATION]
    if unknown:
        return f"--navigation {unknown[0]}: allowed: {', '.join(NAVIGATION)}"
    if args.hide_goal and args.navigation != ("own",):
        return "--hide-goal: plays the own explored map only (--navigation own)"
    if args.rows is not None and not pathlib.Path(args.rows).is_file():
        return f"--rows {args.rows}: no such file (a --json file of an earlier run)"
    if args.workers < 1:
        return f"--workers {args.workers}: allowed: an integer >= 1"
    if args.rows is None and args.json is not None:
        try:
            resumable.earlier_rows(pathlib.Path(args.json), vars(args), RUN_FIELDS)
        except ValueError as error:
            return str(error)
    return None


def invalid_comparison(played: Args) -> str | None:
    """One line naming a bad argument of a study that plays `played` more than once to compare
    the runs (`trial`, `sweep`), or None: as `invalid`, with at least one map and one navigation."""
    error = invalid_maps(played.maps, played.first, played.team_sizes, least=1)
    error = error or invalid(played)
    if error is None and not played.navigation:
        error = f"--navigation: allowed: {', '.join(NAVIGATION)} (one or both)"
    return error


RUN_FIELDS = ("maps", "first", "team_sizes", "navigation", "bound", "length", "hide_goal")
"""The arguments that decide a run's rows: a --json file is resumed only by a run that matches
them (and the code version)."""


def play_row(where: Map, n_agents: int, args: Args) -> dict:
    """One row of the study: `n_agents` on `where` with each navigation setting of `args` (and
    the optimal-team bound when `args.bound`). A function of its arguments alone, so worker
    processes may play rows in any order."""
    row: dict = {"map": where.name, "n_agents": n_agents, "length": args.length}
    if args.bound:
        row.update(team_bound.team_bound(where.seed, n_agents, where.world_seed).to_dict())
    else:
        row.update({"lower": None, "best_plan": None})
    for nav in args.navigation:
        outcome = play_outcome(
            where, n_agents, nav == "privileged", length=args.length, hide_goal=args.hide_goal
        )
        row[nav] = outcome.steps
        row[f"{nav}_tool"], row[f"{nav}_seen"] = outcome.tool, outcome.seen
        row[f"{nav}_chain"] = dict(outcome.chain)
        if args.hide_goal:
            row[f"{nav}_rock"] = {str(step): n for step, n in outcome.rock_seen.items()}
    return row


def main(args: Args) -> int:
    error = invalid(args)
    if error is not None:
        print(f"cooperation: {error}", file=sys.stderr)
        return 2
    if args.rows is not None:
        rows = json.loads(pathlib.Path(args.rows).read_text())["rows"]
        # a run of fewer team sizes than --team-sizes names shows those it played
        played = tuple(n for n in args.team_sizes if any(r["n_agents"] == n for r in rows))
        print(report(rows, args.maps, played))
        return 0
    jobs = [
        (where, n) for where in maps_with_diamond(args.maps, args.first) for n in args.team_sizes
    ]
    path = None if args.json is None else pathlib.Path(args.json)
    rows = resumable.play(jobs, play_row, path, vars(args), RUN_FIELDS, args.workers, (args,))
    print(report(rows, args.maps, args.team_sizes))
    return 0


def hides_goal(rows: list[dict]) -> bool:
    """Whether rows come from a --hide-goal run (they hold the rock seen)."""
    return any("own_rock" in r for r in rows)


def report(rows: list[dict], maps: int, team_sizes: tuple[int, ...]) -> str:
    """The study's tables: the coverage of a run with the goal hidden, else `summary`."""
    if hides_goal(rows):
        return coverage_summary(rows, team_sizes)
    return summary(rows, maps, team_sizes)


def coverage_summary(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """A --hide-goal run: per team size, on how many maps a diamond came into some player's view
    by each of `COVERAGE_STEPS` and the mean step it first did (over those maps), and the tiles of
    `ROCK` seen by each of those steps (mean and 95% interval over maps)."""
    header = (
        "agents",
        "maps",
        *(f"diamond in view by {step}" for step in COVERAGE_STEPS),
        "first in view (mean step)",
        *(f"rock seen by {step} [95% CI]" for step in COVERAGE_STEPS),
    )
    table = []
    for n in team_sizes:
        subset = [r for r in rows if r["n_agents"] == n and "own_rock" in r]
        if not subset:
            continue
        seen = [r["own_seen"] for r in subset]
        table.append(
            (
                n,
                len(subset),
                *(sum(x is not None and x <= step for x in seen) for step in COVERAGE_STEPS),
                f"{_mean(_finite(seen)):.1f}",
                *(
                    with_interval([r["own_rock"][str(step)] for r in subset])
                    for step in COVERAGE_STEPS
                ),
            )
        )
    return (
        "scripted (not an LLM), own explored map, the goal's material hidden from the players "
        f"(seen as {DISGUISE}); rock: the tiles a diamond may lie among "
        f"({', '.join(ROCK)})\n" + output.markdown_table(header, table)
    )


def _ratio_mean(rows: list[dict], nav: str, key: str) -> str:
    """Mean of steps (a failure at the cap) / the bound's `key` over rows where the bound is known
    ("-" when none)."""
    pairs = [
        capped(r, nav) / r[key] for r in rows if nav in r and r.get(key) not in (None, float("inf"))
    ]
    return f"{_mean(pairs):.2f}" if pairs else "-"


def summary(rows: list[dict], maps: int, team_sizes: tuple[int, ...]) -> str:
    """The table (means over maps; the bound's columns over maps where a plan was found) and the
    targets. Navigation settings or bounds a run did not play are left out or shown as "-"."""
    header = (
        "maps",
        "navigation",
        "agents",
        "success",
        "mean steps [95% CI], failures at cap",
        "mean best plan",
        "mean lower bound",
        "steps / best plan",
        "steps / lower bound",
        "bound exact",
    )
    others = [r for r in rows if r["map"] != "paper"]
    label = f"{len({r['map'] for r in others})} others"
    table = []
    for name, subset in (("paper", [r for r in rows if r["map"] == "paper"]), (label, others)):
        for nav in ("privileged", "own"):
            for n in team_sizes:
                chosen = [r for r in subset if r["n_agents"] == n and nav in r]
                if not chosen:
                    continue
                done = [r for r in chosen if r[nav] is not None]
                plans = _finite([r.get("best_plan") for r in chosen])
                lowers = _finite([r.get("lower") for r in chosen])
                table.append(
                    (
                        name,
                        nav,
                        n,
                        f"{len(done)}/{len(chosen)}",
                        with_interval([capped(r, nav) for r in chosen]),
                        f"{_mean(plans):.1f} ({len(plans)} maps)" if plans else "-",
                        f"{_mean(lowers):.1f}" if lowers else "-",
                        _ratio_mean(chosen, nav, "best_plan"),
                        _ratio_mean(chosen, nav, "lower"),
                        f"{sum(r.get('lower') == r.get('best_plan') for r in chosen if 'lower' in r)}"
                        f"/{len(chosen)}"
                        if lowers
                        else "-",
                    )
                )
    lines = [
        f"scripted (not an LLM), damcs rules, {lengths_text(rows)} (a failure counts at the cap);"
        " bound:"
        " benchmark.studies.team_bound",
        output.markdown_table(header, table),
        targets(rows, team_sizes),
    ]
    for table in (
        time_split(rows, team_sizes),
        chain_split(rows, team_sizes),
        collected_by_step(rows, team_sizes),
    ):
        if table:
            lines += ["", table]
    return "\n".join(lines)


def time_split(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """Where the steps go before the goal, on all maps: when the team first saw a diamond and
    first held the pickaxe for it, and the steps after both (the walk and the dig to it). On its
    own map a team waits for the later of the two; the privileged map shows the diamond at step 0.
    Empty for rows written before these were kept."""
    header = (
        "navigation",
        "agents",
        "diamond first seen (episodes: mean step)",
        "pickaxe first held (episodes: mean step)",
        "diamond collected (episodes: mean step)",
        "steps after both, successes",
    )
    table = []
    for nav in ("privileged", "own"):
        for n in team_sizes:
            chosen = [r for r in rows if r["n_agents"] == n and f"{nav}_seen" in r]
            if not chosen:
                continue

            def happened(key: str, subset: list[dict] = chosen) -> str:
                steps = [r[key] for r in subset if r[key] is not None]
                return (
                    f"{len(steps)}/{len(subset)}: {_mean(steps):.1f}"
                    if steps
                    else f"0/{len(subset)}"
                )

            done = [r for r in chosen if r[nav] is not None]
            after = [r[nav] - max(r[f"{nav}_seen"], r[f"{nav}_tool"]) for r in done]
            table.append(
                (
                    nav,
                    n,
                    happened(f"{nav}_seen"),
                    happened(f"{nav}_tool"),
                    happened(nav),
                    f"{_mean(after):.1f}" if after else "-",
                )
            )
    if not table:
        return ""
    return "\n".join(
        [
            f"where the steps go ({len({r['map'] for r in rows})} maps; scripted, damcs rules):",
            output.markdown_table(header, table),
        ]
    )


def chain_split(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """The crafting chain to the goal's tool: the mean first step of each of its achievements over
    the episodes that reached it (with their count when some did not), and for the own map the
    paired difference from the privileged map over the maps where both reached it (+ = later):
    where in the chain the search costs its steps. Empty for rows written before these were kept."""
    names: list[str] = []
    for r in rows:
        for nav in NAVIGATION:
            names += [n for n in r.get(f"{nav}_chain", {}) if n not in names]
    if not names:
        return ""
    header = ("navigation", "agents", *(name.replace("_", " ") for name in names))
    table = []
    for nav in NAVIGATION:
        for n in team_sizes:
            chosen = [r for r in rows if r["n_agents"] == n and f"{nav}_chain" in r]
            if not chosen:
                continue
            cells = []
            for name in names:
                steps = [r[f"{nav}_chain"].get(name) for r in chosen]
                reached = [s for s in steps if s is not None]
                cell = f"{_mean(reached):.1f}" if reached else "-"
                if reached and len(reached) < len(chosen):
                    cell += f" ({len(reached)}/{len(chosen)})"
                if nav == "own":
                    pairs = [
                        r["own_chain"].get(name) - r["privileged_chain"].get(name)
                        for r in chosen
                        if r["own_chain"].get(name) is not None
                        and r.get("privileged_chain", {}).get(name) is not None
                    ]
                    cell += f" ({_mean(pairs):+.1f})" if pairs else ""
                cells.append(cell)
            table.append((nav, n, *cells))
    return "\n".join(
        [
            f"the crafting chain ({len({r['map'] for r in rows})} maps; mean first step over the"
            " episodes that reached it; own map: (+ steps later than privileged, paired over maps)):",
            output.markdown_table(header, table),
        ]
    )


BY_STEP = (150, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000)
"""The steps at which `collected_by_step` counts the diamonds collected so far."""


def collected_by_step(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """How many episodes had the diamond by each step of `BY_STEP` up to their length: how the
    success rate grows with the step budget (with `--length` longer than 350, how many steps a
    search needs for a success rate)."""
    header = ("navigation", "agents", "episodes", *(f"by {t}" for t in BY_STEP))
    longest = max(cap_of(r) for r in rows) if rows else 0
    shown = [t for t in BY_STEP if t <= longest]
    table = []
    for nav in NAVIGATION:
        for n in team_sizes:
            chosen = [r for r in rows if r["n_agents"] == n and nav in r]
            if not chosen:
                continue
            cells = []
            for t in shown:
                played = [r for r in chosen if cap_of(r) >= t]
                hits = sum(r[nav] is not None and r[nav] <= t for r in played)
                cells.append(f"{hits} ({hits / len(played):.0%})" if played else "-")
            table.append((nav, n, len(chosen), *cells))
    if not table:
        return ""
    return "\n".join(
        [
            "diamonds collected by each step (episodes played at least that long):",
            output.markdown_table(header[: 3 + len(shown)], table),
        ]
    )


def targets(rows: list[dict], team_sizes: tuple[int, ...]) -> str:
    """The issue's targets on all maps (the paper's included), each with whether it holds (those
    a run has the rows for)."""
    by_map: dict[str, dict[int, dict]] = {}
    for r in rows:
        by_map.setdefault(r["map"], {})[r["n_agents"]] = r
    lines = []
    played = {nav for r in rows for nav in ("privileged", "own") if nav in r}
    if {1, 2, 6} <= set(team_sizes) and "privileged" in played:
        means = {n: _mean([capped(m[n], "privileged") for m in by_map.values()]) for n in (1, 2, 6)}
        ordered = sum(
            1
            for m in by_map.values()
            if None not in (m[1]["privileged"], m[2]["privileged"], m[6]["privileged"])
            and m[6]["privileged"] < m[2]["privileged"] < m[1]["privileged"]
        )
        lines.append(
            f"privileged mean steps 1/2/6: {means[1]:.1f}/{means[2]:.1f}/{means[6]:.1f}; "
            f"6 < 2 < 1 on average: {means[6] < means[2] < means[1]}; "
            f"on {ordered}/{len(by_map)} maps (most: {ordered > len(by_map) / 2})"
        )
        sixes = [m[6] for m in by_map.values()]
        ratio = _ratio_mean(sixes, "privileged", "best_plan")
        lower = _ratio_mean(sixes, "privileged", "lower")
        if ratio != "-" and lower != "-":
            for n in team_sizes:
                gaps = [m[n]["best_plan"] / m[n]["lower"] for m in by_map.values()]
                lines.append(
                    f"bound, {n} agents: best plan / lower bound {_mean(_finite(gaps)):.2f} on "
                    f"average; exact on {sum(g == 1 for g in gaps)}/{len(gaps)} maps, within 10% "
                    f"on {sum(g <= 1.1 for g in gaps)}, within 25% on {sum(g <= 1.25 for g in gaps)}"
                )
            if float(lower) <= 1.5:
                verdict = "met: proven by the lower bound"
            elif float(ratio) <= 1.5:
                verdict = "met against the best plan found, not proven against the optimum"
            else:
                verdict = "fails: over 1.5x even the best plan found"
            lines.append(
                f"6 agents / best plan found: {ratio}, / lower bound: {lower}; the optimum lies"
                f" between the two, so steps / optimum is in [{ratio}, {lower}] on average"
                f" (target <= 1.5: {verdict})"
            )
    if "own" not in played:
        return "\n".join(lines)
    for n in team_sizes:
        own = [m[n]["own"] for m in by_map.values()]
        rate = sum(s is not None for s in own) / len(own)
        line = f"own map, {n} agents: success {rate:.0%} (target >= 90%: {rate >= 0.9})"
        pairs = [
            capped(m[n], "own") / capped(m[n], "privileged")
            for m in by_map.values()
            if "privileged" in m[n]
        ]
        if pairs:
            line += f"; steps / privileged {with_interval(pairs, 2)} (target <= 1.5: {_mean(pairs) <= 1.5})"
        lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
