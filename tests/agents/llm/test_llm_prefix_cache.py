"""`HFModel(prefix_cache=True)`: the shared prompt prefix is prefilled once and kept across calls,
with the scores of an uncached forward."""

from __future__ import annotations

import pytest

from agents.llm import hf, model

RULES = (
    "You play Crafter with a team. Rules: collect wood from trees, place a table with wood, make a"
    " wood pickaxe at a table, collect stone with it, place a furnace near a table. "
)
SITUATIONS = (
    "Nearby: tree. Inventory: none.",
    "Nearby: stone, table.",
    "Nearby: water, cow, sand.",
)
OPTIONS = ("collect wood", "place table", "make wood pickaxe", "explore")
REQUESTS = [model.ChoiceRequest(RULES + s, OPTIONS) for s in SITUATIONS]


@pytest.fixture(scope="module")
def reference(tiny_model_dir):
    return hf.HFModel(
        tiny_model_dir, device="cpu", dtype="fp32", cache=None, prefix_cache=False, scoring="full"
    )


def test_prefix_cached_scores_equal_uncached_within_and_across_calls(tiny_model_dir, reference):
    lm = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, prefix_cache=True)
    expected, _ = reference.score(REQUESTS)
    batched, _ = lm.score(REQUESTS)
    assert lm._prefix is not None and len(lm._prefix[0]) >= hf.MIN_PREFIX
    kept = lm._prefix
    singles = [lm.score([r])[0][0] for r in REQUESTS]
    assert lm._prefix is kept  # later calls reused the prefix's cache, no new prefill
    for got, one, want in zip(batched, singles, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-4)
        assert one == pytest.approx(want, abs=1e-4)


def test_prefix_cache_off_keeps_no_prefix(reference):
    reference.score(REQUESTS)
    assert reference._prefix is None


def test_an_unrelated_prompt_still_scores_right(tiny_model_dir, reference):
    lm = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None)
    lm.score(REQUESTS)
    other = [model.ChoiceRequest("Nearby: tree.", ("explore", "collect wood"))]
    assert lm.score(other)[0][0] == pytest.approx(reference.score(other)[0][0], abs=1e-4)
