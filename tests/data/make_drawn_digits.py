"""Generate the project's own drawn-digit evaluation set (tests/data/drawn_digits.json).

Every digit is built from a hand-designed style template (control points, lines
and elliptic arcs in a "digit box": x right, y down, the box 1 tall and 1 wide
before the aspect ratio is applied), then varied the way people vary when they
draw with a mouse:

* template proportions: each style draws its own random parameters (where the
  middle of a 3 sits, how big the loop of a 6 is, how far a closure misses or
  overshoots, where a flag starts ...);
* a smooth random warp of the whole box (low-frequency sinusoids);
* stroke ends trimmed or extended a little (undershoot / overshoot);
* aspect (narrow .. wide), slant by shear, a small rotation, size (35% .. 90%
  of the canvas height) and position (centred or anywhere on the canvas);
* a smooth low-frequency wobble and a faster small tremor along each stroke;
* mouse sampling: points about 1..8 px apart on a 280 px canvas, slower (denser) at
  the start and end of a stroke and in sharp turns, with irregular spacing,
  then quantised to the integer pixels of a randomly sized drawing widget and
  jittered slightly.

Nothing here reads MNIST, a font or a model: the set is an independent test of
what the app sees when people draw. The numbers are fixed (seed, counts), so the
output is reproducible bit for bit with the same numpy version.

Usage (from the repository root):

    python tests/data/make_drawn_digits.py --out tests/data/drawn_digits.json
    python tests/data/make_drawn_digits.py --out tests/data/drawn_digits.json \\
        --sheet docs/drawn_digits_sample.png      # contact sheet needs Pillow
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lenet_gui.strokes import (CANVAS_SIZE, Drawing, Stroke,  # noqa: E402
                               render_strokes, save_drawings)

SEED = 20240611
GENERATOR = "tests/data/make_drawn_digits.py v1"
PX = 1.0 / CANVAS_SIZE  # one canvas pixel in unit-box coordinates

# Variation ranges (documented in tests/data/README.md).
HEIGHT_RANGE = (0.35, 0.90)       # digit height as a fraction of the canvas side
SLANT_RANGE = (-20.0, 25.0)       # degrees, positive leans right (top to the right)
SLANT_MEAN, SLANT_SD = 5.0, 11.0  # normal, clipped to SLANT_RANGE
ROTATION_SD = 3.0                 # degrees, clipped to +-7
ASPECT_SD = 0.16                  # log-normal factor on the style's aspect ...
ASPECT_CLIP = (0.70, 1.40)        # ... clipped to this range
MARGIN = 0.05                     # the digit is placed inside [MARGIN + 0.01, 1 - MARGIN - 0.01]
CENTRED_FRACTION = 0.5            # the rest are placed anywhere that fits
WARP_AMP = 0.035                  # box units, smooth warp of the template
END_RANGE = (-0.035, 0.045)       # box units, trim (<0) / extend (>0) per stroke end
WOBBLE_AMP = (0.5, 2.0)           # px, slow wobble (wavelength 70..220 px)
WOBBLE_WAVE = (70, 220)
TREMOR_AMP = (0.0, 0.6)           # px, fast tremor (wavelength 8..20 px)
TREMOR_WAVE = (8, 20)
MIN_STEP = 0.75                   # px, closer points are dropped (the mouse did not move)
SPEED_RANGE = (2.5, 6.0)          # px between mouse events at cruising speed
SPACING_CLIP = (1.0, 8.0)         # px, spacing of consecutive points
WIDGET_SIDES = (280, 300, 360, 420, 480, 560)  # px, the widget the mouse moved in
JITTER_SD = (0.0, 0.35)           # px, extra point jitter
SLOPPINESS_SD = 0.35              # log-normal factor on warp and wobble ...
SLOPPINESS_CLIP = (0.5, 1.8)      # ... clipped to this range (careful .. shaky hands)
CLIP = (0.02, 0.98)               # final safety clip (never reached with these ranges)
ROTATION_CLIP = 7.0               # degrees

# --hard: the same templates drawn the way a hurried user draws: much more slant
# and rotation, tiny and huge digits, wider and narrower shapes, shakier hands.
HARD = {
    "HEIGHT_RANGE": (0.30, 0.95),
    "SLANT_RANGE": (-30.0, 38.0),
    "SLANT_MEAN": 8.0, "SLANT_SD": 15.0,
    "ROTATION_SD": 6.0, "ROTATION_CLIP": 15.0,
    "ASPECT_SD": 0.25, "ASPECT_CLIP": (0.6, 1.6),
    "WARP_AMP": 0.05,
    "SLOPPINESS_SD": 0.45, "SLOPPINESS_CLIP": (0.7, 2.4),
    "CENTRED_FRACTION": 0.3,
}
HARD_SEED = 20241125


# ----------------------------------------------------------------------------
# Curve primitives (box coordinates, dense polylines)

def line(*pts, n: int = 24) -> np.ndarray:
    pts = np.asarray(pts, float)
    out = [pts[0:1]]
    for a, b in zip(pts[:-1], pts[1:]):
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        out.append(a + (b - a) * t)
    return np.vstack(out)


def curve(*pts, n: int = 24) -> np.ndarray:
    """Centripetal Catmull-Rom spline through the points (smooth, no corners)."""
    p = np.asarray(pts, float)
    if len(p) == 2:
        return line(*p, n=n)
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = [p[0:1]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1:i + 3]
        t0 = 0.0
        t1 = t0 + max(np.linalg.norm(p1 - p0), 1e-9) ** 0.5
        t2 = t1 + max(np.linalg.norm(p2 - p1), 1e-9) ** 0.5
        t3 = t2 + max(np.linalg.norm(p3 - p2), 1e-9) ** 0.5
        t = np.linspace(t1, t2, n + 1)[1:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        out.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    return np.vstack(out)


def arc(cx, cy, rx, ry, a0, a1, spiral: float = 0.0, n_per_deg: float = 0.4) -> np.ndarray:
    """Elliptic arc; angles in degrees, 0 = right, 90 = bottom (y down), so
    increasing angles run clockwise on screen. ``spiral`` grows (>0) or shrinks
    (<0) the radii linearly from start to end, which makes closures miss or cross."""
    n = max(8, int(abs(a1 - a0) * n_per_deg))
    a = np.radians(np.linspace(a0, a1, n))
    k = 1.0 + spiral * np.linspace(0.0, 1.0, n)
    return np.column_stack([cx + rx * k * np.cos(a), cy + ry * k * np.sin(a)])


def join(*pieces) -> np.ndarray:
    """Concatenate pieces into one stroke (the pen does not lift)."""
    out = [np.asarray(pieces[0], float)]
    for p in pieces[1:]:
        p = np.asarray(p, float)
        if np.allclose(out[-1][-1], p[0]):
            p = p[1:]
        out.append(p)
    return np.vstack(out)


# ----------------------------------------------------------------------------
# Style templates. Each takes the sample's random generator and returns a list of
# strokes (dense polylines in the digit box). The box is 1 x 1 here; the style's
# aspect (width / height) is applied afterwards.

def _u(r, a, b):
    return float(r.uniform(a, b))


# --- 0 ----------------------------------------------------------------------

def _oval(r, rx=0.5, ry=0.5):
    start = -90 + _u(r, -35, 30)
    closure = _u(r, -14, 40)  # degrees past (>0) or short of (<0) a full turn
    spiral = _u(r, -0.10, 0.10)
    span = 360 + closure
    ccw = r.random() < 0.75
    pts = arc(0.5, 0.5, rx, ry, start, start - span if ccw else start + span, spiral)
    egg = _u(r, -0.25, 0.25)  # wider at the bottom (>0) or at the top (<0)
    pts[:, 0] = 0.5 + (pts[:, 0] - 0.5) * (1 + egg * (pts[:, 1] - 0.5))
    return pts


def zero_oval(r):
    return [_oval(r)]


def zero_round(r):
    return [_oval(r)]


def zero_pointed(r):
    # Top drawn as a point: start at the top, round the bottom, come back to a cusp.
    tx = _u(r, 0.42, 0.58)
    w = _u(r, 0.0, 0.06)
    end_over = _u(r, -0.04, 0.08)
    pts = [(tx, 0.0), (0.18 + w, 0.18), (0.02, 0.55), (0.2, 0.93), (0.5, 1.0),
           (0.82, 0.9), (0.98, 0.52), (0.82 - w, 0.17), (tx + 0.03, 0.0 + end_over),
           (tx - 0.05, 0.06 + end_over)]
    if r.random() < 0.5:  # the other way round
        pts = [(1 - x, y) for x, y in pts]
        pts[0] = (tx, 0.0)
    return [curve(*pts)]


def zero_slashed(r):
    o = _oval(r)
    slash = line((_u(r, 0.78, 0.95), _u(r, -0.05, 0.08)), (_u(r, 0.05, 0.22), _u(r, 0.92, 1.05)))
    return [o, slash]


# --- 1 ----------------------------------------------------------------------

def _one_stem(r):
    top = (0.5 + _u(r, -0.04, 0.04), 0.0)
    mid = (0.5 + _u(r, -0.05, 0.05), 0.5)
    bot = (0.5 + _u(r, -0.06, 0.06), 1.0)
    return top, mid, bot


def one_plain(r):
    top, mid, bot = _one_stem(r)
    return [curve(top, mid, bot)]


def _one_flag(r):
    top, mid, bot = _one_stem(r)
    fx = top[0] - _u(r, 0.28, 0.5)
    fy = _u(r, 0.14, 0.30)
    flag = curve((fx, fy), (0.5 * (fx + top[0]) + _u(r, -0.03, 0.03), 0.5 * fy - _u(r, 0.0, 0.05)), top)
    return join(flag, curve(top, mid, bot)), bot


def one_flag(r):
    s, _ = _one_flag(r)
    return [s]


def one_flag_base(r):
    s, bot = _one_flag(r)
    y = 1.0 + _u(r, -0.02, 0.03)
    base = line((bot[0] - _u(r, 0.3, 0.5), y + _u(r, -0.02, 0.02)), (bot[0] + _u(r, 0.3, 0.5), y))
    return [s, base]


# --- 2 ----------------------------------------------------------------------

def _two_top(r):
    sy = _u(r, 0.16, 0.34)
    return [(_u(r, 0.02, 0.15), sy), (_u(r, 0.2, 0.32), _u(r, 0.0, 0.06)),
            (_u(r, 0.52, 0.66), 0.0), (_u(r, 0.85, 0.95), _u(r, 0.14, 0.22)),
            (_u(r, 0.86, 0.96), _u(r, 0.32, 0.4))]


def two_plain(r):
    top = _two_top(r)
    mid = (_u(r, 0.55, 0.7), _u(r, 0.53, 0.62))
    corner = (_u(r, 0.0, 0.1), _u(r, 0.97, 1.0))
    end = (_u(r, 0.88, 1.0), _u(r, 0.94, 1.02))
    return [join(curve(*top, mid, ((mid[0] + corner[0]) / 2 - 0.02, (mid[1] + corner[1]) / 2 + 0.01), corner),
                 line(corner, end))]


def two_loop(r):
    top = _two_top(r)
    s = _u(r, 0.8, 1.25)   # loop size
    lx = _u(r, 0.12, 0.22)
    ly = _u(r, 0.86, 0.9)
    pts = top + [(_u(r, 0.6, 0.72), _u(r, 0.52, 0.6)),
                 (lx + 0.18 * s, ly - 0.1 * s),
                 (lx - 0.02 * s, ly + 0.06 * s),     # bottom-left of the loop
                 (lx - 0.09 * s, ly - 0.02 * s),
                 (lx - 0.02 * s, ly - 0.12 * s),     # top of the loop
                 (lx + 0.1 * s, ly - 0.05 * s),
                 (lx + 0.17 * s, ly + 0.08 * s),
                 (lx + 0.35, _u(r, 0.98, 1.02)),
                 (_u(r, 0.9, 1.02), _u(r, 0.95, 1.02))]
    return [curve(*pts)]


def two_swan(r):
    top = _two_top(r)
    pts = top + [(_u(r, 0.62, 0.72), _u(r, 0.55, 0.62)), (_u(r, 0.3, 0.38), _u(r, 0.82, 0.86)),
                 (_u(r, 0.02, 0.1), _u(r, 0.98, 1.02)), (_u(r, 0.3, 0.4), _u(r, 0.9, 0.95)),
                 (_u(r, 0.62, 0.72), _u(r, 0.96, 1.0)), (_u(r, 0.92, 1.02), _u(r, 0.9, 0.98))]
    return [curve(*pts)]


# --- 3 ----------------------------------------------------------------------

def _three_lower(r, m):
    return curve(m, (_u(r, 0.7, 0.82), _u(r, 0.5, 0.56)), (_u(r, 0.92, 1.0), _u(r, 0.72, 0.78)),
                 (_u(r, 0.72, 0.8), _u(r, 0.94, 0.98)), (_u(r, 0.38, 0.48), 1.0),
                 (_u(r, 0.0, 0.08), _u(r, 0.8, 0.9)))


def three_round(r):
    my = _u(r, 0.42, 0.5)
    m = (_u(r, 0.32, 0.5), my)
    upper = curve((_u(r, 0.02, 0.12), _u(r, 0.1, 0.22)), (_u(r, 0.38, 0.5), 0.0),
                  (_u(r, 0.8, 0.9), _u(r, 0.08, 0.14)), (_u(r, 0.8, 0.9), my * 0.6),
                  (m[0] + 0.18, my - 0.04), m)
    return [join(upper, _three_lower(r, m))]


def three_flat_top(r):
    y0 = _u(r, -0.02, 0.04)
    m = (_u(r, 0.3, 0.48), _u(r, 0.38, 0.46))
    top = line((_u(r, 0.0, 0.1), y0), (_u(r, 0.85, 0.98), _u(r, -0.02, 0.02)), m)
    return [join(top, _three_lower(r, m))]


def three_loop_middle(r):
    my = _u(r, 0.44, 0.5)
    s = _u(r, 0.85, 1.2)
    upper = curve((_u(r, 0.02, 0.12), _u(r, 0.1, 0.22)), (_u(r, 0.38, 0.5), 0.0),
                  (_u(r, 0.82, 0.92), _u(r, 0.1, 0.16)), (_u(r, 0.78, 0.88), my * 0.62),
                  (0.52, my - 0.02), (0.36, my + 0.02 * s),
                  (0.3, my - 0.06 * s), (0.4, my - 0.1 * s), (0.52, my - 0.01))
    return [join(upper, _three_lower(r, (0.52, my - 0.01))[1:])]


# --- 4 ----------------------------------------------------------------------

def four_open(r):
    bar_y = _u(r, 0.55, 0.68)
    corner = (_u(r, 0.0, 0.1), bar_y)
    left = line((_u(r, 0.18, 0.34), _u(r, 0.0, 0.08)), corner, (_u(r, 0.9, 1.02), bar_y + _u(r, -0.04, 0.02)))
    vx = _u(r, 0.64, 0.76)
    stem = curve((vx, _u(r, 0.0, 0.22)), (vx + _u(r, -0.02, 0.02), 0.5), (vx + _u(r, -0.05, 0.02), 1.0))
    return [left, stem]


def four_closed(r):
    bar_y = _u(r, 0.58, 0.7)
    vx = _u(r, 0.6, 0.72)
    tip = (vx + _u(r, -0.05, 0.02), _u(r, 0.0, 0.05))
    left = line(tip, (_u(r, 0.0, 0.08), bar_y), (_u(r, 0.9, 1.02), bar_y + _u(r, -0.04, 0.02)))
    stem = curve((vx + _u(r, -0.02, 0.03), _u(r, -0.02, 0.08)), (vx, 0.5), (vx + _u(r, -0.05, 0.02), 1.0))
    return [left, stem]


def four_three_strokes(r):
    bar_y = _u(r, 0.55, 0.66)
    lx = _u(r, 0.1, 0.22)
    left = line((lx + _u(r, 0.0, 0.1), _u(r, 0.0, 0.06)), (lx - _u(r, 0.0, 0.05), bar_y + _u(r, -0.02, 0.04)))
    bar = line((_u(r, -0.02, 0.08), bar_y), (_u(r, 0.9, 1.02), bar_y + _u(r, -0.04, 0.02)))
    vx = _u(r, 0.62, 0.74)
    stem = line((vx, _u(r, 0.0, 0.12)), (vx + _u(r, -0.05, 0.02), 1.0))
    return [left, bar, stem]


# --- 5 ----------------------------------------------------------------------

def _five_body(r, rounded=False):
    top = (_u(r, 0.12, 0.26), _u(r, 0.0, 0.03))
    knee = (top[0] - _u(r, 0.0, 0.08), _u(r, 0.4, 0.5))
    bowl = [knee, (_u(r, 0.4, 0.5), knee[1] - _u(r, 0.05, 0.09)), (_u(r, 0.8, 0.9), _u(r, 0.5, 0.56)),
            (_u(r, 0.92, 1.0), _u(r, 0.74, 0.8)), (_u(r, 0.7, 0.8), _u(r, 0.95, 0.99)),
            (_u(r, 0.38, 0.48), 1.0), (_u(r, 0.0, 0.1), _u(r, 0.85, 0.93))]
    if rounded:
        body = curve(top, (knee[0] - 0.01, knee[1] * 0.55), knee, *bowl[1:])
    else:
        body = join(line(top, knee), curve(*bowl))
    return top, body


def five_two_strokes(r):
    top, body = _five_body(r)
    flag = line((top[0] + _u(r, -0.03, 0.06), top[1] + _u(r, -0.03, 0.03)),
                (_u(r, 0.82, 1.0), _u(r, -0.04, 0.03)))
    return [body, flag]


def five_one_stroke(r):
    top, body = _five_body(r)
    return [join(line((_u(r, 0.82, 1.0), _u(r, -0.04, 0.03)), top), body)]


def five_rounded(r):
    top, body = _five_body(r, rounded=True)
    flag = line((top[0] + _u(r, -0.02, 0.06), top[1] + _u(r, -0.02, 0.02)),
                (_u(r, 0.82, 1.0), _u(r, -0.04, 0.03)))
    return [body, flag]


# --- 6 ----------------------------------------------------------------------

def _six_loop(r, loop_top):
    lt = loop_top
    h = 1.0 - lt
    close = _u(r, -0.06, 0.08)
    return [(_u(r, 0.02, 0.1), lt + 0.45 * h), (_u(r, 0.1, 0.2), lt + 0.85 * h), (_u(r, 0.45, 0.55), 1.0),
            (_u(r, 0.85, 0.95), lt + 0.7 * h), (_u(r, 0.78, 0.9), lt + 0.15 * h),
            (_u(r, 0.45, 0.55), lt), (_u(r, 0.15, 0.25), lt + 0.18 * h + close),
            (_u(r, 0.05, 0.12), lt + 0.35 * h + 1.5 * close)]


def six_curved(r):
    lt = _u(r, 0.4, 0.55)
    start = [(_u(r, 0.72, 0.9), _u(r, 0.0, 0.08)), (_u(r, 0.42, 0.52), _u(r, 0.02, 0.08)),
             (_u(r, 0.12, 0.22), _u(r, 0.22, 0.32))]
    return [curve(*start, *_six_loop(r, lt))]


def six_straight(r):
    lt = _u(r, 0.42, 0.58)
    sx = _u(r, 0.78, 0.95)
    start = [(sx, 0.0), (0.5 * (sx + 0.05) + 0.02, lt * 0.5)]
    return [curve(*start, *_six_loop(r, lt))]


def six_small_loop(r):
    lt = _u(r, 0.58, 0.66)
    start = [(_u(r, 0.78, 0.95), _u(r, 0.0, 0.06)), (_u(r, 0.4, 0.5), _u(r, 0.05, 0.12)),
             (_u(r, 0.12, 0.2), _u(r, 0.3, 0.4))]
    return [curve(*start, *_six_loop(r, lt))]


# --- 7 ----------------------------------------------------------------------

def _seven_stem(r, corner):
    bx = _u(r, 0.15, 0.42)
    bend = _u(r, -0.08, 0.06)
    mid = ((corner[0] + bx) / 2 + bend, 0.5)
    return curve(corner, mid, (bx, 1.0)), mid


def seven_plain(r):
    corner = (_u(r, 0.9, 1.0), _u(r, -0.02, 0.04))
    stem, _ = _seven_stem(r, corner)
    return [join(line((_u(r, 0.0, 0.08), _u(r, -0.02, 0.06)), corner), stem)]


def seven_bar(r):
    corner = (_u(r, 0.9, 1.0), _u(r, -0.02, 0.04))
    stem, mid = _seven_stem(r, corner)
    y = _u(r, 0.45, 0.56)
    cx = mid[0] + (y - 0.5) * -0.5
    bar = line((cx - _u(r, 0.2, 0.32), y + _u(r, -0.02, 0.03)), (cx + _u(r, 0.2, 0.32), y))
    return [join(line((_u(r, 0.0, 0.08), _u(r, -0.02, 0.06)), corner), stem), bar]


def seven_hook(r):
    corner = (_u(r, 0.9, 1.0), _u(r, 0.0, 0.05))
    stem, _ = _seven_stem(r, corner)
    lx = _u(r, 0.0, 0.08)
    tick = (lx + _u(r, -0.02, 0.04), _u(r, 0.14, 0.24))
    return [join(line(tick, (lx, _u(r, 0.0, 0.03)), corner), stem)]


# --- 8 ----------------------------------------------------------------------

def eight_continuous(r):
    cy = _u(r, 0.42, 0.52)
    cx = _u(r, 0.44, 0.56)
    tw = _u(r, 0.7, 0.95)   # top loop width relative to the bottom one
    t = lambda x: 0.5 + (x - 0.5) * tw  # noqa: E731
    over = _u(r, -0.04, 0.07)
    pts = [(t(0.88), 0.16), (t(0.55), 0.0), (t(0.14), 0.14), (t(0.22), cy * 0.72),
           (cx, cy), (0.88, cy + (1 - cy) * 0.35), (0.9, cy + (1 - cy) * 0.78), (0.5, 1.0),
           (0.08, cy + (1 - cy) * 0.75), (0.12, cy + (1 - cy) * 0.3), (cx, cy),
           (t(0.82), cy * 0.65), (t(0.88), 0.16 - over), (t(0.8), 0.06 - over)]
    if r.random() < 0.35:  # started to the left instead
        pts = [(1 - x, y) for x, y in pts]
    return [curve(*pts)]


def eight_two_loops(r):
    cy = _u(r, 0.4, 0.5)
    trx = _u(r, 0.3, 0.44)
    top = arc(0.5 + _u(r, -0.04, 0.04), cy / 2, trx, cy / 2, (a0 := -90 + _u(r, -40, 40)),
              a0 - 360 - _u(r, -12, 35), _u(r, -0.08, 0.08))
    brx = _u(r, 0.42, 0.5)
    b0 = -90 + _u(r, -40, 40)
    bot = arc(0.5 + _u(r, -0.04, 0.04), (1 + cy) / 2, brx, (1 - cy) / 2, b0,
              b0 + (360 + _u(r, -12, 35)) * (1 if r.random() < 0.5 else -1), _u(r, -0.08, 0.08))
    return [top, bot]


# --- 9 ----------------------------------------------------------------------

def _nine_loop(r, height=(0.4, 0.52)):
    ly = _u(r, *height)        # loop height
    start = _u(r, -40, 10)     # starts on the right, goes over the top (counter-clockwise)
    loop = arc(0.5, ly / 2, 0.5, ly / 2, start, start - 360 - _u(r, -4, 18), _u(r, -0.06, 0.06))
    return loop, ly


def nine_straight(r):
    loop, ly = _nine_loop(r)
    a = loop[-1]
    stem = curve(a, (a[0] + _u(r, -0.02, 0.02), 0.5 * (ly / 2 + 1.0)), (a[0] + _u(r, -0.08, 0.03), 1.0))
    return [join(loop, stem)]


def nine_curved(r):
    loop, ly = _nine_loop(r, (0.38, 0.48))
    a = loop[-1]
    stem = curve(a, (a[0] + _u(r, -0.02, 0.03), ly + (1 - ly) * 0.55),
                 (a[0] - _u(r, 0.08, 0.16), 0.97), (_u(r, 0.28, 0.5), _u(r, 0.9, 0.98)))
    return [join(loop, stem)]


def nine_two_strokes(r):
    ly = _u(r, 0.4, 0.52)
    start = -90 + _u(r, -30, 40)
    loop = arc(0.5, ly / 2, 0.5, ly / 2, start, start - 360 - _u(r, -12, 35), _u(r, -0.06, 0.06))
    sx = _u(r, 0.92, 1.02)
    stem = curve((sx, _u(r, 0.0, 0.2)), (sx - 0.02, 0.5), (sx - _u(r, 0.02, 0.12), 1.0))
    return [loop, stem]


# (style name, template, aspect = width / height, count out of 50)
STYLES: dict[int, list[tuple[str, object, float, int]]] = {
    0: [("0-oval", zero_oval, 0.68, 24), ("0-round", zero_round, 0.9, 12),
        ("0-pointed-top", zero_pointed, 0.66, 11), ("0-slashed", zero_slashed, 0.7, 3)],
    1: [("1-plain", one_plain, 0.4, 20), ("1-flag", one_flag, 0.45, 18),
        ("1-flag-base", one_flag_base, 0.45, 12)],
    2: [("2-plain", two_plain, 0.72, 22), ("2-loop", two_loop, 0.72, 14),
        ("2-swan", two_swan, 0.72, 14)],
    3: [("3-round", three_round, 0.66, 26), ("3-flat-top", three_flat_top, 0.66, 14),
        ("3-loop-middle", three_loop_middle, 0.66, 10)],
    4: [("4-open", four_open, 0.74, 20), ("4-closed", four_closed, 0.74, 18),
        ("4-open-three-strokes", four_three_strokes, 0.74, 12)],
    5: [("5-two-strokes", five_two_strokes, 0.66, 26), ("5-one-stroke", five_one_stroke, 0.66, 14),
        ("5-rounded-knee", five_rounded, 0.66, 10)],
    6: [("6-curved", six_curved, 0.64, 22), ("6-straight-stem", six_straight, 0.62, 16),
        ("6-small-loop", six_small_loop, 0.64, 12)],
    7: [("7-plain", seven_plain, 0.76, 22), ("7-bar", seven_bar, 0.76, 16),
        ("7-hook", seven_hook, 0.76, 12)],
    8: [("8-continuous", eight_continuous, 0.62, 30), ("8-two-loops", eight_two_loops, 0.6, 20)],
    9: [("9-straight-stem", nine_straight, 0.62, 22), ("9-curved-stem", nine_curved, 0.64, 16),
        ("9-two-strokes", nine_two_strokes, 0.62, 12)],
}


# ----------------------------------------------------------------------------
# Per-sample variation

def arclen(poly: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(poly, axis=0), axis=1))])


def resample(poly: np.ndarray, positions: np.ndarray) -> np.ndarray:
    s = arclen(poly)
    return np.column_stack([np.interp(positions, s, poly[:, 0]), np.interp(positions, s, poly[:, 1])])


def adjust_ends(r, poly: np.ndarray) -> np.ndarray:
    """Trim or extend both ends a little (the pen stops early or runs on)."""
    for _ in range(2):
        e = _u(r, *END_RANGE)
        s = arclen(poly)
        if e < 0 and s[-1] > 4 * -e:
            poly = resample(poly, np.linspace(0.0, s[-1] + e, len(poly)))
        elif e > 0:
            back = resample(poly, np.array([max(0.0, s[-1] - 0.04), s[-1]]))
            d = back[1] - back[0]
            nd = np.linalg.norm(d)
            if nd > 1e-9:
                ext = poly[-1] + d / nd * e * np.linspace(0, 1, 6)[1:, None]
                poly = np.vstack([poly, ext])
        poly = poly[::-1]
    return poly


def warp(r, strokes, amount: float = 1.0):
    """Smooth random displacement of the box (changes proportions a little)."""
    comps = []
    for _ in range(2):
        k = r.normal(0, 1, 2)
        k = k / max(np.linalg.norm(k), 1e-9) * _u(r, 1.5, 4.0)
        comps.append((k, _u(r, 0, 2 * np.pi), r.normal(0, amount * WARP_AMP / 1.5, 2)))

    def f(p):
        d = np.zeros_like(p)
        for k, ph, amp in comps:
            d += np.sin(p @ k + ph)[:, None] * amp
        return p + d
    return [f(s) for s in strokes]


def wobble(r, poly: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """Slow wobble plus fast tremor along the stroke (canvas units)."""
    s = arclen(poly)
    if s[-1] <= 0:
        return poly
    step = 0.5 * PX
    n = max(2, int(s[-1] / step) + 1)
    pos = np.linspace(0, s[-1], n)
    dense = resample(poly, pos)
    d = np.zeros_like(dense)
    slow = amount * _u(r, *WOBBLE_AMP) * PX
    fast = amount * _u(r, *TREMOR_AMP) * PX
    for amp, (lo, hi), comps in ((slow, WOBBLE_WAVE, 2), (fast, TREMOR_WAVE, 2)):
        for _ in range(comps):
            lam = _u(r, lo, hi) * PX
            ph = r.uniform(0, 2 * np.pi, 2)
            d += amp / np.sqrt(comps) * np.sin(2 * np.pi * pos[:, None] / lam + ph)
    # Anchor the start: the wobble builds up once the hand is moving.
    d *= np.clip(pos / (8 * PX), 0, 1)[:, None]
    return dense + d


def mouse_sample(r, dense: np.ndarray, speed: float) -> np.ndarray:
    """Pick the points a mouse would report: irregular spacing, slower at the ends
    and in sharp turns."""
    s = arclen(dense)
    total = s[-1]
    if total < 1.5 * PX:
        return dense[[0, -1]]
    # turning angle over a ~6 px window
    w = max(1, int(3 * PX / (0.5 * PX)))
    idx = np.arange(len(dense))
    a = dense[np.clip(idx - w, 0, len(dense) - 1)]
    b = dense[np.clip(idx + w, 0, len(dense) - 1)]
    v1 = dense - a
    v2 = b - dense
    n1 = np.linalg.norm(v1, axis=1) + 1e-12
    n2 = np.linalg.norm(v2, axis=1) + 1e-12
    cosang = np.clip((v1 * v2).sum(axis=1) / (n1 * n2), -1, 1)
    turn = np.arccos(cosang)
    turn[(n1 < 1e-9) | (n2 < 1e-9)] = 0.0
    out = [0.0]
    pos = 0.0
    while True:
        u = pos / total
        prof = 0.35 + 0.65 * np.sin(np.pi * u) ** 0.6
        tk = float(np.interp(pos, s, turn))
        gap = speed * prof / (1.0 + 2.5 * tk) * float(np.exp(r.normal(0, 0.35)))
        gap = float(np.clip(gap, *SPACING_CLIP)) * PX
        pos += gap
        if pos >= total - 0.5 * PX:
            break
        out.append(pos)
    out.append(total)
    return resample(dense, np.array(out))


def thin(p: np.ndarray) -> np.ndarray:
    """Drop points closer than MIN_STEP px to the previous one (keeping the last)."""
    keep = [0]
    for i in range(1, len(p)):
        if np.linalg.norm(p[i] - p[keep[-1]]) >= MIN_STEP * PX:
            keep.append(i)
    if keep[-1] != len(p) - 1:
        if len(keep) > 1:
            keep[-1] = len(p) - 1
        else:
            keep.append(len(p) - 1)
    return p[keep]


def make_digit(label: int, style_index: int, sample_index: int, seed: int = SEED) -> Drawing:
    name, template, aspect0, _ = STYLES[label][style_index]
    r = np.random.default_rng([seed, label, style_index, sample_index])
    strokes = template(r)
    sloppy = float(np.clip(np.exp(r.normal(0, SLOPPINESS_SD)), *SLOPPINESS_CLIP))
    strokes = [adjust_ends(r, s) for s in strokes]
    # A long straight 1 shows any bend as a wave: warp it less.
    strokes = warp(r, strokes, sloppy * (0.4 if label == 1 else 1.0))

    aspect = aspect0 * float(np.clip(np.exp(r.normal(0, ASPECT_SD)), *ASPECT_CLIP))
    slant = np.radians(float(np.clip(r.normal(SLANT_MEAN, SLANT_SD), *SLANT_RANGE)))
    rot = np.radians(float(np.clip(r.normal(0, ROTATION_SD), -ROTATION_CLIP, ROTATION_CLIP)))
    height = _u(r, *HEIGHT_RANGE)
    # Small digits come from small hand movements: their wobble is smaller too.
    shake = min(1.5, sloppy * float(np.clip(height / 0.65, 0.55, 1.2)))
    c, s_ = np.cos(rot), np.sin(rot)
    out = []
    for st in strokes:
        x = (st[:, 0] - 0.5) * aspect
        y = st[:, 1] - 0.5
        x = x - np.tan(slant) * y
        x, y = c * x - s_ * y, s_ * x + c * y
        out.append(np.column_stack([x, y]) * height)
    allp = np.vstack(out)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    span = hi - lo
    room = 1.0 - 2 * MARGIN - 0.02  # leave room for the wobble
    k = min(1.0, room / span.max())
    out = [p * k for p in out]
    lo, hi = lo * k, hi * k
    slack = room - (hi - lo)
    if r.random() < CENTRED_FRACTION:
        offs = np.clip(0.5 + r.normal(0, 0.12, 2), 0, 1)
    else:
        offs = r.uniform(0, 1, 2)
    origin = MARGIN + 0.01 + slack * offs - lo
    out = [p + origin for p in out]

    speed = _u(r, *SPEED_RANGE)
    side = int(r.choice(WIDGET_SIDES))
    jit = _u(r, *JITTER_SD) * PX
    final = []
    for p in out:
        p = mouse_sample(r, wobble(r, p, shake), speed)
        p = np.round(p * side) / side
        p = p + r.normal(0, 1, p.shape) * jit
        p = np.clip(p, *CLIP)
        final.append(Stroke([(float(x), float(y)) for x, y in thin(p)]))
    return Drawing(final, label, name)


def make_set(per_class: int = 50, seed: int = SEED) -> list[Drawing]:
    drawings = []
    for label in range(10):
        styles = STYLES[label]
        weights = np.array([c for *_, c in styles], float)
        counts = np.floor(weights / weights.sum() * per_class).astype(int)
        rem = per_class - counts.sum()
        for i in np.argsort(-(weights / weights.sum() * per_class - counts), kind="stable")[:rem]:
            counts[i] += 1
        items = [(si, n) for si, c in enumerate(counts) for n in range(c)]
        order = np.random.default_rng([seed, label, 999]).permutation(len(items))
        drawings.extend(make_digit(label, *items[i], seed=seed) for i in order)
    return drawings


def contact_sheet(drawings, path: Path, per_class: int = 10, cell: int = 112) -> None:
    from PIL import Image, ImageDraw  # only needed for the picture

    pad = 4
    by_label = {d: [x for x in drawings if x.label == d][:per_class] for d in range(10)}
    w = per_class * (cell + pad) + pad
    h = 10 * (cell + pad) + pad
    sheet = Image.new("L", (w, h), 200)
    draw = ImageDraw.Draw(sheet)
    for row in range(10):
        for col, d in enumerate(by_label[row]):
            ink = render_strokes(d.strokes, size=cell)
            tile = Image.fromarray((255 - ink * 225).astype(np.uint8), "L")
            x0, y0 = pad + col * (cell + pad), pad + row * (cell + pad)
            sheet.paste(tile, (x0, y0))
            draw.text((x0 + 3, y0 + 2), str(row), fill=150)
    sheet.save(path, optimize=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("drawn_digits.json"))
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--seed", type=int, help=f"default {SEED} ({HARD_SEED} with --hard)")
    ap.add_argument("--hard", action="store_true",
                    help="the wider 'hurried user' ranges (tests/data/README.md)")
    ap.add_argument("--sheet", type=Path, help="also write a contact sheet PNG (needs Pillow)")
    ap.add_argument("--sheet-per-class", type=int, default=10)
    args = ap.parse_args(argv)
    if args.hard:
        globals().update(HARD)
    seed = args.seed if args.seed is not None else (HARD_SEED if args.hard else SEED)
    drawings = make_set(args.per_class, seed)
    save_drawings(args.out, drawings, generator=GENERATOR + (" --hard" if args.hard else ""),
                  seed=seed)
    print(f"wrote {len(drawings)} digits to {args.out}")
    if args.sheet:
        contact_sheet(drawings, args.sheet, args.sheet_per_class)
        print(f"wrote contact sheet {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
