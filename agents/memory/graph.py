"""The hierarchical knowledge graph of one agent: long-term goals -> goals -> experiences.

Long-term-goal nodes form a chain in the order the agent pursued them; each owns goal nodes (a new
one whenever the current goal or the non-vital inventory changes), and each goal owns the experience
nodes of the decisions taken under it. Consecutive goals and experiences are also linked by `next`
edges, so the history can be walked in order without sorting. Every write touches a constant number
of nodes (the new node, its owner, its predecessor), which `touched` reports for the cost tests.

Node attributes are scalars (kind, label, step, and the record as a JSON string in `data`) so the
same graph exports to both node-link JSON and GraphML.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import networkx as nx

from agents.memory import experience as experience_lib

LONG_TERM, GOAL, EXPERIENCE = "long_term_goal", "goal", "experience"
OWNS, NEXT = "owns", "next"
_PREFIX = {LONG_TERM: "L", GOAL: "G", EXPERIENCE: "E"}


class KnowledgeGraph:
    """A networkx DiGraph with the A-KGMS hierarchy and O(1) appends."""

    def __init__(self, graph: nx.DiGraph | None = None) -> None:
        self.graph = graph if graph is not None else nx.DiGraph()
        self.touched: set[str] = set()
        self._long_term: str | None = None
        self._goal: str | None = None
        self._goal_record: experience_lib.Goal | None = None
        self._experience: str | None = None
        self._counts = {LONG_TERM: 0, GOAL: 0, EXPERIENCE: 0}
        if graph is not None:
            self._resume()

    # --- writes -----------------------------------------------------------------------------

    def begin_write(self) -> None:
        """Start counting the nodes the next writes touch."""
        self.touched = set()

    def _node(self, kind: str, label: str, step: int, data: Mapping) -> str:
        node = f"{_PREFIX[kind]}{self._counts[kind]}"
        self._counts[kind] += 1
        self.graph.add_node(node, kind=kind, label=label, step=step, data=json.dumps(data))
        self.touched.add(node)
        return node

    def _edge(self, source: str, target: str, relation: str) -> None:
        self.graph.add_edge(source, target, relation=relation)
        self.touched.update((source, target))

    def add_long_term(self, long_term_goal: str, step: int) -> str:
        """A new long-term-goal node at the end of the chain."""
        node = self._node(LONG_TERM, long_term_goal, step, {"long_term_goal": long_term_goal})
        if self._long_term is not None:
            self._edge(self._long_term, node, NEXT)
        self._long_term, self._goal, self._goal_record = node, None, None
        return node

    def add_goal(self, goal: experience_lib.Goal) -> str:
        """A new goal node under the current long-term goal (one is started if there is none)."""
        if self._long_term is None or self.long_term_label != goal.long_term_goal:
            self.add_long_term(goal.long_term_goal, goal.step)
        node = self._node(GOAL, goal.goal, goal.step, goal.to_dict())
        self._edge(self._long_term, node, OWNS)
        if self._goal is not None:
            self._edge(self._goal, node, NEXT)
        self._goal, self._goal_record = node, goal
        return node

    def add_experience(self, exp: experience_lib.Experience) -> str:
        """A new experience node under the current goal node."""
        if self._goal is None:
            raise ValueError("add a goal node before its experiences")
        node = self._node(EXPERIENCE, exp.option, exp.step, exp.to_dict())
        self._edge(self._goal, node, OWNS)
        if self._experience is not None:
            self._edge(self._experience, node, NEXT)
        self._experience = node
        return node

    def update_experience(self, node: str, exp: experience_lib.Experience) -> None:
        """Replace the record of an experience node (its outcome arrived)."""
        self.graph.nodes[node].update(
            label=exp.option, step=exp.step, data=json.dumps(exp.to_dict())
        )
        self.touched.add(node)

    # --- reads ------------------------------------------------------------------------------

    @property
    def long_term_label(self) -> str | None:
        return None if self._long_term is None else self.graph.nodes[self._long_term]["label"]

    @property
    def current_goal(self) -> experience_lib.Goal | None:
        return self._goal_record

    @property
    def current_goal_node(self) -> str | None:
        return self._goal

    @property
    def last_experience_node(self) -> str | None:
        return self._experience

    def experience(self, node: str) -> experience_lib.Experience:
        return experience_lib.Experience.from_dict(json.loads(self.graph.nodes[node]["data"]))

    def goal(self, node: str) -> experience_lib.Goal:
        return experience_lib.Goal.from_dict(json.loads(self.graph.nodes[node]["data"]))

    def owned(self, node: str) -> list[str]:
        """Goal nodes of a long-term goal, or experience nodes of a goal, in order."""
        return [n for n, rel in self.graph.adj[node].items() if rel["relation"] == OWNS]

    def chain(self, kind: str = LONG_TERM) -> Iterator[str]:
        """Nodes of one kind in the order they were added, following `next` edges."""
        starts = [
            n
            for n, d in self.graph.nodes(data=True)
            if d["kind"] == kind
            and not any(
                self.graph.nodes[p]["kind"] == kind and self.graph.edges[p, n]["relation"] == NEXT
                for p in self.graph.pred[n]
            )
        ]
        node = starts[0] if starts else None
        while node is not None:
            yield node
            node = next(
                (
                    n
                    for n, rel in self.graph.adj[node].items()
                    if rel["relation"] == NEXT and self.graph.nodes[n]["kind"] == kind
                ),
                None,
            )

    def count(self, kind: str) -> int:
        return self._counts[kind]

    def _resume(self) -> None:
        """Recover the write cursors of a graph read back from an export."""
        for kind in self._counts:
            nodes = list(self.chain(kind))
            self._counts[kind] = len(nodes)
            last = nodes[-1] if nodes else None
            if kind == LONG_TERM:
                self._long_term = last
            elif kind == GOAL:
                if last is not None and last not in self.graph.adj[self._long_term]:
                    last = None  # the newest long-term goal has no goal node yet
                self._goal = last
                self._goal_record = self.goal(last) if last else None
            else:
                self._experience = last
