"""The SkillDriver runs options for any option-level decision-maker (LLM agents and scripted)."""

from __future__ import annotations

import dataclasses

from agents import driver, options, scripted
from agents.skills import library, mapping
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


class _BackAndForth(library.Skill):
    """Steps between two tiles for ever, as a player does that keeps stepping into the way of a
    teammate stepping out of its way."""

    name = "pace"

    def _step(self, state: library.AgentState) -> str:
        return "move_right" if state.position[0] % 2 == 0 else "move_left"


def test_a_player_pacing_between_two_tiles_stands_by_then_gives_the_option_up(monkeypatch):
    drv, infos = _driver_and_info()
    drv.reset("player_1", ("player_0", "player_1"), drv.rules, drv.action_names, 0)
    monkeypatch.setattr(options.Option, "skill", lambda self, state, toward=(): _BackAndForth())
    state = drv.observe(infos["player_1"])
    actions = [drv.start(options.Option("explore"), state)]
    for _ in range(60):
        x, y = state.position
        x += {"move_right": 1, "move_left": -1}.get(actions[-1], 0)
        state = dataclasses.replace(state, position=(x, y))
        action = drv.advance(state)
        actions.append(action)
        if action is None:
            break
    # Moves issued from two tiles for LIVELOCK_STEPS steps, then standing by for 1 + its place in
    # the team (1) steps; twice; the third time the option fails.
    n = driver.LIVELOCK_STEPS
    assert set(actions[: n - 1]) == {"move_left", "move_right"}
    assert actions[n - 1 : n + 1] == ["noop", "noop"]
    assert "noop" not in actions[n + 1 : 2 * n]
    assert actions[2 * n : 2 * n + 2] == ["noop", "noop"]
    assert "noop" not in actions[2 * n + 2 : 3 * n + 1]
    assert actions[3 * n + 1] is None and len(actions) == 3 * n + 2
    assert drv.history[-1].status == library.FAILED
    assert "back and forth" in drv.history[-1].reason


def test_a_player_walking_on_is_never_stopped(monkeypatch):
    drv, infos = _driver_and_info()
    state = drv.observe(infos["player_0"])

    class _Onward(library.Skill):
        name = "walk"

        def _step(self, state: library.AgentState) -> str:
            return "move_right"

    monkeypatch.setattr(options.Option, "skill", lambda self, state, toward=(): _Onward())
    x, y = state.position
    assert drv.start(options.Option("explore"), state) == "move_right"
    for step in range(1, 30):
        state = dataclasses.replace(state, position=(x + step, y))
        assert drv.advance(state) == "move_right"
