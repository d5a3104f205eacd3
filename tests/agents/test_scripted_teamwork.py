"""The scripted team uses its team (`agents.teamwork` behind `scripted_roles.Roles`): the bill is split
by unit among the gatherers, the crafter hands out tool copies so feeders mine in parallel, the
seeker waits at the diamond before the pickaxe comes, and walks mine through rock when that is
much shorter."""

from __future__ import annotations

import dataclasses

from agents import planner, scripted, scripted_board, scripted_dispatch, scripted_roles, teamwork
from agents.skills import library, mapping, navigation
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop
from episode import team as team_lib
from tests.agents.grass_maps import grass_map

RULES = rules_lib.load("damcs")
TEAM = tuple(f"player_{i}" for i in range(6))
ACTIONS = tuple(mac.EnvConfig(n_agents=6).make_env().action_names("player_0"))


def _known(tiles: dict[tuple[int, int], str]) -> mapping.KnownMap:
    return grass_map(tiles, RULES)


def _state(agent: str, known, position, inventory=None, facing=(0, 1)) -> library.AgentState:
    actions = tuple(mac.EnvConfig(n_agents=6).make_env().action_names(agent))
    return library.AgentState(
        agent_id=agent,
        step=10,
        position=position,
        facing=facing,
        inventory={"health": 9, "food": 9, "drink": 9, "energy": 9, **(inventory or {})},
        achievements={},
        sleeping=False,
        known=known,
        rules=RULES,
        action_names=actions,
        teammates=tuple(a for a in TEAM if a != agent),
    )


def _team(positions: dict[str, tuple[int, int]], inventories=None, missing=None):
    """Scripted agents on one dispatching board with the given positions and holdings."""
    board = scripted_board.TeamBoard()
    board.dispatch = True
    roles = scripted_roles.Roles()
    agents = {}
    for aid in TEAM:
        agent = scripted.ScriptedAgent(board, roles, privileged_map=True)
        agent.reset(team_lib.AgentSpec(aid, TEAM, 0, ACTIONS, "damcs", "collect_diamond"))
        agent.status.position = positions.get(aid, (5, 5))
        agent.status.inventory = dict((inventories or {}).get(aid, {}))
        agents[aid] = agent
    agents["player_0"].status.missing = dict(missing or {})
    return agents


# A row of trees and of stone, far apart, and a diamond across the field.
FIELD = {
    **{(10 + 2 * i, 10): "tree" for i in range(5)},
    **{(10 + 2 * i, 30): "stone" for i in range(5)},
    (40, 50): "diamond",
    (12, 20): "table",
}


def test_the_bill_is_split_one_unit_per_gatherer_nearest_first():
    known = _known(FIELD)
    members = [
        teamwork.Member(f"player_{i}", (10 + 2 * i, 12 if i < 3 else 28), {}, crafter=i == 0)
        for i in range(5)
    ]
    jobs = teamwork.assign(
        RULES, teamwork.Reach(known), members, teamwork.units({"wood": 3, "stone": 2}, [])
    )
    # Five gatherers, five units: everyone fetches one, the wood by those next to the trees.
    assert sorted(j.item for j in jobs.values()) == ["stone", "stone", "wood", "wood", "wood"]
    assert {a for a, j in jobs.items() if j.item == "wood"} == {"player_0", "player_1", "player_2"}
    # Stone needs a wood pickaxe nobody holds: the two feeders near it wait for copies.
    assert all(j.tool == "wood_pickaxe" for j in jobs.values() if j.item == "stone")


def test_at_most_two_feeders_wait_for_copies_of_a_tool_and_units_held_are_not_fetched():
    known = _known(FIELD)
    crafter = teamwork.Member("player_0", (12, 11), {"wood_pickaxe": 1}, crafter=True)
    feeders = [teamwork.Member(f"player_{i}", (10 + 2 * i, 28), {}) for i in range(1, 5)]
    bill = teamwork.units({"stone": 5}, [{"stone": 1}])
    assert bill == ["stone"] * 4
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, *feeders], bill)
    waiting = [a for a, j in jobs.items() if j.tool == "wood_pickaxe"]
    assert len(waiting) == teamwork.copies(RULES, "wood_pickaxe") == 2
    assert jobs["player_0"].tool == ""  # the crafter mines with its own pickaxe
    # Holding the tool makes a feeder a fetcher without waiting.
    armed = [crafter, teamwork.Member("player_1", (30, 28), {"wood_pickaxe": 1}), *feeders[1:]]
    jobs = teamwork.assign(RULES, teamwork.Reach(known), armed, bill)
    assert jobs["player_1"].tool == ""
    assert sum(j.tool == "wood_pickaxe" for j in jobs.values()) == 1  # one copy left to hand out
    # Without a crafter to copy it, nobody waits for a tool.
    assert teamwork.assign(RULES, teamwork.Reach(known), feeders, bill) == {}


def test_tool_chain_lists_the_pickaxes_that_gather_a_tools_ingredients_first():
    assert teamwork.tool_chain(RULES, "wood_pickaxe") == ("wood_pickaxe",)
    assert teamwork.tool_chain(RULES, "stone_pickaxe") == ("wood_pickaxe", "stone_pickaxe")
    assert teamwork.tool_chain(RULES, "iron_pickaxe") == (
        "wood_pickaxe",
        "stone_pickaxe",
        "iron_pickaxe",
    )


