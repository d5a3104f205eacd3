"""The scripted planner (not an LLM) plays MAC: it reaches the diamond, and teams are faster."""

from __future__ import annotations

import numpy as np
import pytest

from agents import planner, scripted, scripted_roles, vitals
from agents.skills import library, mapping
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop
from tests.agents.grass_maps import grass_map


def _diamond_step(n_agents: int, seed: int, privileged: bool, paper_map: bool) -> int | None:
    env = mac.EnvConfig(
        n_agents=n_agents,
        privileged_map=privileged,
        world_seed=mac.PAPER_WORLD_SEED if paper_map else None,
    )
    team = scripted.build_team(env)
    record = loop.play_episode(team, env, seed, method="scripted").record
    return record.milestones["collect_diamond"]


def test_the_builder_makes_a_labelled_scripted_team():
    team = scripted.build_team(mac.EnvConfig(n_agents=2, privileged_map=True), roles=False)
    assert team.config["label"] == scripted.LABEL == "scripted (not an LLM)"
    assert team.config["roles"] is False


def test_roles_follow_the_paper_by_id():
    roles = scripted_roles.Roles()
    assert [roles.role(i, 6) for i in range(6)] == ["crafter", *["supplier"] * 4, "seeker"]
    assert roles.role(0, 1) == "solo"
    assert scripted_roles.Roles(enabled=False).role(0, 6) == "solo"


def test_paper_map_single_agent_beats_the_paper():
    step = _diamond_step(1, seed=0, privileged=True, paper_map=True)
    assert step is not None and step < 140.0


def test_paper_map_six_agents_beat_the_paper_and_one_agent():
    six = _diamond_step(6, seed=0, privileged=True, paper_map=True)
    one = _diamond_step(1, seed=0, privileged=True, paper_map=True)
    assert six is not None and six < 85.4
    assert six < one


def test_trace_records_decisions_with_reasons_and_shares():
    env = mac.EnvConfig(n_agents=6, privileged_map=True, world_seed=mac.PAPER_WORLD_SEED)
    team = scripted.build_team(env)
    result = loop.play_episode(team, env, 0, method="scripted")
    entries = [e for trace in result.trace.values() for e in trace]
    assert all({"agent", "step", "decision", "reason"} <= set(e) for e in entries)
    assert any(e["decision"] == "share iron pickaxe with player_5" for e in entries)
    assert result.record.decisions == len(entries)


@pytest.mark.slow
@pytest.mark.parametrize("privileged", [True, False])
def test_teams_reach_the_diamond_on_most_seeds_and_faster_than_one(privileged):
    means = {}
    for n_agents in (1, 2, 6):
        steps = [_diamond_step(n_agents, seed, privileged, paper_map=False) for seed in range(10)]
        reached = [s for s in steps if s is not None]
        assert len(reached) >= 5, (n_agents, steps)
        means[n_agents] = sum(reached) / len(reached)
    assert means[6] < means[1]


# --- vitals, stations, walled-in goals on hand-built states -----------------------------------

_RULES = rules_lib.load("damcs")


def _state(
    inventory: dict[str, int],
    step: int = 0,
    known: mapping.KnownMap | None = None,
    position: tuple[int, int] = (20, 20),
) -> library.AgentState:
    if known is None:
        known = mapping.KnownMap(_RULES)
        known.materials[:, :] = _RULES.materials.index("grass")
    full = {"health": 9, "food": 9, "drink": 9, "energy": 9, **inventory}
    return library.AgentState(
        agent_id="player_0",
        step=step,
        position=position,
        facing=(0, 1),
        inventory=full,
        achievements={},
        sleeping=False,
        known=known,
        rules=_RULES,
        action_names=tuple(_RULES.actions),
    )


def test_vitals_are_tended_only_as_far_as_living_to_the_end_needs():
    end = 349
    # Drink at its threshold early on: without a drink the agent would die before the end.
    thirsty = _state({"drink": 3, "food": 8}, step=120)
    assert vitals.vital_need(thirsty, end).kind == "drink"
    # The same late in the episode: it lives to the end without one; no detour.
    assert vitals.vital_need(_state({"drink": 3}, step=300), end) is None
    # Energy at 0 near the end: sleeping (~100 steps) is never worth it in a 350-step episode.
    assert vitals.vital_need(_state({"energy": 0, "drink": 6}, step=280), end) is None
    # Without an end, the thresholds alone decide (the oracle's rule).
    assert vitals.vital_need(_state({"drink": 3}, step=300)).kind == "drink"


def test_the_oracle_tends_vitals_by_the_scripted_agents_rule_when_it_knows_the_end():
    from agents import oracle
    from agents.options import Option

    menu = [Option("explore"), Option("drink"), Option("collect", "wood")]
    late = _state({"drink": 3}, step=300)  # lives to step 349 without a drink
    assert menu[oracle.reference_index(menu, late, "collect_diamond")].kind == "drink"
    assert menu[oracle.reference_index(menu, late, "collect_diamond", end=349)].kind != "drink"
    early = _state({"drink": 3, "food": 8}, step=120)
    assert menu[oracle.reference_index(menu, early, "collect_diamond", end=349)].kind == "drink"


