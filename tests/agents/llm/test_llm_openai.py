"""The OpenAI-compatible backend against a stub server on 127.0.0.1 (never another address)."""

from __future__ import annotations

import time

import pytest

from agents.llm import cache as cache_lib
from agents.llm import controls, factory, model, model_config, openai_compat
from tests.agents.llm import stub_server

OPTIONS = ("collect wood", "place table", "make wood pickaxe")
PROMPT = "You stand next to a tree. What next?"


@pytest.fixture
def server():
    with stub_server.StubServer(lifetime_s=60.0) as stub:
        yield stub


def _model(server, **kwargs):
    kwargs.setdefault("cache", None)
    kwargs.setdefault("backoff_s", 0.01)
    return openai_compat.OpenAICompatibleModel(server.url, "stub", timeout_s=5.0, **kwargs)


def _expected(prompt, options, mode="sum", neutral=None):
    scores = []
    for option in options:
        total, count = stub_server.option_logprob(prompt, option)
        if neutral is not None:
            total -= stub_server.option_logprob(neutral, option)[0]
        scores.append(total / count if mode == "mean" else total)
    return scores


# -- scoring: the rule of local models --------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_scoring_reads_prompt_logprobs_and_picks_like_the_local_rule(server, mode):
    lm = _model(server, option_score=mode)
    requests = [model.ChoiceRequest(PROMPT, OPTIONS), model.ChoiceRequest("Night falls.", OPTIONS)]
    choices = lm.choose(requests)
    for request, choice in zip(requests, choices, strict=True):
        expected = _expected(request.prompt, OPTIONS, mode)
        assert choice.scores == pytest.approx(expected)
        # the same scores handed to the local backends' argmax give the same pick
        assert choice.index == model.best_choice(request, expected).index and choice.valid
    rows = [PROMPT, *(f"{PROMPT} {o}" for o in OPTIONS)]
    body = next(p for p in server.posted if p["prompt"] == rows)
    assert body["echo"] is True and body["logprobs"] == 1 and body["max_tokens"] == 1
    assert lm.scoring() and lm.usage.valid == 2 and lm.usage.batches == 1


def test_pmi_subtracts_the_neutral_prompt(server):
    lm = _model(server, option_score="pmi")
    request = model.ChoiceRequest(PROMPT, OPTIONS, neutral_prompt="What next?")
    choice = lm.choose([request])[0]
    expected = _expected(PROMPT, OPTIONS, neutral="What next?")
    assert choice.scores == pytest.approx(expected)
    assert choice.index == model.best_choice(request, expected).index
    with pytest.raises(model.ModelUnavailableError, match="neutral_prompt"):
        lm.choose([model.ChoiceRequest(PROMPT, OPTIONS)])


def test_a_token_across_the_prompt_end_counts_for_the_option(server):
    """A prompt ending in whitespace tokenizes differently alone ("tree", " ") than before an
    option ("tree", " collect"): the straddling token is the option's, as local scoring has it."""
    prompt = "You stand next to a tree. "
    choice = _model(server).choose([model.ChoiceRequest(prompt, OPTIONS)])[0]
    assert choice.scores == pytest.approx(_expected(prompt, OPTIONS))
    assert stub_server.option_logprob(prompt, "collect wood")[1] == 2


def test_same_choice_as_a_local_backend_given_the_same_scores(server):
    """A local (scripted) model naming the best option by the stub's log-probs picks what the
    server backend picks from the served log-probs."""

    def best(prompt, options):
        scores = _expected(prompt, options, "mean")
        return options[scores.index(max(scores))]

    local = controls.FakeModel(best)
    remote = _model(server, option_score="mean")
    prompts = [f"{PROMPT} Step {step}." for step in range(8)]
    requests = [model.ChoiceRequest(p, OPTIONS) for p in prompts]
    picks = [c.option for c in remote.choose(requests)]
    assert picks == [c.option for c in local.choose(requests)]
    assert len(set(picks)) > 1  # the stub's scores do move the pick


