"""The plain LLM agent: the DAMCS paper's "Baseline" (one LLM agent per player, no memory, no talk).

Its prompt holds the game's recipe table (from the rule data), the current observation as text, the
outcomes of its last few options and the option menu (`agents.prompting.PLAIN_SECTIONS`); no
knowledge graph, no messages. The model decides in the mode its `ModelConfig` resolves to (scoring
the shuffled options, or writing a JSON reply with the operation and a reflection) and the option's
skill runs until it finishes, fails or a vital falls low (`agents.llm_agent`). Unreadable replies
become counted fallbacks to "explore"; a model that fails is an error.

    python scripts/play.py --method plain-llm --n-agents 2 --seed 0 --model qwen2.5-0.5b
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents import llm_agent, prompting
from agents.llm import loader, model_config
from agents.llm import model as model_lib
from envs import mac

LABEL = "plain LLM (paper's Baseline)"


def build_team(
    env: mac.EnvConfig,
    model: model_config.ModelConfig
    | Mapping[str, Any]
    | str
    | model_lib.LanguageModel
    | None = None,
    batch: bool = True,
) -> llm_agent.LLMTeam:
    """A team of plain LLM agents sharing one model.

    `model` is a `ModelConfig` (or its fields as a mapping, or a bare model spec) or a model
    object; `batch=False` asks the model once per agent. Raises `agents.llm.ModelError` (one line)
    when the model cannot be loaded.
    """
    lm, config_used = loader.resolve_model(model)
    agents = [
        llm_agent.LLMAgent(
            lm,
            prompting.PLAIN_SECTIONS,
            privileged_map=env.privileged_map,
            label=LABEL,
            mode=config_used.resolved_decide,
            max_fallback_rate=config_used.max_fallback_rate,
        )
        for _ in range(env.n_agents)
    ]
    config = {"label": LABEL, **loader.describe(lm, config_used), "batch": batch}
    return llm_agent.LLMTeam(agents, lm, config, batch=batch)
