"""Feeders join the search for an unseen goal once they have nothing to give or fetch."""

from __future__ import annotations

import dataclasses

import numpy as np

from agents import scripted, scripted_board, scripted_roles
from agents.skills import library, mapping
from envs import mac
from envs.mac import rules as rules_lib
from episode import team as team_lib

RULES = rules_lib.load("damcs")
TEAM = tuple(f"player_{i}" for i in range(6))
ACTIONS = tuple(mac.EnvConfig(n_agents=6).make_env().action_names("player_2"))


def _feeder(crafter_missing: dict[str, int], fetching: dict[str, str]) -> scripted.ScriptedAgent:
    """player_2 (a helper, fed to the crafter) on a board where the crafter misses
    `crafter_missing` and teammates fetch what `fetching` says."""
    board = scripted_board.TeamBoard()
    agent = scripted.ScriptedAgent(board, scripted_roles.Roles())
    spec = team_lib.AgentSpec("player_2", TEAM, 0, ACTIONS, "damcs", "collect_diamond", 350)
    agent.reset(spec)
    board.status["player_0"] = scripted_board.AgentStatus(
        missing=dict(crafter_missing), remaining=6
    )
    for mate, item in fetching.items():
        board.status[mate] = scripted_board.AgentStatus(fetching=item)
    return agent


def _state(
    diamond: bool,
    agent: str = "player_2",
    step: int = 5,
    iron: bool = False,
    inventory: dict[str, int] | None = None,
) -> library.AgentState:
    """A field with trees and rock in view; a diamond in the rock when `diamond`, iron by the
    agent when `iron`."""
    ids = {name: i + 1 for i, name in enumerate(RULES.materials)}
    grid = np.full((64, 64), ids["grass"], np.int64)
    grid[10, 14] = ids["tree"]
    grid[40:50, 10:20] = ids["stone"]
    if diamond:
        grid[45, 15] = ids["diamond"]
    if iron:
        grid[12, 12] = ids["iron"]
    known = mapping.KnownMap(RULES)
    known.observe({"semantic": grid, "position": (10, 10), "step": step, "inventory": {}})
    return library.AgentState(
        agent_id=agent,
        step=step,
        position=(10, 10),
        facing=(0, 1),
        inventory=dict(inventory or {}),
        achievements={},
        sleeping=False,
        known=known,
        rules=RULES,
        action_names=ACTIONS,
        teammates=tuple(a for a in TEAM if a != agent),
    )


def _decide(agent: scripted.ScriptedAgent, diamond: bool) -> scripted_board.Decision:
    return agent.roles.decide(agent, _state(diamond))


def _searches(decision: scripted_board.Decision) -> bool:
    return (decision.option.kind, decision.option.target) == ("navigate", "diamond")


def test_a_feeder_searches_for_the_unseen_diamond_once_the_bill_is_covered():
    # The crafter misses nothing: the feeder looks for the diamond (it used to start its own tools).
    assert _searches(_decide(_feeder({}, {}), diamond=False))


def test_a_feeder_searches_when_teammates_fetch_every_missing_item():
    covered = _feeder({"wood": 2, "stone": 1}, {"player_1": "wood", "player_3": "stone"})
    assert _searches(_decide(covered, diamond=False))


def test_a_feeder_fetches_an_item_nobody_fetches_before_searching():
    decision = _decide(_feeder({"wood": 2, "stone": 1}, {"player_1": "stone"}), diamond=False)
    assert (decision.option.kind, decision.option.target) == ("collect", "wood")


def test_a_seen_diamond_ends_the_feeders_search():
    assert not _searches(_decide(_feeder({}, {}), diamond=True))


def _two_agent_seeker(remaining: int) -> scripted.ScriptedAgent:
    """player_1, the seeker of a team of two, while the crafter misses iron and has `remaining`
    plan steps left to the iron pickaxe."""
    board = scripted_board.TeamBoard()
    agent = scripted.ScriptedAgent(board, scripted_roles.Roles())
    team = TEAM[:2]
    actions = tuple(mac.EnvConfig(n_agents=2).make_env().action_names("player_1"))
    agent.reset(team_lib.AgentSpec("player_1", team, 0, actions, "damcs", "collect_diamond", 350))
    board.status["player_0"] = scripted_board.AgentStatus(missing={"iron": 1}, remaining=remaining)
    return agent


def test_the_seeker_of_two_searches_once_the_crafter_is_near_the_tool():
    near = _two_agent_seeker(scripted_roles.SEEKER_SEARCH_FROM)
    assert _searches(near.roles.decide(near, _state(diamond=False)))
    far = _two_agent_seeker(scripted_roles.SEEKER_SEARCH_FROM + 3)
    decision = far.roles.decide(far, _state(diamond=False))
    # It supplies: its plan to fetch the iron starts with wood for a pickaxe.
    assert not _searches(decision) and decision.reason == "supplier: fetch iron"


