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
# Same order as crafter's semantic ids, so a channel is read straight off the semantic map.
SYMBOLIC_OBJECTS = world_lib.SEMANTIC_OBJECT_KINDS
_FIRST_OBJECT_ID = world_lib.SEMANTIC_OBJECT_IDS[SYMBOLIC_OBJECTS[0]]


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


class _LocalView(engine.LocalView):
    """crafter's LocalView, drawing the same pixels with array operations instead of tile loops.

    Tiles come from a per-material texture atlas; only objects inside the window are visited (crafter
    visits every object in the world); lighting and sleep tint are crafter's own methods.
    """

    def __init__(self, world, textures_, grid) -> None:
        super().__init__(world, textures_, grid)
        self._atlas: np.ndarray | None = None
        self._atlas_key: tuple | None = None

    def _tile_atlas(self, unit: np.ndarray) -> np.ndarray:
        key = (tuple(unit), len(self._world._mat_names))
        if key != self._atlas_key:
            self._atlas_key = key
            names = [self._world._mat_names.get(i) for i in range(256)]
            self._atlas = np.stack(
                [self._textures.get(name, unit)[..., :3] for name in names]
            ).astype(np.uint8)
        return self._atlas

    def __call__(self, player, unit):
        self._unit = np.array(unit)
        self._center = np.array(player.pos)
        u = int(self._unit[0])
        (gx, gy), area = self._grid, self._area
        xs = np.arange(gx) + self._center[0] - self._offset[0]
        ys = np.arange(gy) + self._center[1] - self._offset[1]
        inside = ((xs >= 0) & (xs < area[0]))[:, None] & ((ys >= 0) & (ys < area[1]))[None, :]
        ids = self._world._mat_map[np.clip(xs, 0, area[0] - 1)][:, np.clip(ys, 0, area[1] - 1)]
        tiles = self._tile_atlas(self._unit)[ids]
        tiles[~inside] = 127
        canvas = tiles.transpose(0, 2, 1, 3, 4).reshape(gx * u, gy * u, 3)
        x0, y0 = max(xs[0], 0), max(ys[0], 0)
        window = self._world._obj_map[x0 : max(xs[-1] + 1, 0), y0 : max(ys[-1] + 1, 0)]
        for index in window[window > 0]:
            obj = self._world._objects[index]
            pos = obj.pos - self._center + self._offset
            engine._draw_alpha(
                canvas, pos * self._unit, self._textures.get(obj.texture, self._unit)
            )
        canvas = self._light(canvas, self._world.daylight)
        if player.sleeping:
            canvas = self._sleep(canvas)
        return canvas


class _ItemView(engine.ItemView):
    """crafter's inventory strip, remembered per inventory (it rarely changes between steps)."""

    def __init__(self, textures_, grid) -> None:
        super().__init__(textures_, grid)
        self._cache: dict[tuple, np.ndarray] = {}

    def __call__(self, inventory, unit):
        key = (tuple(inventory.items()), tuple(np.asarray(unit).tolist()))
        if key not in self._cache:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = super().__call__(inventory, unit)
        return self._cache[key]


class ImageView:
    """Draws a player's 64x64x3 observation exactly as crafter.Env.render() does."""

    def __init__(self, world, n_items: int) -> None:
        item_rows = int(np.ceil(n_items / VIEW[0]))
        self._local = _LocalView(world, textures(), [VIEW[0], VIEW[1] - item_rows])
        self._items = _ItemView(textures(), [VIEW[0], item_rows])
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

    def __call__(self, player, layers: PaddedLayers) -> np.ndarray:
        tiles = self._material_eye[layers.window(layers.materials, player.pos)].reshape(-1)
        semantic = layers.window(layers.semantic, player.pos)
        channels = np.where(semantic >= _FIRST_OBJECT_ID, semantic - _FIRST_OBJECT_ID + 1, 0)
        things = self._object_eye[channels].reshape(-1)
        inventory = np.array([player.inventory[i] for i in self.items], np.float32) / 9.0
        facing = np.zeros(4, np.float32)
        facing[_FACING_INDEX[tuple(int(v) for v in player.facing)]] = 1.0
        sleeping = np.array([float(player.sleeping)], np.float32)
        return np.concatenate([tiles, things, inventory, facing, sleeping])


class PaddedLayers:
    """One step's material and semantic maps, padded by half a view so every window is a slice.

    Built once per step and shared by every player's symbolic view and info.
    """

    def __init__(self, area: tuple[int, int]) -> None:
        self._offset = np.array(LOCAL_GRID) // 2
        shape = (area[0] + 2 * self._offset[0], area[1] + 2 * self._offset[1])
        self.materials = np.zeros(shape, np.int64)
        self.semantic = np.zeros(shape, np.int64)
        self._inner = (
            slice(self._offset[0], self._offset[0] + area[0]),
            slice(self._offset[1], self._offset[1] + area[1]),
        )

    def update(self, material_map: np.ndarray, semantic_map: np.ndarray) -> None:
        self.materials[self._inner] = material_map
        self.semantic[self._inner] = semantic_map

    def window(self, padded: np.ndarray, pos) -> np.ndarray:
        """The 9x7 view around `pos` (0 outside the map), indexed [x, y]."""
        x, y = int(pos[0]), int(pos[1])  # padded coordinates: the window starts at pos
        return padded[x : x + LOCAL_GRID[0], y : y + LOCAL_GRID[1]]


_FACING_INDEX = {(-1, 0): 0, (1, 0): 1, (0, -1): 2, (0, 1): 3}


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


TOP_DOWN_UNIT = 4  # pixels per tile of the top-down map
_TOP_DOWN_TEXTURE = {"player": "player-down", "cow": "cow", "zombie": "zombie",
                     "skeleton": "skeleton", "arrow": "arrow-right", "plant": "sapling"}  # fmt: skip


def top_down(game: world_lib.Game, unit: int = TOP_DOWN_UNIT) -> np.ndarray:
    """The whole world seen from above, one crafter texture per tile (objects over materials),
    for people reading an episode: where the team went and what it left."""
    semantic = game.semantic_map()
    names = {i: name for name, i in game.world._mat_ids.items()}
    names |= {i: _TOP_DOWN_TEXTURE[kind] for kind, i in world_lib.SEMANTIC_OBJECT_IDS.items()}
    width, height = semantic.shape
    image = np.zeros((height * unit, width * unit, 3), np.uint8)
    for tile_id in np.unique(semantic):
        texture = textures().get(names.get(int(tile_id)), (unit, unit))[..., :3]
        for x, y in zip(*np.nonzero(semantic == tile_id), strict=True):
            image[y * unit : (y + 1) * unit, x * unit : (x + 1) * unit] = texture
    return image
