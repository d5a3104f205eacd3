"""A-KGMS: the DAMCS agent's hierarchical knowledge-graph memory (and the memory-off null memory)."""

from agents.memory.experience import (
    DONE,
    FAILED,
    INTERRUPTED,
    PENDING,
    Experience,
    ExperienceError,
    Goal,
    Percept,
)
from agents.memory.graph import KnowledgeGraph
from agents.memory.kgms import GraphMemory, Memory, NullMemory, build
from agents.memory.summaries import (
    WorkingMemory,
    achievement_for,
    missing_items,
    prerequisite_text,
    recipe_table,
)

__all__ = [
    "DONE",
    "FAILED",
    "INTERRUPTED",
    "PENDING",
    "Experience",
    "ExperienceError",
    "Goal",
    "GraphMemory",
    "KnowledgeGraph",
    "Memory",
    "NullMemory",
    "Percept",
    "WorkingMemory",
    "achievement_for",
    "build",
    "missing_items",
    "prerequisite_text",
    "recipe_table",
]
