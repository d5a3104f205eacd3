"""Play one episode of Multi-Agent Crafter with a method and report its milestones.

    python scripts/play.py --method random --n-agents 2 --rules damcs --seed 0 --json out.json

Prints the step at which the team first reached each milestone on the way to the goal, and writes
the benchmark's episode record as JSON (never overwriting an existing file) and, if asked, a GIF.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Literal

import tyro
from tqdm import tqdm

from agents import registry, runner
from envs import mac
from envs.mac import rules as rules_lib


@dataclasses.dataclass(frozen=True)
class Args:
    method: str = "random"
    """Method to play: random (more arrive with the agents and baselines issues)."""
    n_agents: int = 1
    """Players in the world (1 or more)."""
    rules: Literal["damcs", "crafter"] = "damcs"
    """Rule set: damcs (the paper's variant) or crafter (the original game)."""
    seed: int = 0
    """Episode seed: picks the map (as crafter.Env(seed) does) and the agents' randomness."""
    max_steps: int | None = None
    """Episode cap in joint steps (default: the rule set's length, 350 for damcs)."""
    goal: str = "collect_diamond"
    """Achievement that ends the episode for the whole team."""
    paper_map: bool = False
    """Play on the DAMCS paper's fixed map (crafter world seed 1023683980) instead of --seed's."""
    gif: Path | None = None
    """Write the episode (every player's view) to this GIF."""
    json: Path | None = None
    """Write the episode record to this JSON file (must not exist yet)."""


def main(args: Args) -> int:
    for path in (args.json, args.gif):
        if path is not None and path.exists():
            print(f"error: {path} exists; refusing to overwrite a result", file=sys.stderr)
            return 2
    try:
        spec = runner.EpisodeSpec(
            n_agents=args.n_agents,
            rules=args.rules,
            seed=args.seed,
            goal=args.goal,
            max_steps=args.max_steps,
            world_seed=mac.PAPER_WORLD_SEED if args.paper_map else None,
        )
        rules_lib.load(args.rules).check_achievement(args.goal)
        team = registry.build(args.method, args.n_agents)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cap = args.max_steps or rules_lib.load(args.rules).length
    with tqdm(total=cap, desc=f"{args.method} x{args.n_agents}", unit="step", leave=False) as bar:
        result = runner.play_episode(
            team, spec, method=args.method, record_frames=args.gif is not None, progress=bar
        )
    team.close()
    record = result.record
    print(
        f"{record.method} | {record.n_agents} agent(s) | rules {record.rules} | "
        f"seed {record.episode_seed} (world seed {record.map_seed})"
    )
    print(f"{'milestone':<22}step")
    for name, step in record.milestones.items():
        print(f"{name:<22}{'-' if step is None else step}")
    outcome = "reached" if record.success else "not reached"
    print(
        f"goal {record.goal} {outcome}; episode length {record.length}; {record.wall_time_s:.1f} s"
    )
    if args.json is not None:
        record.write(args.json)
        print(f"record written to {args.json}")
    if args.gif is not None:
        runner.save_frames(result.frames, args.gif)
        print(f"episode written to {args.gif}")
    return 0


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
