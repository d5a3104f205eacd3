"""What players see: crafter's image view per player, a symbolic vector view, and a frame for humans.

The image view is crafter's own renderer (local 9x7 tiles + 9x2 inventory strip, 64x64x3) pointed at
each player in turn. Drawing at night adds noise from the world's random stream, exactly as in
crafter; the symbolic view draws the same numbers without drawing pixels, so the world unfolds the
same whichever observation type is chosen. Frames for humans use a private random stream so that
watching an episode never changes it.
"""

from __future__ import annotations

import functools

import numpy as np
from crafter import constants, engine

from envs.mac import world as world_lib

VIEW = (9, 9)  # crafter's view: 9 tiles wide, 7 of map + 2 of inventory tall
SIZE = (64, 64)
LOCAL_GRID = (9, 7)
UNIT = SIZE[0] // VIEW[0]
# The symbolic view's object channels (the observing player itself is always at the centre).
SYMBOLIC_OBJECTS = ("player", "cow", "zombie", "skeleton", "arrow", "plant")


@functools.cache
def textures() -> engine.Textures:
    """Crafter's textures, loaded once per process (read-only apart from a resize cache)."""
    return engine.Textures(constants.root / "assets")


class _PrivateRandomWorld:
    """The world as the renderer sees it, with night noise drawn from a separate stream."""

    def __init__(self, world, random: np.random.RandomState) -> None:
        self._world = world
        self.random = random

    def __getattr__(self, name):
        return getattr(self._world, name)

    def __getitem__(self, pos):
        return self._world[pos]


class ImageView:
    """Draws a player's 64x64x3 observation exactly as crafter.Env.render() does."""

    def __init__(self, world, n_items: int) -> None:
        item_rows = int(np.ceil(n_items / VIEW[0]))
        self._local = engine.LocalView(world, textures(), [VIEW[0], VIEW[1] - item_rows])
        self._items = engine.ItemView(textures(), [VIEW[0], item_rows])
        self._noise_shape = (VIEW[0] * UNIT, (VIEW[1] - item_rows) * UNIT)
        self._world = world

    def __call__(self, player) -> np.ndarray:
        unit = np.array(SIZE) // np.array(VIEW)
        canvas = np.zeros((*SIZE, 3), np.uint8)
        local = self._local(player, unit)
        items = self._items(player.inventory, unit)
        view = np.concatenate([local, items], 1)
        border = (np.array(SIZE) - unit * np.array(VIEW)) // 2
        (x, y), (w, h) = border, view.shape[:2]
        canvas[x : x + w, y : y + h] = view
        return canvas.transpose((1, 0, 2))

    def consume_night_noise(self) -> None:
        """Draw the random numbers crafter's renderer would draw for one view, without drawing."""
        if self._world.daylight < 0.5:
            self._world.random.uniform(32, 127, self._noise_shape)


class SymbolicView:
    """A flat float32 vector per player: one-hot local tiles and objects, inventory, facing, sleep."""

    def __init__(self, materials: tuple[str, ...], items: tuple[str, ...], item_cap: int) -> None:
        # Inventory counts are divided by crafter's cap of 9; larger caps give values above 1.
        self.high = max(1.0, item_cap / 9.0)
        self.n_materials = len(materials) + 1  # id 0: outside the map
        self.n_objects = len(SYMBOLIC_OBJECTS) + 1  # channel 0: no object
        self.items = items
        cells = LOCAL_GRID[0] * LOCAL_GRID[1]
        self.size = cells * (self.n_materials + len(SYMBOLIC_OBJECTS)) + len(items) + 4 + 1
        self._material_eye = np.eye(self.n_materials, dtype=np.float32)
        self._object_eye = np.eye(self.n_objects, dtype=np.float32)[:, 1:]
        self._offset = np.array(LOCAL_GRID) // 2

    def layers(self, game: world_lib.Game) -> tuple[np.ndarray, np.ndarray]:
        """Material ids and object channel ids of the whole map, padded by half a view."""
        pad = ((self._offset[0],) * 2, (self._offset[1],) * 2)
        materials = np.pad(game.world._mat_map, pad)
        objs = np.zeros(game.world.area, np.int64)
        for obj in game.world.objects:
            objs[tuple(obj.pos)] = 1 + SYMBOLIC_OBJECTS.index(world_lib._object_kind(obj))
        return materials, np.pad(objs, pad)

    def __call__(self, player, layers: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        materials, objs = layers
        x, y = player.pos  # padded coordinates: the window starts at the player's own position
        window = (slice(x, x + LOCAL_GRID[0]), slice(y, y + LOCAL_GRID[1]))
        tiles = self._material_eye[materials[window]].reshape(-1)
        things = self._object_eye[objs[window]].reshape(-1)
        inventory = np.array([player.inventory[i] for i in self.items], np.float32) / 9.0
        facing = np.zeros(4, np.float32)
        facing[_FACING_INDEX[tuple(int(v) for v in player.facing)]] = 1.0
        sleeping = np.array([float(player.sleeping)], np.float32)
        return np.concatenate([tiles, things, inventory, facing, sleeping])


_FACING_INDEX = {(-1, 0): 0, (1, 0): 1, (0, -1): 2, (0, 1): 3}


def local_semantic(semantic_map: np.ndarray, pos) -> np.ndarray:
    """The 9x7 window of the semantic map around `pos` (0 outside the map), indexed [x, y]."""
    off = np.array(LOCAL_GRID) // 2
    padded = np.pad(semantic_map, ((off[0],) * 2, (off[1],) * 2))
    x, y = int(pos[0]), int(pos[1])
    return padded[x : x + LOCAL_GRID[0], y : y + LOCAL_GRID[1]].copy()


class FrameRenderer:
    """Frames for people: every player's view side by side (dead players greyed out)."""

    def __init__(self, game: world_lib.Game, seed: int = 0) -> None:
        self._game = game
        self._random = np.random.RandomState(seed)

    def __call__(self, views: dict[str, np.ndarray] | None = None) -> np.ndarray:
        game = self._game
        proxy = _PrivateRandomWorld(game.world, self._random)
        drawer = ImageView(proxy, len(game.rules.items))
        tiles = []
        for player in game.players:
            if player.agent_id in game.dead:
                tiles.append(np.full((*SIZE, 3), 40, np.uint8))
            elif views is not None and player.agent_id in views:
                tiles.append(views[player.agent_id])
            else:
                tiles.append(drawer(player))
        columns = min(len(tiles), 3)
        rows = -(-len(tiles) // columns)
        frame = np.zeros((rows * (SIZE[1] + 2), columns * (SIZE[0] + 2), 3), np.uint8)
        for i, tile in enumerate(tiles):
            r, c = divmod(i, columns)
            frame[
                r * (SIZE[1] + 2) : r * (SIZE[1] + 2) + SIZE[1],
                c * (SIZE[0] + 2) : c * (SIZE[0] + 2) + SIZE[0],
            ] = tile
        return frame
