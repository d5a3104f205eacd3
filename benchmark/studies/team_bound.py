"""The optimal-team bound: how few joint steps 1, 2 or 6 agents with full map knowledge need.

    python -m benchmark.studies.team_bound --seeds 20 --team-sizes 1 2 6

For a map (a world seed) and a team size it gives two numbers under the rule data:

- a **lower bound**, proven for the relaxed game below: no team can collect the goal sooner;
- the **best plan found**: the joint steps of a concrete plan in the same relaxed game, the
  fewest of two searches. `team_search`: a greedy family (`team_plans`), searched over who makes
  the tools, who waits at the goal (whether it fetches too, and whether it sets out with the
  first pickaxe to tunnel there), how many copies of each gathering tool are made, in which
  order the maker's steps come, and whether a fetcher walks to the iron at once; every unit
  goes to whoever delivers it soonest. `team_route` (teams of one or two): one player follows the best
  walk of the layered graph of argument 6 with costs a play meets (so the trees, stones, coal,
  iron and goal are visited in an order set by where they all lie), alone, or while the teammate
  waits at the goal for the tool, or while the teammate first fells the trees and hands the wood
  over, then waits at the goal. A plan books every player's action at every step and is
  replayed (`team_replay`) before it counts. When the two numbers meet, the optimum is exact
  (`Bound.exact`).

The relaxed game, stated once: the rule data's game (move, `do` to collect, place, make, share
one unit to a teammate at any distance as one step of the giver) where players do not block each
other, creatures are absent, turning to face a tile is free, vitals never run out, and within a
step every player sees the effects of its teammates' actions of that step (the env lets players
act one after another in id order, so a later one already does: it may use a unit shared to it,
enter a tile mined, or make at a station placed, in that same step). Every play of the real game
is a play of the relaxed one, so the lower bound holds for the real game too. The plans use that
only as the env allows it (a share to a player with a higher id), so they are real-game plans up
to blocking, turning, creatures and vitals; `team_replay` plays them in id order.

The lower bound (`team_lower`) takes the largest of these arguments (each proven for any team):

1. **Crossing.** A tile that is not walkable becomes so only as the rule data allows
   (`team_map.crossings`): a material whose collecting leaves a walkable tile takes `do` and a
   step once someone holds the collect's tools (tree: none; stone, coal: wood pickaxe; iron:
   stone pickaxe);
   water and lava take placing stone, collecting it and a step (once someone holds a stone);
   tables and furnaces never. Stepping on lava kills, so nobody walks on it.
2. **Arrival.** `team_map.earliest` gives the team's earliest time on each tile from all starts; a
   crossing comes no sooner than the step after its gate (the time someone can first hold its
   items) and after someone stood next to it: alone, a player spends all its actions; in a team,
   they may be several players' actions in one step, so a teammate may step in during the step
   of the first one. Each player's own times take a step per tile and enter a crossing tile only
   once it can be open. Gates start at 0 and are recomputed from the times they give until they
   stop growing: every round is a lower bound.
3. **Units.** A player's j-th `do` on a material comes after it holds the tools, after it stood
   next to j distinct tiles (tiles are used up; water is not), at least j - r + 1 of them no
   sooner than the r-th nearest, and after j - 1 other such `do`s plus the other work of reaching
   j tiles (`team_lower`'s `_work`: a move per tile; for a lone player also the other actions
   of crossing). A unit someone else holds is shared in the holder's next step and may be used in
   it, so it costs no time; k units of the team come no sooner than the k-th earliest of all
   players' candidates, nor (tiles used up) than the k-th soonest of the tiles' earliest `do`s
   by anyone: two players next to one tree fell it once.
4. **Recipes.** A made item comes a step after its maker holds the inputs, no sooner than
   the step its station is placed (by a teammate; the step after, alone), and a step after
   every raw unit of its own prerequisite plan could be held (a wood pickaxe waits for the
   table's wood too); a station a step after its placer holds what it uses; the goal after its
   tool, and a step after every raw item the prerequisite plan consumes could be held.
5. **A lone player** does every collect, place and make of the prerequisite plan itself, one
   action each (`team_solo.plan_actions`), and moves: it must stand next to each material of a
   chain (tree, stone, iron, diamond; tree, coal, diamond; ...) in order, and next to as many
   distinct tiles of a material as it collects units from it, a move per tile entered plus the
   other actions of crossing, except a `do` whose items the plan needs (`team_lower._route`).
6. **A lone player's ordered walk** (`team_solo`): it walks a layered graph whose layers are how
   many units of each raw item it has collected, each layer letting it hold the tools those
   counts pay for and cross what they open; it must stand next to the units' tiles, in an order
   the crafting chain allows, and end next to the goal holding its tool. Its fewest moves plus
   `plan_actions` (proof in `team_solo`). Unlike 5, it sees that the lone player visits the trees,
   the stone, the coal and the iron one after another (not one chain at a time).

7. **Two players' split** (`team_split`, two players): the units are collected by one or the
   other, each walking to its own share (any order, every tool held), and each player's moves,
   `do`s and share of the places and makes fit in T steps.

Not used, so still loose: which player holds which copy of a tool; for teams, that one player
cannot be at a station and a distant material at once (6 is for one player; 7 drops the order,
the tools and the shares); for one player, the extra `do` of tunnelling, walking back to a
station, and a stand counted again for tiles it took before (all left out of 6 to keep it
sound).

`team_bound(world_seed, n_agents)` is what the harness calls for one map and team size.
"""