def test_a_vital_waits_while_the_goal_is_in_reach_with_its_tool():
    from agents import oracle
    from agents.options import Option

    known = grass_map({(26, 20): "diamond"}, _RULES)
    thirsty = {"drink": 3, "food": 8}
    armed = _state({**thirsty, "iron_pickaxe": 1}, step=120, known=known)
    # The diamond five steps off ends the episode long before the thirst would kill.
    assert vitals.episode_end(armed, "collect_diamond", 349) == 126
    assert vitals.vital_need(armed, vitals.episode_end(armed, "collect_diamond", 349)) is None
    menu = [Option("drink"), Option("collect", "diamond")]
    assert menu[oracle.reference_index(menu, armed, "collect_diamond", end=349)].kind == "collect"
    # Without the pickaxe, or with the diamond walled off, the episode runs on: it drinks.
    unarmed = _state(thirsty, step=120, known=known)
    assert vitals.episode_end(unarmed, "collect_diamond", 349) == 349
    assert menu[oracle.reference_index(menu, unarmed, "collect_diamond", end=349)].kind == "drink"
    water = dict.fromkeys([(25, 20), (27, 20), (26, 19), (26, 21)], "water")
    walled = grass_map({(26, 20): "diamond", **water}, _RULES)
    cut_off = _state({**thirsty, "iron_pickaxe": 1}, step=120, known=walled)
    assert vitals.episode_end(cut_off, "collect_diamond", 349) == 349


def test_water_on_the_way_is_drunk_only_while_searching():
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    known.materials[22, 20] = _RULES.materials.index("water")
    state = _state({"drink": 5}, step=90, known=known)
    assert vitals.vital_need(state, 349, on_the_way=True).kind == "drink"
    assert vitals.vital_need(state, 349, on_the_way=False) is None
    far = mapping.KnownMap(_RULES)
    far.materials[:, :] = _RULES.materials.index("grass")
    far.materials[40, 20] = _RULES.materials.index("water")
    assert vitals.vital_need(_state({"drink": 5}, step=90, known=far), 349, True) is None


def _with_furnace(at: tuple[int, int]) -> mapping.KnownMap:
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    known.materials[at] = _RULES.materials.index("furnace")
    return known


def test_a_far_station_is_replaced_when_that_needs_no_gathering():
    held = {"wood": 1, "coal": 1, "iron": 1, "stone": 6, "wood_pickaxe": 1, "stone_pickaxe": 1}
    goal = "make_iron_pickaxe"
    far = _state(held, known=_with_furnace((50, 20)))
    assert [s.kind for s in planner.plan_steps(far, goal=goal)] == ["place", "make"]
    near = _state(held, known=_with_furnace((23, 20)))
    assert [s.kind for s in planner.plan_steps(near, goal=goal)] == ["make"]
    # Without the stone for a new furnace, the walk back beats gathering it.
    poor = _state({**held, "stone": 0}, known=_with_furnace((50, 20)))
    assert [s.kind for s in planner.plan_steps(poor, goal=goal)] == ["make"]


def test_a_station_no_walk_reaches_counts_as_none():
    # A furnace in the first column behind rock: no cell the env crafts from is reachable, so the
    # plan gathers for a new one rather than walking to it for ever.
    held = {"wood": 1, "coal": 1, "iron": 1, "stone": 0, "wood_pickaxe": 1, "stone_pickaxe": 1}
    goal = "make_iron_pickaxe"
    known = _with_furnace((0, 20))
    known.materials[1, 18:23] = _RULES.materials.index("stone")
    known.materials[0, 19] = known.materials[0, 21] = _RULES.materials.index("stone")
    walled = _state(held, known=known)
    assert [s.kind for s in planner.plan_steps(walled, goal=goal)][-2:] == ["place", "make"]
    open_side = _with_furnace((0, 20))
    reachable = _state(held, known=open_side)
    assert [s.kind for s in planner.plan_steps(reachable, goal=goal)] == ["make"]


def test_a_goal_walled_in_by_rock_is_told_apart_from_one_a_walk_reaches():
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    known.materials[28:33, 18:23] = _RULES.materials.index("stone")
    known.materials[30, 20] = _RULES.materials.index("diamond")
    assert planner.walled_in(_state({}, known=known), "diamond")
    known.materials[29, 20] = _RULES.materials.index("path")
    known.materials[28, 20] = _RULES.materials.index("path")
    assert not planner.walled_in(_state({}, known=known), "diamond")