def test_walled_in_iron_goes_to_a_gatherer_that_can_dig_to_it():
    # Iron inside a ring of stone: a stone pickaxe alone cannot open the stone around it.
    ring = {(x, y): "stone" for x in range(18, 23) for y in range(18, 23)}
    known = _known({**ring, (20, 20): "iron"})
    crafter = teamwork.Member("player_0", (30, 30), {"wood_pickaxe": 1}, crafter=True)
    armed = teamwork.Member("player_2", (20, 16), {"stone_pickaxe": 1}, fetching="iron")
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, armed], ["iron"])
    # It asks for the pickaxe that opens the ring too (a copy of a cheap one).
    assert jobs["player_2"].item == "iron" and jobs["player_2"].tools == ("wood_pickaxe",)
    bare = teamwork.Member("player_2", (20, 16), {}, fetching="iron")
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, bare], ["iron"])
    assert jobs["player_2"].tools == ("wood_pickaxe", "stone_pickaxe")  # earliest first
    # Iron a walk reaches needs the stone pickaxe alone.
    open_iron = teamwork.assign(
        RULES, teamwork.Reach(_known({(20, 20): "iron"})), [crafter, bare], ["iron"]
    )
    assert open_iron["player_2"].tools == ("stone_pickaxe",)
    both = teamwork.Member("player_2", (20, 16), {"stone_pickaxe": 1, "wood_pickaxe": 1})
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, both], ["iron"])
    assert jobs["player_2"].item == "iron" and jobs["player_2"].steps < 10


def test_a_feeder_walks_to_its_stone_and_the_idle_crafter_hands_over_its_own_pickaxe():
    known = _known(FIELD)
    positions = {"player_0": (12, 21), "player_1": (10, 28), "player_5": (40, 48)}
    agents = _team(
        positions,
        {"player_0": {"wood_pickaxe": 1, "wood": 2}},
        missing={"stone": 1},
    )
    feeder = agents["player_1"]
    decision = feeder.roles.decide(feeder, _state("player_1", known, (10, 28)))
    assert decision.option.text == "go to stone"
    assert feeder.status.wants == "wood_pickaxe"
    # Four feeders: the crafter fetches nothing itself, so its own pickaxe goes out at once
    # (no copy to make first).
    crafter = agents["player_0"]
    held = {"wood_pickaxe": 1, "wood": 2}
    decision = crafter.roles.decide(crafter, _state("player_0", known, (12, 21), held))
    assert decision.option.text == "share wood pickaxe with player_1"


def test_a_crafter_whose_unit_needs_its_pickaxe_keeps_it_and_copies_one():
    known = _known(FIELD)
    positions = {"player_0": (12, 21), "player_1": (10, 28), "player_5": (40, 48)}
    held = {"wood_pickaxe": 1, "wood": 2}
    agents = _team(positions, {"player_0": held}, missing={"stone": 1})
    feeder, crafter = agents["player_1"], agents["player_0"]
    feeder.roles.decide(feeder, _state("player_1", known, (10, 28)))
    crafter.status.fetching = "coal"  # mined with the wood pickaxe
    assert teamwork.kept(RULES, "wood_pickaxe", "coal", feeders=4) == 1
    decision = crafter.roles.decide(crafter, _state("player_0", known, (12, 21), held))
    assert decision.option.text == "make wood pickaxe"
    # With one feeder (two agents) the crafter always keeps its own.
    assert teamwork.kept(RULES, "wood_pickaxe", "", feeders=1) == 1
    assert teamwork.kept(RULES, "wood_pickaxe", "", feeders=4) == 0


def test_the_crafter_makes_what_it_can_before_gathering_the_rest_of_the_bill():
    known = _known({**FIELD, (12, 20): "grass"})
    agents = _team({"player_0": (12, 11)})
    crafter = agents["player_0"]
    # Two wood: the table goes down at once, although the plan still needs three more wood.
    decision = crafter.roles.decide(crafter, _state("player_0", known, (12, 11), {"wood": 2}))
    assert decision.option.text == "place table"


def test_digging_to_the_goal_is_asked_for_only_when_it_is_much_shorter():
    # The diamond sits behind a wall of stone whose gap is far away.
    tiles = {(x, 30): "stone" for x in range(0, 40)}
    tiles[(20, 33)] = "diamond"
    far_gap = _known(tiles)
    state = _state("player_5", far_gap, (20, 27))
    assert scripted_dispatch.digging_pays(state, "diamond", "wood_pickaxe")
    tiles[(21, 30)] = "path"
    near_gap = _known(tiles)
    assert not scripted_dispatch.digging_pays(
        _state("player_5", near_gap, (20, 27)), "diamond", "wood_pickaxe"
    )


