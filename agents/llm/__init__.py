"""The language-model layer: one interface, three backends, a call cache and offline presets.

Light names are re-exported here; `HFModel` lives in `agents.llm.hf` (it imports torch), the
OpenAI-compatible backend in `agents.llm.openai_compat`, and `factory.make_model` builds any of
them from a `--model` string.
"""

from agents.llm.cache import CallCache
from agents.llm.controls import FakeModel
from agents.llm.model import (
    Choice,
    ChoiceRequest,
    Completion,
    LanguageModel,
    ModelError,
    ModelNotFoundError,
    ModelTimeoutError,
    ModelUnavailableError,
    ParseError,
    Usage,
    ValidationError,
)
from agents.llm.parsing import parse_choice, require_choice

__all__ = [
    "CallCache",
    "Choice",
    "ChoiceRequest",
    "Completion",
    "FakeModel",
    "LanguageModel",
    "ModelError",
    "ModelNotFoundError",
    "ModelTimeoutError",
    "ModelUnavailableError",
    "ParseError",
    "Usage",
    "ValidationError",
    "parse_choice",
    "require_choice",
]