def test_server_without_logprobs_is_asked_through_chat_with_a_schema(server):
    server.mode = "no-logprobs"
    lm = _model(server)
    choice = lm.choose_one(PROMPT, OPTIONS)
    assert choice.option == "place table" and choice.scores == (0.0, 1.0, 0.0)
    schema = server.posted[-1]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["choice"]["enum"] == list(OPTIONS)
    assert not lm.scoring()
    assert lm.describe()["choose"] == "generate"
    with pytest.raises(model.ModelUnavailableError, match="does not return prompt log-prob"):
        _model(server, choose_mode="score").choose_one(PROMPT, OPTIONS)


# -- generation through chat ------------------------------------------------------------------------


def test_chat_choice_with_a_schema(server):
    lm = _model(server, choose_mode="generate")
    choices = lm.choose([model.ChoiceRequest("what next?", OPTIONS)] * 3)
    assert [c.option for c in choices] == ["place table"] * 3
    assert server.posted[-1]["temperature"] == 0.0
    usage = lm.usage
    assert (usage.calls, usage.batches, usage.valid, usage.completion_tokens) == (3, 1, 3, 21)


def test_server_without_structured_output_gets_plain_text(server):
    server.mode = "no-schema"
    server.reply = "I would say: make wood pickaxe."
    lm = _model(server, choose_mode="generate")
    assert lm.choose_one("what next?", OPTIONS).option == "make wood pickaxe"
    assert not lm.json_schema
    assert "response_format" not in server.posted[-1]


def test_out_of_menu_reply_is_a_counted_fallback(server):
    server.reply = '{"choice": "collect diamond"}'
    lm = _model(server, choose_mode="generate")
    choice = lm.choose([model.ChoiceRequest("p", OPTIONS, default=2)])[0]
    assert not choice.valid and choice.index == 2 and "diamond" in choice.raw
    assert lm.usage.fallbacks == 1


def test_generate_batch_stop_and_cache(server, tmp_path):
    server.mode = "echo"
    lm = _model(server, cache=tmp_path / "calls.sqlite")
    out = lm.generate(["a b STOP c", "d"], max_new_tokens=8, stop=["STOP"])
    assert [c.text for c in out] == ["A B ", "D"]
    chats = [p for p in server.posted if "messages" in p]
    assert chats[0]["stop"] == ["STOP"] and chats[0]["max_tokens"] == 8
    again = lm.generate(["a b STOP c"], max_new_tokens=8, stop=["STOP"])
    assert again[0].cached and again[0].text == "A B "
    assert (lm.usage.cache_misses, lm.usage.cache_hits) == (2, 1)
    assert len([p for p in server.posted if "messages" in p]) == 2


# -- loud failures ----------------------------------------------------------------------------------


def test_dead_server_raises_one_clear_line_after_bounded_retries():
    url = stub_server.dead_url()
    lm = openai_compat.OpenAICompatibleModel(url + "#x", cache=None, retries=2, backoff_s=0.01)
    start = time.perf_counter()
    with pytest.raises(model.ModelUnavailableError) as error:
        lm.choose_one("p", OPTIONS)
    assert time.perf_counter() - start < 5.0
    message = str(error.value)
    assert "\n" not in message and "failed 3 times (connection refused)" in message
    assert "start the server" in message and url in message


def test_transient_errors_are_retried_then_succeed(server):
    server.mode = "flaky"
    server.fail_times = 2
    lm = _model(server, retries=3)
    assert lm.choose_one(PROMPT, OPTIONS).valid


def test_persistent_500_is_an_unavailable_error(server):
    server.mode = "500"
    lm = _model(server, retries=2, choose_mode="generate")
    with pytest.raises(model.ModelUnavailableError, match=r"failed 3 times \(HTTP 500: internal"):
        lm.generate(["p"], max_new_tokens=4)
    assert len(server.posted) == 3


def test_unknown_model_name_lists_the_served_models(server):
    lm = openai_compat.OpenAICompatibleModel(server.url, "qwen", cache=None)
    with pytest.raises(model.ModelNotFoundError, match="served models: stub"):
        lm.choose_one("p", OPTIONS)
    server.mode = "404"
    with pytest.raises(model.ModelNotFoundError, match="HTTP 404.*served models: stub"):
        _model(server, choose_mode="generate").generate(["p"], max_new_tokens=4)


def test_default_name_takes_the_one_served_model(server):
    lm = factory.make_model(server.url, cache=None)
    assert lm.capabilities()["id"] == "stub" and lm.model_id == f"stub@{server.url}"


