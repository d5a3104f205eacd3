"""Play one episode of Multi-Agent Crafter with a method and report its milestones.

    python scripts/play.py --method random --n-agents 2 --rules damcs --seed 0 --json out.json
    python scripts/play.py --method my_pkg.my_module:build_team --n-agents 2   # your own agent

Prints the step at which the team first reached each milestone on the way to the goal, and writes
the benchmark's episode record as JSON (never overwriting an existing file) and, if asked, a GIF.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, Any

import tyro
import yaml
from tqdm import tqdm

from agents import llm
from agents.llm import model_config
from benchmark import methods
from envs import mac
from episode import loop


@dataclasses.dataclass(frozen=True)
class Args:
    method: str = "random"
    """Method to play: random, scripted (rule-based, not an LLM), ppo, mappo, plain-llm, damcs,
    damcs-assisted (DAMCS with the planner's menu filter), or your own team builder as
    my_pkg.my_module:build_team."""
    env: Annotated[mac.EnvConfig, tyro.conf.arg(name="")] = mac.EnvConfig()
    seed: int = 0
    """Episode seed: picks the map (as crafter.Env(seed) does) and the agents' randomness."""
    paper_map: bool = False
    """Play on the DAMCS paper's fixed map (crafter world seed 1023683980) instead of --seed's."""
    no_memory: bool = False
    """--method damcs: turn the A-KGMS memory off (ablation; the prompt has no memory section)."""
    no_comm: bool = False
    """--method damcs: turn S-CS communication off (ablation; no roles, no messages)."""
    checkpoint: Path | None = None
    """Trained policy for --method ppo|mappo: a run directory or its checkpoint file."""
    options: str = ""
    """More builder options as a YAML mapping, e.g. '{roles: false}' (see the builder's signature)."""
    model: Annotated[model_config.ModelConfig, tyro.conf.arg(name="")] = model_config.ModelConfig()
    gif: Path | None = None
    """Write the episode (every player's view) to this GIF."""
    json: Path | None = None
    """Write the episode record to this JSON file (must not exist yet)."""


def build_options(args: Args, method: methods.Method) -> dict[str, Any]:
    """The builder options `args` ask for; flags that do not apply to the method are errors."""
    try:
        options = yaml.safe_load(args.options) if args.options else {}
    except yaml.YAMLError:
        options = None
    if not isinstance(options, dict):
        raise ValueError(f"invalid --options={args.options!r}; allowed: a YAML mapping")
    if args.checkpoint is not None:
        options["checkpoint"] = str(args.checkpoint)
    if args.method in ("ppo", "mappo") and "checkpoint" not in options:
        raise ValueError(f"--method {args.method} needs --checkpoint PATH")
    if method.language_model:
        options["model"] = args.model
    elif args.model != model_config.ModelConfig():
        raise ValueError(
            "--model, --device, --dtype and the other model options apply to "
            f"{', '.join(m for m in methods.names() if methods.uses_language_model(m))} only"
        )
    if args.method in ("damcs", "damcs-assisted"):
        options.update(memory=not args.no_memory, comm=not args.no_comm)
    elif args.no_memory or args.no_comm:
        raise ValueError(
            "--no-memory and --no-comm apply to --method damcs and damcs-assisted only"
        )
    return options


def main(args: Args) -> int:
    for path in (args.json, args.gif):
        if path is not None and path.exists():
            print(f"error: {path} exists; refusing to overwrite a result", file=sys.stderr)
            return 2
    try:
        env = args.env.replace(world_seed=mac.PAPER_WORLD_SEED) if args.paper_map else args.env
        method = methods.resolve(args.method)
        options = build_options(args, method)
        team = methods.build(args.method, env, **options)
    except (ValueError, llm.ModelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    bar = tqdm(total=env.length, desc=f"{args.method} x{env.n_agents}", unit="step", leave=False)
    try:
        result = loop.play_episode(
            team,
            env,
            args.seed,
            method=args.method,
            method_config={"method": args.method, **options, **team.config},
            record_frames=args.gif is not None,
            progress=bar,
        )
    except llm.ModelError as error:
        print(f"error: the episode stopped, no record written: {error}", file=sys.stderr)
        return 1
    finally:
        bar.close()
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
        loop.save_frames(result.frames, args.gif)
        print(f"episode written to {args.gif}")
    return 0


def cli() -> int:
    """Parse the command line (a bad value is one line naming it) and play."""
    try:
        args = tyro.cli(Args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return main(args)


if __name__ == "__main__":
    sys.exit(cli())
