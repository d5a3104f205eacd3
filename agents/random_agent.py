"""The uniform random policy: the floor every method must beat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from envs import mac
from episode import team as team_lib


class RandomAgent(team_lib.Agent):
    """Picks uniformly among all of its actions, seeded per episode."""

    def reset(self, spec: team_lib.AgentSpec) -> None:
        super().reset(spec)
        self._rng = np.random.default_rng(spec.seed)

    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        self.count(decisions=1)
        return int(self._rng.integers(len(self.spec.action_names)))


def build_team(env: mac.EnvConfig) -> team_lib.Team:
    """A team of independent random agents."""
    team = team_lib.Team([RandomAgent() for _ in range(env.n_agents)])
    team.method = "random"
    return team
