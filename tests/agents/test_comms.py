"""S-CS: message validation and JSON round trip, roles and topology, delivery, counting, null router."""

from __future__ import annotations

import dataclasses
import json

import pytest

from agents import comms
from agents.skills import mapping
from episode import team as team_lib


def _team(n: int) -> tuple[str, ...]:
    return tuple(f"player_{i}" for i in range(n))


def _status(sender: str = "player_0", step: int = 3, **fields) -> comms.Message:
    values = {
        "role": "crafter",
        "long_term_goal": "make iron pickaxe",
        "goal": "make stone pickaxe",
        "needs": {"stone": 1, "iron": 1},
        "offers": {"wood": 2},
        "sightings": (mapping.Sighting("iron", (40, 12)),),
    }
    return comms.Message(comms.STATUS, sender, step, **{**values, **fields})


def test_message_round_trips_through_json():
    messages = [
        _status(),
        comms.Message(comms.CLAIM, "player_2", 7, role="helper", claims={"stone": 5}),
        comms.Message(comms.CLAIM, "player_2", 8, role="helper"),  # a release
        comms.Message(comms.STATION, "player_1", 9, station=comms.Station("table", (31, 30))),
        comms.Message(comms.SHARE, "player_0", 80, recipient="player_5", gave={"iron_pickaxe": 1}),
    ]
    for message in messages:
        assert comms.Message.from_json(message.to_json()) == message
        assert comms.Message.from_dict(json.loads(json.dumps(message.to_dict()))) == message
        assert message.size == len(message.to_json().encode())
        with pytest.raises(dataclasses.FrozenInstanceError):
            message.step = 99  # type: ignore[misc]


def test_message_text_is_a_compact_template():
    assert _status().text() == (
        "player_0 (crafter); long-term: make iron pickaxe; now: make stone pickaxe; "
        "needs 1 stone, 1 iron; offers 2 wood; saw iron at (40, 12)"
    )
    placed = comms.Message(comms.STATION, "player_1", 9, station=comms.Station("table", (31, 30)))
    assert placed.text() == "player_1 placed a table at (31, 30)"
    text = comms.render_for_prompt([_status(), placed])
    assert text.splitlines()[0] == "Team messages:" and len(text.splitlines()) == 3
    assert comms.render_for_prompt([]) == ""


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        "[1, 2]",
        {"kind": "gossip", "sender": "player_0", "step": 1},
        {"kind": "status", "sender": "player_0", "step": 1},  # no role
        {"kind": "status", "sender": "player_0", "step": -1, "role": "crafter"},
        {"kind": "status", "sender": "Player 0", "step": 1, "role": "crafter"},
        {
            "kind": "status",
            "sender": "player_0",
            "step": 1,
            "role": "crafter",
            "needs": {"wood": 0},
        },
        {"kind": "status", "sender": "player_0", "step": 1, "role": "crafter", "needs": ["wood"]},
        {"kind": "status", "sender": "player_0", "step": 1, "role": "crafter", "mood": "ok"},
        {"kind": "status", "sender": "player_0", "step": 1, "role": "crafter", "sightings": [{}]},
        {"kind": "station", "sender": "player_0", "step": 1},
        {"kind": "station", "sender": "player_0", "step": 1, "station": {"name": "table"}},
        {"kind": "share", "sender": "player_0", "step": 1, "gave": {"wood": 1}},
        {"kind": "share", "sender": "player_0", "step": 1, "recipient": "player_0", "gave": {}},
        {"kind": "claim", "sender": "player_1", "step": 1, "claims": {"stone": 0}},
        {"kind": "claim", "sender": "player_1", "step": 1, "claims": ["stone"]},
        # Claims belong on a claim message only.
        {
            "kind": "status",
            "sender": "player_1",
            "step": 1,
            "role": "helper",
            "claims": {"wood": 1},
        },
    ],
)
def test_malformed_messages_raise_message_error(data):
    with pytest.raises(comms.MessageError):
        comms.parse(data if isinstance(data, str) else dict(data))


