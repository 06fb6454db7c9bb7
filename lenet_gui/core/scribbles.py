"""Scribble-like non-digits: random walks, tangles, zig-zags, hatching, spirals, blobs.

Why a file of their own: random scribbles are the non-digits most likely to look like
a digit by accident (a curl is a 9, two stacked loops an 8, a retraced ring a 0), so
they are made with checks: a walk must spread over an area and cross itself, and what
the network will see (``mnist_style``) must have no hole, or three or more: a digit
has one (0, 6, 9, closed 4) or two (8). Each template returns polylines in its own
box, optionally with options for ``hand.mouse_strokes``.
"""

from __future__ import annotations

import math
from typing import Sequence, Union

import numpy as np

from .hand import Poly, curve, line
from .preprocess import mnist_style
from .strokes import PEN_WIDTH, Stroke, render_strokes

# What a template gives: polylines, or polylines and options for hand.mouse_strokes.
TemplateResult = Union[list[Poly], tuple[list[Poly], dict]]


def _walk(rng: np.random.Generator, turns: float, loops: float = 0.0,
          radius: float = 0.3) -> Poly:
    """A smooth random walk that stays in its area: a few random sinusoids per axis
    (about ``turns`` wanderings over the stroke) plus ``loops`` circles of ``radius``
    (a fraction of the wandering's extent)."""
    t = np.linspace(0.0, 1.0, 600)[:, None]
    k = int(rng.integers(3, 6))
    f = rng.uniform(0.3, 1.0, (1, k, 2)) * turns
    amp = rng.uniform(0.4, 1.0, (1, k, 2)) / np.arange(1, k + 1)[None, :, None] ** 0.5
    p = (amp * np.sin(2 * np.pi * f * t[:, :, None] + rng.uniform(0, 6.3, (1, k, 2)))).sum(axis=1)
    # Stretched to a round-ish area (a flat walk reads as a line): equal spread along
    # the principal axes, then a random aspect.
    var, vec = np.linalg.eigh(np.cov(p.T))
    p = (p - p.mean(axis=0)) @ vec / np.sqrt(var) * [rng.uniform(0.75, 1.0), 1.0] @ vec.T
    if loops:
        w = 2 * np.pi * loops * t[:, 0] * (1 if rng.random() < 0.5 else -1)
        r = radius * np.ptp(p, axis=0).mean()
        p = p + r * np.column_stack([np.cos(w), np.sin(w) * rng.uniform(0.7, 1.0)])
    return p


