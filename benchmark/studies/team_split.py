"""Two players' split of the work, a lower bound of the optimal-team bound for two agents: the
units the goal needs are collected by one player or the other, and a player cannot walk to its
share of them faster than its own fewest moves, whatever the order and whatever tools it holds.

For each player i and each vector c of `do`s on the map's own tiles per raw material (the goal's
own `do` included; capped at `CAP` each), `least_moves` finds the fewest moves W_i(c) of a walk
from i's start that takes c: the layered graph of `team_solo`, but holding every tool from the
start (so any order) and ending anywhere. Then

    T >= min over c_0 + c_1 = caps, p_0 + p_1 = P of max_i (W_i(c_i) + |c_i| + p_i),

P the places and makes of the prerequisite plan plus the `do`s past the caps (whose walks are
left out): by step T player i took at least its moves, its `do`s and its places and makes, one
action a step. Sound by `team_solo`'s argument per player
(its walk takes its own units; a tile a teammate opened is one the layer lets it enter too), and
because the team's units come from the map's own tiles (a placed stone collected again gives back
what it took). Shares are left out (they would only add actions).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from agents import prerequisites
from benchmark.studies.team_map import INF, Layout, crossings, edges, goal_item
from benchmark.studies.team_solo import material_of
from envs.mac import rules as rules_lib

Counts = tuple[int, ...]
CAP = 1  # `do`s per material whose walks count (5 for the wood: 9 times the time, 1 step more)
FAR = 1e9  # a start edge's weight for a tile the layer's walk does not stand on yet


def _caps(rules: rules_lib.Rules, goal: str) -> dict[str, int]:
    """`do`s per material the goal needs, its own included."""
    caps: dict[str, int] = {}
    for item, amount in prerequisites.bill(prerequisites.plan(rules, goal, {}, set())).items():
        material = material_of(rules, item)
        need = math.ceil(amount / rules.collect[material].receive[item])
        caps[material] = max(caps.get(material, 0), need)
    return caps


def least_moves(
    layout: Layout, rules: rules_lib.Rules, who: int, caps: dict[str, int], goal_material: str
) -> dict[Counts, float]:
    """W_who(c) for every counts vector c over `sorted(caps)` (module docstring)."""
    materials = sorted(caps)
    grid = layout.grid
    shape, flat = grid.shape, grid.ravel()
    size = flat.size
    enter = np.isin(flat, list(rules.walkable))
    for m in crossings(rules):
        if m != goal_material:  # nobody enters the goal's tile before the goal is collected
            enter |= flat == m
    rows, cols = edges(shape)
    keep = enter[cols]
    # Moves, and a start node (index `size`) with an edge to every tile whose weight says when
    # the layer's walk may stand there (`FAR`: not yet); one structure, new weights each layer.
    graph = sparse.csr_matrix(
        (
            np.ones(int(keep.sum()) + size),
            (
                np.concatenate([rows[keep], np.full(size, size)]),
                np.concatenate([cols[keep], np.arange(size)]),
            ),
        ),
        shape=(size + 1, size + 1),
    )
    graph.sort_indices()
    starts = slice(graph.indptr[size], graph.indptr[size + 1])
    padded = np.zeros((shape[0] + 2, shape[1] + 2), np.int64)
    adjacent = {}
    for m in materials:
        padded[1:-1, 1:-1] = grid == m
        adjacent[m] = sum(
            padded[1 + dx : 1 + dx + shape[0], 1 + dy : 1 + dy + shape[1]]
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
        ).ravel()
        if rules.collect[m].leaves == m:  # not used up
            adjacent[m] = np.where(adjacent[m] > 0, size, 0)
    start = layout.starts[who][0] * shape[1] + layout.starts[who][1]
    layers = sorted(itertools.product(*(range(caps[m] + 1) for m in materials)), key=sum)
    seeds: dict[Counts, dict[str, np.ndarray]] = {layers[0]: {"": np.full(size, INF)}}
    seeds[layers[0]][""][start] = 0.0
    least: dict[Counts, float] = {}
    for counts in layers:
        if counts not in seeds:
            continue
        init = np.minimum.reduce(list(seeds[counts].values()))
        graph.data[starts] = np.where(init < INF, init + 1, FAR)
        dist = csgraph.dijkstra(graph, indices=size)[:size] - 1
        dist[dist >= FAR - 1] = INF
        least[counts] = float(dist.min())
        moved = np.full(size, INF)
        np.minimum.at(moved, cols[keep], dist[rows[keep]] + 1)
        if counts == layers[0]:
            moved[start] = 0.0
        for index, m in enumerate(materials):
            if counts[index] >= caps[m]:
                continue
            base = np.minimum.reduce([moved, *(t for k, t in seeds[counts].items() if k != m)])
            for k in range(1, caps[m] - counts[index] + 1):
                nxt = (*counts[:index], counts[index] + k, *counts[index + 1 :])
                slot = seeds.setdefault(nxt, {}).setdefault(m, np.full(size, INF))
                np.minimum(slot, np.where(adjacent[m] >= k, base, INF), out=slot)
    return least


def split_bound(layout: Layout, rules: rules_lib.Rules, goal: str) -> float:
    """The two players' bound (module docstring); 0 for a goal that collects nothing."""
    kind, item = goal_item(goal)
    if kind != "collect" or len(layout.starts) < 2:
        return 0.0
    full_caps = _caps(rules, goal)
    caps = {m: min(c, CAP) for m, c in full_caps.items()}
    goal_material = material_of(rules, item)
    walks = [least_moves(layout, rules, i, caps, goal_material) for i in (0, 1)]
    other = sum(s.amount for s in prerequisites.plan(rules, goal, {}, set()) if s.kind != "collect")
    other += sum(full_caps.values()) - sum(caps.values())  # `do`s past CAP, walks left out
    full = tuple(caps[m] for m in sorted(caps))
    best = INF
    for mine, moves in walks[0].items():
        theirs = tuple(f - c for f, c in zip(full, mine, strict=True))
        loads = (moves + sum(mine), walks[1].get(theirs, INF) + sum(theirs))
        # The places and makes go to whoever has fewer actions, as evenly as they allow.
        low, high = sorted(loads)
        if high < INF:
            best = min(best, max(high, math.ceil((low + high + other) / 2)))
    return float(best)
