"""Multi-Agent Crafter: N players in one Crafter world (PettingZoo). See `envs.mac.env`."""

from envs.mac.env import PAPER_WORLD_SEED, MultiAgentCrafter, env, parallel_env

__all__ = ["PAPER_WORLD_SEED", "MultiAgentCrafter", "env", "parallel_env"]
