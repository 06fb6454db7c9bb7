"""Numbers of several digits made from the drawn-digit sets, for segmentation tests.

A test and benchmark helper, not shipped. ``compose_number`` places drawings from
``tests/data/drawn_digits*.json`` side by side on one canvas the way a person writes
a number: each digit scaled to about the same height (sizes vary a little), on a
baseline that wanders and tilts a little, with a common slant plus a little per
digit, and gaps between the digits' ink boxes that are mostly clear but sometimes
tight (touching) or negative (boxes overlapping). The whole number is scaled to fit
the unit box, so a number of 4 digits gets small digits drawn with the canvas's
unchanged pen, as on the real canvas. Deterministic for a given seed.

    from tests.data.compose_numbers import compose_numbers
    numbers = compose_numbers(drawings, 300, seed=1)   # 2..4 digits each
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lenet_gui.core.strokes import PEN_WIDTH, Drawing, Stroke

# Gap between neighbouring ink boxes, in digit heights: (probability, low, high):
# boxes overlapping a little, about touching, and ordinary gaps.
GAPS = ((0.08, -0.08, 0.0), (0.12, 0.0, 0.08), (0.80, 0.08, 0.5))
SIZES = (0.88, 1.12)  # each digit's height, relative to the number's
MARGIN = 0.03         # the number stays this far inside the unit box


@dataclass
class ComposedNumber:
    strokes: list[Stroke]
    text: str          # the digits, left to right
    boxes: list[tuple[float, float, float, float]]  # each digit's ink box (t, b, l, r), unit box
    gaps: list[float]  # ink-box gaps between neighbours, in digit heights


def _gap(rng: np.random.Generator) -> float:
    u = rng.random()
    for p, lo, hi in GAPS:
        if u < p:
            return float(rng.uniform(lo, hi))
        u -= p
    return float(rng.uniform(GAPS[-1][1], GAPS[-1][2]))


def _ink(drawing: Drawing) -> list[np.ndarray]:
    return [np.asarray(s.points, dtype=np.float64).reshape(-1, 2)
            for s in drawing.strokes if not s.erase and s.points]


def _shaped(drawing: Drawing, size: float, shear: float) -> tuple[list[np.ndarray], float]:
    """The drawing's strokes scaled to height ``size``, slanted about the baseline,
    its left edge at x = 0, top at y = 0; and its width."""
    strokes = _ink(drawing)
    pts = np.concatenate(strokes)
    lo, height = pts.min(axis=0), max(np.ptp(pts[:, 1]), 1e-3)
    out = []
    for s in strokes:
        p = (s - lo) / height * size
        p[:, 0] -= shear * (p[:, 1] - size)
        out.append(p)
    left = min(p[:, 0].min() for p in out)
    out = [p - [left, 0.0] for p in out]
    return out, max(p[:, 0].max() for p in out)


def at_size(strokes: Sequence[Stroke], side: float,
            centre: tuple[float, float] = (0.5, 0.5)) -> list[Stroke]:
    """``strokes`` moved so that their larger side is ``side`` of the canvas, their
    box centred at ``centre``: one digit written small, big, or in a corner."""
    pts = np.concatenate([np.asarray(s.points, dtype=np.float64).reshape(-1, 2)
                          for s in strokes if s.points])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    k, c = side / float(max(hi - lo)), (lo + hi) / 2
    return [Stroke([(centre[0] + (x - c[0]) * k, centre[1] + (y - c[1]) * k)
                    for x, y in s.points], s.erase) for s in strokes]


def compose_number(drawings: Sequence[Drawing], rng: np.random.Generator,
                   n_digits: int) -> ComposedNumber:
    """One number of ``n_digits`` drawings picked at random (they must have labels)."""
    picks = [drawings[int(i)] for i in rng.integers(0, len(drawings), n_digits)]
    slant = rng.uniform(-0.18, 0.18)  # x shift per unit of height, the whole number
    tilt = rng.uniform(-0.05, 0.05)   # baseline slope
    digits = []  # (strokes, width, height), in digit heights
    for d in picks:
        size = rng.uniform(*SIZES)
        digits.append((*_shaped(d, size, slant + rng.uniform(-0.05, 0.05)), size))
    gaps = [_gap(rng) for _ in range(n_digits - 1)]
    # Canvas units: digit height h; an ink box is the centre lines plus the pen.
    room = 1.0 - 2 * MARGIN
    fit = min((room - n_digits * PEN_WIDTH) / (sum(w for _, w, _ in digits) + sum(gaps) + 1e-9),
              (room - PEN_WIDTH) / 1.3, 0.8)
    h = fit * rng.uniform(0.8, 1.0)
    placed, x = [], 0.0
    for i, (strokes, width, size) in enumerate(digits):
        base = rng.uniform(-0.06, 0.06) + tilt * x / h
        for p in strokes:
            q = p * h + [x + PEN_WIDTH / 2, (1.0 - size + base) * h + PEN_WIDTH / 2]
            placed.append((i, q))
        x += width * h + PEN_WIDTH + (gaps[i] * h if i < n_digits - 1 else 0.0)
    pts = np.concatenate([q for _, q in placed])
    lo, hi = pts.min(axis=0) - PEN_WIDTH / 2, pts.max(axis=0) + PEN_WIDTH / 2
    shift = np.array([rng.uniform(MARGIN, max(MARGIN, 1 - MARGIN - (hi - lo)[k]))
                      for k in range(2)]) - lo
    strokes, boxes = [], []
    for i in range(n_digits):
        mine = [q + shift for j, q in placed if j == i]
        a = np.concatenate(mine).min(axis=0) - PEN_WIDTH / 2
        b = np.concatenate(mine).max(axis=0) + PEN_WIDTH / 2
        boxes.append((float(a[1]), float(b[1]), float(a[0]), float(b[0])))
        strokes.extend(Stroke([(float(u), float(v)) for u, v in q]) for q in mine)
    return ComposedNumber(strokes, "".join(str(d.label) for d in picks), boxes, gaps)


def compose_numbers(drawings: Sequence[Drawing], count: int, seed: int = 0,
                    digits: tuple[int, int] = (2, 4)) -> list[ComposedNumber]:
    """``count`` numbers of ``digits[0]..digits[1]`` digits; the same for the same seed."""
    labelled = [d for d in drawings if d.label is not None and _ink(d)]
    rng = np.random.default_rng(seed)
    return [compose_number(labelled, rng, int(rng.integers(digits[0], digits[1] + 1)))
            for _ in range(count)]
