"""The seeker of two finishes the goal's tool by the goal (`agents.scripted_finish`) when the
crafter's last units lie there, handed what the crafter holds; otherwise the crafter makes it."""

from __future__ import annotations

import dataclasses

from agents import prerequisites, scripted, scripted_board, scripted_roles
from agents.skills import library, mapping
from envs import mac
from envs.mac import rules as rules_lib
from episode import team as team_lib
from tests.agents.grass_maps import grass_map

RULES = rules_lib.load("damcs")
PAIR = ("player_0", "player_1")
ACTIONS = {aid: tuple(mac.EnvConfig(n_agents=2).make_env().action_names(aid)) for aid in PAIR}
# What the crafter holds once its stone pickaxe is made, and what it still misses.
HOLDINGS = {"stone_pickaxe": 1, "wood_pickaxe": 1, "wood": 2, "coal": 1, "stone": 1}
MISSING = {"iron": 1, "stone": 3}


def _known(tiles: dict[tuple[int, int], str]) -> mapping.KnownMap:
    return grass_map(tiles, RULES)


def _pair(known: mapping.KnownMap, crafter_at, seeker_at):
    """Two scripted agents on a dispatching board: the crafter with `HOLDINGS` and `MISSING`,
    the seeker empty-handed, and each one's state on `known`."""
    board = scripted_board.TeamBoard()
    board.dispatch = True
    roles = scripted_roles.Roles()
    agents, states = {}, {}
    for aid, position in zip(PAIR, (crafter_at, seeker_at), strict=True):
        agent = scripted.ScriptedAgent(board, roles, privileged_map=True)
        agent.reset(team_lib.AgentSpec(aid, PAIR, 0, ACTIONS[aid], "damcs", "collect_diamond"))
        agent.status.position = position
        agents[aid] = agent
        states[aid] = library.AgentState(
            agent_id=aid,
            step=60,
            position=position,
            facing=(0, 1),
            inventory={"health": 9, "food": 9, "drink": 9, "energy": 9},
            achievements={},
            sleeping=False,
            known=known,
            rules=RULES,
            action_names=ACTIONS[aid],
            teammates=tuple(a for a in PAIR if a != aid),
        )
    crafter = agents["player_0"]
    crafter.status.inventory = dict(HOLDINGS)
    crafter.status.missing, crafter.status.remaining = dict(MISSING), 4
    states["player_0"] = dataclasses.replace(
        states["player_0"], inventory={**states["player_0"].inventory, **HOLDINGS}
    )
    return agents, states


# Trees by the crafter; the diamond across the field with iron and stone next to it.
FAR_IRON = {
    **{(10 + 2 * i, 10): "tree" for i in range(3)},
    (12, 14): "table",
    (40, 50): "diamond",
    (40, 48): "iron",
    **{(42 + i, 50): "stone" for i in range(4)},
}


def test_handed_in_lists_what_a_plan_takes_beyond_its_holdings_and_its_own_collects():
    steps = (
        prerequisites.Step("collect", "iron"),
        prerequisites.Step("collect", "stone", 2),
        prerequisites.Step("place", "furnace"),
        prerequisites.Step("make", "iron_pickaxe"),
    )
    # The iron needs a stone pickaxe, the stone a wood pickaxe; the furnace four stone (two
    # held, two collected); the pickaxe a wood (held), a coal (missing) and the iron (collected).
    assert prerequisites.handed_in(RULES, steps, {"wood": 1, "stone": 2}) == {
        "stone_pickaxe": 1,
        "wood_pickaxe": 1,
        "coal": 1,
    }
    assert prerequisites.handed_in(RULES, steps, {**HOLDINGS, "stone": 2}) == {}


def test_the_seeker_by_a_far_diamond_finishes_the_tool_with_the_crafters_holdings():
    agents, states = _pair(_known(FAR_IRON), crafter_at=(11, 12), seeker_at=(38, 50))
    crafter, seeker = agents["player_0"], agents["player_1"]
    decision = seeker.roles.decide(seeker, states["player_1"])
    assert seeker.status.finishes
    assert decision.reason.startswith("seeker: finish the tool by the goal")
    # Its plan takes the crafter's pickaxes (the stone one for the iron, the wood one for the
    # stone), a coal, a wood and a stone; three more stone and the iron it mines there.
    assert seeker.status.needs == {
        "stone_pickaxe": 1,
        "wood_pickaxe": 1,
        "coal": 1,
        "wood": 1,
        "stone": 1,
    }
    # The crafter hands them over, the pickaxe first, and no more than the plan takes.
    decision = crafter.roles.decide(crafter, states["player_0"])
    assert decision.option.text == "share stone pickaxe with player_1"
    seeker.status.inventory = dict(seeker.status.needs)
    decision = crafter.roles.decide(crafter, states["player_0"])
    assert decision.option.kind == "wait"
    # Holding the pickaxe, the seeker mines the iron by the diamond.
    holding = dataclasses.replace(
        states["player_1"],
        inventory={**states["player_1"].inventory, **seeker.status.inventory},
    )
    decision = seeker.roles.decide(seeker, holding)
    assert decision.option.text == "collect iron" and decision.toward[-1] == "diamond"
    # With nothing left to hand over it follows its own plan, still on the way to the diamond.
    crafter.status.inventory = {}
    decision = seeker.roles.decide(seeker, holding)
    assert decision.option.text == "collect iron" and decision.toward[-1] == "diamond"


def test_with_the_iron_by_the_crafter_the_crafter_makes_the_tool():
    near = {**FAR_IRON, (40, 48): "grass", (11, 13): "iron", (10, 13): "stone"}
    agents, states = _pair(_known(near), crafter_at=(11, 12), seeker_at=(38, 50))
    seeker, crafter = agents["player_1"], agents["player_0"]
    decision = seeker.roles.decide(seeker, states["player_1"])
    assert not seeker.status.finishes
    assert decision.reason.startswith("seeker: ") and "finish" not in decision.reason
    assert crafter.roles.decide(crafter, states["player_0"]).option.kind != "share"


def test_a_board_heard_from_messages_keeps_the_crafter_making_the_tool():
    agents, states = _pair(_known(FAR_IRON), crafter_at=(11, 12), seeker_at=(38, 50))
    seeker = agents["player_1"]
    seeker.board.heard = True
    seeker.roles.decide(seeker, states["player_1"])
    assert not seeker.status.finishes
