"""Exploration on the agent's own map finds a diamond hidden in a tunnel inside a mountain."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents import options, scripted, scripted_board, scripted_roles
from agents.skills import library, mapping, navigation
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop

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


def _solid_mountain() -> np.ndarray:
    """Grass in the west, solid rock from x=30 east with no cave or tunnel; a diamond inside."""
    grid = np.full((64, 64), IDS["grass"], np.int64)
    grid[30:, :] = IDS["stone"]
    grid[40, 20] = IDS["diamond"]
    return grid


def _steps_to_find(
    budget: int,
    grid: np.ndarray | None = None,
    start: tuple[int, int] = (20, 20),
    inventory: dict[str, int] | None = None,
) -> int | None:
    """Steps a diamond search (the navigate skill) takes until the diamond is on the known map;
    `do` mines the faced tile when the inventory meets its collect rule (rock becomes path)."""
    grid = _world() if grid is None else grid.copy()
    inventory = dict(inventory or {})
    known = mapping.KnownMap(RULES)
    position, facing = start, (0, 1)
    skill = library.Navigate(("diamond",), timeout=10**6)
    walkable = {IDS[m] for m in RULES.walkable}
    names = {i: name for name, i in IDS.items()}
    for step in range(budget):
        known.clock = step
        known.position = position
        known.holding = dict(inventory)
        known.observe_local(position, _window(grid, position))
        if known.knows("diamond"):
            return step
        state = library.AgentState(
            agent_id="player_0",
            step=step,
            position=position,
            facing=facing,
            inventory=inventory,
            achievements={},
            sleeping=False,
            known=known,
            rules=RULES,
            action_names=tuple(RULES.actions),
            home=start,
        )
        action = skill.step(state)
        if action is None:
            return None
        target = (position[0] + facing[0], position[1] + facing[1])
        if action.startswith("move_"):
            facing = navigation.MOVES[action]
            target = (position[0] + facing[0], position[1] + facing[1])
            if 0 <= target[0] < 64 and 0 <= target[1] < 64 and grid[target] in walkable:
                position = target
        elif action == "do" and 0 <= target[0] < 64 and 0 <= target[1] < 64:
            rule = RULES.collect.get(names[int(grid[target])])
            if rule is not None and all(inventory.get(k, 0) >= n for k, n in rule.require.items()):
                grid[target] = IDS[rule.leaves]
                for item, n in rule.receive.items():
                    inventory[item] = inventory.get(item, 0) + n
    return None


def test_a_diamond_in_a_tunnel_is_found_within_the_step_budget():
    # The shortest walk that sees it is about 50 steps; without a pickaxe the search must find the
    # tunnel's mouth along the mountain's edge (it first looks west: no heading).
    found = _steps_to_find(budget=200)
    assert found is not None and found <= 200


def test_a_diamond_in_solid_rock_is_found_only_by_tunnelling():
    # No cave or tunnel leads in: walking never sees the diamond; with a pickaxe the search digs
    # into the rock. Digging straight at it takes about 16 steps (6 tiles of rock, 2 steps each,
    # the view reaching 4 tiles on). The search counts the unseen rock beyond each frontier's
    # view (`REGION_WEIGHT`), which on this map is endless: it digs a gallery 5 tiles in from
    # the edge, north to south along the whole map (the diamond one tile beyond its view), and
    # sees the diamond at step 216 (79 before the term counted while tunnelling, which finds
    # more diamonds on generated maps: `navigation.REGION_HALF`). The budget leaves some room,
    # not a second gallery.
    assert _steps_to_find(budget=300, grid=_solid_mountain(), start=(26, 20)) is None
    found = _steps_to_find(
        budget=300, grid=_solid_mountain(), start=(26, 20), inventory={"wood_pickaxe": 1}
    )
    assert found is not None and found <= 250


def test_tunnelling_is_only_for_materials_that_lie_in_rock():
    known = mapping.KnownMap(RULES)
    known.materials[:, :] = RULES.materials.index("grass")
    known.materials[30:, :] = RULES.materials.index("stone")
    known.materials[35:, :] = mapping.UNKNOWN
    state = library.AgentState(
        agent_id="player_0",
        step=0,
        position=(28, 20),
        facing=(1, 0),
        inventory={"wood_pickaxe": 1},
        achievements={},
        sleeping=False,
        known=known,
        rules=RULES,
        action_names=tuple(RULES.actions),
    )
    assert library.Explorer(("diamond",)).tunnel_mask(state) is not None
    assert library.Explorer(("water",)).tunnel_mask(state) is None
    no_pickaxe = dataclasses.replace(state, inventory={})
    assert library.Explorer(("diamond",)).tunnel_mask(no_pickaxe) is None


class _Searcher(scripted.ScriptedAgent):
    """A scripted agent that only searches for the diamond and notes when it first knows one."""

    def reset(self, spec) -> None:
        super().reset(spec)
        self.found: int | None = None

    def act(self, observation, info):
        if self.found is None and self.known.knows("diamond"):
            self.found = int(info.get("step", 0))
        return super().act(observation, info)


class _SearchRoles(scripted_roles.Roles):
    def decide(self, agent, state):
        return scripted_board.Decision(options.Option("navigate", "diamond"), "search")


def _first_sighting(seed: int, budget: int) -> int | None:
    """Steps until a lone walking searcher (no pickaxe) on generated map `seed` sees a diamond."""
    env = mac.EnvConfig(n_agents=1, privileged_map=False, max_steps=budget)
    board = scripted_board.TeamBoard()
    agent = _Searcher(board, _SearchRoles())
    team = scripted.ScriptedTeam([agent], board, {"roles": True, "label": "search"})
    loop.play_episode(team, env, seed, method="scripted")
    return agent.found


# Generated maps that hold a diamond (episode seeds; seeds 21-32 are kept for held-out checks).
DIAMOND_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 33, 34, 36]
DIAMOND_SEEDS += [37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 54, 55, 56, 57]
DIAMOND_SEEDS += [58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 74, 75, 76, 77, 78]
DIAMOND_SEEDS += [79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 92, 93, 94, 95, 96]


@pytest.mark.slow
def test_a_walking_search_sees_a_diamond_on_most_generated_maps():
    # Every one of these maps has a diamond in view of ground a walk from the start reaches (at
    # most 87 steps away, 14 at the median). The search's worth of unseen ground counts the
    # promising ground beyond each frontier's view (`REGION_WEIGHT`) and follows no random
    # heading: it turns to large unseen mountains instead of scraping the pockets of one it has
    # seen. Measured: it sees one within 250 steps on 63 of these 80 maps; before, on 48.
    found = [_first_sighting(seed, 250) for seed in DIAMOND_SEEDS]
    assert sum(step is not None for step in found) >= 57


def test_a_tunnelling_search_for_a_diamond_turns_to_a_large_unseen_region():
    # Inside a mountain it has seen, with a pickaxe: a pocket of 9 unseen tiles 7 tiles east of
    # the agent, and all ground from 20 tiles east on unseen. Counting only its view, the pocket
    # wins (near); counting the promising ground beyond the view (`REGION_WEIGHT`), the search
    # tunnels on toward the large unseen region, where most of the rock a diamond may lie in is.
    grid = np.full((64, 64), IDS["stone"], np.int64)
    grid[18:23, 18:23] = IDS["path"]  # the chamber the agent stands in
    grid[27:30, 19:22] = 0  # unseen (0: no material written)
    grid[40:, :] = 0
    known = mapping.KnownMap(RULES)
    known.observe_full(grid)
    dig = navigation.diggable(known, {"wood_pickaxe": 1, "stone_pickaxe": 1, "iron_pickaxe": 1})
    target = navigation.choose_frontier(known, (20, 20), prefer=("diamond",), dig=dig)
    assert target is not None and target[0] >= 36


def test_a_perfect_terrain_prior_turns_the_search_toward_the_rock():
    # Only grass seen around (20, 20); the study's reference prior says where rock lies.
    def choice(rock_from_east: bool) -> tuple[int, int]:
        known = mapping.KnownMap(RULES)
        known.observe_local((20, 20), np.full((9, 7), IDS["grass"], np.int64))
        rock = np.zeros((64, 64), bool)
        if rock_from_east:
            rock[26:, :] = True
        else:
            rock[:14, :] = True
        known.reference_priors["diamond"] = navigation.terrain_prior(rock)
        assert navigation.search_prior(known, ("diamond",)) is known.reference_priors["diamond"]
        assert navigation.search_prior(known, ("iron",)) is not known.reference_priors["diamond"]
        return navigation.choose_frontier(known, (20, 20), prefer=("diamond",))

    assert choice(rock_from_east=True)[0] > 20
    assert choice(rock_from_east=False)[0] < 20


def test_a_shown_tile_is_left_out_of_the_search_prior():
    # A study's shown diamond far from what the agent saw: seen, it says "rock here" to a search
    # for iron; shown (`KnownMap.shown`), it says nothing, so the searches go as without it.
    def prior_near_the_diamond(shown: bool) -> float:
        known = mapping.KnownMap(RULES)
        known.observe_local((20, 20), np.full((9, 7), IDS["grass"], np.int64))
        diamond = [mapping.Sighting("diamond", (50, 50))]
        if shown:
            known.show(diamond)
        else:
            known.merge(diamond)
        return float(navigation.search_prior(known, ("iron",))[51, 50])

    assert prior_near_the_diamond(shown=False) > 0.5
    assert prior_near_the_diamond(shown=True) == 0.0