def test_a_walk_mines_through_rock_when_that_is_much_shorter():
    tiles = {(x, 30): "stone" for x in range(0, 40)}
    tiles[(20, 33)] = "iron"
    known = _known(tiles)
    walk = library.Navigate(("iron",))
    actions = []
    position, facing = (20, 28), (0, 1)
    inventory = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    for _ in range(3):
        state = _state("player_1", known, position, inventory, facing)
        action = walk.step(state)
        actions.append(action)
        if action == "move_down":
            facing = (0, 1)
            if known.material_at((position[0], position[1] + 1)) in ("grass", "path"):
                position = (position[0], position[1] + 1)
    assert actions[:2] == ["move_down", "do"]  # mines the wall ahead instead of walking around
    # Without a pickaxe, it walks around the wall's end.
    around = library.Navigate(("iron",))
    assert around.step(_state("player_1", known, (20, 28))) in ("move_left", "move_right")


def test_waiting_for_a_pickaxe_an_agent_walks_to_where_the_dig_starts():
    # A diamond in a closed box of stone ten steps away: no walk reaches it, and the agent holds
    # no pickaxe. It walks to the box's wall nearest the diamond and waits there, not at the start.
    box = {(x, y): "stone" for x in range(18, 25) for y in range(28, 35)}
    box[(21, 31)] = "diamond"
    known = _known(box)
    state = _state("player_5", known, (21, 20))
    way = library.approach(state, ("diamond",))
    assert way is not None and way.end == (21, 27)  # next to the wall, above the diamond
    assert library.Navigate(("diamond",)).step(state) == "move_down"
    # A player without teammates makes its pickaxes itself: no walk to the rock (it explores,
    # and on this fully known map has nowhere to go).
    alone = dataclasses.replace(state, teammates=())
    assert library.Navigate(("diamond",)).step(alone) is None
    at_wall = _state("player_5", known, (21, 27))
    assert library.approach(at_wall, ("diamond",)) == navigation.Route(())  # the dig starts here
    # The goal seeker asking for the pickaxe walks there; at the wall it waits.
    agents = _team({"player_0": (10, 10)})
    seeker = agents["player_5"]
    decision = seeker.roles.dispatcher.dig_tool(seeker, state, "wood_pickaxe", "player_0")
    assert decision.option.kind == "navigate" and seeker.status.wants == "wood_pickaxe"
    decision = seeker.roles.dispatcher.dig_tool(seeker, at_wall, "wood_pickaxe", "player_0")
    assert decision.option.kind == "wait"
    # A box with a tunnel to the diamond is walked into: no dig, no approach.
    box.update({(21, y): "path" for y in (28, 29, 30)})
    open_box = _state("player_5", _known(box), (21, 20))
    assert library.approach(open_box, ("diamond",)) is None


def test_in_an_episode_feeders_mine_in_parallel_and_the_seeker_waits_at_the_diamond():
    env = mac.EnvConfig(n_agents=6, privileged_map=True, world_seed=mac.PAPER_WORLD_SEED)
    team = scripted.build_team(env)
    heads: list[dict[str, tuple[int, int]]] = []  # per step: the tile each agent heads for
    original = team.act

    def act(observations, infos):
        actions = original(observations, infos)
        step = {}
        for agent in team.agents:
            announced = agent.known.target
            if announced is not None and announced[1] == agent.known.clock:
                step[agent.spec.agent_id] = announced[0]
        heads.append(step)
        return actions

    team.act = act
    result = loop.play_episode(team, env, 0, method="scripted")
    milestones = result.record.milestones
    made, mined = milestones["make_iron_pickaxe"], milestones["collect_diamond"]
    assert made is not None and mined is not None
    # The seeker stood at the diamond: it mines right after the share reaches it.
    assert mined - made <= 3
    entries = [e for trace in result.trace.values() for e in trace if e["step"] < made]
    copies = [
        e
        for e in entries
        if e["agent"] == "player_0" and e["decision"].startswith("share wood pickaxe")
    ]
    stone = {
        e["agent"]
        for e in entries
        if e["decision"].startswith("collect") and "stone" in e["decision"]
    }
    assert copies and len(stone - {"player_0"}) >= 2
    # Two agents heading for one tile (while others exist) settle it within a few steps: each
    # yields to the one nearer (`KnownMap.yielded_targets`); as they compare positions a step
    # apart, both may think themselves nearer for a step or two.
    run: dict[tuple[int, int], int] = {}
    longest = 0
    for now in heads:
        tiles = list(now.values())
        repeated = {t for t in tiles if tiles.count(t) > 1}
        run = {t: run.get(t, 0) + 1 for t in repeated}
        longest = max([longest, *run.values()])
    assert longest <= 3
    assert mined < 60  # the team effect: the old roles took 73 steps on this map


def test_the_goal_tool_goes_to_whoever_reaches_the_seen_goal_sooner():
    known = _known(FIELD)  # the diamond at (40, 50)
    held = {"iron_pickaxe": 1}
    positions = {"player_5": (10, 12), "player_3": (40, 49)}
    agents = _team(positions, {"player_5": held})
    seeker = agents["player_5"]
    # The seeker holds the tool far away; a feeder stands at the diamond: the share reaches it.
    decision = seeker.roles.decide(seeker, _state("player_5", known, (10, 12), held))
    assert decision.option.text == "share iron pickaxe with player_3"
    # Next to the diamond itself, the seeker keeps the tool and mines.
    decision = seeker.roles.decide(seeker, _state("player_5", known, (40, 48), held))
    assert "share" not in decision.option.text
    # The feeder that received it does not hand it back to the far seeker.
    agents["player_5"].status.inventory = {}
    feeder = agents["player_3"]
    decision = feeder.roles.decide(feeder, _state("player_3", known, (40, 49), held))
    assert "share" not in decision.option.text
    # While the goal is unseen, its holder keeps the tool and searches too.
    unseen = _known({**FIELD, (40, 50): "grass"})
    decision = feeder.roles.decide(feeder, _state("player_3", unseen, (40, 49), held))
    assert "share" not in decision.option.text


