"""`HFModel.generate(json_schema=...)`: constrained decoding gives JSON of the schema even from a
random tiny model."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("lmformatenforcer")

SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "maxLength": 12},
        "operation": {"type": "string", "enum": ["collect wood", "explore", "place table"]},
    },
    "required": ["summary", "operation"],
}


def test_constrained_reply_parses_and_obeys_the_schema(tiny_model):
    (completion,) = tiny_model.generate(
        ["Nearby: tree. Reply in JSON."], max_new_tokens=250, json_schema=SCHEMA
    )
    reply = json.loads(completion.text)
    assert reply["operation"] in SCHEMA["properties"]["operation"]["enum"]
    assert isinstance(reply["summary"], str)


def test_free_generation_of_the_random_model_is_not_json(tiny_model):
    (completion,) = tiny_model.generate(["Nearby: tree. Reply in JSON."], max_new_tokens=20)
    with pytest.raises(ValueError):
        json.loads(completion.text)
