"""Hand-built scenes for skill tests: a real MAC world with plain grass around the players."""

from __future__ import annotations

import numpy as np
import pytest

from agents.skills import library, mapping
from envs import mac


class SkillScene:
    """A reset env whose neighbourhood of the players is grass, no creatures, and a runner for
    skills that feeds each agent's own known map from its info (or the full map when privileged)."""

    def __init__(self, n_agents: int = 1, privileged_map: bool = False, radius: int = 12) -> None:
        self.env = mac.parallel_env(n_agents=n_agents, rules="damcs", privileged_map=privileged_map)
        _, self.infos = self.env.reset(seed=0)
        self.world = self.env.game.world
        self.rules = self.env.rules
        self.players = {p.agent_id: p for p in self.env.game.players}
        cx, cy = self.env.game.center
        self.center = (cx, cy)
        for obj in list(self.world.objects):
            if obj not in self.players.values() and np.abs(obj.pos - (cx, cy)).sum() <= 3 * radius:
                self.world.remove(obj)
        for x in range(cx - radius, cx + radius + 1):
            for y in range(cy - radius, cy + radius + 1):
                self.world[x, y] = "grass"
        self.known = {a: mapping.KnownMap(self.rules) for a in self.env.possible_agents}
        self.refresh()

    def refresh(self) -> None:
        """Re-read infos after editing the world by hand (the env caches a step's maps)."""
        self.infos = self.env.current_infos()

    def put(self, offset: tuple[int, int], material: str, agent: str = "player_0"):
        pos = tuple(int(v) for v in self.players[agent].pos + np.array(offset))
        self.world[pos] = material
        self.refresh()
        return pos

    def give(self, agent: str = "player_0", **items: int) -> None:
        self.players[agent].inventory.update(items)
        self.refresh()

    def state(self, agent: str = "player_0") -> library.AgentState:
        info = self.infos[agent]
        self.known[agent].observe(info)
        return library.AgentState.from_info(
            agent,
            info,
            self.known[agent],
            self.rules,
            tuple(self.env.action_names(agent)),
            teammates=tuple(a for a in self.env.possible_agents if a != agent),
            home=self.center,
        )

    def run(self, skill: library.Skill, agent: str = "player_0", limit: int = 300) -> list[str]:
        """Step `skill` until it finishes (others noop); returns the actions taken."""
        self.refresh()
        taken = []
        for _ in range(limit):
            action = skill.step(self.state(agent))
            if action is None:
                return taken
            taken.append(action)
            actions = {a: self.env.action_names(a).index("noop") for a in self.env.agents}
            actions[agent] = self.env.action_names(agent).index(action)
            _, _, _, _, self.infos = self.env.step(actions)
        raise AssertionError(f"{skill!r} did not finish within {limit} steps")

    def facing_tile(self, agent: str = "player_0") -> tuple[int, int]:
        player = self.players[agent]
        return tuple(int(v) for v in player.pos + player.facing)


@pytest.fixture
def skill_scene():
    return SkillScene
