from __future__ import annotations

import math
import time

import pytest

from agents.llm import cache, hf, model, presets, weights

PROMPT = "You are in Crafter. Inventory: wood 0. Nearby: tree. Which subgoal next?"
REQUESTS = [
    model.ChoiceRequest(PROMPT, ("collect wood", "place table", "make wood pickaxe")),
    model.ChoiceRequest("Nearby: tree.", ("explore", "sleep")),
    model.ChoiceRequest(
        "Inventory: wood 3, stone 1. Nearby: table, stone. Answer:",
        ("collect stone", "make wood pickaxe", "place furnace", "drink water", "eat cow"),
    ),
]


def _scores(choices):
    return [s for c in choices for s in c.scores]


def test_batched_choices_equal_one_by_one(tiny_model):
    batched = tiny_model.choose(REQUESTS)
    single = [tiny_model.choose([r])[0] for r in REQUESTS]
    assert [c.index for c in batched] == [c.index for c in single]
    assert _scores(batched) == pytest.approx(_scores(single), abs=1e-4)


@pytest.mark.parametrize("option_score", ["sum", "mean"])
@pytest.mark.parametrize("batch", [REQUESTS, REQUESTS[:1]])
def test_kv_cached_scoring_equals_uncached(tiny_model, batch, option_score):
    assert tiny_model.scoring == "kv" and tiny_model.option_score == "sum"
    tiny_model.option_score = option_score
    try:
        kv, kv_sent = tiny_model.score(batch)
        tiny_model.scoring = "full"
        full, full_sent = tiny_model.score(batch)
    finally:
        tiny_model.scoring, tiny_model.option_score = "kv", "sum"
    assert kv_sent == full_sent
    for a, b in zip(kv, full, strict=True):
        assert a == pytest.approx(b, abs=1e-4)


def test_scores_are_finite_log_probabilities(tiny_model):
    for choice in tiny_model.choose(REQUESTS):
        assert all(math.isfinite(s) and s < 0 for s in choice.scores)
        assert choice.scores[choice.index] == max(choice.scores)
        assert choice.valid and not choice.cached


def test_small_batch_size_gives_the_same_choices(tiny_model_dir, tiny_model):
    chunked = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, batch_size=1)
    assert _scores(chunked.choose(REQUESTS)) == pytest.approx(
        _scores(tiny_model.choose(REQUESTS)), abs=1e-4
    )


def test_token_and_latency_accounting(tiny_model):
    tokenizer = tiny_model.tokenizer
    before = tiny_model.usage
    tiny_model.choose(REQUESTS)
    spent = tiny_model.usage - before
    expected = 0
    for request in REQUESTS:
        prompt, options = tiny_model._tokenize_request(request)
        # Instruct models are scored in their chat template: the prompt is the user turn.
        assert tiny_model.chat_choose
        assert prompt == tiny_model._encode(*tiny_model._format(request.prompt, True))
        assert prompt != tokenizer(request.prompt)["input_ids"]
        expected += len(prompt) + sum(len(o) for o in options)
    assert (spent.calls, spent.batches, spent.valid, spent.fallbacks) == (3, 1, 3, 0)
    assert spent.prompt_tokens == expected
    assert spent.completion_tokens == 0
    assert spent.latency_s > 0

    before = tiny_model.usage
    completions = tiny_model.generate(["hello", PROMPT], max_new_tokens=5)
    spent = tiny_model.usage - before
    chat = [tiny_model._encode(*tiny_model._format(p, True)) for p in ("hello", PROMPT)]
    assert [c.prompt_tokens for c in completions] == [len(ids) for ids in chat]
    assert spent.prompt_tokens == sum(len(ids) for ids in chat)
    assert spent.completion_tokens == sum(c.completion_tokens for c in completions)
    assert all(0 < c.completion_tokens <= 5 for c in completions)


def test_generate_uses_the_chat_template_and_honours_stop(tiny_model):
    assert tiny_model.chat_generate
    text, special = tiny_model._format("hi", tiny_model.chat_generate)
    assert text == "<s>user: hi</s><s>assistant:" and not special
    free = tiny_model.generate([PROMPT], max_new_tokens=12)[0]
    assert free.finish_reason in ("stop", "length")
    if len(free.text) > 2:
        stop = free.text[1:3]
        cut = tiny_model.generate([PROMPT], max_new_tokens=12, stop=[stop])[0]
        assert stop not in cut.text and free.text.startswith(cut.text)
        assert cut.finish_reason == "stop"


def test_cache_hit_on_a_repeated_call(tiny_model_dir, tmp_path):
    store = cache.CallCache(tmp_path / "calls.sqlite")
    lm = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=store)
    fresh = lm.choose(REQUESTS)
    again = lm.choose(REQUESTS)
    assert [c.cached for c in fresh] == [False] * 3 and [c.cached for c in again] == [True] * 3
    assert _scores(again) == _scores(fresh)
    assert [c.index for c in again] == [c.index for c in fresh]
    usage = lm.usage
    assert (usage.cache_misses, usage.cache_hits, usage.calls) == (3, 3, 6)
    text = lm.generate(["hello"], max_new_tokens=4)[0]
    repeat = lm.generate(["hello"], max_new_tokens=4)[0]
    assert repeat.cached and repeat.text == text.text
    # A new process (here: a new model object on the same file) starts warm.
    reloaded = hf.HFModel(
        tiny_model_dir, device="cpu", dtype="fp32", cache=tmp_path / "calls.sqlite"
    )
    assert all(c.cached for c in reloaded.choose(REQUESTS))
    assert reloaded.usage.prompt_tokens == 0


def test_missing_path_fails_with_one_line(tmp_path):
    with pytest.raises(model.ModelNotFoundError, match="no model at") as error:
        hf.HFModel(str(tmp_path / "nope" / "model.gguf"), cache=None)
    assert "\n" not in str(error.value)
    with pytest.raises(model.ModelNotFoundError, match="no config.json"):
        hf.HFModel(tmp_path, cache=None)
    (tmp_path / "weights.bin").write_bytes(b"x")
    with pytest.raises(model.ModelNotFoundError, match="not a .gguf"):
        hf.HFModel(tmp_path / "weights.bin", cache=None)


def test_unknown_hub_id_fails_fast_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(model.ModelNotFoundError, match="pass a preset") as error:
        hf.HFModel("someone/not-a-model", cache=None)
    assert time.perf_counter() - start < 10
    assert "\n" not in str(error.value)


def test_unknown_and_uninstalled_presets(monkeypatch):
    with pytest.raises(model.ModelNotFoundError, match="unknown preset"):
        presets.get("gpt-17")
    monkeypatch.setattr(presets, "is_installed", lambda name: False)
    with pytest.raises(
        model.ModelUnavailableError,
        match=r"preset qwen2\.5-0\.5b needs: python scripts/install_models\.py qwen2\.5-0\.5b",
    ):
        hf.HFModel("qwen2.5-0.5b", cache=None)


def test_device_resolution(monkeypatch):
    monkeypatch.setattr(weights, "cpu_has_native_bf16", lambda: False)
    assert weights.resolve_device("cpu", "auto") == ("cpu", hf.torch.float32)
    monkeypatch.setattr(weights, "cpu_has_native_bf16", lambda: True)
    assert weights.resolve_device("cpu", "auto") == ("cpu", hf.torch.bfloat16)
    assert weights.resolve_device("cpu", "bf16") == ("cpu", hf.torch.bfloat16)
    with pytest.raises(model.ModelError, match="unknown dtype"):
        weights.resolve_device("cpu", "int3")