def test_a_feeder_with_nothing_to_fetch_searches_for_the_unseen_goal():
    known = _known({**FIELD, (40, 50): "grass"})
    agents = _team({"player_0": (12, 21), "player_2": (20, 20)}, missing={})
    feeder = agents["player_2"]
    decision = feeder.roles.decide(feeder, _state("player_2", known, (20, 20)))
    assert decision.option.text == "go to diamond"
    # Once the goal is seen, it walks there, where the goal's tool may be handed to it (six
    # agents, own map, seed 14: the finder walked off to gather wood for its own tools), and
    # waits there facing it.
    decision = feeder.roles.decide(feeder, _state("player_2", _known(FIELD), (20, 20)))
    assert (decision.option.text, decision.reason) == ("go to diamond", "supplier: to the goal")
    there = _state("player_2", _known(FIELD), (40, 49), facing=(0, 1))
    assert feeder.roles.decide(feeder, there).option.kind == "wait"
    # Only the nearest teammate without the tool goes (the seeker waiting there, here): a
    # crowd at the goal would block the way in.
    agents["player_5"].status.position = (40, 51)
    decision = feeder.roles.decide(feeder, _state("player_2", _known(FIELD), (20, 20)))
    assert decision.reason.startswith("supplier: crafter needs nothing")


def test_a_feeder_holding_the_pickaxe_the_crafter_handed_out_fetches_the_crafters_unit():
    # The crafter stands at the iron but gave its stone pickaxe away (its plan counts on the
    # feeder's and makes none); the feeder holding it is far off. The split gives the iron to
    # the feeder, not to the crafter, who cannot mine it: else both would wait.
    known = _known({**FIELD, (20, 40): "iron"})
    tools = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    agents = _team(
        {"player_0": (20, 39), "player_1": (60, 5)},
        {"player_0": {"wood_pickaxe": 1}, "player_1": tools},
        missing={"iron": 1},
    )
    feeder, crafter = agents["player_1"], agents["player_0"]
    jobs = feeder.roles.dispatcher.jobs(
        feeder, _state("player_1", known, (60, 5), tools), "player_0", crafter.status
    )
    assert jobs["player_1"].item == "iron" and "player_0" not in jobs
    decision = feeder.roles.decide(feeder, _state("player_1", known, (60, 5), tools))
    assert decision.option.text == "collect iron"
    assert feeder.status.fetching == "iron"


def test_asking_for_a_decision_twice_does_not_swallow_a_tool_share():
    # The re-planning check asks the roles for a decision it may not take; the crafter's
    # share must still be the decision that follows (it was marked handed by the probe).
    known = _known(FIELD)
    held = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    agents = _team({"player_0": (12, 21), "player_1": (10, 28)}, {"player_0": held})
    agents["player_1"].status.wants = "stone_pickaxe"
    crafter = agents["player_0"]
    state = _state("player_0", known, (12, 21), held)
    for _ in range(2):
        decision = crafter.roles.decide(crafter, state)
        assert decision.option.text == "share stone pickaxe with player_1"


def test_a_teammate_standing_in_a_corridor_blocks_walks_at_any_distance_once_it_stays():
    # Seed 167, privileged map, six agents: a fetcher walked back and forth for 150 steps while
    # an idle teammate stood in the cave corridor it needed (it counted only within 3 tiles).
    mine, theirs = mapping.KnownMap(RULES), mapping.KnownMap(RULES)
    mine.materials[:, :] = RULES.materials.index("grass")
    theirs.position = (30, 10)
    for clock in range(mapping.STANDING + 1):
        mine.clock = clock
        mine.merge_known(theirs)
        standing = clock >= mapping.STANDING
        assert mine.standing() == ([(30, 10)] if standing else [])
        assert mine.walkable(around=(0, 0))[30, 10] == (not standing)
    theirs.position = (31, 10)  # it moves: no longer a wall
    mine.merge_known(theirs)
    assert mine.standing() == []


def test_a_make_walk_stops_when_the_goals_tool_is_shared_to_its_maker():
    # Six agents, own map, seed 172: a feeder walking back to a far table to make a wood
    # pickaxe received the iron pickaxe and carried it for 60 steps while the seeker stood at
    # the diamond; a make or place re-plans when an arrival changes the role's choice.
    known = _known(FIELD)
    agents = _team({"player_0": (12, 21), "player_3": (40, 47)})
    feeder = agents["player_3"]
    # On a board heard from messages (no dispatch), a feeder with nothing to fetch makes its
    # own tools (with dispatch it walks to the seen goal instead).
    feeder.board.dispatch = False
    state = _state("player_3", known, (40, 47), {"wood": 2})
    make = scripted.options.Option("make", "wood_pickaxe")
    assert feeder.roles.decide(feeder, state).option == make
    assert feeder.driver.start(make, state) is not None
    assert not feeder._should_replan(state)  # the walk to the table goes on
    more_wood = _state("player_3", known, (40, 46), {"wood": 3})
    assert not feeder._should_replan(more_wood)  # an arrival that leaves the choice as it was
    handed = _state("player_3", known, (40, 46), {"wood": 3, "iron_pickaxe": 1})
    assert feeder.roles.decide(feeder, handed).option.text == "collect diamond"
    assert feeder._should_replan(handed)


