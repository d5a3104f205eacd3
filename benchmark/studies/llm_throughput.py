"""LLM decision throughput of a team: one batched model call per step versus one call per agent,
with and without the shared-prefix KV cache.

Plays the same short episode of the plain LLM team four times per model, with batching on and off
(`agents.llm_agent.LLMTeam(batch=...)`) and the transformers backend's prefix cache on and off
(`HFModel.prefix_cache`), the call cache off so every decision reaches the model, and
reports decisions per second of model time and of wall time. "tiny" is the random test model built
in-process (plumbing cost only); presets, directories and hub ids are real models.

    python -m benchmark.studies.llm_throughput --models tiny gemma3-270m --n-agents 6 --steps 40
"""

from __future__ import annotations

import dataclasses
import pathlib
import sys
import tempfile
import time
from collections.abc import Sequence

import tyro

from agents import plain_llm
from agents.llm import loader, model, model_config
from benchmark.studies import output, tiny_model
from envs import mac
from episode import loop


@dataclasses.dataclass
class Args:
    """Decisions/s of the plain LLM team with batching on and off, per model."""

    models: tuple[str, ...] = ("tiny", model_config.DEFAULT_SPEC)
    """models to measure: "tiny" (random test model), a preset, a model directory or a hub id"""
    n_agents: int = 6
    """players in the episode (all decide in the same model call when batching is on)"""
    steps: int = 40
    """joint steps of the measured episode"""
    seed: int = 0
    """episode seed (the same map and agents for both settings)"""
    device: str = "auto"
    """auto (CUDA when present, else CPU), cpu or cuda"""
    dtype: str = "auto"
    """auto (bf16 on CUDA and on CPUs with native bf16, else fp32), fp32 or bf16"""
    threads: int | None = None
    """torch CPU threads (None: torch's default)"""
    json: pathlib.Path | None = None
    """also write the rows as JSON here"""


def _set_prefix_cache(lm: model.LanguageModel, on: bool) -> str:
    """Turn the backend's shared-prefix cache on or off; "-" for backends without one."""
    if not hasattr(lm, "prefix_cache"):
        return "-"
    lm.prefix_cache = on
    lm._prefix = None  # a fresh start: the first prefill is part of the measurement
    lm._last_prompt = None
    return "on" if on else "off"


def measure(lm: model.LanguageModel, args: Args, batch: bool, prefix: bool = True) -> dict:
    """One episode of the plain LLM team on `lm`; its decisions, model calls and timings."""
    prefix_state = _set_prefix_cache(lm, prefix)
    env = mac.EnvConfig(n_agents=args.n_agents, max_steps=args.steps)
    team = plain_llm.build_team(env, model=lm, batch=batch)
    before = lm.usage
    start = time.perf_counter()
    record = loop.play_episode(team, env, args.seed, method="plain-llm").record
    wall = time.perf_counter() - start
    used = lm.usage - before
    return {
        "model": lm.model_id,
        "batching": "on" if batch else "off",
        "prefix_cache": prefix_state,
        "agents": args.n_agents,
        "steps": record.length,
        "decisions": record.decisions,
        "model_calls": used.batches,
        "model_s": used.latency_s,
        "wall_s": wall,
        "decisions_per_model_s": record.decisions / used.latency_s if used.latency_s else 0.0,
        "decisions_per_wall_s": record.decisions / wall,
        "fallbacks": record.llm_fallbacks,
    }


def table(rows: Sequence[dict]) -> str:
    lines = [
        "| model | batching | prefix cache | agents x steps | decisions | model calls | model s"
        " | wall s | decisions/s (model) | decisions/s (wall) | speed-up |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    # The reference is the plainest setting: no batching, no prefix cache.
    off = {
        r["model"]: r["decisions_per_model_s"]
        for r in rows
        if r["batching"] == "off" and r.get("prefix_cache") in ("off", "-")
    }
    for r in rows:
        base = off.get(r["model"])
        gain = f"x{r['decisions_per_model_s'] / base:.2f}" if base else "-"
        lines.append(
            f"| {r['model']} | {r['batching']} | {r.get('prefix_cache', '-')}"
            f" | {r['agents']} x {r['steps']} | {r['decisions']}"
            f" | {r['model_calls']} | {r['model_s']:.1f} | {r['wall_s']:.1f}"
            f" | **{r['decisions_per_model_s']:.2f}** | {r['decisions_per_wall_s']:.2f} | {gain} |"
        )
    return "\n".join(lines)


def load(spec: str, args: Args, scratch: pathlib.Path) -> model.LanguageModel:
    """The model to measure, uncached calls so that every decision costs a real forward pass."""
    if spec == "tiny":
        spec = str(tiny_model.build_tiny_model(scratch / "tiny"))
        config = model_config.ModelConfig(
            spec, device="cpu", threads=args.threads, call_cache=False
        )
        return loader.load_model(config)
    config = model_config.ModelConfig(
        spec, device=args.device, dtype=args.dtype, threads=args.threads, call_cache=False
    )
    return loader.load_model(config)


def main(args: Args) -> list[dict]:
    """Measure each model of `args.models` in turn; raises `output.StudyError` naming the first that
    fails to load (the rows of the models before it were printed)."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for spec in args.models:
            try:
                lm = load(spec, args, pathlib.Path(scratch))
            except model.ModelError as error:
                raise output.StudyError(f"--models {spec}: {error}") from None
            measure(lm, dataclasses.replace(args, steps=2), batch=True)  # warm-up
            for batch in (True, False):
                for prefix in (True, False):
                    rows.append({**measure(lm, args, batch, prefix), "model": spec})
                    print(table(rows[-1:]).splitlines()[-1], flush=True)
    print(table(rows))
    output.write_json(args.json, vars(args), rows)
    return rows


def cli() -> int:
    return output.exit_status("llm_throughput", lambda: main(tyro.cli(Args)))


if __name__ == "__main__":
    sys.exit(cli())
