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

from agents import llm, registry, runner
from envs import mac
from envs.mac import rules as rules_lib


@dataclasses.dataclass(frozen=True)
class Args:
    method: str = "random"
    """Method to play: random, scripted (rule-based, not an LLM), ppo, mappo, plain-llm, damcs."""
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
    privileged_map: bool = False
    """Give agents the full semantic map (the paper's navigator); scripted agents then navigate on it."""
    no_memory: bool = False
    """--method damcs: turn the A-KGMS memory off (ablation; the prompt has no memory section)."""
    no_comm: bool = False
    """--method damcs: turn S-CS communication off (ablation; no roles, no messages)."""
    no_focus: bool = False
    """--method damcs: offer the model the full menu, not only the options the goal or a teammate
    needs (ablation of the memory's relevance filter, agents/memory/focus.py)."""
    gif: Path | None = None
    """Write the episode (every player's view) to this GIF."""
    json: Path | None = None
    """Write the episode record to this JSON file (must not exist yet)."""
    checkpoint: Path | None = None
    """Trained policy for --method ppo|mappo: a run directory or its checkpoint file."""
    model: str | None = None
    """Language model for --method plain-llm or damcs: a preset (smollm2-135m, gemma3-270m, qwen2.5-0.5b), a hub id, a model directory or .gguf file, or uniform (a control that picks options at random) (default: the method's preset)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the language model runs: auto (CUDA when present, else CPU), cpu or cuda."""
    dtype: Literal["auto", "fp32", "bf16"] = "auto"
    """Language model weights: auto (bf16 on CUDA, fp32 on CPU), fp32 or bf16 (fast on AMX CPUs)."""


LLM_METHODS = ("plain-llm", "damcs")


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
            privileged_map=args.privileged_map,
        )
        rules_lib.load(args.rules).check_achievement(args.goal)
        options = {} if args.checkpoint is None else {"checkpoint": str(args.checkpoint)}
        if args.method == "scripted":
            options["privileged_map"] = args.privileged_map
        if args.method in ("ppo", "mappo") and args.checkpoint is None:
            raise ValueError(f"--method {args.method} needs --checkpoint PATH")
        if args.method in LLM_METHODS:
            options.update(device=args.device, dtype=args.dtype, privileged_map=args.privileged_map)
            if args.model is not None:
                options["model"] = args.model
        elif args.model is not None:
            raise ValueError(f"--model applies to {', '.join(LLM_METHODS)} only")
        if args.method == "damcs":
            options.update(
                memory=not args.no_memory, comm=not args.no_comm, focus=not args.no_focus
            )
        elif args.no_memory or args.no_comm or args.no_focus:
            raise ValueError("--no-memory, --no-comm and --no-focus apply to --method damcs only")
        team = registry.build(args.method, args.n_agents, **options)
    except (ValueError, llm.ModelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cap = args.max_steps or rules_lib.load(args.rules).length
    with tqdm(total=cap, desc=f"{args.method} x{args.n_agents}", unit="step", leave=False) as bar:
        result = runner.play_episode(
            team,
            spec,
            method=args.method,
            method_config=team.config,
            record_frames=args.gif is not None,
            progress=bar,
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
