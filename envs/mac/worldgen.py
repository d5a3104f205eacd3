"""World generation: crafter's terrain, tile for tile, generated in bulk; and the players' spawn points.

Crafter generates a 64x64 map by walking the tiles one at a time and calling OpenSimplex noise a dozen
times per tile (about 50 ms per reset with numba). Here every noise field is computed for the whole map
in one `noise3array` call (bit-identical to the scalar calls), and the only sequential part, the
per-tile random draws whose number depends on earlier draws, runs in a small compiled scan over a
block of pre-drawn uniforms. Afterwards the world's RandomState is rewound and advanced by exactly the
number of draws crafter would have made, so everything after generation sees crafter's random stream.
`tests/envs/test_equivalence.py` proves the maps, objects and random state equal crafter's.

The terrain thresholds below are crafter's world-generation constants: they define the map family that
every Crafter result is measured on, so they are fixed here rather than exposed as tunable rules.
"""

from __future__ import annotations

import numba
import numpy as np
import opensimplex
from opensimplex import internals as simplex_internals

# Kinds of creature the generator may place, in the order its scan tests them.
COW, ZOMBIE, SKELETON = 0, 1, 2
CREATURE_NAMES = ("cow", "zombie", "skeleton")

# Material names the scan writes, as indices into this tuple.
_TERRAIN = ("grass", "path", "coal", "iron", "diamond", "lava", "stone", "sand", "water", "tree")
_GRASS, _PATH, _COAL, _IRON, _DIAMOND, _LAVA, _STONE, _SAND, _WATER, _TREE = range(len(_TERRAIN))
_WALKABLE = np.array([name in ("grass", "path", "sand") for name in _TERRAIN])

# Upper bound of uniform draws per tile: three in the material pass, three in the object pass.
_MAX_DRAWS_PER_TILE = 6


@numba.njit(cache=True)
def _noise_grid(xs, ys, z, perm, perm_grad_index3):  # pragma: no cover - compiled
    """opensimplex's scalar noise3 at every (x, y) of the grid, serially.

    The same compiled function `noise3array` calls per point, without its thread pool, which costs
    more than it saves on a 64x64 grid.
    """
    out = np.empty((xs.size, ys.size))
    for i in range(xs.size):
        for j in range(ys.size):
            out[i, j] = simplex_internals._noise3(xs[i], ys[j], z, perm, perm_grad_index3)
    return out


def _noise(
    simplex: opensimplex.OpenSimplex,
    xs,
    ys,
    z: float,
    sizes: dict[float, float],
    normalize: bool = True,
) -> np.ndarray:
    """Octave-summed noise over the grid xs x ys, summed in crafter's order (values[x, y])."""
    value = np.zeros((len(xs), len(ys)))
    for size, weight in sizes.items():
        layer = _noise_grid(
            xs / size, ys / size, float(z), simplex._perm, simplex._perm_grad_index3
        )
        value = value + weight * layer
    if normalize:
        value = value / sum(sizes.values())
    return value


def _fields(
    simplex: opensimplex.OpenSimplex, area: tuple[int, int], center
) -> dict[str, np.ndarray]:
    """Every noise-derived field crafter's generator reads, for all tiles at once."""
    xs = np.arange(area[0], dtype=np.int64)
    ys = np.arange(area[1], dtype=np.int64)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    fx, fy = xs.astype(float), ys.astype(float)
    start = 4 - np.sqrt((gx - center[0]) ** 2 + (gy - center[1]) ** 2)
    start = start + 2 * _noise(simplex, fx, fy, 8, {3: 1})
    start = 1 / (1 + np.exp(-start))
    water = _noise(simplex, fx, fy, 3, {15: 1, 5: 0.15}, normalize=False) + 0.1
    water = water - 2 * start
    mountain = _noise(simplex, fx, fy, 0, {15: 1, 5: 0.3})
    mountain = mountain - (4 * start + 0.3 * water)
    return {
        "start": start,
        "water": water,
        "mountain": mountain,
        "cave": _noise(simplex, fx, fy, 6, {7: 1}),
        "tunnel_h": _noise(simplex, 2 * fx, fy / 5, 7, {3: 1}),
        "tunnel_v": _noise(simplex, fx / 5, 2 * fy, 7, {3: 1}),
        "coal": _noise(simplex, fx, fy, 1, {8: 1}),
        "iron": _noise(simplex, fx, fy, 2, {6: 1}),
        "lava": _noise(simplex, fx, fy, 6, {5: 1}),
        "sand": _noise(simplex, fx, fy, 4, {9: 1}),
        "tree": _noise(simplex, fx, fy, 5, {7: 1}),
        "distance": np.sqrt((gx - center[0]) ** 2 + (gy - center[1]) ** 2),
    }