def _seeker_of_two_at_the_tools(**crafter: object) -> scripted.ScriptedAgent:
    """The seeker of two while the crafter, far off at (60, 60), is three plan steps from the
    iron pickaxe and misses only the iron (`crafter`: more of its status)."""
    agent = _two_agent_seeker(scripted_roles.SEEKER_GOES_AT)
    status = agent.board.status["player_0"]
    status.position = (60, 60)
    for name, value in crafter.items():
        setattr(status, name, value)
    return agent


def _goes_to_the_diamond(decision: scripted_board.Decision) -> bool:
    return decision.reason.startswith("seeker: ")


def test_the_seeker_of_two_waits_at_a_seen_diamond_until_the_crafter_long_searches_for_iron():
    # Crafter and seeker of two on their own maps: the seeker used to wait at the diamond while
    # the crafter searched alone for iron no map showed (seed 179: 280 steps).
    step = 100
    for searched, goes in ((scripted_roles.SEEKER_HELPS_AFTER - 1, True), (None, True)):
        since = None if searched is None else step - searched
        agent = _seeker_of_two_at_the_tools(unseen_since=since)
        decision = agent.roles.decide(agent, _state(True, "player_1", step))
        assert _goes_to_the_diamond(decision) == goes
    agent = _seeker_of_two_at_the_tools(unseen_since=step - scripted_roles.SEEKER_HELPS_AFTER)
    decision = agent.roles.decide(agent, _state(True, "player_1", step))
    assert decision.reason == "supplier: fetch iron"


def test_the_seeker_of_two_hands_over_the_iron_before_going_to_the_diamond():
    agent = _seeker_of_two_at_the_tools()
    decision = agent.roles.decide(agent, _state(True, "player_1", inventory={"iron": 1}))
    assert (decision.option.kind, decision.option.target) == ("share", "iron")


def test_the_seeker_of_two_fetches_seen_iron_much_nearer_it_than_the_crafter():
    pickaxe = {"wood_pickaxe": 1, "stone_pickaxe": 1}
    agent = _seeker_of_two_at_the_tools()
    state = _state(True, "player_1", iron=True, inventory=pickaxe)
    decision = agent.roles.decide(agent, state)
    assert decision.reason == "supplier: fetch iron"
    # Without the pickaxe for iron, or with the crafter as near, it goes to the diamond.
    bare = agent.roles.decide(agent, _state(True, "player_1", iron=True))
    assert _goes_to_the_diamond(bare)
    agent.board.status["player_0"].position = (14, 14)
    assert _goes_to_the_diamond(agent.roles.decide(agent, state))


def test_the_crafter_posts_since_when_it_misses_an_unseen_unit_near_the_tool():
    known = _state(True).known
    near = scripted_board.AgentStatus(missing={"iron": 1}, remaining=scripted_roles.SEEKER_GOES_AT)
    assert scripted_roles.unseen_since(known, near, 40) == 40
    near.unseen_since = 40
    assert scripted_roles.unseen_since(known, near, 70) == 40
    far = dataclasses.replace(near, remaining=scripted_roles.SEEKER_GOES_AT + 1)
    assert scripted_roles.unseen_since(known, far, 70) is None
    known = _state(True, iron=True).known
    assert scripted_roles.unseen_since(known, near, 70) is None


def _crafter_of_two(seeker_holds_tool: bool) -> scripted.ScriptedAgent:
    """player_0, the crafter of a team of two, after making the iron pickaxe; the seeker holds it
    when `seeker_holds_tool` (the crafter shared it), else nobody does yet."""
    board = scripted_board.TeamBoard()
    agent = scripted.ScriptedAgent(board, scripted_roles.Roles())
    team = TEAM[:2]
    actions = tuple(mac.EnvConfig(n_agents=2).make_env().action_names("player_0"))
    agent.reset(team_lib.AgentSpec("player_0", team, 0, actions, "damcs", "collect_diamond", 350))
    held = {"iron_pickaxe": 1} if seeker_holds_tool else {}
    board.status["player_1"] = scripted_board.AgentStatus(inventory=held)
    return agent


def test_the_crafter_searches_once_the_seeker_holds_the_tool():
    # Another pair of eyes instead of a second pickaxe while nobody has seen the diamond.
    handed = _crafter_of_two(seeker_holds_tool=True)
    assert _searches(handed.roles.decide(handed, _state(diamond=False)))
    assert not _searches(handed.roles.decide(handed, _state(diamond=True)))
    making = _crafter_of_two(seeker_holds_tool=False)
    assert not _searches(making.roles.decide(making, _state(diamond=False)))
