"""The one description of an environment a benchmark episode or a training run plays in.

`EnvConfig` is built once (by a CLI, a suite or the MARL trainer), validated on construction and
passed whole: the episode loop, the harness, `scripts/play.py`, the trainer and the checkpoint
evaluation all read it instead of repeating team size, rules, goal and length as loose arguments.
Its constants are the allowed values, so an error message and a CLI choice list come from here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from envs.mac import rules as rules_lib
from envs.mac.env import MAX_AGENTS, OBS_TYPES, REWARD_MODES, MultiAgentCrafter

DEFAULT_RULES = "damcs"
"""The DAMCS paper's rule set: what a benchmark plays unless told otherwise."""
DEFAULT_GOAL = rules_lib.DEFAULT_GOAL
__all__ = [
    "DEFAULT_GOAL",
    "DEFAULT_RULES",
    "MAX_AGENTS",
    "OBS_TYPES",
    "REWARD_MODES",
    "ConfigError",
    "EnvConfig",
]


class ConfigError(ValueError):
    """An environment config names an impossible value; the message names the field."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class EnvConfig:
    """Which world a team plays in: size, rule set, goal, observations, length and map."""

    n_agents: int = 1
    """Players in the world (1 to MAX_AGENTS)."""
    rules: str = DEFAULT_RULES
    """Rule set from envs/mac/data.yaml: damcs (the paper's variant) or crafter (the original)."""
    goal: str = DEFAULT_GOAL
    """Achievement that ends the episode for the whole team."""
    obs_type: str = "symbolic"
    """Observation: symbolic (float vector) or image (64x64 RGB)."""
    max_steps: int | None = None
    """Episode cap in joint steps (None: the rule set's length, 350 for damcs)."""
    world_seed: int | None = None
    """Crafter world seed to play on every episode (None: the episode seed picks the map)."""
    privileged_map: bool = False
    """Put the full semantic map in every info (the paper's navigator read it)."""

    def __post_init__(self) -> None:
        def fail(name: str, allowed: str) -> ConfigError:
            return ConfigError(f"invalid {name}={getattr(self, name)!r}; allowed: {allowed}")

        if not _is_int(self.n_agents) or not 1 <= self.n_agents <= MAX_AGENTS:
            raise fail("n_agents", f"an integer from 1 to {MAX_AGENTS}")
        if self.rules not in rules_lib.names():
            raise fail("rules", ", ".join(rules_lib.names()))
        achievements = rules_lib.load(self.rules).achievements
        if self.goal not in achievements:
            raise fail("goal", f"an achievement of rules {self.rules!r}: {', '.join(achievements)}")
        if self.obs_type not in OBS_TYPES:
            raise fail("obs_type", ", ".join(OBS_TYPES))
        if self.max_steps is not None and (not _is_int(self.max_steps) or self.max_steps < 1):
            raise fail("max_steps", "None or an integer >= 1")
        if self.world_seed is not None and (not _is_int(self.world_seed) or self.world_seed < 0):
            raise fail("world_seed", "None or an integer >= 0")
        if not isinstance(self.privileged_map, bool):
            raise fail("privileged_map", "true or false")

    @property
    def length(self) -> int:
        """The episode cap in joint steps, resolved."""
        return self.max_steps or rules_lib.load(self.rules).length

    def replace(self, **changes: Any) -> EnvConfig:
        """A validated copy with `changes` applied."""
        return dataclasses.replace(self, **changes)

    def make_env(self, render: bool = False, reward: str = "individual") -> MultiAgentCrafter:
        """The PettingZoo parallel env this config describes."""
        return MultiAgentCrafter(
            n_agents=self.n_agents,
            rules=self.rules,
            obs_type=self.obs_type,
            goal=self.goal,
            max_cycles=self.max_steps,
            reward=reward,
            privileged_map=self.privileged_map,
            world_seed=self.world_seed,
            render_mode="rgb_array" if render else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
