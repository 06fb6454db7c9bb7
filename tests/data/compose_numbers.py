"""Numbers of several digits made from the drawn-digit sets, for segmentation tests.

A test and benchmark helper, not shipped. ``compose_number`` places drawings from
``tests/data/drawn_digits*.json`` side by side on one canvas the way a person writes
a number: each digit scaled to about the same height (sizes vary a little), on a
baseline that wanders a little, with a common slant plus a little per digit, and
gaps between the digits' ink boxes that are mostly clear but sometimes tight,
touching or slightly overlapping. The whole number is scaled to fit the unit box,
so a number of 4 digits gets small digits drawn with the canvas's (unchanged) pen,
as it does on the real canvas. Deterministic for a given generator.

    from tests.data.compose_numbers import compose_numbers
    numbers = compose_numbers(drawings, 300, seed=1)   # 2..4 digits each
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lenet_gui.strokes import PEN_WIDTH, Drawing, Stroke

# Gap between neighbouring ink boxes, in digit heights: (probability, low, high).
# Boxes overlapping a little, boxes about touching, and ordinary gaps.
GAPS = ((0.08, -0.08, 0.0), (0.12, 0.0, 0.08), (0.80, 0.08, 0.5))
MARGIN = 0.03  # the number stays this far inside the unit box


@dataclass
class ComposedNumber:
    strokes: list[Stroke]
    text: str                                   # the digits, left to right
    boxes: list[tuple[float, float, float, float]]  # per digit: ink top, bottom, left, right (unit box)
    gaps: list[float]                           # ink-box gaps between neighbours, in digit heights


def _gap(rng: np.random.Generator) -> float:
    u = rng.random()
    for p, lo, hi in GAPS:
        if u < p:
            return float(rng.uniform(lo, hi))
        u -= p
    return float(rng.uniform(GAPS[-1][1], GAPS[-1][2]))


def _ink_points(drawing: Drawing) -> list[np.ndarray]:
    return [np.asarray(s.points, dtype=np.float64).reshape(-1, 2)
            for s in drawing.strokes if not s.erase and s.points]


def compose_number(drawings: Sequence[Drawing], rng: np.random.Generator,
                   n_digits: int) -> ComposedNumber:
    """One number of ``n_digits`` drawings (picked at random, labelled ones only)."""
    picks = [drawings[int(i)] for i in rng.integers(0, len(drawings), n_digits)]
    slant = rng.uniform(-0.18, 0.18)         # x shift per unit of height, whole number
    tilt = rng.uniform(-0.05, 0.05)          # baseline slope
    digits = []                              # (strokes in digit-height units, ink w, h)
    for d in picks:
        strokes = _ink_points(d)
        pts = np.concatenate(strokes)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        height = max(hi[1] - lo[1], 1e-3)
        size = rng.uniform(0.88, 1.12)
        shear = slant + rng.uniform(-0.05, 0.05)
        out = []
        for s in strokes:
            p = (s - lo) / height * size      # height `size`, top-left at 0
            p[:, 0] -= shear * (p[:, 1] - size)  # slant about the baseline
            out.append(p)
        allp = np.concatenate(out)
        x0 = allp[:, 0].min()
        out = [p - [x0, 0.0] for p in out]
        digits.append((out, float(np.ptp(allp[:, 0])), size))
    gaps = [_gap(rng) for _ in range(n_digits - 1)]
    widths = [w for _, w, _ in digits]
    # Canvas units: digit height H, pen PEN_WIDTH (ink box = centre lines + pen).
    room = 1.0 - 2 * MARGIN
    h_fit = min((room - n_digits * PEN_WIDTH) / (sum(widths) + sum(gaps) + 1e-9),
                (room - PEN_WIDTH) / 1.3, 0.8)
    h = h_fit * rng.uniform(0.8, 1.0)
    placed, boxes, x = [], [], 0.0
    base = []
    for i, (strokes, w, size) in enumerate(digits):
        b = rng.uniform(-0.06, 0.06) + tilt * x / max(h, 1e-9)
        for p in strokes:
            q = p * h
            q[:, 0] += x + PEN_WIDTH / 2
            q[:, 1] += (1.0 - size + b) * h + PEN_WIDTH / 2  # bottom on the baseline
            placed.append((i, q))
        base.append(b)
        x += w * h + PEN_WIDTH + (gaps[i] * h if i < n_digits - 1 else 0.0)
    allp = np.concatenate([q for _, q in placed])
    lo = allp.min(axis=0) - PEN_WIDTH / 2
    hi = allp.max(axis=0) + PEN_WIDTH / 2
    span = hi - lo
    shift = np.array([rng.uniform(MARGIN, max(MARGIN, 1 - MARGIN - span[0])),
                      rng.uniform(MARGIN, max(MARGIN, 1 - MARGIN - span[1]))]) - lo
    result = []
    for i in range(n_digits):
        pts = [q + shift for j, q in placed if j == i]
        allq = np.concatenate(pts)
        boxes.append((float(allq[:, 1].min() - PEN_WIDTH / 2), float(allq[:, 1].max() + PEN_WIDTH / 2),
                      float(allq[:, 0].min() - PEN_WIDTH / 2), float(allq[:, 0].max() + PEN_WIDTH / 2)))
        result.extend(Stroke([(float(a), float(b)) for a, b in q]) for q in pts)
    text = "".join(str(d.label) for d in picks)
    return ComposedNumber(result, text, boxes, gaps)


def compose_numbers(drawings: Sequence[Drawing], count: int, seed: int = 0,
                    digits: tuple[int, int] = (2, 4)) -> list[ComposedNumber]:
    """``count`` numbers of ``digits[0]..digits[1]`` digits, the same for the same seed."""
    labelled = [d for d in drawings if d.label is not None and _ink_points(d)]
    rng = np.random.default_rng(seed)
    return [compose_number(labelled, rng, int(rng.integers(digits[0], digits[1] + 1)))
            for _ in range(count)]