def test_paper_roles_by_id():
    roles = comms.PaperRoles()
    assert [roles.role(i, 6) for i in range(6)] == [
        "crafter",
        "supplier",
        "helper",
        "helper",
        "helper",
        "seeker",
    ]
    assert roles.role(0, 1) == "solo"
    assert [roles.role(i, 2) for i in range(2)] == ["crafter", "seeker"]
    assert [roles.role(i, 3) for i in range(3)] == ["crafter", "supplier", "seeker"]
    assert comms.policy("none").assign(_team(3)) == dict.fromkeys(_team(3), "solo")
    assert all(roles.duty(i, 6) for i in range(6))
    with pytest.raises(ValueError):
        roles.role(6, 6)
    with pytest.raises(ValueError):
        comms.policy("anarchy")


@pytest.mark.parametrize(
    ("n", "helps"),
    [
        (1, {"player_0": ()}),
        (2, {"player_0": ("player_1",), "player_1": ("player_0",)}),
        (3, {"player_0": ("player_2",), "player_1": ("player_0",), "player_2": ("player_0",)}),
        (
            6,
            {
                "player_0": ("player_5",),
                "player_1": ("player_0",),
                "player_2": ("player_1", "player_0"),
                "player_3": ("player_2", "player_0"),
                "player_4": ("player_3", "player_0"),
                "player_5": ("player_0",),
            },
        ),
    ],
)
def test_topology_each_agent_receives_the_status_of_those_it_helps_co_helpers_and_helpers(n, helps):
    router = comms.Router(_team(n))
    assert {a: router.helps(a) for a in router.team} == helps
    for sender in router.team:
        router.post(_status(sender, role=router.role(sender)))
    for agent, helped in helps.items():
        received = tuple(m.sender for m in router.inbox(agent).statuses)
        # Those it helps come first; then the co-helpers (who help someone it helps too) and the
        # helpers (who help it: the crafter hears where its feeders are and what they ask for).
        others = tuple(
            a
            for a in router.team
            if a != agent and a not in helped and (set(helps[a]) & set(helped) or agent in helps[a])
        )
        assert received[: len(helped)] == helped
        assert sorted(received[len(helped) :]) == sorted(others)
    if n == 6:  # the crafter hears every feeder and the seeker
        assert len(router.inbox("player_0").statuses) == 5
    # Stations reach everyone else, whatever the roles.
    placed = comms.Message(comms.STATION, "player_0", 5, station=comms.Station("table", (1, 2)))
    assert router.post(placed) == n - 1
    assert all(router.inbox(a).stations == (placed,) for a in router.team if a != "player_0")


def test_inbox_keeps_the_latest_status_per_sender_and_distinct_stations():
    router = comms.Router(_team(3))
    router.post(_status("player_0", step=1, goal="collect wood"))
    router.post(_status("player_0", step=9, goal="collect stone"))
    statuses = router.inbox("player_1").statuses
    assert len(statuses) == 1 and statuses[0].goal == "collect stone"
    placed = comms.Message(comms.STATION, "player_0", 5, station=comms.Station("table", (1, 2)))
    router.post(placed)
    router.post(placed)
    assert len(router.inbox("player_1").stations) == 1


def test_a_share_reaches_only_its_recipient_and_makes_it_replan():
    router = comms.Router(_team(6))
    share = comms.Message(
        comms.SHARE, "player_0", 80, recipient="player_5", gave={"iron_pickaxe": 1}
    )
    assert router.post(share) == 1
    assert router.should_replan("player_5") and not router.should_replan("player_1")
    inbox = router.collect("player_5")
    assert inbox.replan and inbox.shares == (share,)
    assert "player_0 gave player_5 1 iron pickaxe" in inbox.text
    assert not router.should_replan("player_5") and router.inbox("player_5").shares == ()


def test_counters_count_messages_bytes_and_suppress_repeats():
    router = comms.Router(_team(2))
    first = _status("player_0", step=1)
    router.post(first)
    assert router.post(_status("player_0", step=2)) == 0  # same content: not sent again
    router.post(_status("player_0", step=3, needs={"stone": 2}))
    traffic = router.traffic("player_0")
    assert traffic.messages_sent == 2 and traffic.suppressed == 1 and traffic.delivered == 2
    assert traffic.message_bytes == first.size + _status("player_0", needs={"stone": 2}).size
    counters = team_lib.Counters()
    counters = router.charge("player_0", counters)
    assert (counters.messages_sent, counters.message_bytes) == (2, traffic.message_bytes)
    assert router.traffic().messages_sent == 2
    router.reset()
    assert router.traffic() == comms.Traffic()


