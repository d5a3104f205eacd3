"""Path finding on an agent's known map: shortest walks to a target, and frontier exploration.

Breadth-first search over tiles a player may enter (walkable material, never lava, no creature or
player currently in view). Unknown tiles may be crossed optimistically: the view always reveals a
tile before the agent steps on it, so a planned walk through the unknown is re-planned, never blind.
The search is plain Python over flat indices: a 64x64 map takes a few milliseconds at worst.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from agents.skills import mapping

Position = mapping.Position
MOVES: dict[str, Position] = {
    "move_left": (-1, 0),
    "move_right": (1, 0),
    "move_up": (0, -1),
    "move_down": (0, 1),
}
MOVE_BY_OFFSET = {offset: name for name, offset in MOVES.items()}


@dataclass(frozen=True)
class Route:
    """A walk from the agent's tile: the cells to step on, in order (empty when already there)."""

    cells: tuple[Position, ...]

    @property
    def end(self) -> Position | None:
        return self.cells[-1] if self.cells else None


def move_toward(start: Position, cell: Position) -> str:
    """The move action from `start` to a 4-neighbour `cell` (also turns to face a blocked one)."""
    offset = (cell[0] - start[0], cell[1] - start[1])
    if offset not in MOVE_BY_OFFSET:
        raise ValueError(f"{cell} is not next to {start}")
    return MOVE_BY_OFFSET[offset]


def neighbours(position: Position) -> list[Position]:
    x, y = position
    return [(x + dx, y + dy) for dx, dy in MOVES.values()]


def adjacent_cells(targets: np.ndarray) -> np.ndarray:
    """Cells from which a target tile is one step away (where a player can face it)."""
    out = np.zeros_like(targets)
    out[1:, :] |= targets[:-1, :]
    out[:-1, :] |= targets[1:, :]
    out[:, 1:] |= targets[:, :-1]
    out[:, :-1] |= targets[:, 1:]
    return out


def near_cells(targets: np.ndarray) -> np.ndarray:
    """Cells whose 3x3 area holds a target tile (where a station counts as nearby)."""
    rows = targets.copy()
    rows[1:, :] |= targets[:-1, :]
    rows[:-1, :] |= targets[1:, :]
    out = rows.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


def passable(known: mapping.KnownMap, start: Position, optimistic: bool) -> np.ndarray:
    """Tiles a walk from `start` may use: known enterable ones, plus unknown ones when `optimistic`."""
    free = known.walkable(around=start)
    if optimistic:
        free = free | known.unknown
    return free


def _search(
    free: np.ndarray, start: Position, goal: np.ndarray | None
) -> tuple[list[int], list[int], int | None]:
    """BFS from `start` over `free`; stops at the first `goal` cell. Returns (dist, parent, found)."""
    width, height = free.shape
    free_flat = free.ravel().tolist()
    goal_flat = goal.ravel().tolist() if goal is not None else None
    size = width * height
    dist = [-1] * size
    parent = [-1] * size
    origin = start[0] * height + start[1]
    dist[origin] = 0
    queue = deque([origin])
    while queue:
        cell = queue.popleft()
        if goal_flat is not None and goal_flat[cell]:
            return dist, parent, cell
        x, y = divmod(cell, height)
        step = dist[cell] + 1
        # Fixed neighbour order (left, right, up, down) keeps walks deterministic.
        for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
            if 0 <= nx < width and 0 <= ny < height:
                nxt = nx * height + ny
                if dist[nxt] < 0 and free_flat[nxt]:
                    dist[nxt] = step
                    parent[nxt] = cell
                    queue.append(nxt)
    return dist, parent, None


def _unwind(parent: list[int], cell: int, height: int) -> Route:
    cells = []
    while parent[cell] >= 0:
        cells.append(divmod(cell, height))
        cell = parent[cell]
    return Route(tuple(reversed(cells)))


def route_to(
    known: mapping.KnownMap, start: Position, goal: np.ndarray, optimistic: bool = True
) -> Route | None:
    """The shortest walk from `start` to any `goal` cell, or None if none is reachable."""
    free = passable(known, start, optimistic)
    free[start] = True
    _, parent, found = _search(free, start, goal)
    if found is None:
        return None
    return _unwind(parent, found, free.shape[1])


def distances(known: mapping.KnownMap, start: Position, optimistic: bool = False) -> np.ndarray:
    """Walking distance from `start` to every cell (-1 = unreachable)."""
    free = passable(known, start, optimistic)
    free[start] = True
    dist, _, _ = _search(free, start, None)
    return np.array(dist, np.int32).reshape(free.shape)


def route_to_cell(
    known: mapping.KnownMap, start: Position, cell: Position, optimistic: bool = False
) -> Route | None:
    """The shortest walk to one chosen cell, or None."""
    goal = np.zeros(known.area, bool)
    goal[cell] = True
    return route_to(known, start, goal, optimistic)


def frontier(known: mapping.KnownMap, start: Position | None = None) -> np.ndarray:
    """Known enterable tiles next to unknown ones: where walking reveals new map."""
    return known.walkable(around=start) & adjacent_cells(known.unknown)


def choose_frontier(
    known: mapping.KnownMap,
    start: Position,
    heading: tuple[float, float] = (0.0, 0.0),
    prefer: tuple[str, ...] = (),
    home: Position | None = None,
) -> Position | None:
    """The frontier cell to explore next: near, along `heading`, close to `prefer` materials.

    The heading spreads teammates out (each has its own); preferred materials steer a search for
    e.g. diamonds toward caves; a pull toward `home` makes the search spiral outward instead of
    running to the map's edge. Ties break by position, so the choice is deterministic.
    """
    dist = distances(known, start)
    cells = frontier(known, start) & (dist > 0)
    if not cells.any():
        return None
    xs, ys = np.nonzero(cells)
    d = dist[xs, ys].astype(float)
    score = d - 3.0 * ((xs - start[0]) * heading[0] + (ys - start[1]) * heading[1]) / np.maximum(
        d, 1.0
    )
    if home is not None:
        score += 0.5 * (np.abs(xs - home[0]) + np.abs(ys - home[1]))
    if prefer:
        wanted = np.zeros(known.area, bool)
        for material in prefer:
            wanted |= known.mask(material)
        for _ in range(3):
            wanted = near_cells(wanted)
        score -= 6.0 * wanted[xs, ys]
    best = int(np.lexsort((ys, xs, score))[0])
    return int(xs[best]), int(ys[best])