def test_the_pickaxe_stays_with_a_holder_that_can_dig_to_the_diamond():
    # Six agents, own map, seed 174: the holder stood three tiles from the diamond behind stone
    # it could mine, counted only the walk around, and handed the iron pickaxe to a teammate 34
    # tiles away. A stone wall, the diamond just behind it, the walk around 34 steps.
    wall = {(x, 22): "stone" for x in range(5, 36)}
    known = _known({**wall, (20, 23): "diamond"})
    held = {"wood_pickaxe": 1, "iron_pickaxe": 1}
    reach = teamwork.Reach(known)
    assert reach.steps((20, 21), "diamond") > 30  # walking only
    assert reach.steps((20, 21), "diamond", frozenset(held)) == 2  # mine the stone, step in
    agents = _team({"player_1": (20, 21), "player_5": (20, 40)}, {"player_1": held})
    holder = agents["player_1"]
    state = _state("player_1", known, (20, 21), held)
    assert holder.roles.dispatcher.tool_receiver(holder, state, "iron_pickaxe", "supplier") is None
    # Without the wood pickaxe the wall is a wall: the teammate below it is sooner.
    bare = _state("player_1", known, (20, 21), {"iron_pickaxe": 1})
    agents["player_1"].status.inventory = {"iron_pickaxe": 1}
    receiver = holder.roles.dispatcher.tool_receiver(holder, bare, "iron_pickaxe", "supplier")
    assert receiver is not None and receiver[0] == "player_5"


def test_a_holder_walled_off_from_the_diamond_asks_for_a_spare_pickaxe_and_keeps_the_tool():
    # Six agents, own map, seed 19: the holder of the iron pickaxe stood three tiles from the
    # diamond, walled in by stone, without a wood pickaxe, and handed the iron pickaxe to a
    # teammate 40 steps away while that teammate held a spare wood pickaxe.
    ring = {(x, y): "stone" for x in range(18, 23) for y in range(18, 23) if (x, y) != (20, 20)}
    known = _known({**ring, (20, 20): "diamond"})
    bare = {"iron_pickaxe": 1}
    spare = {"wood_pickaxe": 2, "stone_pickaxe": 1}
    agents = _team(
        {"player_1": (20, 16), "player_2": (20, 50)}, {"player_1": bare, "player_2": spare}
    )
    holder = agents["player_1"]
    state = _state("player_1", known, (20, 17), bare)
    assert holder.roles.dispatcher.tool_receiver(holder, state, "iron_pickaxe", "supplier") is None
    decision = holder.roles.decide(holder, state)
    assert "share" not in decision.option.text and holder.status.wants == "wood_pickaxe"
    # The teammate with the spare shares it (one it does not need), and only that one.
    giver = agents["player_2"]
    decision = giver.roles.decide(giver, _state("player_2", known, (20, 50), spare))
    assert decision.option.text == "share wood pickaxe with player_1"
    # The seeker holding the spare serves the request too (it takes no feeder's dispatch).
    agents["player_2"].status.inventory = {}
    agents["player_5"].status.inventory = {"wood_pickaxe": 1}
    seeker = agents["player_5"]
    decision = seeker.roles.decide(seeker, _state("player_5", known, (5, 5), {"wood_pickaxe": 1}))
    assert decision.option.text == "share wood pickaxe with player_1"
    agents["player_5"].status.inventory = {}
    agents["player_2"].status.inventory = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    agents["player_2"].status.fetching = "stone"  # its unit needs the one it keeps
    assert scripted_dispatch.spare_holder(holder.board, TEAM, "wood_pickaxe", RULES) is None
    # With no spare anywhere the holder hands the tool to the teammate that can dig.
    assert holder.roles.dispatcher.tool_receiver(holder, state, "iron_pickaxe", "supplier") == (
        "player_2",
        "player_2 reaches the diamond sooner",
    )


def test_nobody_is_handed_the_goals_tool_when_nobody_can_reach_the_goal():
    # Six agents, privileged map, seed 162: the diamond on an island in water (the team's reach
    # estimate counts no bridge), every estimate infinite, and each holder saw every teammate as
    # "sooner": the iron pickaxe went back and forth for 300 steps.
    moat = {(x, y): "water" for x in range(15, 26) for y in range(15, 26) if (x, y) != (20, 20)}
    known = _known({**moat, (20, 20): "diamond"})
    held = {"wood_pickaxe": 1, "iron_pickaxe": 1}
    assert teamwork.Reach(known).steps((20, 40), "diamond", frozenset(held)) == float("inf")
    agents = _team({"player_1": (20, 40), "player_2": (5, 5)}, {"player_1": held})
    holder = agents["player_1"]
    state = _state("player_1", known, (20, 40), held)
    assert holder.roles.dispatcher.tool_receiver(holder, state, "iron_pickaxe", "supplier") is None
    # A teammate that can reach it still gets it: the island's water gives way to sand.
    shore = {**moat, **{(20, y): "sand" for y in range(21, 26)}}
    known = _known({**shore, (20, 20): "diamond"})
    agents = _team({"player_1": (5, 5), "player_2": (20, 27)}, {"player_1": held})
    holder = agents["player_1"]
    state = _state("player_1", known, (5, 5), held)
    receiver = holder.roles.dispatcher.tool_receiver(holder, state, "iron_pickaxe", "supplier")
    assert receiver is not None and receiver[0] == "player_2"


