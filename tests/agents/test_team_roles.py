"""Roles that use the team: gathering is split across agents, the seeker waits at the goal."""

from __future__ import annotations

import numpy as np

from agents import scripted
from agents.skills import library, mapping
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop

RULES = rules_lib.load("damcs")


def _semantic(trees: list[tuple[int, int]]) -> np.ndarray:
    ids = {name: i + 1 for i, name in enumerate(RULES.materials)}
    grid = np.full((64, 64), ids["grass"], np.int64)
    for tile in trees:
        grid[tile] = ids["tree"]
    return grid


def _state(agent: str, known: mapping.KnownMap, position: tuple[int, int]) -> library.AgentState:
    return library.AgentState(
        agent_id=agent,
        step=0,
        position=position,
        facing=(0, 1),
        inventory={},
        achievements={},
        sleeping=False,
        known=known,
        rules=RULES,
        action_names=tuple(RULES.actions),
    )


def _known(semantic: np.ndarray, position: tuple[int, int]) -> mapping.KnownMap:
    known = mapping.KnownMap(RULES)
    known.observe({"semantic": semantic, "position": position, "step": 0, "inventory": {}})
    return known


def test_two_agents_never_walk_to_the_same_tree_when_another_exists():
    semantic = _semantic([(10, 12), (10, 30)])
    near, far = (10, 9), (10, 8)  # both have (10, 12) as their nearest tree
    a, b = _known(semantic, near), _known(semantic, far)
    for known, where in ((a, near), (b, far)):
        library.Navigate(("tree",)).step(_state("p", known, where))
    assert a.target[0] == b.target[0] == (10, 12)  # alone, each would take the nearest
    b.merge_known(a)
    a.merge_known(b)
    for known, where in ((a, near), (b, far)):
        library.Navigate(("tree",)).step(_state("p", known, where))
    assert a.target[0] == (10, 12)  # the nearer agent keeps it
    assert b.target[0] == (10, 30)  # the other goes for the other tree


def test_the_only_tree_is_still_shared():
    semantic = _semantic([(10, 12)])
    a, b = _known(semantic, (10, 9)), _known(semantic, (10, 8))
    library.Navigate(("tree",)).step(_state("p", a, (10, 9)))
    b.merge_known(a)
    library.Navigate(("tree",)).step(_state("p", b, (10, 8)))
    assert b.target[0] == (10, 12)


def test_the_seeker_waits_at_the_diamond_before_the_pickaxe_arrives():
    # The paper's map (4 diamonds), six agents with the full map.
    env = mac.EnvConfig(n_agents=6, privileged_map=True, world_seed=mac.PAPER_WORLD_SEED)
    team = scripted.build_team(env)
    record = loop.play_episode(team, env, 0, method="scripted").record
    assert record.milestones["collect_diamond"] is not None
    crafter, seeker = team.agents[0], team.agents[-1]
    shared = [o for o in crafter.driver.history if o.option.startswith("share iron pickaxe")]
    # The seeker waits only while facing the diamond (scripted_roles.Roles).
    waiting = [o for o in seeker.driver.history if o.option.startswith("wait")]
    assert shared and waiting
    assert waiting[0].step < shared[0].step
