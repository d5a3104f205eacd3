"""Crafter score and success rates on hand-made data with known answers."""

from __future__ import annotations

import dataclasses
import math

import pytest

from episode import achievements


def test_crafter_has_22_achievements_from_the_rule_data():
    assert len(achievements.names("crafter")) == 22


def test_success_rates_count_episodes_that_unlocked_each_achievement():
    rates = achievements.success_rates(
        [{"collect_wood"}, {"collect_wood", "place_table"}], "crafter"
    )
    assert rates["collect_wood"] == 100.0 and rates["place_table"] == 50.0
    assert rates["collect_diamond"] == 0.0 and len(rates) == 22


def test_crafter_score_is_the_offset_geometric_mean():
    assert achievements.crafter_score({"a": 0.0, "b": 0.0}) == 0.0
    assert achievements.crafter_score({"a": 100.0}) == pytest.approx(100.0)
    expected = math.exp((math.log(1 + 50.0) + math.log(1 + 0.0)) / 2) - 1
    assert achievements.crafter_score({"a": 50.0, "b": 0.0}) == pytest.approx(expected)
    # two achievements at 0% and 99%: exp((ln 1 + ln 100) / 2) - 1 = 10 - 1
    assert achievements.crafter_score({"a": 0.0, "b": 99.0}) == pytest.approx(9.0)
    with pytest.raises(ValueError, match="percentages"):
        achievements.crafter_score({"a": 1.5e2 + 1})


def test_an_episode_record_keeps_every_unlocked_achievement():
    from agents import random_agent
    from envs import mac
    from episode import loop

    env = mac.EnvConfig(n_agents=2, rules="crafter", max_steps=200)
    record = loop.play_episode(random_agent.build_team(env), env, 3, method="random").record
    assert set(record.achievements) == set(achievements.names("crafter"))
    unlocked = [step for step in record.achievements.values() if step is not None]
    assert unlocked and all(0 <= step <= record.length for step in unlocked)
    for name, step in record.milestones.items():
        assert step == record.achievements.get(name)


def test_a_record_lists_every_achievement_but_unlocks_only_those_reached():
    from tests.benchmark.conftest import make_record

    record = dataclasses.replace(
        make_record("random", 1, None), achievements={"collect_wood": 12, "collect_diamond": None}
    )
    assert record.unlocked == {"collect_wood"}