def test_malformed_or_foreign_messages_are_rejected_and_counted_not_raised():
    router = comms.Router(_team(2))
    assert router.post("{broken") == 0
    assert router.post({"kind": "status", "sender": "player_0", "step": 1}) == 0
    assert router.post(_status("player_9")) == 0  # not a teammate
    assert router.rejected == 3 and router.traffic().rejected == 3
    assert router.traffic().messages_sent == 0
    assert router.post(_status("player_0").to_json()) == 1  # JSON text from a model is fine


def test_dead_agents_receive_nothing_and_leave_inboxes():
    router = comms.Router(_team(3))
    router.post(_status("player_0"))
    router.remove("player_1")
    assert router.inbox("player_2").statuses != ()
    router.remove("player_0")
    assert router.inbox("player_2").statuses == ()
    placed = comms.Message(comms.STATION, "player_2", 5, station=comms.Station("table", (1, 2)))
    assert router.post(placed) == 0


def test_null_router_delivers_nothing_and_counts_zero():
    router = comms.build(_team(6), enabled=False)
    assert isinstance(router, comms.NullRouter) and not router.enabled
    assert router.post(_status("player_0")) == 0
    assert router.post("{broken") == 0
    share = comms.Message(comms.SHARE, "player_0", 80, recipient="player_5", gave={"wood": 1})
    router.post(share)
    assert router.inbox("player_5") == comms.Inbox() and router.prompt_text("player_5") == ""
    assert not router.should_replan("player_5")
    assert router.traffic() == comms.Traffic()
    assert router.role("player_0") == "crafter"  # roles stay available to the agent


def test_a_claim_reaches_the_co_helpers_and_only_the_latest_non_empty_one_counts():
    router = comms.Router(_team(6))
    claim = comms.Message(comms.CLAIM, "player_2", 4, role="helper", claims={"stone": 5})
    # player_2 helps player_1 and the crafter: everyone else who feeds them hears it, and they
    # hear who fetches which units of their bills.
    assert set(router.recipients(claim)) == {f"player_{i}" for i in (0, 1, 3, 4, 5)}
    router.post(claim)
    assert router.inbox("player_3").claims == (claim,)
    assert router.inbox("player_0").claims == (claim,)
    assert claim.text() == "player_2 (helper) fetches 5 stone"
    assert (
        router.post(comms.Message(comms.CLAIM, "player_2", 5, role="helper", claims={"stone": 5}))
        == 0
    )
    router.post(comms.Message(comms.CLAIM, "player_2", 9, role="helper"))  # released
    assert router.inbox("player_3").claims == ()
    assert router.traffic("player_2").suppressed == 1


def test_a_status_carries_the_senders_position_and_the_tool_it_asks_for():
    status = _status("player_3", role="helper", position=(16, 15), wants="wood_pickaxe")
    assert comms.Message.from_json(status.to_json()) == status
    assert json.loads(status.to_json())["position"] == [16, 15]
    assert "at (16, 15)" in status.text()
    assert "asks the crafter for a wood pickaxe" in status.text()
    # What dispatch and the search read belongs to a status only.
    for extra in ({"position": (1, 2)}, {"wants": "wood_pickaxe"}, {"exploring": (3, 4)}):
        with pytest.raises(comms.MessageError):
            comms.Message(comms.CLAIM, "player_2", 7, role="helper", claims={"stone": 1}, **extra)
    with pytest.raises(comms.MessageError):
        _status(position=(1,))
    with pytest.raises(comms.MessageError):
        _status(wants="Stone Pickaxe")


def test_a_status_carries_the_frontier_its_sender_explores_toward():
    status = _status("player_1", role="seeker", position=(16, 15), exploring=[20, 9])
    assert status.exploring == (20, 9)
    assert comms.Message.from_json(status.to_json()) == status
    assert "exploring toward (20, 9)" in status.text()
    assert "exploring" not in _status().text()
    with pytest.raises(comms.MessageError):
        _status(exploring=(1, 2, 3))
