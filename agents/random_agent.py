"""The uniform random policy: the floor every method must beat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agents import base


class RandomAgent(base.Agent):
    """Picks uniformly among all of its actions, seeded per episode."""

    def reset(self, spec: base.AgentSpec) -> None:
        super().reset(spec)
        self._rng = np.random.default_rng(spec.seed)

    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        self.counters.decisions += 1
        return int(self._rng.integers(len(self.spec.action_names)))


def build_team(n_agents: int) -> base.Team:
    """A team of independent random agents."""
    team = base.Team([RandomAgent() for _ in range(n_agents)])
    team.method = "random"
    return team
