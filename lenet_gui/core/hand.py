"""Template polylines -> strokes the way a hand on a mouse draws them (numpy only).

Why: generated drawings (the non-digits of ``nondigits.py``, test sets) should look
like what the canvas really gets: uneven size and position, slant, a slow wobble and
a tremor, and mouse-move events 1-8 px apart (on the 280 px canvas) that bunch up at
stroke ends and in sharp turns, quantised to the pixels of the widget the mouse moved
in. The ideas follow tests/data/make_drawn_digits.py. All strokes of a drawing go
through each step together (one set of numpy calls per drawing, not per stroke):
small per-stroke calls dominated the cost of many-stroke drawings such as hatching.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .strokes import CANVAS_SIZE, Stroke

PX = 1.0 / CANVAS_SIZE  # one canvas pixel in unit-box coordinates
MARGIN = 0.06  # drawings are placed inside [MARGIN, 1 - MARGIN]
CLIP = (0.02, 0.98)  # final safety clip of every point
SPEED = (2.5, 6.0)  # px between mouse events at cruising speed (per drawing)
SPACING = (1.0, 8.0)  # px, clip of the spacing of consecutive events
SIDES = (280, 300, 360, 420, 480, 560)  # px, side of the widget the mouse moved in
MIN_STEP = 0.75  # px, closer points are dropped (the mouse did not move)
DENSE = 1.5  # px, spacing of the dense copy that the wobble and the mouse sampling use

Poly = np.ndarray


# ----------------------------------------------------------------------------
# Curve primitives (any box, x right, y down)

def line(*pts, n: int = 12) -> Poly:
    """A polyline through the points, each segment cut into n pieces."""
    p = np.asarray(pts, float)
    t = np.linspace(0.0, 1.0, n + 1)[1:, None]
    return np.vstack([p[:1]] + [a + (b - a) * t for a, b in zip(p[:-1], p[1:])])


def curve(*pts, n: int = 12) -> Poly:
    """A smooth curve through the points (centripetal Catmull-Rom: no cusps or loops
    that the points do not ask for), all segments at once."""
    p = np.asarray(pts, float)
    if len(p) < 3:
        return line(*p, n=n)
    e = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    p0, p1, p2, p3 = (e[k:len(e) - 3 + k][:, None, :] for k in range(4))
    step = np.maximum(np.hypot(*np.diff(e, axis=0).T), 1e-9) ** 0.5
    t1 = step[:-2, None, None]
    t2 = t1 + step[1:-1, None, None]
    t3 = t2 + step[2:, None, None]
    t = t1 + (t2 - t1) * np.linspace(0.0, 1.0, n + 1)[1:][None, :, None]
    a1 = (t1 - t) / t1 * p0 + t / t1 * p1
    a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
    a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
    b1 = (t2 - t) / t2 * a1 + t / t2 * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    out = (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2
    return np.vstack([p[:1], out.reshape(-1, 2)])


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float,
        spiral: float = 0.0) -> Poly:
    """Elliptic arc, degrees, 0 = right, 90 = down (increasing = clockwise on screen);
    ``spiral`` grows the radii from start to end, so a closure misses or crosses."""
    n = max(8, int(abs(a1 - a0) * 0.4))
    a = np.radians(np.linspace(a0, a1, n))
    k = 1.0 + spiral * np.linspace(0.0, 1.0, n)
    return np.column_stack([cx + rx * k * np.cos(a), cy + ry * k * np.sin(a)])


def glyph(rng: np.random.Generator, specs: Sequence[str], jit: float = 0.03) -> list[Poly]:
    """Strokes from a tiny path language, each control point jittered by N(0, jit).

    A spec is one stroke: ``L x,y x,y ...`` lines, ``C x,y ...`` a smooth curve,
    ``E cx,cy,rx,ry,a0,a1`` an arc, ``D x,y`` a dot; L and C continue from the end of
    the piece before. Why a language: a letter is then one readable line of data.
    """
    out = []
    for spec in specs:
        parts: list[tuple[str, list]] = []
        mode, fresh = "L", True
        for tok in spec.split():
            if tok.isalpha():
                mode, fresh = tok, True
                continue
            v = [float(x) for x in tok.split(",")]
            if mode == "E":
                cx, cy, rx, ry, a0, a1 = v
                d = rng.normal(0, jit, 4)
                parts.append(("E", list(arc(cx + d[0], cy + d[1], rx * (1 + d[2]),
                                            ry * (1 + d[3]), a0 + rng.normal(0, 8),
                                            a1 + rng.normal(0, 8)))))
                continue
            p = np.array(v) + rng.normal(0, jit, 2)
            if fresh or mode == "D":
                parts.append((mode, ([parts[-1][1][-1]] if parts and mode != "D" else []) + [p]))
                fresh = False
            else:
                parts[-1][1].append(p)
        dense = {"L": lambda q: line(*q), "C": lambda q: curve(*q)}
        out.append(np.vstack([dense.get(m, np.array)(q) for m, q in parts]))
    return out


# ----------------------------------------------------------------------------
# Segmented helpers: many strokes in one array, ``first`` = index of each stroke's start

def _seg_cumsum(x: np.ndarray, first: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarted at every stroke."""
    c = np.cumsum(x)
    return c - (c[first] - x[first])[sid]