def test_a_table_used_again_after_gathering_is_placed_where_the_gathering_is():
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    known.materials[30, 20] = _RULES.materials.index("coal")
    goal = "collect_diamond"
    # The table makes the wood pickaxe at once and the stone pickaxe after the coal is mined.
    at_trees = _state({"wood": 5}, known=known)
    steps = planner.plan_steps(at_trees, goal=goal)
    assert steps[0].kind == "place" and steps[0].target == "table"
    assert planner.station_site(at_trees, steps) == "coal"
    by_coal = _state({"wood": 5}, known=known, position=(29, 20))
    assert planner.station_site(by_coal, planner.plan_steps(by_coal, goal=goal)) is None
    # The furnace is used once, right after it is placed: it goes wherever the agent stands.
    held = {"wood": 1, "coal": 1, "iron": 1, "stone": 9, "wood_pickaxe": 1, "stone_pickaxe": 1}
    ready = _state(held, known=known)
    steps = planner.plan_steps(ready, goal=goal)
    assert steps[0].target == "furnace" and planner.station_site(ready, steps) is None


def test_a_table_is_not_carried_to_coal_no_walk_reaches():
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    known.materials[28:33, 18:23] = _RULES.materials.index("stone")
    known.materials[30, 20] = _RULES.materials.index("coal")
    goal = "collect_diamond"
    # Coal walled in by stone: only the wood pickaxe the table makes opens the way, so the table
    # goes where the agent stands (a walk toward it searched for a way in for 110 steps, seed 102).
    walled = _state({"wood": 5}, known=known, position=(20, 20))
    steps = planner.plan_steps(walled, goal=goal)
    assert steps[0].target == "table" and planner.station_site(walled, steps) is None
    known.materials[29, 20] = known.materials[28, 20] = _RULES.materials.index("path")
    open_way = _state({"wood": 5}, known=known, position=(20, 20))
    assert planner.station_site(open_way, planner.plan_steps(open_way, goal=goal)) == "coal"


def test_a_make_the_inventory_allows_at_a_nearby_station_comes_before_the_gathering():
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    known.materials[21, 20] = _RULES.materials.index("table")
    goal = "collect_diamond"
    # One stone and wood in hand by the table: the stone pickaxe is made now, before the coal
    # and the furnace's stones the plan lists first.
    held = {"wood": 3, "stone": 1, "wood_pickaxe": 1}
    by_table = _state(held, known=known)
    steps = planner.plan_steps(by_table, goal=goal)
    assert steps[0].kind == "collect"
    chosen = planner.choose_step(by_table, steps)
    assert (chosen.kind, chosen.target) == ("make", "stone_pickaxe")
    # Away from the table the make waits for the walk back: the plan's order holds.
    away = _state(held, known=known, position=(40, 20))
    assert planner.choose_step(away, planner.plan_steps(away, goal=goal)).kind == "collect"
    # Without the stone it cannot be made: the gathering comes first.
    short = _state({"wood": 3, "wood_pickaxe": 1}, known=known)
    assert planner.choose_step(short, planner.plan_steps(short, goal=goal)).kind == "collect"


def test_a_lone_agent_takes_its_last_units_on_the_way_to_the_diamond():
    known = mapping.KnownMap(_RULES)
    known.materials[:, :] = _RULES.materials.index("grass")
    for x, material in ((15, "coal"), (17, "iron"), (36, "coal"), (40, "iron"), (44, "diamond")):
        known.materials[x, 20] = _RULES.materials.index(material)
    known.materials[21, 21] = _RULES.materials.index("table")
    goal = "collect_diamond"
    # After the stone pickaxe the furnace goes wherever the last unit is mined: the coal and the
    # iron by the diamond, not the nearer ones behind the agent.
    held = {"wood": 1, "stone": 4, "wood_pickaxe": 1, "stone_pickaxe": 1}
    ready = _state(held, known=known)
    steps = planner.plan_steps(ready, goal=goal)
    assert planner.bound_for(ready, steps, goal) == "diamond"
    step, toward = planner.route_on_the_way(ready, steps, goal)
    assert step.kind == "collect" and toward[-1] == "diamond"
    walk = library.Navigate((library.material_yielding(_RULES, step.target),), toward=toward)
    cells = walk._goal(ready)
    assert cells.any() and all(x > 30 for x, _ in zip(*np.nonzero(cells), strict=True))
    # Before the stone pickaxe its stone is mined and brought back to the table: no route.
    early = _state({"wood": 2, "wood_pickaxe": 1}, known=known)
    early_steps = planner.plan_steps(early, goal=goal)
    assert planner.bound_for(early, early_steps, goal) == ""
    assert planner.route_on_the_way(early, early_steps, goal) is None
    # Nor while no diamond is known.
    known.materials[44, 20] = _RULES.materials.index("grass")
    unseen = _state(held, known=known)
    assert planner.route_on_the_way(unseen, planner.plan_steps(unseen, goal=goal), goal) is None
