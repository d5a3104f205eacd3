"""Hand-built scenes on a real MAC world: clear ground around the players, set inventories."""

from __future__ import annotations

import numpy as np
import pytest

from envs import mac


class Scene:
    """A reset env whose neighbourhood of the players is plain grass with no creatures."""

    def __init__(self, n_agents: int = 1, rules: str = "damcs", **kwargs) -> None:
        self.env = mac.parallel_env(n_agents=n_agents, rules=rules, **kwargs)
        self.env.reset(seed=0)
        self.world = self.env.game.world
        self.players = {p.agent_id: p for p in self.env.game.players}
        cx, cy = self.env.game.center
        for obj in list(self.world.objects):
            if obj not in self.players.values() and np.abs(obj.pos - (cx, cy)).sum() <= 12:
                self.world.remove(obj)
        for x in range(cx - 6, cx + 7):
            for y in range(cy - 6, cy + 7):
                self.world[x, y] = "grass"

    def player(self, agent: str = "player_0"):
        return self.players[agent]

    def give(self, agent: str = "player_0", **items: int) -> None:
        self.players[agent].inventory.update(items)

    def put(self, agent: str, offset: tuple[int, int], material: str) -> tuple[int, int]:
        pos = tuple(int(v) for v in self.players[agent].pos + np.array(offset))
        self.world[pos] = material
        return pos

    def facing_tile(self, agent: str = "player_0") -> tuple[int, int]:
        player = self.players[agent]
        return tuple(int(v) for v in player.pos + np.array(player.facing))

    def act(self, **named_actions: str):
        """Step with actions given by name for some agents; the others noop."""
        actions = {}
        for agent in self.env.agents:
            name = named_actions.get(agent, "noop")
            actions[agent] = self.env.action_names(agent).index(name)
        return self.env.step(actions)


@pytest.fixture
def scene():
    return Scene
