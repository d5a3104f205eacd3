"""The SkillDriver runs options for any option-level decision-maker (LLM agents and scripted)."""

from __future__ import annotations

from agents import driver, options, scripted
from agents.skills import mapping
from envs import mac
from envs.mac import rules as rules_lib


def _driver_and_info(alerts: bool = True):
    env = mac.parallel_env(n_agents=2, rules="damcs")
    _, infos = env.reset(seed=0)
    drv = driver.SkillDriver(alerts=alerts)
    drv.reset(
        "player_0", tuple(env.agents), rules_lib.load("damcs"), env.action_names("player_0"), 0
    )
    return drv, infos


def test_an_interrupt_ends_the_running_skill_and_is_recorded():
    drv, infos = _driver_and_info()
    state = drv.observe(infos["player_0"])
    assert drv.start(options.Option("explore"), state) is not None
    assert drv.busy
    assert drv.advance(state, interrupt="re-planning") is None
    assert not drv.busy
    assert drv.history[-1].status == "interrupted"
    assert drv.history[-1].reason == "re-planning"


def test_shared_maps_are_merged_when_observing():
    drv, infos = _driver_and_info()
    mate, _ = _driver_and_info()
    mate.reset("player_1", ("player_0", "player_1"), drv.rules, drv.action_names, 0)
    mate.observe(infos["player_1"])
    alone, _ = _driver_and_info()
    alone.observe(infos["player_0"])
    drv.observe(infos["player_0"], shared=(mate.known,))
    known = (drv.known.materials != mapping.UNKNOWN).sum()
    assert known > (alone.known.materials != mapping.UNKNOWN).sum()


def test_the_scripted_agents_run_on_the_skill_driver():
    team = scripted.build_team(mac.EnvConfig(n_agents=2, privileged_map=True))
    assert all(isinstance(agent.driver, driver.SkillDriver) for agent in team.agents)
    assert all(agent.driver.alerts is False for agent in team.agents)
