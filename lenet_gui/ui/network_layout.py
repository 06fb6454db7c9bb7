"""Where the Network view puts every map, filter and bar panel: the course's LeNet
figure as rectangles in one scene (y down), so drawing and hovering share coordinates."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF

from ..core.activations import LAYERS

COLUMN_GAP = 12.0  # scene units between layers
MAP_GAP = 2.0  # between the maps of one layer
LABEL_ROOM = 9.0  # above each block, for its label
BAR_HEIGHT = 40.0
ROW_GAP = 14.0
# key -> (rows, columns of maps, scene units per pixel); a smaller layer gets bigger pixels.
MAP_GRIDS = {"input": (1, 1, 1.5), "c1": (3, 2, 1.0), "s2": (3, 2, 1.5),
             "c3": (4, 4, 1.6), "s4": (4, 4, 2.4)}
FILTER_GRID = (2, 3, 3.4)
FILTER_GAP = 16.0  # after the filters: their label is wider than they are
BAR_UNIT = {"f5": 0.9, "f6": 0.9, "output": 4.4}  # scene units per bar


@dataclass
class Tile:
    """A rectangle of the scene that shows one map, one filter, or one layer's bars."""

    key: str  # an Activations field, or "filters"
    index: int  # which map or filter; -1 for a bar panel
    rect: QRectF  # in scene (view) units
    shape: tuple[int, int]  # rows, columns of values (bars: 1, n)


def _grid(key: str, count: int, cols: int, side: int, scale: float, x: float,
          top: float) -> list[Tile]:
    size = side * scale
    return [Tile(key, i, QRectF(x + (i % cols) * (size + MAP_GAP),
                                top + (i // cols) * (size + MAP_GAP), size, size),
                 (side, side)) for i in range(count)]


def _extent(rows: int, side: int, scale: float) -> float:
    return rows * side * scale + (rows - 1) * MAP_GAP


def layout() -> tuple[list[Tile], QRectF]:
    """Where everything goes, in scene units (y down): the tiles and the whole extent."""
    shapes = {layer.key: layer.shape for layer in LAYERS}
    tiles: list[Tile] = []
    row1 = max(_extent(r, shapes[k][-1], s) for k, (r, _, s) in MAP_GRIDS.items())
    x = 0.0
    for key, (rows, cols, scale) in MAP_GRIDS.items():
        shape, side = shapes[key], shapes[key][-1]
        top = LABEL_ROOM + (row1 - _extent(rows, side, scale)) / 2  # centred in the row
        tiles += _grid(key, 1 if len(shape) == 2 else shape[0], cols, side, scale, x, top)
        x += _extent(cols, side, scale) + COLUMN_GAP
    top2 = LABEL_ROOM + row1 + ROW_GAP + LABEL_ROOM
    rows, cols, scale = FILTER_GRID
    tiles += _grid("filters", rows * cols, cols, 5, scale, 0.0, top2)
    x = _extent(cols, 5, scale) + FILTER_GAP
    for key, unit in BAR_UNIT.items():
        n = shapes[key][0]
        tiles.append(Tile(key, -1, QRectF(x, top2, n * unit, BAR_HEIGHT), (1, n)))
        x += n * unit + COLUMN_GAP
    right = max(t.rect.right() for t in tiles)
    return tiles, QRectF(0, 0, right, top2 + BAR_HEIGHT + 7)


__all__ = ["Tile", "layout", "BAR_HEIGHT", "MAP_GRIDS", "BAR_UNIT"]
