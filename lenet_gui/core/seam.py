"""Step 4 of ``segment``: cut a group of ink much wider than tall into digits, along
the top-to-bottom path that crosses the least ink (seam carving), when that path
crosses about one stroke and leaves a tall digit on each side -- digits drawn
touching in one stroke, or ink that ran together. Recursively, left to right.
"""

from __future__ import annotations

import numpy as np

# Cut a group at least CUT_ASPECT as wide as tall along a path crossing at most
# THIN pens (and THIN_H of the height) of ink, each side at least SIDE_TALL as tall.
CUT_ASPECT, THIN, THIN_H, SIDE_TALL = 1.15, 1.3, 0.35, 0.7
_SEAM_ROWS = 96  # the cut's path is searched on at most this many rows of blocks


def _seam(mask: np.ndarray, lo: int, hi: int, f: int) -> tuple[float, np.ndarray]:
    """The top-to-bottom path through columns lo..hi-1 of ``mask`` crossing the least
    ink (seam carving: a step a row, at most one column sideways; ink on a sideways
    step counts sqrt 2, so a slanting path cannot slip through a stroke), searched on
    blocks of f x f pixels. Returns (ink crossed in pixels, the path's column in each
    row)."""
    h = mask.shape[0]
    n, rows = max(1, (hi - lo) // f), -(-h // f)
    block = np.zeros((rows * f, n * f), dtype=np.float32)
    block[:h] = mask[:, lo:lo + n * f]
    cost = block.reshape(rows, f, n, f).mean(axis=(1, 3)) * f  # ink rows per block
    slant = cost * np.float32(np.sqrt(2.0))
    total = np.empty((rows, n + 2), dtype=np.float32)  # inf walls left and right
    total[:, 0] = total[:, -1] = np.inf
    total[0, 1:-1] = cost[0]
    side = np.empty(n, dtype=np.float32)
    for y in range(1, rows):
        above = total[y - 1]
        np.minimum(above[:-2], above[2:], out=side)
        side += slant[y]
        np.add(above[1:-1], cost[y], out=total[y, 1:-1])
        np.minimum(total[y, 1:-1], side, out=total[y, 1:-1])
    # The cheapest end (nearest the middle among equals), then back up the rows.
    last = total[-1, 1:-1]
    x = int(np.lexsort((np.abs(np.arange(n) - (n - 1) / 2), last))[0])
    crossed = float(last[x])
    path = np.empty(rows, dtype=np.intp)
    path[-1] = x
    for y in range(rows - 1, 0, -1):
        here, above = total[y, x + 1], total[y - 1]
        if not here == above[x + 1] + cost[y, x]:  # came from a side
            x += -1 if above[x] <= above[x + 2] else 1
        path[y - 1] = x
    return crossed, np.repeat(path * f + lo + f // 2, f)[:h]


def split(solid: np.ndarray, pen: float, region: np.ndarray | None = None) -> list[np.ndarray]:
    """One group's ink ``solid`` (a mask): its box as regions (masks that together
    cover it), left to right; one region if the group is one digit."""
    if region is None:
        region = np.ones(solid.shape, dtype=bool)
        rows = np.flatnonzero(solid.any(axis=1))
        if len(rows) == 0 or solid.shape[1] < CUT_ASPECT * (rows[-1] + 1 - rows[0]):
            return [region]  # too narrow for two digits, whatever its ink
    mask = solid & region
    box = ink_box(mask, 0, 0)
    if box is None:
        return [region]
    height, left, right = box[1] - box[0], box[2], box[3]
    side = max(int(0.25 * height), int(pen))
    if right - left < CUT_ASPECT * height or right - left <= 2 * side:
        return [region]
    # Blocks small next to a stroke, and few enough rows to be quick.
    f = max(-(-height // _SEAM_ROWS), int(round(pen / 12)), 1)
    crossed, path = _seam(mask | ~region, left + side, right - side, f)  # no way round
    rhs = np.arange(solid.shape[1])[None, :] >= path[:, None]
    if crossed > min(THIN * pen, THIN_H * height) or any(
            b is None or b[1] - b[0] < SIDE_TALL * height
            for b in (ink_box(mask & ~rhs, 0, 0), ink_box(mask & rhs, 0, 0))):
        return [region]
    return split(solid, pen, region & ~rhs) + split(solid, pen, region & rhs)


def ink_box(mask: np.ndarray, top: int, left: int) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return (top + int(rows[0]), top + int(rows[-1]) + 1,
            left + int(cols[0]), left + int(cols[-1]) + 1)


__all__ = ["split", "ink_box", "CUT_ASPECT", "THIN", "THIN_H", "SIDE_TALL"]
