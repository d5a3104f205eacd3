"""Multi-Agent Crafter: N players in one Crafter world (PettingZoo). See `envs.mac.env`."""

from envs.mac.env import PAPER_WORLD_SEED, MultiAgentCrafter, env, parallel_env
from envs.mac.env_config import (
    DEFAULT_GOAL,
    DEFAULT_RULES,
    MAX_AGENTS,
    OBS_TYPES,
    REWARD_MODES,
    ConfigError,
    EnvConfig,
)

__all__ = [
    "DEFAULT_GOAL",
    "DEFAULT_RULES",
    "MAX_AGENTS",
    "OBS_TYPES",
    "PAPER_WORLD_SEED",
    "REWARD_MODES",
    "ConfigError",
    "EnvConfig",
    "MultiAgentCrafter",
    "env",
    "parallel_env",
]
