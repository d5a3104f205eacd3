"""What is new in MAC: several players, sharing, the team goal, death, creatures, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from envs import mac
from envs.mac import world as world_lib


def test_players_spawn_next_to_each_other_on_open_ground():
    env = mac.parallel_env(n_agents=6, rules="damcs")
    _, infos = env.reset(seed=5)
    positions = [infos[a]["position"] for a in env.agents]
    assert len(set(positions)) == 6
    assert positions[0] == env.game.center
    for pos in positions:
        assert np.hypot(pos[0] - env.game.center[0], pos[1] - env.game.center[1]) < 2
        assert env.game.world[pos][0] in ("grass", "sand", "path")


def test_players_block_and_see_each_other(scene):
    s = scene(n_agents=2, obs_type="image")
    p0, p1 = s.player("player_0"), s.player("player_1")
    assert tuple(p1.pos - p0.pos) == (1, 0)
    obs, *_ = s.act(player_0="move_right")
    assert tuple(p0.pos) == s.env.game.center  # blocked by player_1
    _, _, _, _, infos = s.act()
    local = infos["player_0"]["local_semantic"]
    assert local[4 + 1, 3] == world_lib.SEMANTIC_OBJECT_IDS["player"]
    # In pixels: the tile right of player_0 shows a player, not the grass it shows without one.
    with_mate = obs["player_0"][3 * 7 : 4 * 7, 5 * 7 : 6 * 7]
    s.world.remove(p1)
    _, _, _, _, _ = s.act()
    without = s.env._image(p0)[3 * 7 : 4 * 7, 5 * 7 : 6 * 7]
    assert not np.array_equal(with_mate, without)


def test_share_moves_exactly_one_unit(scene):
    s = scene(n_agents=3)
    s.give("player_0", wood=3, iron_pickaxe=1)
    s.act(player_0="share_wood_to_player_2")
    assert s.player("player_0").inventory["wood"] == 2
    assert s.player("player_2").inventory["wood"] == 1
    assert s.player("player_1").inventory["wood"] == 0
    s.act(player_0="share_iron_pickaxe_to_player_1")
    assert s.player("player_1").inventory["iron_pickaxe"] == 1
    assert s.player("player_0").inventory["iron_pickaxe"] == 0
    # Sharing what you do not have is a no-op, not an error.
    s.act(player_0="share_diamond_to_player_1")
    assert s.player("player_1").inventory["diamond"] == 0


def test_share_actions_exist_only_with_teammates_and_damcs_rules():
    solo = mac.parallel_env(n_agents=1, rules="damcs")
    assert not any(n.startswith("share_") for n in solo.action_names("player_0"))
    crafter_team = mac.parallel_env(n_agents=2, rules="crafter")
    assert len(crafter_team.action_names("player_0")) == 17
    team = mac.parallel_env(n_agents=3, rules="damcs")
    names = team.action_names("player_1")
    assert "share_wood_to_player_0" in names and "share_wood_to_player_1" not in names
    assert team.action_space("player_1").n == len(names) == 17 + 12 * 2


def test_diamond_ends_the_episode_for_everyone(scene):
    s = scene(n_agents=3)
    s.give("player_2", iron_pickaxe=1)
    s.put("player_2", (0, 1), "diamond")
    _, _, terms, truncs, infos = s.act(player_2="do")
    assert all(terms.values()) and not any(truncs.values())
    assert s.env.agents == []
    assert infos["player_0"]["milestones"]["collect_diamond"] == 1
    with pytest.raises(ValueError, match="finished episode"):
        s.env.step({})


def test_a_custom_goal_ends_the_episode(scene):
    s = scene(n_agents=2, goal="collect_wood")
    s.put("player_1", (0, 1), "tree")
    _, _, terms, _, _ = s.act(player_1="do")
    assert all(terms.values())


def test_dead_player_leaves_and_never_returns(scene):
    s = scene(n_agents=3)
    s.player("player_1").health = 0
    _, _, terms, _, infos = s.act()
    assert terms == {"player_0": False, "player_1": True, "player_2": False}
    assert s.env.agents == ["player_0", "player_2"]
    assert infos["player_1"]["alive"] is False
    obs, *_ = s.act()
    assert "player_1" not in obs and "player_1" not in s.env.agents
    assert s.world[s.player("player_1").pos][1] is not s.player("player_1")
    with pytest.raises(ValueError, match="no longer in the episode"):
        s.env.step({"player_0": 0, "player_1": 0, "player_2": 0})


def test_all_dead_ends_the_episode(scene):
    s = scene(n_agents=2)
    for p in s.players.values():
        p.health = 0
    _, _, terms, _, _ = s.act()
    assert all(terms.values()) and s.env.agents == []


def test_zombies_chase_the_nearest_living_player(scene):
    s = scene(n_agents=2, rules="crafter")
    p0, p1 = s.player("player_0"), s.player("player_1")
    zombie_pos = (int(p1.pos[0]) + 4, int(p1.pos[1]))
    from envs.mac import objects

    zombie = objects.Zombie(s.world, zombie_pos, s.env.game.team)
    s.world.add(zombie)
    s.act()
    assert zombie.player is p1
    p1.health = 0
    s.act()
    s.act()
    assert zombie.player is p0


def test_damcs_has_no_hostile_creatures():
    env = mac.parallel_env(n_agents=2, rules="damcs", max_cycles=400)
    env.reset(seed=1)
    rng = np.random.default_rng(0)
    kinds = set()
    while env.agents:
        env.step({a: int(rng.integers(5)) for a in env.agents})
        kinds |= {world_lib._object_kind(o) for o in env.game.world.objects}
    assert kinds <= {"player", "cow", "plant"}
    crafter_env = mac.parallel_env(n_agents=1, rules="crafter")
    crafter_env.reset(seed=1)
    assert {"zombie", "skeleton"} & {
        world_lib._object_kind(o) for o in crafter_env.game.world.objects
    }


def test_team_reward_is_shared(scene):
    s = scene(n_agents=2, reward="team")
    s.put("player_0", (0, 1), "tree")
    _, rewards, *_ = s.act(player_0="do")
    assert rewards["player_0"] == rewards["player_1"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"n_agents": 0}, "n_agents"),
        ({"n_agents": 65}, "n_agents"),
        ({"n_agents": "two"}, "n_agents"),
        ({"rules": "minecraft"}, "rules"),
        ({"obs_type": "audio"}, "obs_type"),
        ({"goal": "collect_unicorn"}, "goal"),
        ({"reward": "selfish"}, "reward"),
        ({"max_cycles": 0}, "max_cycles"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=f"{argument}.*allowed"):
        mac.parallel_env(**kwargs)


def test_bad_actions_are_clear_errors():
    env = mac.parallel_env(n_agents=2)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action of player_0.*allowed"):
        env.step({"player_0": 10_000, "player_1": 0})
    with pytest.raises(ValueError, match="action of player_0.*allowed"):
        env.step({"player_0": -1, "player_1": 0})
    with pytest.raises(ValueError, match="agent.*player_9"):
        env.step({"player_0": 0, "player_1": 0, "player_9": 0})
    with pytest.raises(ValueError, match="no action for live agent"):
        env.step({"player_0": 0})


def test_state_and_infos_for_critics_and_planners():
    env = mac.parallel_env(n_agents=2, privileged_map=True)
    _, infos = env.reset(seed=0)
    state = env.state()
    assert state.shape == env.state_space.shape and state.dtype == np.float32
    assert infos["player_0"]["semantic"].shape == (64, 64)
    assert infos["player_0"]["milestones"] == dict.fromkeys(env.milestone_names)
    assert "semantic" not in mac.parallel_env(n_agents=2).reset(seed=0)[1]["player_0"]


def test_render_does_not_change_the_world():
    def run(render: bool):
        env = mac.parallel_env(n_agents=2, render_mode="rgb_array", max_cycles=250)
        env.reset(seed=3)
        rng = np.random.default_rng(0)
        frame = None
        while env.agents:
            env.step({a: int(rng.integers(17)) for a in env.agents})
            if render:
                frame = env.render()
        return env.game.world._mat_map.copy(), env.game.world.random.uniform(), frame

    map_a, draw_a, frame = run(True)
    map_b, draw_b, _ = run(False)
    assert np.array_equal(map_a, map_b) and draw_a == draw_b
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.shape[1] >= 2 * 64