@numba.njit(cache=True)
def _scan(
    start,
    water,
    mountain,
    cave,
    tunnel_h,
    tunnel_v,
    coal,
    iron,
    lava,
    sand,
    tree,
    distance,
    walkable,
    uniforms,
):  # pragma: no cover - compiled
    """Crafter's per-tile decision tree in its x-major order, consuming `uniforms` in sequence."""
    w, h = start.shape
    terrain = np.empty((w, h), np.int64)
    tunnels = np.zeros((w, h), np.bool_)
    creatures = np.full((w, h), -1, np.int64)
    used = 0
    for x in range(w):
        for y in range(h):
            m = mountain[x, y]
            if start[x, y] > 0.5:
                terrain[x, y] = 0  # grass
            elif m > 0.15:
                if cave[x, y] > 0.15 and m > 0.3:
                    terrain[x, y] = 1  # path
                elif tunnel_h[x, y] > 0.4 or tunnel_v[x, y] > 0.4:
                    terrain[x, y] = 1
                    tunnels[x, y] = True
                else:
                    kind = 6  # stone
                    done = False
                    if coal[x, y] > 0:
                        used += 1
                        if uniforms[used - 1] > 0.85:
                            kind, done = 2, True
                    if not done and iron[x, y] > 0.4:
                        used += 1
                        if uniforms[used - 1] > 0.75:
                            kind, done = 3, True
                    if not done and m > 0.18:
                        used += 1
                        if uniforms[used - 1] > 0.994:
                            kind, done = 4, True
                    if not done and m > 0.3 and lava[x, y] > 0.35:
                        kind = 5
                    terrain[x, y] = kind
            elif 0.25 < water[x, y] <= 0.35 and sand[x, y] > -0.2:
                terrain[x, y] = 7  # sand
            elif water[x, y] > 0.3:
                terrain[x, y] = 8  # water
            else:
                kind = 0
                if tree[x, y] > 0:
                    used += 1
                    if uniforms[used - 1] > 0.8:
                        kind = 9  # tree
                terrain[x, y] = kind
    for x in range(w):
        for y in range(h):
            kind = terrain[x, y]
            if not walkable[kind]:
                continue
            dist = distance[x, y]
            if dist > 3 and kind == 0:
                used += 1
                if uniforms[used - 1] > 0.985:
                    creatures[x, y] = 0
                    continue
            if dist > 10:
                used += 1
                if uniforms[used - 1] > 0.993:
                    creatures[x, y] = 1
                    continue
            if kind == 1 and tunnels[x, y]:
                used += 1
                if uniforms[used - 1] > 0.95:
                    creatures[x, y] = 2
    return terrain, tunnels, creatures, used


class GeneratedWorld:
    """The result of generation: tiles (indices into `tile_names_in_order`), tunnel mask, and
    the creatures to place, in crafter's order."""

    def __init__(self, terrain: np.ndarray, tunnels: np.ndarray, creatures: np.ndarray) -> None:
        self.terrain = terrain
        self.tunnels = tunnels
        self.creatures = creatures

    tile_names_in_order = _TERRAIN

    def creature_list(self) -> list[tuple[int, int, str]]:
        """(x, y, kind) in crafter's placement order (x-major)."""
        xs, ys = np.nonzero(self.creatures >= 0)
        return [
            (int(x), int(y), CREATURE_NAMES[self.creatures[x, y]])
            for x, y in zip(xs, ys, strict=True)
        ]


def generate(random: np.random.RandomState, area: tuple[int, int], center) -> GeneratedWorld:
    """Generate crafter's world for `random` (the world's RandomState, advanced exactly as crafter does)."""
    simplex = opensimplex.OpenSimplex(seed=random.randint(0, 2**31 - 1))
    fields = _fields(simplex, area, center)
    saved = random.get_state()
    uniforms = random.uniform(size=_MAX_DRAWS_PER_TILE * area[0] * area[1])
    terrain, tunnels, creatures, used = _scan(
        fields["start"],
        fields["water"],
        fields["mountain"],
        fields["cave"],
        fields["tunnel_h"],
        fields["tunnel_v"],
        fields["coal"],
        fields["iron"],
        fields["lava"],
        fields["sand"],
        fields["tree"],
        fields["distance"],
        _WALKABLE,
        uniforms,
    )
    # Rewind and replay exactly the draws crafter's tile loop would have made.
    random.set_state(saved)
    random.uniform(size=used)
    return GeneratedWorld(terrain, tunnels, creatures)


def spawn_offsets(n_players: int) -> list[tuple[int, int]]:
    """Spawn offsets from the map centre: player_0 at the centre, the rest packed around it.

    Ordered by distance, so up to 9 players stand within 1.5 tiles of the centre, where crafter's
    generator always leaves grass; larger teams get the next rings (their tiles are forced to grass).
    """
    radius = 1
    while (2 * radius + 1) ** 2 < n_players:
        radius += 1
    cells = [(dx, dy) for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)]
    # Nearest first; at equal distance along the row (right, then left) before above and below.
    cells.sort(key=lambda c: (c[0] ** 2 + c[1] ** 2, abs(c[1]), -c[0], -c[1]))
    return cells[:n_players]
