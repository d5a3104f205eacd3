"""Environment speed: MAC against the original crafter, measured in one run on one machine.

    python -m benchmark.studies.env_speed [--steps 2000] [--resets 20]

Prints a Markdown table of reset time and agent-steps per second for `crafter.Env` (drawing its image,
and with drawing switched off) and for MAC with 1, 2 and 6 agents in image and symbolic mode, each as a
ratio against crafter measured in the same run: absolute numbers move with the machine's load, the
ratios much less. Random actions; an episode that ends is reset (the reset time is not counted).
"""

from __future__ import annotations

import dataclasses
import time

import crafter
import numpy as np
import tyro

from benchmark.studies import output
from envs import mac


@dataclasses.dataclass(frozen=True)
class Args:
    steps: int = 2000
    """Joint steps timed per configuration."""
    resets: int = 20
    """Resets timed per configuration (each a new map)."""
    seed: int = 0


def _crafter_steps(steps: int, seed: int, draw: bool) -> float:
    env = crafter.Env(seed=seed)
    if not draw:
        env.render = lambda size=None: None  # the step's only drawing goes through render()
    env.reset()
    rng = np.random.default_rng(seed)
    actions = rng.integers(17, size=steps)
    elapsed = 0.0
    for action in actions:
        start = time.perf_counter()
        _, _, done, _ = env.step(int(action))
        elapsed += time.perf_counter() - start
        if done:
            env.reset()
    return steps / elapsed


def _crafter_reset(resets: int, seed: int) -> float:
    env = crafter.Env(seed=seed)
    env.reset()  # first call pays numba's compile/cache load
    start = time.perf_counter()
    for _ in range(resets):
        env.reset()
    return (time.perf_counter() - start) / resets


def _mac_steps(n_agents: int, obs_type: str, steps: int, seed: int) -> float:
    env = mac.parallel_env(n_agents=n_agents, rules="damcs", obs_type=obs_type, max_cycles=10_000)
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    n_actions = env.action_space("player_0").n
    elapsed, agent_steps = 0.0, 0
    for _ in range(steps):
        if not env.agents:
            env.reset()
        actions = {a: int(rng.integers(n_actions)) for a in env.agents}
        start = time.perf_counter()
        env.step(actions)
        elapsed += time.perf_counter() - start
        agent_steps += len(actions)
    return agent_steps / elapsed


def _mac_reset(n_agents: int, resets: int, seed: int) -> float:
    env = mac.parallel_env(n_agents=n_agents, rules="damcs")
    env.reset(seed=seed)
    start = time.perf_counter()
    for i in range(resets):
        env.reset(seed=seed + 1 + i)
    return (time.perf_counter() - start) / resets


def main(args: Args) -> None:
    reference_steps = _crafter_steps(args.steps, args.seed, draw=True)
    reference_reset = _crafter_reset(args.resets, args.seed)
    rows = [
        ("crafter.Env, image", 1, reference_steps, reference_reset),
        ("crafter.Env, no drawing", 1, _crafter_steps(args.steps, args.seed, draw=False), None),
    ]
    for n_agents in (1, 2, 6):
        reset = _mac_reset(n_agents, args.resets, args.seed)
        for obs_type in ("image", "symbolic"):
            steps = args.steps if obs_type == "symbolic" else max(args.steps // 4, 100)
            speed = _mac_steps(n_agents, obs_type, steps, args.seed)
            rows.append((f"MAC {obs_type}", n_agents, speed, reset))
    header = (
        "env",
        "agents",
        "agent-steps/s",
        "x crafter image",
        "reset ms",
        "crafter reset / this",
    )
    print(
        output.markdown_table(
            header,
            (
                (
                    name,
                    n_agents,
                    f"{speed:,.0f}",
                    f"{speed / reference_steps:.2f}",
                    "-" if reset is None else f"{reset * 1000:.1f}",
                    "-" if reset is None else f"{reference_reset / reset:.1f}",
                )
                for name, n_agents, speed, reset in rows
            ),
        )
    )


if __name__ == "__main__":
    main(tyro.cli(Args))
