"""With the original rules and one player, MAC is crafter: same worlds, same steps, same numbers."""

from __future__ import annotations

import collections

import crafter
import numpy as np
import pytest
from crafter import engine

from envs import mac
from envs.mac import world as world_lib


@pytest.fixture(autouse=True)
def ordered_crafter_chunks(monkeypatch):
    """Pin crafter's chunk sets to insertion order, as MAC's are.

    Crafter keeps chunk objects in a plain set, ordered by memory address; which creature its
    balancing despawns then depends on where Python allocated them. Both sides use insertion order
    here so the comparison is deterministic; nothing else about crafter is changed.
    """
    original = engine.World.reset

    def reset(self, seed=None):
        original(self, seed)
        self._chunks = collections.defaultdict(world_lib.OrderedSet)

    monkeypatch.setattr(engine.World, "reset", reset)


def _compare(seed: int, obs_type: str, n_steps: int = 1000) -> int:
    """Step both games with the same random actions, resetting both on done; returns episodes."""
    ours = mac.parallel_env(n_agents=1, rules="crafter", obs_type=obs_type)
    theirs = crafter.Env(seed=seed)
    ours_obs, _ = ours.reset(seed=seed)
    their_obs = theirs.reset()
    rng = np.random.default_rng(seed)
    episodes = 1
    for step in range(n_steps):
        where = f"seed {seed}, step {step}, episode {episodes}"
        assert np.array_equal(ours.game.world._mat_map, theirs._world._mat_map), where
        if obs_type == "image":
            assert np.array_equal(ours_obs["player_0"], their_obs), where
        action = int(rng.integers(17))
        their_obs, their_reward, their_done, their_info = theirs.step(action)
        ours_obs, rewards, terms, truncs, infos = ours.step({"player_0": action})
        assert rewards["player_0"] == their_reward, where
        assert (terms["player_0"] or truncs["player_0"]) == their_done, where
        assert infos["player_0"]["inventory"] == their_info["inventory"], where
        assert infos["player_0"]["achievements"] == their_info["achievements"], where
        assert infos["player_0"]["position"] == tuple(their_info["player_pos"]), where
        assert np.array_equal(ours.game.semantic_map(), their_info["semantic"]), where
        if their_done:
            if obs_type == "image":
                assert np.array_equal(ours_obs["player_0"], their_obs), where
            assert not ours.agents
            ours_obs, _ = ours.reset()
            their_obs = theirs.reset()
            episodes += 1
    # The world's random stream is still in lockstep after everything above.
    assert ours.game.world.random.uniform() == theirs._world.random.uniform()
    return episodes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_image_steps_equal_crafter(seed):
    episodes = _compare(seed, "image")
    assert episodes >= 2  # random play dies, so resets (crafter's next worlds) are covered too


@pytest.mark.parametrize("seed", [3, 4])
def test_symbolic_steps_equal_crafter(seed):
    """No pixels drawn, yet the same world: the symbolic view draws crafter's night noise too."""
    _compare(seed, "symbolic")


@pytest.mark.parametrize("seed", [0, 7, 123, 2**20])
def test_reset_world_equals_crafter(seed):
    ours = mac.parallel_env(n_agents=1, rules="crafter", obs_type="image")
    obs, _ = ours.reset(seed=seed)
    theirs = crafter.Env(seed=seed)
    their_obs = theirs.reset()
    assert np.array_equal(ours.game.world._mat_map, theirs._world._mat_map)
    assert np.array_equal(obs["player_0"], their_obs)
    ours_objects = [(type(o).__mro__[1].__name__, tuple(o.pos)) for o in ours.game.world.objects]
    their_objects = [(type(o).__name__, tuple(o.pos)) for o in theirs._world.objects]
    assert [p for _, p in ours_objects] == [p for _, p in their_objects]


def test_world_independent_of_team_size_and_rules():
    """The map depends on the seed only, so 1, 2 and 6 agents and both rule sets share it."""
    maps = []
    for n_agents in (1, 2, 6):
        for rules in ("crafter", "damcs"):
            env = mac.parallel_env(n_agents=n_agents, rules=rules)
            env.reset(seed=11)
            maps.append(env.game.world._mat_map.copy())
    assert all(np.array_equal(maps[0], m) for m in maps[1:])


def test_paper_world_seed():
    env = mac.parallel_env(n_agents=6, rules="damcs", world_seed=mac.PAPER_WORLD_SEED)
    env.reset(seed=0)
    first = env.game.world._mat_map.copy()
    env.reset(seed=99)
    assert np.array_equal(first, env.game.world._mat_map)
    assert mac.PAPER_WORLD_SEED == 1023683980
    assert env.material_counts()["diamond"] == 4
    assert env.nearest_distance("diamond") is not None
