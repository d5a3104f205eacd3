"""Play one episode of Multi-Agent Crafter with a method and report its milestones.

    python scripts/play.py --method random --n-agents 2 --rules damcs --seed 0 --json out.json
    python scripts/play.py --method my_pkg.my_module:build_team --n-agents 2   # your own agent

Prints the step at which the team first reached each milestone on the way to the goal, and writes
the benchmark's episode record as JSON (never overwriting an existing file) and, if asked, a GIF.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import tyro
import yaml
from tqdm import tqdm

from agents import llm
from agents.llm import model_config
from benchmark import methods, viewer
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
    html: Path | None = None
    """Write a self-contained HTML viewer of the episode (GIF, decisions, knowledge graphs)."""


OUTPUT_SUFFIXES = {"json": (".json",), "gif": (".gif", ".mp4"), "html": (".html", ".htm")}


def check_outputs(args: Args) -> str | None:
    """Why the output paths cannot be written (one line), or None; checked before any episode so
    that a long episode is never lost to a bad path."""
    seen: dict[Path, str] = {}
    for flag, suffixes in OUTPUT_SUFFIXES.items():
        path = getattr(args, flag)
        if path is None:
            continue
        if path.suffix.lower() not in suffixes:
            return f"invalid --{flag} {path}; allowed: a path ending in {' or '.join(suffixes)}"
        resolved = path.resolve()
        if resolved in seen:
            return f"invalid --{flag} {path}: the same path as --{seen[resolved]}"
        seen[resolved] = flag
        if path.exists():
            return f"{path} exists; refusing to overwrite a result"
        parent = next((p for p in (resolved, *resolved.parents) if p.exists()), None)
        if parent is None or not parent.is_dir():
            return f"invalid --{flag} {path}: {parent} is a file, not a directory"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"invalid --{flag} {path}: directory {parent} is not writable"
    return None


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
    problem = check_outputs(args)
    if problem is None and args.seed < 0:
        problem = f"invalid --seed {args.seed}; allowed: an integer >= 0"
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
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
            record_frames=args.gif is not None or args.html is not None,
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
    for path in (args.json, args.gif, args.html):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    if args.json is not None:
        record.write(args.json)
        print(f"record written to {args.json}")
    if args.gif is not None:
        loop.save_frames(result.frames, args.gif)
        print(f"episode written to {args.gif}")
    if args.html is not None:
        with tempfile.TemporaryDirectory() as scratch:
            gif = args.gif or loop.save_frames(result.frames, Path(scratch) / "episode.gif")
            viewer.write_episode_html(
                args.html, record, result.trace, gif=gif, top_down=result.top_down
            )
        print(f"viewer written to {args.html}")
    return 0


def cli() -> int:
    """Parse the command line (a bad value is one line naming it) and play."""
    args = parse(Args)
    return args if isinstance(args, int) else main(args)


def parse(kind: type[Args]) -> Args | int:
    """tyro's parse of the command line, its boxed usage errors reduced to one line (exit 2)."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            return tyro.cli(kind)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit_:
        if exit_.code in (0, None):
            sys.stderr.write(captured.getvalue())
            return 0
        lines = [ln.strip(" │╭╮╰╯─") for ln in captured.getvalue().splitlines()]
        lines = [ln for ln in lines if ln and not ln.startswith(("usage", "For full"))]
        problem = next((ln for ln in lines if "--" in ln or "invalid" in ln.lower()), None)
        print(f"error: {problem or (lines[0] if lines else 'bad arguments')}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(cli())
