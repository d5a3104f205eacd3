"""Bad arguments to the env are one ValueError naming the argument; a refused reset changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from envs import mac


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"max_cycles": 2.5}, "max_cycles"),
        ({"max_cycles": "10"}, "max_cycles"),
        ({"max_cycles": 0}, "max_cycles"),
        ({"world_seed": -5}, "world_seed"),
        ({"world_seed": "5"}, "world_seed"),
    ],
)
def test_bad_constructor_argument_is_named(kwargs, argument):
    with pytest.raises(ValueError, match=f"invalid {argument}="):
        mac.parallel_env(n_agents=1, **kwargs)


def test_render_before_reset_is_a_value_error():
    env = mac.parallel_env(n_agents=1, render_mode="rgb_array")
    with pytest.raises(ValueError, match=r"render\(\) before reset"):
        env.render()


@pytest.mark.parametrize("seed", [-1, "7", 2.0, True])
def test_bad_seed_is_refused_and_leaves_the_env_as_it_was(seed):
    env = mac.parallel_env(n_agents=2)
    obs, _ = env.reset(seed=3)
    agents, world = list(env.agents), env.current_world_seed
    env.step(dict.fromkeys(env.agents, 0))
    steps = env.game.step_count
    with pytest.raises(ValueError, match="invalid seed="):
        env.reset(seed=seed)
    assert env.agents == agents
    assert env.current_world_seed == world
    assert env.game.step_count == steps


def test_numpy_integer_seed_is_accepted_like_an_int():
    a, b = mac.parallel_env(n_agents=2), mac.parallel_env(n_agents=2)
    obs_a, _ = a.reset(seed=np.int64(3))
    obs_b, _ = b.reset(seed=3)
    assert a.current_world_seed == b.current_world_seed
    for agent in obs_a:
        np.testing.assert_array_equal(obs_a[agent], obs_b[agent])
