"""The scripted planner's (not an LLM) table: steps to the diamond by team size and map knowledge.

    python -m benchmark.studies.scripted_table --seeds 10 --paper-runs 5

Rows: team size x (privileged global map | own explored map) x (the DAMCS paper's map | maps of
seeds 0..N-1). Columns: success rate within the episode cap and mean steps to the diamond over the
successful runs, next to the paper's DAMCS on GPT-4o (140.0 for one agent, 85.4 for six).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys

import tyro

from agents import scripted
from benchmark import methods
from benchmark.studies import output
from envs import mac
from episode import loop

PAPER_DAMCS = {1: 140.0, 6: 85.4}


@dataclasses.dataclass(frozen=True)
class Args:
    seeds: int = 10
    """Maps of episode seeds 0..seeds-1 (one run each)."""
    paper_runs: int = 5
    """Runs on the paper's fixed map (episode seeds 0..paper_runs-1)."""
    team_sizes: tuple[int, ...] = (1, 2, 6)
    """Team sizes to play."""


def diamond_steps(n_agents: int, privileged: bool, paper_map: bool, seeds: range) -> list:
    """Steps to the diamond (None when not reached) for each episode seed."""
    found = []
    for seed in seeds:
        env = mac.EnvConfig(
            n_agents=n_agents,
            privileged_map=privileged,
            world_seed=mac.PAPER_WORLD_SEED if paper_map else None,
        )
        team = methods.build("scripted", env)
        record = loop.play_episode(team, env, seed, method="scripted").record
        found.append(record.milestones["collect_diamond"])
    return found


def main(args: Args) -> int:
    print(f"{scripted.LABEL}, damcs rules, 350-step cap")
    header = ("map", "navigation", "agents", "success", "mean steps to diamond", "paper DAMCS")
    print(output.markdown_table(header, ()))
    for paper_map, runs in ((True, args.paper_runs), (False, args.seeds)):
        for privileged in (True, False):
            for n_agents in args.team_sizes:
                steps = diamond_steps(n_agents, privileged, paper_map, range(runs))
                reached = [s for s in steps if s is not None]
                mean = f"{statistics.mean(reached):.1f}" if reached else "-"
                where = "paper map" if paper_map else f"seeds 0-{runs - 1}"
                nav = "privileged" if privileged else "own map"
                paper = PAPER_DAMCS.get(n_agents, "") if paper_map else ""
                row = (where, nav, n_agents, f"{len(reached)}/{runs}", mean, paper)
                print(output.markdown_table(header, [row]).splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
