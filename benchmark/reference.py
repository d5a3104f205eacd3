"""The DAMCS paper's published numbers (arXiv 2502.05453), as data for comparison tables and plots.

Source: /work/shared/damcs-reference.md section 5. Steps are joint environment steps to the diamond,
mean of 5 runs on the paper's single fixed map (world seed 1023683980) under the damcs rules. Values
marked approximate were read off the paper's figure. Each paper condition names the method of ours
that plays it by default; `paper_comparison` in `benchmark.export` lets the caller remap them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

PAPER = "DAMCS (Yang et al. 2025, arXiv 2502.05453)"
PAPER_MAP_SEED = 1023683980
PAPER_RULES = "damcs"
PAPER_GOAL = "collect_diamond"


@dataclass(frozen=True)
class PaperResult:
    """One condition of the paper's main result."""

    condition: str
    n_agents: int
    steps_to_goal: float
    approximate: bool
    our_method: str
    runs: tuple[int, ...] = ()
    family: str = "damcs"
    """Our method family that plays it: `plain-llm` (the Baseline) or `damcs`."""
    communicates: bool = True
    """S-CS on; meaningless for one agent."""

    def __post_init__(self) -> None:
        if self.n_agents < 1 or self.steps_to_goal <= 0:
            raise ValueError(f"paper result {self.condition}: bad n_agents or steps")
        if self.runs and abs(sum(self.runs) / len(self.runs) - self.steps_to_goal) > 0.05:
            raise ValueError(f"paper result {self.condition}: runs disagree with the mean")


RESULTS: tuple[PaperResult, ...] = (
    PaperResult(
        "Baseline single LLM agent (no A-KGMS)", 1, 335.0, True, "plain-llm", family="plain-llm"
    ),
    PaperResult("1 agent, A-KGMS", 1, 140.0, False, "damcs", (127, 115, 190, 104, 164)),
    PaperResult("2 agents, no communication", 2, 150.0, True, "damcs-nocomm", communicates=False),
    PaperResult("2 agents, S-CS", 2, 120.0, True, "damcs"),
    PaperResult("6 agents, no communication", 6, 140.0, True, "damcs-nocomm", communicates=False),
    PaperResult("6 agents, S-CS (full DAMCS)", 6, 85.4, False, "damcs", (73, 60, 102, 97, 95)),
)
"""The paper's ablation ladder, in its order: Baseline -> 1 agent -> 2 without / with S-CS -> 6
without / with S-CS."""

BASELINE_STEPS = 335.0
"""The paper's single "Baseline" agent, the denominator of its headline reductions."""

HEADLINE_REDUCTIONS = MappingProxyType({2: 0.63, 6: 0.74})
"""The paper's "63% / 74% fewer steps" for 2 and 6 agents: 1 - 120/335 and 1 - 85.4/335."""

SIX_AGENT_MILESTONES = MappingProxyType(
    {
        "collect_wood": 4.0,
        "place_table": 9.2,
        "make_wood_pickaxe": 12.0,
        "collect_stone": 20.6,
        "make_stone_pickaxe": 28.8,
        "collect_iron": 62.6,
        "collect_coal": 67.2,
        "place_furnace": 80.8,
        "make_iron_pickaxe": 81.8,
        "collect_diamond": 85.4,
    }
)
"""Per-milestone mean steps, 6 agents with S-CS (full DAMCS), keyed by our achievement names."""


def paper_reduction(result_: PaperResult) -> float:
    """The paper's reduction of a condition against its Baseline agent: its own headline figure
    where it states one (63% / 74% for the S-CS teams), else ``1 - steps / 335`` (an inference from
    values read off its figure)."""
    if result_.communicates and result_.n_agents in HEADLINE_REDUCTIONS:
        return HEADLINE_REDUCTIONS[result_.n_agents]
    return 1.0 - result_.steps_to_goal / BASELINE_STEPS


def result(n_agents: int, our_method: str) -> PaperResult | None:
    """The paper condition our `our_method` at `n_agents` reproduces, if any."""
    for r in RESULTS:
        if r.n_agents == n_agents and r.our_method == our_method:
            return r
    return None
