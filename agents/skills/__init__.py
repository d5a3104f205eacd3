"""Skills: subgoal -> primitive actions, on the agent's own known map (see the modules)."""

from agents.skills import library, mapping, navigation

__all__ = ["library", "mapping", "navigation"]
