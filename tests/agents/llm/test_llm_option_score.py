"""`HFModel(option_score=...)`: per-token mean scoring and its cache key (KV-cached == uncached
for both modes is in test_llm_hf.py)."""

from __future__ import annotations

import pytest

from agents.llm import cache, hf, model

REQUESTS = [
    model.ChoiceRequest(
        "Inventory: wood 3, stone 1. Nearby: table, stone. Answer:",
        ("collect stone", "make wood pickaxe", "explore", "drink water", "sleep"),
    ),
    model.ChoiceRequest("Nearby: tree.", ("explore", "collect wood")),
]


@pytest.fixture(scope="module")
def mean_model(tiny_model_dir):
    return hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, option_score="mean")


def test_mean_is_the_sum_divided_by_the_option_token_count(tiny_model, mean_model):
    sums, _ = tiny_model.score(REQUESTS)
    means, _ = mean_model.score(REQUESTS)
    for request, row_sum, row_mean in zip(REQUESTS, sums, means, strict=True):
        _, option_ids = mean_model._tokenize_request(request)
        expected = [s / len(ids) for s, ids in zip(row_sum, option_ids, strict=True)]
        assert row_mean == pytest.approx(expected, abs=1e-6)


def test_choice_reports_the_mean_scores_it_picked_by(mean_model):
    means, _ = mean_model.score(REQUESTS)
    for choice, row in zip(mean_model.choose(REQUESTS), means, strict=True):
        assert choice.scores == pytest.approx(row, abs=1e-4)
        assert choice.index == max(range(len(row)), key=lambda i: (row[i], -i))


def test_cache_keys_differ_between_modes(tiny_model_dir, tmp_path):
    store = cache.CallCache(tmp_path / "calls.sqlite")
    summed = hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=store)
    averaged = hf.HFModel(
        tiny_model_dir, device="cpu", dtype="fp32", cache=store, option_score="mean"
    )
    assert summed._choice_key(REQUESTS[0]) != averaged._choice_key(REQUESTS[0])
    first = summed.choose(REQUESTS)
    other = averaged.choose(REQUESTS)
    # The mean model found no entries written by the sum model: every request was a miss.
    assert not any(c.cached for c in other)
    assert averaged.usage.cache_misses == len(REQUESTS)
    assert len(store) == 2 * len(REQUESTS)
    assert store.get(summed._choice_key(REQUESTS[0])) == pytest.approx(list(first[0].scores))
    assert all(averaged.choose(REQUESTS)[i].cached for i in range(len(REQUESTS)))


def test_unknown_option_score_fails_with_one_line(tiny_model_dir):
    with pytest.raises(model.ModelError, match="option_score"):
        hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None, option_score="median")