def _arclen(p: np.ndarray, first: np.ndarray, sid: np.ndarray) -> np.ndarray:
    d = np.concatenate([[0.0], np.hypot(*np.diff(p, axis=0).T)])
    d[first] = 0.0
    return _seg_cumsum(d, first, sid)


def _layout(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, last, sid) of strokes with these point counts."""
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    return first, last, np.repeat(np.arange(len(counts)), counts)


def _at(values: np.ndarray, s: np.ndarray, pos: np.ndarray, sid_pos: np.ndarray,
        sid: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Interpolate per-stroke ``values`` (N, 2), known at arc lengths ``s``, at ``pos``
    (arc length within stroke ``sid_pos``): one np.interp over all strokes, each
    stroke shifted past the previous one."""
    off = np.concatenate([[0.0], np.cumsum(length + 10.0)])[:-1]
    g, q = s + off[sid], pos + off[sid_pos]
    return np.column_stack([np.interp(q, g, values[:, 0]), np.interp(q, g, values[:, 1])])


def _hand(rng: np.random.Generator, polys: list[Poly], shake: float, speed: float) -> list[Poly]:
    """Pixel-unit strokes (each at least 1.5 px long) -> mouse events: wobble and tremor
    along each stroke, then irregular event spacing, slower at the ends and in turns."""
    counts = np.array([len(p) for p in polys])
    first, last, sid = _layout(counts)
    p = np.vstack(polys)
    s = _arclen(p, first, sid)
    length = s[last]
    n_s = len(polys)
    # Dense copy (every DENSE px) with a slow wobble (70-220 px waves) and a tremor (8-20 px).
    nd = np.maximum(2, (length / DENSE).astype(int) + 1)
    dfirst, dlast, dsid = _layout(nd)
    pos = (np.arange(nd.sum()) - dfirst[dsid]) * (length / (nd - 1))[dsid]
    dense = _at(p, s, pos, dsid, sid, length)
    amp = np.repeat(np.column_stack([rng.uniform(0.5, 2.0, n_s), rng.uniform(0.0, 0.6, n_s)]), 2, 1)
    lam = np.column_stack([rng.uniform(70, 220, (n_s, 2)), rng.uniform(8, 20, (n_s, 2))])
    ph = rng.uniform(0, 2 * np.pi, (n_s, 4, 2))
    wave = np.sin(2 * np.pi * (pos[:, None] / lam[dsid])[:, :, None] + ph[dsid])
    dense += (amp[dsid][:, :, None] * wave).sum(axis=1) * (shake / 1.414) * np.clip(
        pos / 8.0, 0, 1)[:, None]
    # Mouse events: speed falls near the stroke ends and with the turning angle.
    s = _arclen(dense, dfirst, dsid)
    length = s[dlast]
    i = np.arange(len(dense))
    w = int(round(3.0 / DENSE))  # turning angle over about 6 px
    v1 = dense - dense[np.maximum(i - w, dfirst[dsid])]
    v2 = dense[np.minimum(i + w, dlast[dsid])] - dense
    n1, n2 = np.hypot(*v1.T) + 1e-12, np.hypot(*v2.T) + 1e-12
    turn = np.arccos(np.clip((v1 * v2).sum(axis=1) / (n1 * n2), -1, 1))
    ramp = np.clip(np.minimum(s, length[dsid] - s) / 30.0, 0, 1) ** 0.6
    v = np.clip(speed * (0.35 + 0.65 * ramp) / (1 + 2.5 * turn), *SPACING)
    ds = np.concatenate([[0.0], np.diff(s)])
    ds[dfirst] = 0.0
    events = _seg_cumsum(ds / v, dfirst, dsid)  # events needed to get this far
    e_total = events[dlast]
    m = (e_total * 1.6).astype(int) + 4
    efirst, _, esid = _layout(m)
    t = _seg_cumsum(np.exp(rng.normal(0, 0.35, m.sum())) / 1.063, efirst, esid)
    inside = t < e_total[esid]
    t, esid = t[inside], esid[inside]
    at = _at(s[:, None].repeat(2, 1), events, t, esid, dsid, e_total)[:, 0]
    # Clip the spacing to 1-8 px, restart at each stroke, keep what fits in the stroke.
    if len(at):
        new = np.concatenate([[True], esid[1:] != esid[:-1]])
        starts, seg = np.flatnonzero(new), np.cumsum(new) - 1
        prev = np.concatenate([[0.0], at[:-1]])
        prev[starts] = 0.0
        at = _seg_cumsum(np.clip(at - prev, *SPACING), starts, seg)
    keep = at < length[esid] - 0.5
    at, esid = at[keep], esid[keep]
    # Clipping the long gaps makes the events lag: fill the rest at the last speed.
    end = np.zeros(n_s)
    np.maximum.at(end, esid, at)
    fill = np.maximum(0, np.ceil((length - end) / 6.0).astype(int) - 1)
    ffirst, _, fsid = _layout(fill)
    k = np.arange(fill.sum()) - ffirst[fsid] + 1
    tail = end[fsid] + (length - end)[fsid] * k / (fill + 1)[fsid]
    at = np.concatenate([np.zeros(n_s), at, tail, length])
    asid = np.concatenate([np.arange(n_s), esid, fsid, np.arange(n_s)])
    order = np.lexsort((at, asid))
    at, asid = at[order], asid[order]
    pts = _at(dense, s, at, asid, dsid, length)
    return np.split(pts, np.cumsum(np.bincount(asid, minlength=n_s))[:-1])