def test_a_far_unit_that_waits_for_a_tool_is_fetched_first_so_its_fetcher_walks_meanwhile():
    # Three gatherers by the trees, a bill of three wood and an iron 30 steps off: in the bill's
    # order the wood would take all three and nobody would start the long walk to the iron
    # before the stone pickaxe exists. The iron goes first, to a feeder; near iron waits its turn.
    crafter = teamwork.Member("player_0", (10, 11), {}, crafter=True)
    feeders = [teamwork.Member(f"player_{i}", (10 + 2 * i, 11), {}) for i in (1, 2)]
    bill = teamwork.units({"wood": 3, "iron": 1}, [])
    far = _known({**FIELD, (14, 41): "iron"})
    jobs = teamwork.assign(RULES, teamwork.Reach(far), [crafter, *feeders], bill)
    fetcher = next(a for a, j in jobs.items() if j.item == "iron")
    assert fetcher != "player_0" and jobs[fetcher].tool == "stone_pickaxe"
    assert sorted(j.item for j in jobs.values()) == ["iron", "wood", "wood"]
    near = _known({**FIELD, (14, 14): "iron"})
    jobs = teamwork.assign(RULES, teamwork.Reach(near), [crafter, *feeders], bill)
    assert sorted(j.item for j in jobs.values()) == ["wood", "wood", "wood"]
    # Its fetcher keeps it as it nears it: after a long walk it stands by a tree six steps from
    # the iron, and the iron is still far from every other feeder (six agents, seed 107: the
    # fetcher was sent to the tree, the iron to a feeder 25 steps off).
    walked = _known({**FIELD, (14, 41): "iron", (15, 35): "tree"})
    near_iron = teamwork.Member("player_2", (14, 35), {}, fetching="iron")
    jobs = teamwork.assign(RULES, teamwork.Reach(walked), [crafter, feeders[0], near_iron], bill)
    assert jobs["player_2"].item == "iron"
    # One feeder (two agents) fetches what the crafter needs first, as the two-agent plans do.
    jobs = teamwork.assign(RULES, teamwork.Reach(far), [crafter, feeders[0]], bill)
    assert sorted(j.item for j in jobs.values()) == ["wood", "wood"]


def test_the_only_stone_pickaxe_and_its_iron_pass_to_a_feeder_much_nearer_the_iron():
    # The feeder holding the only stone pickaxe walks to iron far off; a teammate stands next to
    # iron just seen. The unit goes to the teammate, whose tool comes as a share from the
    # fetcher; a teammate only a few steps nearer leaves the unit (and the tool) where it is.
    known = _known({**FIELD, (20, 40): "iron"})
    crafter = teamwork.Member("player_0", (12, 21), {"wood_pickaxe": 1}, crafter=True)
    holder = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    far = teamwork.Member("player_1", (60, 5), holder, fetching="iron")
    near = teamwork.Member("player_2", (20, 38), {"wood_pickaxe": 1})
    bill = teamwork.units({"iron": 1}, [])
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, far, near], bill)
    assert jobs["player_2"].item == "iron" and jobs["player_2"].tool == "stone_pickaxe"
    assert "player_1" not in jobs
    close = teamwork.Member("player_1", (20, 34), holder, fetching="iron")
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, close, near], bill)
    assert jobs["player_1"].item == "iron" and "player_2" not in jobs


def test_a_crafter_that_handed_out_its_only_stone_pickaxe_is_not_sent_for_the_iron():
    # Two agents (privileged map, seed 2 of the cooperation study): the crafter shared its only
    # stone pickaxe with the feeder, whose plan then holds one, so the crafter makes no other;
    # sent for the iron (first in the bill) it waited 40 steps while the feeder fetched four
    # stones alone. The iron goes to the holder of the pickaxe, the stone to the crafter, which
    # holds the wood pickaxe that mines it.
    known = _known({**FIELD, (20, 40): "iron"})
    crafter = teamwork.Member("player_0", (18, 38), {"wood_pickaxe": 1}, crafter=True)
    holder = teamwork.Member("player_1", (10, 28), {"stone_pickaxe": 1})
    bill = teamwork.units({"iron": 1, "stone": 2}, [])
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, holder], bill)
    assert jobs["player_1"].item == "iron" and jobs["player_1"].tool == ""
    assert jobs["player_0"].item == "stone" and jobs["player_0"].tool == ""
    # With no copy in the team the crafter makes its own and may take the iron it stands by.
    bare = teamwork.Member("player_1", (10, 28), {"wood_pickaxe": 1})
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, bare], bill)
    assert jobs["player_0"].item == "iron"


