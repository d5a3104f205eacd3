"""Export of each agent's knowledge graph with the episode: node-link JSON and GraphML.

Both formats keep every node's record (the `data` JSON string), so a graph read back rebuilds the
same `Experience` and `Goal` records and can resume as a `KnowledgeGraph`.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping
from typing import Any

import networkx as nx

from agents.memory import kgms


def to_json_data(graph: nx.DiGraph) -> dict[str, Any]:
    """The graph as node-link data (JSON-ready)."""
    return nx.node_link_data(graph, edges="edges")


def from_json_data(data: Mapping[str, Any]) -> nx.DiGraph:
    return nx.node_link_graph(dict(data), directed=True, edges="edges")


def write_json(graph: nx.DiGraph, path: str | pathlib.Path) -> pathlib.Path:
    path = pathlib.Path(path)
    path.write_text(json.dumps(to_json_data(graph)))
    return path


def read_json(path: str | pathlib.Path) -> nx.DiGraph:
    return from_json_data(json.loads(pathlib.Path(path).read_text()))


def write_graphml(graph: nx.DiGraph, path: str | pathlib.Path) -> pathlib.Path:
    path = pathlib.Path(path)
    nx.write_graphml(graph, path)
    return path


def read_graphml(path: str | pathlib.Path) -> nx.DiGraph:
    return nx.read_graphml(path)


def export_team(
    memories: Mapping[str, kgms.Memory], directory: str | pathlib.Path
) -> list[pathlib.Path]:
    """Write `<agent>.json` and `<agent>.graphml` for every agent whose memory is on."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for agent_id, memory in memories.items():
        if not memory.enabled:
            continue
        graph = memory.to_graph()
        written.append(write_json(graph, directory / f"{agent_id}.json"))
        written.append(write_graphml(graph, directory / f"{agent_id}.graphml"))
    return written
