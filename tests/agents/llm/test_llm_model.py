from __future__ import annotations

import json
import math

import pytest

from agents.llm import controls, factory, loader, model, model_config, parsing

OPTIONS = ("collect wood", "place table", "make wood pickaxe", "collect stone")


# -- dataclasses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        model.Completion("hi", 3, 1, "length"),
        model.ChoiceRequest("p", OPTIONS, default=2),
        model.Choice(1, "place table", (-3.0, -1.0, -2.5, -9.0), raw="place table"),
        model.Usage(calls=2, prompt_tokens=10, latency_s=0.5, fallbacks=1),
    ],
)
def test_records_round_trip_through_json(record):
    again = type(record).from_dict(json.loads(json.dumps(record.to_dict())))
    assert again == record


@pytest.mark.parametrize(
    "build",
    [
        lambda: model.ChoiceRequest("p", ()),
        lambda: model.ChoiceRequest("p", ("a", "a")),
        lambda: model.ChoiceRequest("p", ("a", " ")),
        lambda: model.ChoiceRequest("p", ["a", "b"]),
        lambda: model.ChoiceRequest("p", ("a", "b"), default=2),
        lambda: model.Choice(3, "a", (0.0, 1.0)),
        lambda: model.Choice(0, "a", (math.nan,)),
        lambda: model.Completion("x", -1, 0),
        lambda: model.Completion("x", 1, 0, "exploded"),
        lambda: model.Usage(calls=-1),
        lambda: model.Usage.from_dict({"calls": 1, "bogus": 2}),
    ],
)
def test_invalid_records_are_refused(build):
    with pytest.raises(model.ValidationError):
        build()


def test_usage_arithmetic_gives_an_episode_share():
    before = model.Usage(calls=2, prompt_tokens=10)
    after = model.Usage(calls=5, prompt_tokens=40, fallbacks=1)
    assert after - before == model.Usage(calls=3, prompt_tokens=30, fallbacks=1)
    assert before + (after - before) == after


def test_model_errors_are_one_line():
    error = model.ModelNotFoundError("no model\n  at /x;\n pass a preset")
    assert str(error) == "no model at /x; pass a preset"
    assert isinstance(error, model.ModelError)
    assert issubclass(model.ModelTimeoutError, model.ModelUnavailableError)


def test_best_choice_breaks_ties_toward_the_first_option():
    request = model.ChoiceRequest("p", ("a", "b", "c"))
    assert model.best_choice(request, [-1.0, -0.5, -0.5]).index == 1


# -- parse_choice --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("collect wood", 0),
        ("  Place Table. ", 1),
        ("make_wood_pickaxe", 2),
        ("3", 2),
        ("2) place table", 1),
        ("Option 4", 3),
        ('{"choice": "collect stone"}', 3),
        ('Sure! {"choice": "place table"}', 1),
        ("I think you should collect stone next.", 3),
        ("collect stone\n1. collect wood 2. place table", 3),
        ("colect wod", 0),
        ("make wood pickax", 2),
        ("", None),
        ("banana", None),
        ("9", None),
        ("collect wood or collect stone", None),
    ],
)
def test_parse_choice(text, expected):
    assert parsing.parse_choice(text, OPTIONS) == expected


def test_require_choice_names_the_failure():
    with pytest.raises(model.ParseError, match="names none of 4 options"):
        parsing.require_choice("%%% garbage %%%", OPTIONS)


# -- FakeModel -----------------------------------------------------------------------------------


def test_fake_model_garbage_becomes_a_counted_fallback():
    lm = controls.FakeModel(["place table", "#$%!", "collect diamond", "4"])
    requests = [model.ChoiceRequest("p", OPTIONS, default=0)] * 4
    choices = lm.choose(requests)
    assert [c.valid for c in choices] == [True, False, False, True]
    assert [c.index for c in choices] == [1, 0, 0, 3]
    assert choices[1].raw == "#$%!"
    usage = lm.usage
    assert (usage.calls, usage.batches, usage.valid, usage.fallbacks) == (4, 1, 2, 2)


def test_fake_model_generated_garbage_raises_parse_error_for_the_agent():
    lm = controls.FakeModel(lambda prompt, options: "I like turtles")
    text = lm.generate(["what next?"], max_new_tokens=10)[0].text
    with pytest.raises(model.ParseError):
        parsing.require_choice(text, OPTIONS)
    lm.record_fallback()
    assert lm.usage.fallbacks == 1


def test_fake_model_counts_tokens_and_applies_stop_and_length():
    lm = controls.FakeModel(["one two three four five", "alpha beta STOP gamma"])
    long, stopped = lm.generate(["a b c", "d e"], max_new_tokens=3, stop=["STOP"])
    assert (long.text, long.finish_reason, long.completion_tokens) == ("one two three", "length", 3)
    assert (stopped.text, stopped.finish_reason) == ("alpha beta ", "stop")
    assert lm.usage.prompt_tokens == 5
    assert lm.usage.completion_tokens == 5
    assert lm.prompts == ["a b c", "d e"]


def test_uniform_control_picks_every_position_and_repeats_itself():
    lm = loader.load_model(model_config.ModelConfig("uniform", device="cpu", threads=1))
    assert lm.model_id == "uniform"
    options = ("collect wood", "place table", "explore", "drink water")
    requests = [model.ChoiceRequest(f"Step {i}. Next subgoal?", options) for i in range(400)]
    picks = [c.index for c in lm.choose(requests)]
    counts = [picks.count(i) for i in range(len(options))]
    assert all(60 < n < 140 for n in counts), counts  # 100 each expected
    # Seeded by the question: the same decision, asked again by a new instance, gets the same pick.
    again = factory.make_model("uniform").choose(requests[:50])
    assert [c.index for c in again] == picks[:50]
    assert lm.usage.fallbacks == 0
