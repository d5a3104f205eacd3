"""`HFModel`: calibrated (PMI) option scoring, the processor's dtype, the content revision, option
row chunking, the context check and the chat template in score mode."""

from __future__ import annotations

import os
import shutil

import pytest

from agents.llm import cache, hf, model, weights

FRAME = "You play Crafter. {situation}Which subgoal next?"
SITUATIONS = ("Inventory: wood 3. Nearby: table. ", "Nearby: tree, water. ", "Nearby: stone. ")
OPTIONS = ("collect wood", "make wood pickaxe", "explore", "drink water")
REQUESTS = [
    model.ChoiceRequest(
        FRAME.format(situation=s), OPTIONS, neutral_prompt=FRAME.format(situation="")
    )
    for s in SITUATIONS
]


@pytest.fixture(scope="module")
def pmi_model(tiny_model_dir):
    return hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, option_score="pmi")


def test_pmi_is_the_conditional_sum_minus_the_neutral_sum(tiny_model, pmi_model):
    conditional, _ = tiny_model.score(REQUESTS)
    neutral, _ = tiny_model.score(
        [model.ChoiceRequest(r.neutral_prompt, r.options) for r in REQUESTS]
    )
    pmi, _ = pmi_model.score(REQUESTS)
    for row, c, n in zip(pmi, conditional, neutral, strict=True):
        assert row == pytest.approx([a - b for a, b in zip(c, n, strict=True)], abs=1e-4)
    choices = pmi_model.choose(REQUESTS)
    assert all(c.scoring == "pmi" for c in choices)
    assert pmi_model.describe()["option_score"] == "pmi"


def test_neutral_scores_are_computed_once(tiny_model_dir, tmp_path):
    store = cache.CallCache(tmp_path / "calls.sqlite")
    lm = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=store, option_score="pmi")
    calls = []
    original = lm._sums
    lm._sums = lambda tokenized: calls.append(len(tokenized)) or original(tokenized)
    lm.choose(REQUESTS)
    # One pass for the three situations, one for their single shared neutral prompt.
    assert calls == [3, 1]
    other = model.ChoiceRequest(
        FRAME.format(situation="Nearby: cow. "), OPTIONS, neutral_prompt=REQUESTS[0].neutral_prompt
    )
    lm.choose([other])
    assert calls == [3, 1, 1]  # the neutral scores came from memory
    fresh = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=store, option_score="pmi")
    fresh_calls = []
    fresh_original = fresh._sums
    fresh._sums = lambda tokenized: fresh_calls.append(len(tokenized)) or fresh_original(tokenized)
    third = model.ChoiceRequest(
        FRAME.format(situation="Nearby: sand. "), OPTIONS, neutral_prompt=REQUESTS[0].neutral_prompt
    )
    fresh.choose([third])
    assert fresh_calls == [1]  # ... and for a new process, from the call cache


def test_pmi_without_a_neutral_prompt_is_refused(pmi_model):
    with pytest.raises(model.ValidationError, match="neutral_prompt"):
        pmi_model.choose([model.ChoiceRequest("Nearby: tree.", OPTIONS)])


def test_pmi_cache_key_holds_the_neutral_prompt(pmi_model):
    a = model.ChoiceRequest("x", OPTIONS, neutral_prompt="frame one")
    b = model.ChoiceRequest("x", OPTIONS, neutral_prompt="frame two")
    assert pmi_model._choice_key(a) != pmi_model._choice_key(b)


def test_native_bf16_is_read_from_the_cpu_flags():
    assert weights.cpu_has_native_bf16("flags : fpu avx2 amx_bf16 amx_tile")
    assert weights.cpu_has_native_bf16("flags : fpu avx512f avx512_bf16")
    assert not weights.cpu_has_native_bf16("flags : fpu sse avx2 fma")


def test_describe_names_the_resolved_device_dtype_and_revision(tiny_model):
    described = tiny_model.describe()
    assert described["device"] == "cpu"
    assert described["dtype"] == "float32"
    assert described["revision"] == tiny_model.revision and len(described["revision"]) == 16


def test_revision_is_a_content_hash(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "copy")
    first = weights.content_revision(copy)
    assert weights.content_revision(copy) == first  # stored beside the weights, read back
    tensors = next(copy.glob("*.safetensors"))
    data = bytearray(tensors.read_bytes())
    data[-1] ^= 0xFF  # same size, other weights
    stat = tensors.stat()
    tensors.write_bytes(bytes(data))
    os.utime(tensors, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert tensors.stat().st_size == stat.st_size
    assert weights.content_revision(copy) != first


def test_option_rows_are_chunked_with_equal_scores(tiny_model_dir, tiny_model):
    small = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, max_rows=3)
    calls = []
    original = small._score_kv
    small._score_kv = lambda part: calls.append(sum(len(o) for _, o in part)) or original(part)
    chunked, _ = small.score(REQUESTS)
    whole, _ = tiny_model.score(REQUESTS)
    assert max(calls) <= 3 and sum(calls) == len(REQUESTS) * len(OPTIONS)
    for a, b in zip(chunked, whole, strict=True):
        assert a == pytest.approx(b, abs=1e-4)


def test_over_long_prompt_is_refused_with_the_lengths(tiny_model):
    context = tiny_model.context_length
    assert context is not None
    prompt = "tree " * (context + 10)
    with pytest.raises(model.ModelError, match=rf"exceeds the {context}-token context"):
        tiny_model.choose([model.ChoiceRequest(prompt, ("explore",))])


def test_instruct_models_are_scored_in_their_chat_template_by_default(tiny_model):
    assert tiny_model.tokenizer.chat_template and tiny_model.chat_choose
    text, _ = tiny_model._format("Nearby: tree.", True)
    prompt_ids, _ = tiny_model._tokenize_request(model.ChoiceRequest("Nearby: tree.", ("explore",)))
    assert text != "Nearby: tree." and prompt_ids == tiny_model._encode(text, False)


def test_chat_template_wraps_the_prompt_in_score_mode(tiny_model_dir):
    lm = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, chat_choose=True)
    lm.tokenizer.chat_template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
    lm.chat_choose = True
    text, special = lm._format("Nearby: tree.", lm.chat_choose)
    assert text == "<|user|>Nearby: tree.\n<|assistant|>" and not special
    prompt_ids, _ = lm._tokenize_request(model.ChoiceRequest("Nearby: tree.", ("explore",)))
    assert prompt_ids == lm._encode(text, False)


def test_out_of_memory_is_one_clear_line(tiny_model_dir, monkeypatch):
    lm = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None)

    def exhausted(_tokenized):
        raise hf.torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 80 GiB")

    monkeypatch.setattr(lm, "_sums", exhausted)
    with pytest.raises(model.ModelUnavailableError, match="out of memory scoring") as error:
        lm.choose(REQUESTS)
    assert "\n" not in str(error.value) and "max_rows" in str(error.value)