def _thin(q: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop points closer than MIN_STEP to the one before (the mouse did not move),
    keeping both ends of every stroke (one shorter than that is a click: one point).
    ``q`` holds the strokes one after another, ``counts`` their lengths."""
    for _ in range(3):
        first, last, sid = _layout(counts)
        keep = np.concatenate([[True], np.hypot(*np.diff(q, axis=0).T) >= MIN_STEP * PX])
        keep[first] = True
        if keep.all():
            break
        # A dropped end point stays; the kept point before it goes instead.
        ends = last[~keep[last]]
        before = np.maximum.accumulate(np.where(keep, np.arange(len(q)), -1))[ends - 1]
        swap = before > first[sid[ends]]
        keep[before[swap]], keep[ends[swap]] = False, True
        q, counts = q[keep], np.bincount(sid[keep], minlength=len(counts))
    return q, counts


def _clipped(rng: np.random.Generator, sd: float) -> float:
    """Normal(0, sd) clipped to two sd."""
    return min(2 * sd, max(-2 * sd, float(rng.normal(0, sd))))


def mouse_strokes(rng: np.random.Generator, polys: Sequence[Poly], *,
                  size: tuple[float, float] = (0.35, 0.9), spin: float = 5.0,
                  slant: float = 10.0, aspect_sd: float = 0.12) -> list[Stroke]:
    """Template polylines (any box, y down) -> strokes in the canvas unit box.

    ``size``: range of the larger side as a fraction of the canvas; ``spin``: rotation
    sd in degrees (>= 180: any angle); ``slant``: shear sd in degrees; ``aspect_sd``:
    log-normal squeeze. A one-point polyline is a click.
    """
    polys = [np.asarray(p, float).reshape(-1, 2) for p in polys if len(p)]
    allp = np.vstack(polys)
    centre = (allp.min(axis=0) + allp.max(axis=0)) / 2
    aspect = math.exp(_clipped(rng, aspect_sd))
    shear = math.tan(math.radians(_clipped(rng, slant)))
    rot = rng.uniform(-math.pi, math.pi) if spin >= 180 else math.radians(_clipped(rng, spin))
    c, s = math.cos(rot), math.sin(rot)
    m = np.array([[c, -s], [s, c]]) @ np.array([[1.0, -shear], [0.0, 1.0]]) @ np.diag(
        [aspect ** 0.5, aspect ** -0.5])
    allp = (allp - centre) @ m.T
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    span = hi - lo
    room = 1.0 - 2 * MARGIN
    k = min(rng.uniform(*size), room) / span.max() if span.max() > 1e-9 else 1.0
    offs = (np.clip(0.5 + rng.normal(0, 0.12, 2), 0, 1) if rng.random() < 0.5
            else rng.uniform(0, 1, 2))
    origin = MARGIN + (room - k * span) * offs - k * lo
    allp = (allp * k + origin) * CANVAS_SIZE
    px = np.split(allp, np.cumsum([len(p) for p in polys])[:-1])
    # Small drawings come from small hand movements: less wobble.
    sloppy = min(1.8, max(0.5, math.exp(rng.normal(0, 0.35))))
    shake = min(1.5, sloppy * min(1.2, max(0.55, k * span.max() / 0.65)))
    speed, side = rng.uniform(*SPEED), int(rng.choice(SIDES))
    jit = rng.uniform(0.0, 0.35)
    lengths = [float(np.hypot(*np.diff(p, axis=0).T).sum()) for p in px]
    moving = [i for i, n in enumerate(lengths) if n >= 1.5]
    drawn = dict(zip(moving, _hand(rng, [px[i] for i in moving], shake, speed))) if moving else {}
    parts = [drawn[i] if i in drawn else  # a click, perhaps with a twitch of a pixel or two
             p[:1] + np.vstack([[0, 0], rng.normal(0, 1.0, (int(rng.integers(0, 3)), 2))])
             for i, p in enumerate(px)]
    q = np.round(np.vstack(parts) / CANVAS_SIZE * side) / side
    q, counts = _thin(q + rng.normal(0, jit * PX, q.shape), np.array([len(p) for p in parts]))
    flat = list(map(tuple, np.clip(q, *CLIP).tolist()))
    ends = np.cumsum(counts).tolist()
    return [Stroke(flat[e - n:e]) for e, n in zip(ends, counts.tolist())]
