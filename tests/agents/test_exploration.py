"""Exploration on the agent's own map finds a diamond hidden in a tunnel inside a mountain."""

from __future__ import annotations

import numpy as np

from agents.skills import library, mapping, navigation
from envs.mac import rules as rules_lib

RULES = rules_lib.load("damcs")
IDS = {name: i + 1 for i, name in enumerate(RULES.materials)}


def _world() -> np.ndarray:
    """Grass with a stone mountain in the east; a winding tunnel ends at a diamond."""
    grid = np.full((64, 64), IDS["grass"], np.int64)
    grid[36:, :] = IDS["stone"]
    tunnel = [(x, 20) for x in range(36, 46)] + [(45, y) for y in range(20, 34)]
    tunnel += [(x, 33) for x in range(45, 56)]
    for tile in tunnel:
        grid[tile] = IDS["path"]
    grid[56, 33] = IDS["diamond"]
    grid[10:20, 40:50] = IDS["water"]  # a lake elsewhere, not where diamonds are
    return grid


def _window(grid: np.ndarray, position: tuple[int, int]) -> np.ndarray:
    hx, hy = mapping.LOCAL_HALF
    view = np.zeros((2 * hx + 1, 2 * hy + 1), np.int64)
    for dx in range(-hx, hx + 1):
        for dy in range(-hy, hy + 1):
            x, y = position[0] + dx, position[1] + dy
            if 0 <= x < 64 and 0 <= y < 64:
                view[dx + hx, dy + hy] = grid[x, y]
    return view


def _steps_to_find(budget: int) -> int | None:
    grid = _world()
    known = mapping.KnownMap(RULES)
    position, facing = (20, 20), (0, 1)
    skill = library.Navigate(("diamond",), timeout=10**6)
    walkable = {IDS[m] for m in RULES.walkable}
    for step in range(budget):
        known.clock = step
        known.position = position
        known.observe_local(position, _window(grid, position))
        if known.knows("diamond"):
            return step
        state = library.AgentState(
            agent_id="player_0",
            step=step,
            position=position,
            facing=facing,
            inventory={},
            achievements={},
            sleeping=False,
            known=known,
            rules=RULES,
            action_names=tuple(RULES.actions),
            home=(20, 20),
        )
        action = skill.step(state)
        if action is None:
            return None
        if action.startswith("move_"):
            facing = navigation.MOVES[action]
            target = (position[0] + facing[0], position[1] + facing[1])
            if 0 <= target[0] < 64 and 0 <= target[1] < 64 and grid[target] in walkable:
                position = target
    return None


def test_a_diamond_in_a_tunnel_is_found_within_the_step_budget():
    # The shortest walk that sees it is about 50 steps; the search first looks west (no heading).
    found = _steps_to_find(budget=200)
    assert found is not None and found <= 200