def test_a_feeder_that_lost_its_unit_shares_the_tool_with_the_teammate_that_took_it():
    known = _known({**FIELD, (20, 40): "iron"})
    holder = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    agents = _team(
        {"player_0": (12, 21), "player_1": (60, 5), "player_2": (20, 39)},
        {"player_0": {"wood_pickaxe": 1}, "player_1": holder, "player_2": {"wood_pickaxe": 1}},
        missing={"iron": 1},
    )
    fetcher, nearer = agents["player_1"], agents["player_2"]
    fetcher.status.fetching = "iron"
    decision = fetcher.roles.decide(fetcher, _state("player_1", known, (60, 5), holder))
    assert decision.option.text == "share stone pickaxe with player_2"
    # The teammate waits at the iron for the pickaxe meanwhile.
    state = _state("player_2", known, (20, 39), {"wood_pickaxe": 1}, facing=(0, 1))
    assert nearer.roles.decide(nearer, state).reason == "supplier: at iron, waiting for a tool"
    # A feeder that never fetched the iron keeps its pickaxe.
    fetcher.status.fetching = ""
    decision = fetcher.roles.decide(fetcher, _state("player_1", known, (60, 5), holder))
    assert decision.option.kind != "share"


def test_a_feeder_with_no_unit_left_backs_up_one_it_can_collect():
    # Both coal units of the bill are someone's; a feeder holding a wood pickaxe tries another
    # tile instead of exploring: whichever arrives first ends the crafter's wait.
    known = _known({**FIELD, (30, 10): "coal", (30, 14): "coal"})
    agents = _team(
        {"player_0": (12, 21), "player_1": (30, 11), "player_2": (29, 14), "player_3": (50, 50)},
        {"player_1": {"wood_pickaxe": 1}, "player_2": {"wood_pickaxe": 1}},
        missing={"coal": 2},
    )
    for aid in ("player_1", "player_2"):
        agents[aid].status.fetching = "coal"
    idle = agents["player_3"]
    state = _state("player_3", known, (50, 50), {"wood_pickaxe": 1})
    decision = idle.roles.decide(idle, state)
    assert decision.option.text == "collect coal"
    assert decision.reason == "supplier: back up the coal"
    # Without the tool for it, it does not (here nothing is left to explore: it waits).
    decision = idle.roles.decide(idle, _state("player_3", known, (50, 50)))
    assert decision.reason == "supplier: no unit left"


def test_a_crafter_far_from_its_stations_builds_new_ones_from_its_feeders_materials():
    # Six agents, own map, seed 185: the crafter mined the iron 33 steps from its stations and
    # walked 40 steps back to make the pickaxe while feeders held the stone (a share
    # reaches any distance). New stations where it stands cost the places, not the walk.
    known = _known({**FIELD, (13, 20): "furnace"})
    held = {"wood": 1, "coal": 1, "iron": 1, "wood_pickaxe": 1, "stone_pickaxe": 1}
    dispatch = scripted_roles.Roles().dispatcher
    at_iron = (40, 45)

    def plan(feeder_holds):
        agents = _team({"player_0": at_iron, "player_1": (20, 30)}, {"player_1": feeder_holds})
        crafter = agents["player_0"]
        state = _state("player_0", known, at_iron, held)
        return [(s.kind, s.target) for s in dispatch.crafter_steps(crafter, state, "iron_pickaxe")]

    # Nothing to hand over, or too little: the walk back to the furnace is the only way.
    assert plan({}) == [("make", "iron_pickaxe")]
    assert plan({"stone": 3}) == [("make", "iron_pickaxe")]
    # The feeders hold the stone a furnace takes (the iron pickaxe needs no table in these
    # rules): it is placed here, from the stone they hand over.
    furnace = RULES.place["furnace"].uses["stone"]
    assert plan({"stone": furnace}) == [
        ("collect", "stone"),
        ("place", "furnace"),
        ("make", "iron_pickaxe"),
    ]


def test_a_far_furnace_is_replaced_from_the_stone_next_to_the_agent():
    # Six agents, own map, seed 119: the crafter mined the iron inside a mountain 18 steps from
    # its furnace and walked back; the stone around it makes a new furnace in fewer steps.
    at_iron = (40, 45)
    held = {"wood": 1, "coal": 1, "iron": 1, "wood_pickaxe": 1, "stone_pickaxe": 1}
    furnace = RULES.place["furnace"].uses["stone"]
    mountain = {(40 + dx, 46): "stone" for dx in range(-2, 3)}
    known = _known({**FIELD, (13, 20): "furnace", **mountain})
    state = _state("player_0", known, at_iron, held)
    steps = [(s.kind, s.target) for s in planner.plan_steps(state, goal="make_iron_pickaxe")]
    assert steps == [("collect", "stone"), ("place", "furnace"), ("make", "iron_pickaxe")]
    # Too little stone at hand (or no pickaxe to mine it): the walk back.
    few = _known({**FIELD, (13, 20): "furnace", **dict(list(mountain.items())[: furnace - 1])})
    for state in (
        _state("player_0", few, at_iron, held),
        _state("player_0", known, at_iron, {**held, "wood_pickaxe": 0}),
    ):
        assert [s.target for s in planner.plan_steps(state, goal="make_iron_pickaxe")] == [
            "iron_pickaxe"
        ]
    # The team's crafter gathers the stone rather than walk back to the old furnace meanwhile.
    agents = _team({"player_0": at_iron})
    crafter = agents["player_0"]
    state = _state("player_0", known, at_iron, held)
    crafter._post_status(state, {})  # the bill it posts: the furnace's stone
    assert crafter.status.missing == {"stone": furnace}
    assert crafter.roles.decide(crafter, state).option.text == "collect stone"


