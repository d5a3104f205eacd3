"""A-KGMS, the per-agent memory of the DAMCS agent, and the null memory of the memory-off ablation.

One decision's life cycle, which is also the order a builder calls the methods in::

    memory.observe(percept)            # every step: sensory memory (view, messages, vitals)
    prompt = memory.summary().text     # when a decision is due: the working memory
    memory.record(option_text, goal=..., long_term_goal=..., reply=..., summary=...)
    ...                                # the option runs for some steps
    memory.resolve("done", reason)     # its outcome
    memory.commit()                    # consolidation: the experience enters the graph

Writes of a decision are buffered and applied together by `commit` (a `record` commits whatever is
still buffered first, so nothing is lost when a builder skips `commit`). Each commit adds a constant
number of nodes and updates running summaries, so memory cost stays flat over an episode.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import networkx as nx

from agents.memory import experience as experience_lib
from agents.memory import graph as graph_lib
from agents.memory import summaries
from envs.mac import rules as rules_lib

Percept = experience_lib.Percept


def _rules(rules: rules_lib.Rules | str) -> rules_lib.Rules:
    return rules_lib.load(rules) if isinstance(rules, str) else rules


class Memory(abc.ABC):
    """The interface the DAMCS agent uses, shared by the graph memory and the null memory."""

    enabled: bool = True

    def __init__(self, rules: rules_lib.Rules | str, goal: str = rules_lib.DEFAULT_GOAL) -> None:
        self.rules = _rules(rules)
        self.ultimate_goal = self.rules.check_achievement(goal)
        self.percept = Percept(step=0)

    def observe(self, percept: Percept) -> None:
        """Replace the sensory memory with this step's percept."""
        self.percept = percept

    def observe_info(self, info: Mapping[str, Any], **sensory: Any) -> Percept:
        """`observe` straight from an env info (view, messages, stations as keyword arguments)."""
        percept = Percept.from_info(info, self.rules.vitals, **sensory)
        self.observe(percept)
        return percept

    @abc.abstractmethod
    def record(
        self,
        option: str,
        goal: str = "",
        long_term_goal: str = "",
        reply: Mapping[str, Any] | None = None,
        summary: str = "",
    ) -> None:
        """Buffer a decision taken in the current percept."""

    @abc.abstractmethod
    def resolve(self, result: str, reason: str = "") -> None:
        """Buffer the outcome (done / failed / interrupted) of the latest decision."""

    @abc.abstractmethod
    def commit(self) -> tuple[str, ...]:
        """Apply the buffered writes; returns the graph nodes they touched."""

    @abc.abstractmethod
    def summary(self) -> summaries.WorkingMemory:
        """The working memory for the next prompt."""

    @abc.abstractmethod
    def to_graph(self) -> nx.DiGraph:
        """The knowledge graph, for export with the episode."""

    def _now(self) -> str:
        p = self.percept
        return summaries.now_text(p.step, p.vitals, p.inventory, p.position, p.facing)


