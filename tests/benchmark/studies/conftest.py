"""The studies that call a language model use the LLM layer's fixtures (tiny model, private cache)."""

from tests.agents.llm.conftest import _private_cache_dir, tiny_model, tiny_model_dir

__all__ = ["_private_cache_dir", "tiny_model", "tiny_model_dir"]
