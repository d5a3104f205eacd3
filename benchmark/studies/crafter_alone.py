"""How many steps a crafter needs to make the goal's tool alone, as the seeker of two guesses it
(`agents.scripted_dispatch.alone_steps`): the fit behind `scripted_dispatch.ALONE_STEPS`.

    python -m benchmark.studies.crafter_alone [--first 2010] [--maps 40]

A lone scripted agent plays each map with the privileged map, its goal the tool itself (a crafter
makes the tool and hands it over: with the diamond as its goal a lone agent would gather on its way
there, `planner.route_on_the_way`, which a crafter does not); every fifth step before it makes the
tool, the study records its plan's steps and bill (as a crafter posts them), its walk to the
farthest material it misses, and the steps it then took to the tool. It prints a least-squares fit
of those steps on (plan steps + units, the walk, 1) and, by episode phase, the mean steps beside
the mean guess of the current constants. The seeker of two leaves the crafter for the goal when
its own walk there is as long as that guess (`scripted_dispatch.seeker_ahead`).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence

import numpy as np
import tqdm
import tyro

from agents import planner, prerequisites, scripted, scripted_board, scripted_dispatch, teamwork
from agents.skills import library
from benchmark import methods
from benchmark.studies import cooperation, output
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop

EVERY = 5  # record every this many steps
PHASES = ((0, 1), (1, 20), (20, 40), (40, 80), (80, None))


@dataclasses.dataclass(frozen=True)
class Args:
    first: int = 2010
    """Skip this many maps that hold a diamond (the cooperation study's map order)."""
    maps: int = 40
    """Maps to play."""


@dataclasses.dataclass(frozen=True)
class Sample:
    """One recorded step: the crafter's plan steps plus units, its walk to the farthest material
    it misses, and the steps it then took to make the tool."""

    step: int
    work: float
    farthest: float
    took: int


def samples(first: int, maps: int) -> list[Sample]:
    """Play the maps and record the crafter's guess components beside its steps to the tool."""
    out: list[Sample] = []
    tool = prerequisites.goal_tool(rules_lib.load(mac.EnvConfig().rules), cooperation.GOAL)
    if tool is None:
        return out
    for where in tqdm.tqdm(cooperation.maps_with_diamond(maps, first), desc="maps", unit="map"):
        env = mac.EnvConfig(
            n_agents=1, privileged_map=True, world_seed=where.world_seed, goal=f"make_{tool}"
        )
        team = methods.build("scripted", env)
        seen: list[tuple[int, float, float]] = []
        agent: scripted.ScriptedAgent = team.agents[0]
        post = agent._post_status

        def watch(state: library.AgentState, info, post=post, agent=agent, seen=seen) -> None:
            post(state, info)
            if state.step % EVERY or state.inventory.get(tool, 0):
                return
            steps = planner.plan_steps(state, goal=f"make_{tool}")
            status = scripted_board.AgentStatus(
                inventory=dict(state.inventory),
                position=state.position,
                missing=prerequisites.bill(steps),
                remaining=len(steps),
            )
            walk = scripted_dispatch.farthest_walk(teamwork.Reach(state.known), status, agent.rules)
            seen.append((state.step, scripted_dispatch.bill_work(status), walk))

        # The agent posts its status each step: the study reads the same state there.
        agent._post_status = watch
        record = loop.play_episode(team, env, where.seed, method="scripted").record
        made = record.achievements.get(f"make_{tool}")
        if made is None:
            continue
        out += [Sample(s, w, f, made - s) for s, w, f in seen if s < made and np.isfinite(f)]
    return out


def fit(rows: Sequence[Sample]) -> np.ndarray:
    """Least-squares coefficients of the steps taken on (work, farthest walk, 1)."""
    x = np.array([[r.work, r.farthest, 1.0] for r in rows])
    y = np.array([r.took for r in rows], dtype=float)
    return np.linalg.lstsq(x, y, rcond=None)[0]


def report(rows: Sequence[Sample]) -> str:
    per_unit, offset = scripted_dispatch.ALONE_STEPS
    coef = fit(rows)
    lines = [
        f"{len(rows)} steps recorded; fit: steps = {coef[0]:.2f} x (plan steps + units) "
        f"+ {coef[1]:.2f} x farthest walk {coef[2]:+.1f} "
        f"(the code: {per_unit} x ... + 1.00 x ... {offset:+.1f})",
    ]
    table = []
    for low, high in PHASES:
        chosen = [r for r in rows if low <= r.step and (high is None or r.step < high)]
        if not chosen:
            continue
        if high is None:
            label = f"{low} on"
        else:
            label = str(low) if high == low + 1 else f"{low}-{high - 1}"
        took = np.mean([r.took for r in chosen])
        guess = np.mean([scripted_dispatch.alone_guess(r.work, r.farthest) for r in chosen])
        table.append((label, len(chosen), f"{took:.1f}", f"{guess:.1f}"))
    header = ("steps into the episode", "samples", "steps to the tool", "the code's guess")
    lines.append(output.markdown_table(header, table))
    return "\n".join(lines)


def main(args: Args) -> int:
    if args.maps < 1 or args.first < 0:
        print("error: --maps must be >= 1 and --first >= 0", file=sys.stderr)
        return 2
    rows = samples(args.first, args.maps)
    if len(rows) < 3:
        print("error: too few samples to fit; play more --maps", file=sys.stderr)
        return 1
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
