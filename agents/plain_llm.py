"""The plain LLM agent: the DAMCS paper's "Baseline" (one LLM agent per player, no memory, no talk).

Its prompt holds the game's recipe table (from the rule data), the current observation as text, the
outcomes of its last few options and the option menu (`agents.prompting.PLAIN_SECTIONS`); no
knowledge graph, no messages. The model chooses an option by SayCan-style scoring and the option's
skill runs until it finishes, fails or a vital falls low (`agents.llm_team`). Invalid replies and
model errors become counted fallbacks to "explore".

    python scripts/play.py --method plain-llm --n-agents 2 --seed 0 --model qwen2.5-0.5b
"""

from __future__ import annotations

from agents import llm_team, prompting
from agents.llm import model

# The decision probe (benchmark/decision_probe.py, runs/decision_probe.json) ranks gemma3-270m first
# (0.54 vs 0.38 smollm2-135m, 0.31 qwen2.5-0.5b), but its situations never offer "explore". On this
# agent's real menu, sum-of-log-prob scoring makes the one-token "explore" win for gemma3-270m and
# smollm2-135m at every decision (seed 0: no milestone in 350 / 150 steps), while qwen2.5-0.5b
# collects wood from step 0 on. So the default follows the episodes, not the probe.
DEFAULT_MODEL = "qwen2.5-0.5b"
LABEL = "plain LLM (paper's Baseline)"


def build_team(
    n_agents: int,
    model: str | model.LanguageModel = DEFAULT_MODEL,
    device: str = "auto",
    dtype: str = "auto",
    threads: int | None = None,
    privileged_map: bool = False,
    cache: bool = True,
    call_cache: bool = True,
    batch: bool = True,
) -> llm_team.LLMTeam:
    """A team of plain LLM agents sharing one model.

    `model` is a preset, hub id, local path, OpenAI-compatible URL, "fake", "uniform" or a model
    object;
    `cache` keeps the loaded model for later episodes of this process; `call_cache` is the LLM
    layer's persistent cache of option scores; `batch=False` asks the model once per agent.
    Raises `agents.llm.ModelError` (one line) when the model cannot be loaded.
    """
    lm = llm_team.load_model(
        model, device=device, dtype=dtype, threads=threads, call_cache=call_cache, cache=cache
    )
    agents = [
        llm_team.LLMAgent(lm, prompting.PLAIN_SECTIONS, privileged_map=privileged_map, label=LABEL)
        for _ in range(n_agents)
    ]
    config = {
        "label": LABEL,
        "model": lm.model_id,
        "device": device,
        "dtype": dtype,
        "threads": threads,
        "privileged_map": privileged_map,
        "call_cache": call_cache,
        "batch": batch,
    }
    return llm_team.LLMTeam(agents, lm, config, batch=batch)