from __future__ import annotations

import dataclasses
import itertools
import pathlib
import sys

import tyro

from benchmark.studies import output
from benchmark.studies.team_lower import lower_bound
from benchmark.studies.team_map import INF, Layout, layout_for
from benchmark.studies.team_route import lone_plan
from benchmark.studies.team_search import best_plan
from envs import mac
from envs.mac import rules as rules_lib


@dataclasses.dataclass(frozen=True)
class Bound:
    """The bound for one map and team size: `lower` <= optimum <= `best_plan`."""

    n_agents: int
    lower: float
    best_plan: float

    @property
    def exact(self) -> bool:
        return self.lower == self.best_plan

    def to_dict(self) -> dict[str, object]:
        return {"n_agents": self.n_agents, "lower": self.lower, "best_plan": self.best_plan}


def bound(
    layout: Layout, n_agents: int, rules: str = "damcs", goal: str = rules_lib.DEFAULT_GOAL
) -> Bound:
    """The lower bound and the best plan found for the first `n_agents` starts of `layout`."""
    if n_agents > len(layout.starts):
        raise ValueError(f"invalid n_agents {n_agents}; the layout has {len(layout.starts)} starts")
    loaded = rules_lib.load(rules)
    lower = lower_bound(layout, loaded, goal, n_agents)
    plan = min(best_plan(layout, loaded, goal, n_agents), lone_plan(layout, loaded, goal, n_agents))
    return Bound(n_agents, float(lower), float(plan))


def team_bound(
    seed: int,
    n_agents: int,
    world_seed: int | None = None,
    rules: str = "damcs",
    goal: str = rules_lib.DEFAULT_GOAL,
) -> Bound:
    """The bound for the episode of `seed` (map and start tiles as the env builds them; the
    fixed map of `world_seed` when given) and a team of `n_agents`."""
    return bound(layout_for(seed, n_agents, world_seed, rules), n_agents, rules, goal)


# --- the study ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Args:
    seeds: int = 10
    """Maps of episode seeds 0..seeds-1, plus the paper's map."""
    team_sizes: tuple[int, ...] = (1, 2, 6)
    """Team sizes to bound."""
    json: str | None = None
    """Also write the rows here."""


def main(args: Args) -> int:
    bad = [n for n in args.team_sizes if not 1 <= n <= mac.MAX_AGENTS]
    if args.seeds < 0 or bad:
        what = (
            f"--seeds {args.seeds}: allowed: an integer >= 0"
            if args.seeds < 0
            else (f"--team-sizes {bad[0]}: allowed: an integer from 1 to {mac.MAX_AGENTS}")
        )
        print(f"team_bound: {what}", file=sys.stderr)
        return 2
    header = (
        "map",
        *itertools.chain.from_iterable((f"{n}: lower", f"{n}: best plan") for n in args.team_sizes),
    )
    print(
        "optimal-team bound, damcs rules, collect_diamond (relaxed game: see the module docstring)"
    )
    print(output.markdown_table(header, ()))
    rows, found = [], {n: [] for n in args.team_sizes}
    for seed, world_seed in [(0, mac.PAPER_WORLD_SEED), *((s, None) for s in range(args.seeds))]:
        bounds = [team_bound(seed, n, world_seed) for n in args.team_sizes]
        for b in bounds:
            found[b.n_agents].append(b)
        rows.append(
            {"seed": seed, "world_seed": world_seed, "bounds": [b.to_dict() for b in bounds]}
        )
        cells = itertools.chain.from_iterable((b.lower, b.best_plan) for b in bounds)
        name = "paper" if world_seed is not None else f"seed {seed}"
        print(output.markdown_table(header, [(name, *cells)]).splitlines()[-1], flush=True)
    for n, bounds in found.items():
        gaps = [b.best_plan / b.lower for b in bounds if 0 < b.lower < INF and b.best_plan < INF]
        print(
            f"{n} agents: best plan / lower bound {sum(gaps) / max(len(gaps), 1):.2f} on average "
            f"over {len(gaps)} maps with a plan (of {len(bounds)}); exact on "
            f"{sum(b.exact and b.lower < INF for b in bounds)}, within 10% on "
            f"{sum(g <= 1.1 for g in gaps)}"
        )
    output.write_json(None if args.json is None else pathlib.Path(args.json), vars(args), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
