"""Skills: subgoal -> primitive actions, on the agent's own known map (see the modules)."""

from agents.skills import mapping, navigation, skills

__all__ = ["mapping", "navigation", "skills"]
