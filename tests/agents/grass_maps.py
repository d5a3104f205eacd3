"""Hand-built known maps for tests of the scripted team: grass everywhere but the given tiles."""

from __future__ import annotations

from agents.skills import mapping
from envs.mac import rules as rules_lib


def grass_map(tiles: dict[tuple[int, int], str], rules: rules_lib.Rules) -> mapping.KnownMap:
    """A known map of grass with `tiles` (position -> material) written on it."""
    known = mapping.KnownMap(rules)
    known.materials[:, :] = rules.materials.index("grass")
    for tile, material in tiles.items():
        known.materials[tile] = rules.materials.index(material)
    return known