def test_trickling_server_hits_the_total_deadline(server):
    lm = openai_compat.OpenAICompatibleModel(server.url, "stub", timeout_s=1.0, cache=None)
    lm.capabilities()  # the probe is answered at once
    server.mode = "trickle"
    server.trickle_s = 0.2  # every read succeeds within a per-read timeout; the total must not
    start = time.perf_counter()
    with pytest.raises(model.ModelTimeoutError, match="within 1 s; raise timeout_s"):
        lm.generate(["p"], max_new_tokens=4)
    assert time.perf_counter() - start < 3.0


def test_bad_json_body_is_an_error_for_generate_and_a_fallback_for_a_chat_choice(server):
    server.mode = "bad-json"
    lm = _model(server, choose_mode="generate")
    assert not lm.choose_one("p", OPTIONS).valid
    with pytest.raises(model.ModelError, match="not JSON"):
        lm.generate(["p"], max_new_tokens=4)


# -- credentials ------------------------------------------------------------------------------------


def test_api_key_is_sent_and_never_recorded(server, monkeypatch, tmp_path):
    monkeypatch.setenv(openai_compat.API_KEY_ENV, "sk-secret-123")
    lm = _model(server, cache=tmp_path / "calls.sqlite")
    lm.choose_one(PROMPT, OPTIONS)
    assert {h.get("Authorization") for h in server.headers} == {"Bearer sk-secret-123"}
    shown = str(lm.describe()) + lm.model_id + repr(lm)
    assert "sk-secret" not in shown
    assert b"sk-secret" not in (tmp_path / "calls.sqlite").read_bytes()


def test_url_credentials_are_stripped_from_everything_recorded(server):
    url = server.url.replace("http://", "http://alice:hunter2@")
    lm = openai_compat.OpenAICompatibleModel(url + "#stub", cache=None)
    lm = factory.make_model(url + "#stub", cache=None)
    lm.choose_one(PROMPT, OPTIONS)
    shown = str(lm.describe()) + lm.model_id + repr(lm)
    assert "hunter2" not in shown and "alice" not in shown
    assert server.headers[-1]["Authorization"].startswith("Basic ")
    assert factory.public_spec(url + "#stub") == server.url + "#stub"
    dead = stub_server.dead_url().replace("http://", "http://alice:hunter2@")
    with pytest.raises(model.ModelUnavailableError) as error:
        openai_compat.OpenAICompatibleModel(dead, "x", cache=None, retries=0).choose_one(
            "p", OPTIONS
        )
    assert "hunter2" not in str(error.value)


# -- the call cache ---------------------------------------------------------------------------------


def test_a_different_served_model_changes_the_cache_key(server, tmp_path):
    path = tmp_path / "calls.sqlite"
    first = _model(server, cache=path)
    first.choose_one(PROMPT, OPTIONS)
    assert _model(server, cache=path).choose_one(PROMPT, OPTIONS).cached
    server.models = [{"id": "stub", "root": "/weights/stub-rev2"}]  # new weights, same name
    again = _model(server, cache=path).choose_one(PROMPT, OPTIONS)
    assert not again.cached
    server.models = [{"id": "other"}]
    other = openai_compat.OpenAICompatibleModel(server.url, cache=path, backoff_s=0.01)
    assert not other.choose_one(PROMPT, OPTIONS).cached
    assert len(cache_lib.CallCache(path)) == 3


def test_call_cache_off_sends_every_call(server):
    lm = factory.make_model(server.url + "#stub", cache=None)
    lm.choose_one(PROMPT, OPTIONS)
    before = len(server.posted)
    assert not lm.choose_one(PROMPT, OPTIONS).cached and len(server.posted) == before + 1


def test_backend_kwargs_honour_call_cache_off_for_servers(server):
    config = model_config.ModelConfig(spec=server.url + "#stub", call_cache=False)
    kwargs = factory.backend_kwargs(config)
    assert kwargs["cache"] is None and "device" not in kwargs
    lm = factory.make_model(config.spec, **kwargs)
    assert lm.cache is None and lm.option_score == config.option_score
    assert factory.backend_kwargs(model_config.ModelConfig(spec="fake", call_cache=False)) == {}
