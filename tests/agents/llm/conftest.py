"""Fixtures for the language-model layer: one tiny random Llama per session, loaded by `HFModel`."""

from __future__ import annotations

import pytest
import torch

from agents.llm import cache
from benchmark.studies import tiny_model as tiny_model_lib

# A busy second core slows 2-thread torch 10-50x on the project machines; 1 thread stays fast.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path, monkeypatch):
    """Keep every test's SQLite cache and converted models out of the user's ~/.cache, offline."""
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "macbench-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return tiny_model_lib.build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    """An uncached `HFModel` on the tiny model; tests that need a cache build their own."""
    from agents.llm import hf

    return hf.HFModel(tiny_model_dir, device="cpu", dtype="fp32", cache=None)