class GraphMemory(Memory):
    """A-KGMS: knowledge graph, running summaries and the rule-derived semantic memory."""

    def __init__(
        self,
        rules: rules_lib.Rules | str,
        goal: str = rules_lib.DEFAULT_GOAL,
        recipes: bool = True,
    ) -> None:
        super().__init__(rules, goal)
        self.knowledge = graph_lib.KnowledgeGraph()
        self.recipes = summaries.recipe_table(self.rules.name, goal) if recipes else ""
        self.recent = summaries.Recent()
        self.efforts = summaries.Efforts()
        self.accomplishments = summaries.Accomplishments()
        self.last_summary = ""
        self.last: experience_lib.Experience | None = None
        self._buffer: experience_lib.Experience | None = None
        self._outcome: tuple[str, str] | None = None

    def observe(self, percept: Percept) -> None:
        super().observe(percept)
        # Sensory: kept current every step, so unlock steps are exact, not decision steps.
        self.accomplishments.update(percept.achievements, percept.step)

    def record(
        self,
        option: str,
        goal: str = "",
        long_term_goal: str = "",
        reply: Mapping[str, Any] | None = None,
        summary: str = "",
    ) -> None:
        if self._buffer is not None or self._outcome is not None:
            self.commit()
        p = self.percept
        self._buffer = experience_lib.Experience(
            step=p.step,
            option=option,
            goal=goal,
            long_term_goal=long_term_goal,
            vitals=p.vitals,
            inventory=p.inventory,
            position=p.position,
            facing=p.facing,
            summary=summary,
            messages=p.messages,
            reply=reply or {},
        )

    def resolve(self, result: str, reason: str = "") -> None:
        if result not in experience_lib.RESULTS:
            raise experience_lib.ExperienceError(
                f"invalid result {result!r}; allowed: {', '.join(experience_lib.RESULTS)}"
            )
        self._outcome = (result, reason)

    def commit(self) -> tuple[str, ...]:
        self.knowledge.begin_write()
        if self._buffer is not None:
            self._add(self._buffer)
            self._buffer = None
        if self._outcome is not None and self.last is not None:
            self._settle(*self._outcome)
        self._outcome = None
        return tuple(sorted(self.knowledge.touched))

    def _add(self, exp: experience_lib.Experience) -> None:
        current = self.knowledge.current_goal
        if (
            current is None
            or current.goal != exp.goal
            or current.long_term_goal != exp.long_term_goal
            or dict(current.inventory) != dict(exp.inventory)
        ):
            self.knowledge.add_goal(
                experience_lib.Goal(exp.goal, exp.long_term_goal, exp.step, exp.inventory)
            )
        self.knowledge.add_experience(exp)
        self.last = exp
        self.recent.add(exp)
        self.efforts.add(exp)
        if exp.summary:
            self.last_summary = exp.summary

    def _settle(self, result: str, reason: str) -> None:
        old = self.last
        new = old.resolved(result, reason)
        self.knowledge.update_experience(self.knowledge.last_experience_node, new)
        self.recent.replace_last(new)
        if old.goal == self.efforts.goal:
            self.efforts.resolve(old.option, old.result, result)
        self.last = new

    def summary(self) -> summaries.WorkingMemory:
        p = self.percept
        long_term = self.last.long_term_goal if self.last else ""
        goal = self.last.goal if self.last else ""

        def check(text: str) -> str:
            return summaries.prerequisite_text(
                self.rules, text, p.inventory, p.stations_known, p.stations_nearby
            )

        return summaries.WorkingMemory(
            step=p.step,
            now=self._now(),
            view=p.view,
            messages=p.messages,
            last_summary=self.last_summary,
            recent=self.recent.lines(),
            efforts=self.efforts.text(p.step, p.inventory),
            accomplishments=self.accomplishments.text(),
            long_term_goal=long_term,
            long_term_check=check(long_term) if long_term else "",
            goal=goal,
            goal_check=check(goal) if goal else "",
            recipes=self.recipes,
        )

    def to_graph(self) -> nx.DiGraph:
        return self.knowledge.graph


class NullMemory(Memory):
    """Memory off: the agent keeps only its current observation (and reads no recipe table)."""

    enabled = False

    def record(
        self,
        option: str,
        goal: str = "",
        long_term_goal: str = "",
        reply: Mapping[str, Any] | None = None,
        summary: str = "",
    ) -> None:
        return None

    def resolve(self, result: str, reason: str = "") -> None:
        return None

    def commit(self) -> tuple[str, ...]:
        return ()

    def summary(self) -> summaries.WorkingMemory:
        p = self.percept
        return summaries.WorkingMemory(
            step=p.step, now=self._now(), view=p.view, messages=p.messages
        )

    def to_graph(self) -> nx.DiGraph:
        return nx.DiGraph()


def build(
    rules: rules_lib.Rules | str, goal: str = rules_lib.DEFAULT_GOAL, enabled: bool = True
) -> Memory:
    """The memory of one agent: A-KGMS, or the null memory when the memory ablation is on."""
    return GraphMemory(rules, goal) if enabled else NullMemory(rules, goal)
