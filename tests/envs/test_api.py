"""PettingZoo's own checkers on every combination of team size, rule set and observation type."""

from __future__ import annotations

import functools
import types

import pytest
from pettingzoo.test import api_test, max_cycles_test, parallel_api_test, parallel_seed_test

from envs import mac

COMBINATIONS = [
    (n, rules, obs)
    for n in (1, 2, 6)
    for rules in ("crafter", "damcs")
    for obs in ("symbolic", "image")
]


@pytest.mark.parametrize(("n_agents", "rules", "obs_type"), COMBINATIONS)
def test_parallel_api(n_agents, rules, obs_type):
    env = mac.parallel_env(n_agents=n_agents, rules=rules, obs_type=obs_type)
    parallel_api_test(env, num_cycles=60 if obs_type == "image" else 300)


@pytest.mark.parametrize(("n_agents", "rules", "obs_type"), COMBINATIONS)
def test_parallel_seed(n_agents, rules, obs_type):
    make = functools.partial(mac.parallel_env, n_agents=n_agents, rules=rules, obs_type=obs_type)
    parallel_seed_test(make, num_cycles=40 if obs_type == "image" else 150)


@pytest.mark.parametrize(("n_agents", "rules", "obs_type"), COMBINATIONS)
def test_max_cycles(n_agents, rules, obs_type):
    kwargs = {"n_agents": n_agents, "rules": rules, "obs_type": obs_type}
    module = types.SimpleNamespace(
        parallel_env=functools.partial(mac.parallel_env, **kwargs),
        env=functools.partial(mac.env, **kwargs),
    )
    max_cycles_test(module)


@pytest.mark.parametrize("n_agents", [1, 2, 6])
def test_aec_api(n_agents):
    api_test(mac.env(n_agents=n_agents, rules="damcs", obs_type="symbolic"), num_cycles=100)


def test_spaces_are_built_once():
    env = mac.parallel_env(n_agents=3)
    assert env.observation_space("player_1") is env.observation_space("player_1")
    assert env.action_space("player_2") is env.action_space("player_2")