def _crossings(p: Poly, n: int = 60) -> int:
    """How often a polyline crosses itself (on about n segments)."""
    q = p[:: max(1, len(p) // n)]
    a, d = q[:-1], np.diff(q, axis=0)

    def side(ends):  # side[i, j]: which side of segment i the point ends[j] is on
        r = ends[None, :, :] - a[:, None, :]
        return d[:, None, 0] * r[..., 1] - d[:, None, 1] * r[..., 0]
    s1, s2 = side(q[:-1]), side(q[1:])
    x = (s1 * s2 < 0) & (s1.T * s2.T < 0)
    return int(np.triu(x, 2).sum())


def _busy(p: Poly, crossings: int = 0) -> bool:
    """Is a walk a real scribble: spread over an area (principal axes at least 0.6 : 1,
    at least 60% of a 6 x 6 grid visited) and crossing itself? A flat, short, retraced
    or uncrossed walk reads as the strokes of a digit: a 7, a curl like a 9, loops
    stacked like an 8."""
    q = p[:: max(1, len(p) // 300)]
    var, vec = np.linalg.eigh(np.cov(q.T))
    if var[0] < 0.36 * var[1]:
        return False
    q = q @ vec  # on its principal axes: any rotation alike
    cell = np.floor((q - q.min(axis=0)) / (np.ptp(q, axis=0).max() + 1e-9) * 5.999).astype(int)
    seen = np.unique(cell[:, 0] * 6 + cell[:, 1])
    if len(seen) < 0.6 * 36 or np.isin([14, 15, 20, 21], seen).sum() < 2:
        return False  # too little of the area, or a ring around an empty middle (a 0)
    return crossings <= 0 or _crossings(p) >= crossings


def _as_drawn(polys: list[Poly], size: float) -> list[Stroke]:
    """A template centred in the canvas box, its larger side ``size``: to check it the
    way it will be drawn (the pen is fixed on the canvas, so size matters)."""
    allp = np.vstack(polys)
    lo, span = allp.min(axis=0), np.ptp(allp, axis=0)
    k = size / max(span.max(), 1e-9)
    return [Stroke((p - lo - span / 2) * k + 0.5) for p in polys]


def scribble(rng: np.random.Generator) -> TemplateResult:
    """Smooth random walks: a meandering line that turns back and crosses itself."""
    size = rng.uniform(0.45, 0.92)
    while True:
        out = []
        for _ in range(1 if rng.random() < 0.8 else 2):
            p = _walk(rng, rng.uniform(4.0, 9.0))
            while not _busy(p, crossings=6):
                p = _walk(rng, rng.uniform(4.0, 9.0))
            out.append(p)
        if not digit_like_holes(_as_drawn(out, size)):
            return out, {"size": (size, size)}


def tangle(rng: np.random.Generator) -> TemplateResult:
    """A wandering line of 4-8 big loops, like a tangled thread."""
    size = rng.uniform(0.6, 0.92)
    while True:
        p = _walk(rng, rng.uniform(1.0, 2.0), loops=rng.uniform(4, 8),
                  radius=rng.uniform(0.35, 0.6))
        # a chain of loops in a row reads as an 8 or a 0
        if _busy(p, crossings=6) and not digit_like_holes(_as_drawn([p], size)):
            return [p], {"size": (size, size)}


def zigzag(rng: np.random.Generator) -> TemplateResult:
    """A sawtooth of 5-11 legs, sharp or rounded."""
    n = int(rng.integers(5, 12))
    x = np.arange(n + 1) * rng.uniform(0.18, 0.4) + rng.normal(0, 0.03, n + 1)
    y = np.where(np.arange(n + 1) % 2, 1.0, 0.0) + rng.normal(0, 0.08, n + 1)
    pts = np.column_stack([x, y])
    return [curve(*pts) if rng.random() < 0.35 else line(*pts)]


def cursive_loops(rng: np.random.Generator) -> TemplateResult:
    """A cursive chain of 3-7 loops (like 'llll' or 'eeee')."""
    n = rng.uniform(3, 7.5)
    t = np.linspace(0, 2 * math.pi * n, int(60 * n))
    rx, ry = rng.uniform(0.3, 0.5), rng.uniform(0.5, 1.0)
    adv = rng.uniform(0.35, 0.8) * rx
    return [np.column_stack([adv * t - rx * np.sin(t), -ry * np.cos(t)])]


def parallel(rng: np.random.Generator, n: int, angle: float, jag: float = 0.15) -> list[Poly]:
    """n roughly parallel lines (ends ragged by up to ``jag``) across a unit square,
    turned by ``angle`` radians, each drawn in a random direction."""
    ys = np.linspace(0, 1, n) + rng.normal(0, 0.2 / n, n)
    c, s = math.cos(angle), math.sin(angle)
    out = []
    for y in ys:
        a, b = rng.uniform(-jag, jag), 1 + rng.uniform(-jag, jag)
        seg = line((a, y), (b, y + rng.normal(0, 0.03)))
        seg = seg if rng.random() < 0.5 else seg[::-1]
        out.append(seg @ np.array([[c, s], [-s, c]]))
    return out


def hatching(rng: np.random.Generator) -> TemplateResult:
    """5-12 parallel lines over an area (shading or crossing out)."""
    size = rng.uniform(0.45, 0.9)
    n = int(rng.integers(5, max(6, min(13, int(size / 0.085)))))
    return parallel(rng, n, 0.0), {"size": (size, size)}


def crosshatch(rng: np.random.Generator) -> TemplateResult:
    """Two sets of parallel lines crossing at 50-90 degrees."""
    size = rng.uniform(0.5, 0.9)
    top = max(4, min(8, int(size / 0.1)))
    a = rng.uniform(0.9, 1.6) * (1 if rng.random() < 0.5 else -1)
    return (parallel(rng, int(rng.integers(3, top + 1)), 0.0)
            + parallel(rng, int(rng.integers(3, top + 1)), a), {"size": (size, size)})


def scratch_out(rng: np.random.Generator) -> TemplateResult:
    """One stroke scrubbing back and forth over an area (ink crossed out)."""
    n = int(rng.integers(7, 18))
    y = np.cumsum(rng.uniform(0.3, 1.0, n)) * rng.uniform(0.03, 0.07)
    x = np.where(np.arange(n) % 2, 1.0, 0.0) + rng.normal(0, 0.07, n)
    pts = np.column_stack([x, y * (1 if rng.random() < 0.8 else rng.uniform(1.5, 3))])
    return [curve(*pts) if rng.random() < 0.5 else line(*pts)]


def spiral(rng: np.random.Generator) -> TemplateResult:
    """An Archimedean spiral of 2-4 turns, drawn inwards or outwards."""
    size = rng.uniform(0.55, 0.92)
    turns = rng.uniform(2.0, max(2.1, min(4.0, size / 0.22)))
    t = np.linspace(0, 2 * math.pi * turns, int(80 * turns))
    r = 0.03 + t / t[-1]
    p = np.column_stack([r * np.cos(t), r * np.sin(t) * rng.uniform(0.75, 1.0)])
    p = p if rng.random() < 0.5 else p[::-1]
    return [p * (1 if rng.random() < 0.5 else np.array([-1, 1]))], {"size": (size, size)}


def blob(rng: np.random.Generator) -> TemplateResult:
    """A dense scribble that fills an area: small loops running over it row by row."""
    rows = int(rng.integers(3, 6))
    r = 0.5 / rows
    path = []  # back and forth across a disc, row by row
    for j in range(rows):
        y = -0.5 + r + 2 * r * j
        half = math.sqrt(max(0.04, 0.25 - y * y)) - r
        path += [(-half, y), (half, y)] if j % 2 == 0 else [(half, y), (-half, y)]
    centre = line(*path, n=40)
    t = np.arange(len(centre)) * rng.uniform(0.5, 0.8)
    return [centre + 1.25 * r * np.column_stack([np.cos(t), np.sin(t)])]


def hole_areas(strokes: Sequence[Stroke], pen_width: float = PEN_WIDTH) -> np.ndarray:
    """Areas of the enclosed background regions of a drawing (in the canvas box) as the
    network sees it (drawn with this pen, made MNIST-style), as fractions of the ink's
    bounding box."""
    img = mnist_style(render_strokes(strokes, size=70, pen_width=pen_width))
    if img is None:
        return np.zeros(0)
    bg = img < 0.35 * 255
    n = img.shape[0]
    lab = np.where(bg, np.arange(n * n).reshape(n, n), n * n)
    edge = np.zeros_like(bg)
    edge[[0, -1], :] = edge[:, [0, -1]] = True
    lab[edge & bg] = -1  # the outside
    while True:  # every run of background along a row, then a column, takes its smallest label
        before = lab
        for transpose in (False, True):
            a, mask = (lab.T, bg.T) if transpose else (lab, bg)
            flat, m = a.ravel(), mask.ravel()
            start = np.ones(n * n, bool)
            start[1:] = m[1:] != m[:-1]
            start[::n] = True
            runs = np.minimum.reduceat(flat, np.flatnonzero(start))[np.cumsum(start) - 1]
            a = np.where(m, runs, n * n).reshape(n, n)
            lab = a.T if transpose else a
        if np.array_equal(lab, before):
            break
    counts = np.bincount(lab[bg & (lab >= 0)], minlength=1)
    rows, cols = np.flatnonzero((~bg).any(axis=1)), np.flatnonzero((~bg).any(axis=0))
    box = (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1)
    return counts[counts > 0] / box


def digit_like_holes(strokes: Sequence[Stroke], pen_width: float = PEN_WIDTH,
                     big: float = 0.02, most: float = 0.1) -> bool:
    """One or two holes of some size, as in 0, 4, 6, 8, 9, or holes over ``most`` of
    the box in all (an outline, like a 0 with lines across it): a scribble with them
    is refused; no hole (a filled blob) or many small ones is no digit. On the drawn
    digits it flags every 0, 6, 8 and 9 of the normal set (90-98% of the hard set's
    6, 8, 9, where small loops fill in), a fifth of the 4s and no 1, 2, 5 or 7."""
    areas = hole_areas(strokes, pen_width)
    return 1 <= int((areas >= big).sum()) <= 2 or float(areas.sum()) > most


# name -> (template, options for hand.mouse_strokes, a check that refuses a drawing)
SCRIBBLES = {
    # A walk has no direction to turn. Its holes are checked on the template (cheap) and
    # again once drawn, since the hand's wobble can open or close a narrow gap.
    "scribble": (scribble, dict(spin=0.1, slant=3, aspect_sd=0.08), digit_like_holes),
    "tangle": (tangle, dict(spin=0.1, slant=3, aspect_sd=0.08), digit_like_holes),
    "zigzag": (zigzag, dict(spin=20, size=(0.5, 0.92)), None),
    "loops": (cursive_loops, dict(spin=12, size=(0.5, 0.92)), None),
    "hatching": (hatching, dict(spin=180), None),
    "crosshatch": (crosshatch, dict(spin=180), None),
    "scratch_out": (scratch_out, dict(spin=25, size=(0.4, 0.9)), None),
    "spiral": (spiral, dict(spin=180), None),
    "blob": (blob, dict(spin=180, size=(0.25, 0.7), aspect_sd=0.3), None),
}
