"""Reading the paper's structured reply: well-formed, repaired, or a counted failure."""

from __future__ import annotations

import json

import pytest

from agents import decision_reply

MENU = ("collect wood", "place table", "explore")
GOOD = {
    "ultimate_goal": {"goal": "collect diamond", "status": "in progress"},
    "long_term_goal": {"goal": "make wood pickaxe", "status": "in progress"},
    "current_goal": {"goal": "get wood for a table", "status": "not started"},
    "reflection": "the last tree is gone",
    "summary": "I explored north.",
    "operation": "collect wood",
}


def test_a_well_formed_reply_is_read_whole():
    reply = decision_reply.parse(json.dumps(GOOD), MENU)
    assert reply.operation == "collect wood" and not reply.repaired
    assert reply.current_goal == decision_reply.GoalStatus("get wood for a table", "not started")
    assert reply.summary == "I explored north." and reply.reflection == "the last tree is gone"
    assert decision_reply.parse(json.dumps(reply.to_dict()), MENU).operation == "collect wood"


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("Sure! ```json\n" + json.dumps(GOOD) + "\n``` hope that helps", "collect wood"),
        ('Here: {"operation": "Place the table."} done', "place table"),
        (json.dumps({**GOOD, "operation": "2"}), "place table"),
        ("I will explore.", "explore"),
    ],
)
def test_loose_replies_are_repaired_and_marked(text, operation):
    reply = decision_reply.parse(text, MENU)
    assert reply.operation == operation and reply.repaired


@pytest.mark.parametrize(
    "text", ["", "%%%", '{"operation": "collect unicorns"}', "{broken json", '["list"]']
)
def test_unreadable_replies_are_reply_errors(text):
    with pytest.raises(decision_reply.ReplyError):
        decision_reply.parse(text, MENU)


def test_the_schema_constrains_the_operation_to_the_menu():
    schema = decision_reply.schema(MENU)
    assert schema["properties"]["operation"]["enum"] == list(MENU)
    assert set(schema["required"]) >= {"operation", "current_goal", "summary"}
    plain = decision_reply.schema(MENU, with_goals=False)
    assert set(plain["properties"]) == {"reflection", "operation"}