def test_with_everything_in_hand_a_furnace_a_few_steps_off_is_placed_anew_from_held_stone():
    furnace = RULES.place["furnace"].uses["stone"]
    known = _known({**FIELD, (13, 20): "furnace"})
    six_off = (13, 27)  # six steps from a cell next to the furnace
    held = {"wood": 1, "coal": 1, "iron": 1, "stone": furnace, "wood_pickaxe": 1}
    state = _state("player_0", known, six_off, held)
    steps = [(s.kind, s.target) for s in planner.plan_steps(state, goal="make_iron_pickaxe")]
    assert steps == [("place", "furnace"), ("make", "iron_pickaxe")]  # one step, not six
    # With the iron still to mine, the furnace stays where it is (the walk comes after the mine).
    state = _state("player_0", known, six_off, {**held, "iron": 0, "stone_pickaxe": 1})
    steps = [(s.kind, s.target) for s in planner.plan_steps(state, goal="make_iron_pickaxe")]
    assert steps == [("collect", "iron"), ("make", "iron_pickaxe")]


def test_a_feeder_holding_a_wood_pickaxe_is_kept_for_stone_not_sent_to_a_tree():
    # Two feeders by the trees, one holding a wood pickaxe; the bill's wood comes before its
    # stone. The wood goes to the one without the pickaxe, the stone to the one with it (not a
    # copy made for the other: that costs the crafter a wood and two steps).
    known = _known(FIELD)
    crafter = teamwork.Member("player_0", (60, 60), {}, crafter=True)  # far from the stone
    armed = teamwork.Member("player_1", (10, 11), {"wood_pickaxe": 1})
    bare = teamwork.Member("player_2", (12, 11), {})
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, armed, bare], ["wood", "stone"])
    assert jobs["player_1"].item == "stone" and jobs["player_1"].tool == ""
    assert jobs["player_2"].item == "wood"
    # With no unit left that needs its pickaxe, it fetches wood like anyone.
    jobs = teamwork.assign(RULES, teamwork.Reach(known), [crafter, armed, bare], ["wood", "wood"])
    assert {jobs["player_1"].item, jobs["player_2"].item} == {"wood"}


def test_the_seeker_of_two_goes_at_once_to_a_diamond_farther_than_the_crafters_work_alone():
    # Two agents by the trees, the crafter missing six wood. With the diamond near, the seeker
    # fetches wood first (it is back at the goal before the pickaxe is made); with the diamond
    # farther than the crafter's work alone, it walks there at once (seed 6 of the cooperation
    # study: it fetched the iron first and reached the diamond 50 steps after the pickaxe).
    pair = ("player_0", "player_1")
    actions = {aid: tuple(mac.EnvConfig(n_agents=2).make_env().action_names(aid)) for aid in pair}
    board = scripted_board.TeamBoard()
    board.dispatch = True
    roles = scripted_roles.Roles()
    agents = {}
    for aid, position in zip(pair, [(10, 11), (11, 11)], strict=True):
        agents[aid] = scripted.ScriptedAgent(board, roles, privileged_map=True)
        agents[aid].reset(
            team_lib.AgentSpec(aid, pair, 0, actions[aid], "damcs", "collect_diamond")
        )
        agents[aid].status.position = position
    crafter, seeker = agents["player_0"], agents["player_1"]
    crafter.status.missing, crafter.status.remaining = {"wood": 6}, 8
    state = dataclasses.replace(
        _state("player_1", _known(FIELD), (11, 11)),
        teammates=("player_0",),
        action_names=actions["player_1"],
    )
    near = _known({**FIELD, (40, 50): "grass", (11, 19): "diamond"})
    # A diamond 8 steps off: the seeker fetches wood first.
    decision = seeker.roles.decide(seeker, dataclasses.replace(state, known=near))
    assert decision.option.text == "collect wood"
    # The diamond of FIELD lies 67 steps off: more than the crafter's six wood alone.
    decision = seeker.roles.decide(seeker, state)
    assert decision.option.text == "go to diamond" and decision.reason == "seeker: go to the goal"
    assert seeker.status.ahead  # posted: it does not come back to fetch
    decision = seeker.roles.decide(seeker, dataclasses.replace(state, known=near))
    assert decision.reason == "seeker: go to the goal"
    # With four units left it leaves for the near diamond too (`SEEKER_LEAVES`).
    seeker.status.ahead = False
    crafter.status.missing, crafter.status.remaining = {"wood": 4}, 6
    decision = seeker.roles.decide(seeker, dataclasses.replace(state, known=near))
    assert decision.reason == "seeker: go to the goal"
