"""International digit styles that MNIST barely has (``INTL_STYLES``).

These are the shapes real users draw that the app gets wrong: slashed zeros,
continental 1s with a long up-stroke, crossed 7s, open and checkmark 4s, a closed
4 in one stroke, 2s with a big loop, 9s with a straight vertical tail, and 6s and
9s with very small loops. Same conventions as ``drawn_styles.py``: each template
takes the sample's random generator and returns strokes in the 1 x 1 digit box
(x right, y down) before the style's aspect (width / height) is applied.
"""

from __future__ import annotations

import numpy as np

from drawn_geometry import _u, arc, curve, join, line
from drawn_styles import _nine_loop, _one_stem, _oval, _seven_stem, _two_top

LONG, INSIDE = (1.06, 1.28), (0.55, 0.9)  # slash ends, in oval radii from the centre


# --- 0: slashed zeros (Ø) -----------------------------------------------------

def _slash_dir(r):
    # 30..45 degrees in the box; the aspect (0.8) makes it about 36..51 on the canvas.
    phi = np.radians(_u(r, 30, 45))
    return np.array([np.cos(phi), -np.sin(phi)]) * 0.5


def _slash(r, reach):
    """A slash through the middle of the oval, bottom-left to top-right, its ends
    ``reach`` oval radii from the centre (> 1: past the oval)."""
    d = _slash_dir(r)
    c = np.array([0.5 + _u(r, -0.05, 0.05), 0.5 + _u(r, -0.04, 0.04)])
    a, b = c - d * _u(r, *reach), c + d * _u(r, *reach)
    return line(a, b) if r.random() < 0.7 else line(b, a)  # mostly drawn upwards


def _slashed(r, reach):
    oval, slash = _oval(r), _slash(r, reach)
    return [slash, oval] if r.random() < 0.3 else [oval, slash]  # some draw the slash first


def zero_slashed_long(r):
    return _slashed(r, LONG)


def zero_slashed_inside(r):
    return _slashed(r, INSIDE)


def zero_slashed_one_stroke(r):
    """The oval and the slash without lifting the pen: clockwise round the oval and
    on to its top right, then down through it (or the slash first, then round)."""
    d = _slash_dir(r)
    phi = float(np.degrees(np.arctan2(-d[1], d[0])))
    spiral = _u(r, -0.06, 0.06)
    low = 0.5 - d * _u(r, *LONG)
    if r.random() < 0.5:
        start = -90 + _u(r, -30, 20)
        oval = arc(0.5, 0.5, 0.5, 0.5, start, 360 - phi + _u(r, -6, 10), spiral)
        return [join(oval, line(oval[-1], low))]
    oval = arc(0.5, 0.5, 0.5, 0.5, -phi, -phi - 360 - _u(r, -8, 25), spiral)
    return [join(line(low, oval[0]), oval)]


# --- 1: continental 1s ----------------------------------------------------------

ONE_ASPECT = 0.5  # the box is wide enough for the longest flag


def _continental(r):
    """A long flag (0.35..0.65 of the height long, 42..60 degrees up from the
    horizontal, starting at most 0.45 below the top) from lower left into the top,
    then the stem: one stroke."""
    top, mid, bot = _one_stem(r)
    ang = np.radians(_u(r, 42, 60))
    length = min(_u(r, 0.35, 0.65), 0.45 / np.sin(ang))
    dx, dy = length * np.cos(ang), length * np.sin(ang)   # in heights
    start = (top[0] - dx / ONE_ASPECT, top[1] + dy)
    bow = _u(r, -0.02, 0.05) * length                      # sags (<0) or bulges up (>0)
    m = (0.5 * (start[0] + top[0]) - bow * np.sin(ang) / ONE_ASPECT,
         0.5 * (start[1] + top[1]) - bow * np.cos(ang))
    return join(curve(start, m, top), curve(top, mid, bot)), bot


def one_continental(r):
    s, _ = _continental(r)
    return [s]


def one_continental_base(r):
    s, bot = _continental(r)
    y = 1.0 + _u(r, -0.02, 0.03)
    base = line((bot[0] - _u(r, 0.2, 0.36) / ONE_ASPECT, y + _u(r, -0.02, 0.02)),
                (bot[0] + _u(r, 0.2, 0.36) / ONE_ASPECT, y))
    return [s, base]


# Half the slant of the other styles (make_digit): with the full slant a long flag
# leans over into a 7's bar or stands up into a Λ.
one_continental.slant_scale = one_continental_base.slant_scale = 0.5


# --- 2 -----------------------------------------------------------------------

def two_looped(r):
    """The diagonal runs into a clear loop at the bottom left (clockwise), which
    crosses it and leaves along the base."""
    top = _two_top(r)
    w, h = _u(r, 0.32, 0.46), _u(r, 0.2, 0.3)      # loop size
    cx, cy = _u(r, 0.16, 0.26), _u(r, 0.95, 1.0) - h / 2

    def e(deg):  # a point of the loop; 0 = right, 90 = bottom
        return (cx + 0.5 * w * np.cos(np.radians(deg)), cy + 0.5 * h * np.sin(np.radians(deg)))
    pts = top + [(_u(r, 0.6, 0.72), _u(r, 0.52, 0.6)), e(35), e(90), e(145), e(200), e(250),
                 e(300), e(345), (cx + 0.75 * w, cy + 0.5 * h + 0.02),
                 (_u(r, 0.9, 1.02), _u(r, 0.94, 1.02))]
    return [curve(*pts)]


# --- 4 -----------------------------------------------------------------------

def four_open_vertical(r):
    """The left stroke runs nearly straight down, parallel to the stem, then turns
    into the crossbar; the two never meet at the top."""
    bar_y = _u(r, 0.55, 0.66)
    lx = _u(r, 0.04, 0.16)
    left = line((lx + _u(r, 0.0, 0.08), _u(r, 0.0, 0.1)), (lx, bar_y),
                (_u(r, 0.92, 1.04), bar_y + _u(r, -0.05, 0.02)))
    vx = _u(r, 0.62, 0.74)
    stem = line((vx + _u(r, -0.02, 0.03), _u(r, -0.04, 0.08)), (vx + _u(r, -0.05, 0.02), 1.0))
    return [left, stem]


def four_checkmark(r):
    """A checkmark (short down-stroke, long rising stroke), then the vertical."""
    by = _u(r, 0.5, 0.62)
    bx = _u(r, 0.1, 0.24)
    start = (bx - _u(r, -0.04, 0.08), _u(r, 0.0, 0.12))
    end = (_u(r, 0.95, 1.06), by - _u(r, 0.1, 0.26))
    if r.random() < 0.5:
        check = line(start, (bx, by), end)
    else:  # a rounded bottom
        check = curve(start, (bx - 0.01, by - 0.08), (bx + 0.06, by), (bx + 0.2, by - 0.04), end)
    vx = _u(r, 0.62, 0.74)
    stem = line((vx + _u(r, -0.02, 0.03), _u(r, -0.02, 0.1)), (vx + _u(r, -0.05, 0.02), 1.0))
    return [check, stem]


def four_closed_one_stroke(r):
    """Up the stem, down the diagonal, along the crossbar: one stroke (or backwards)."""
    bar_y = _u(r, 0.58, 0.7)
    vx = _u(r, 0.6, 0.72)
    bottom = (vx + _u(r, -0.06, 0.02), 1.0)
    apex = (vx + _u(r, -0.04, 0.03), _u(r, 0.0, 0.05))
    corner = (_u(r, 0.0, 0.08), bar_y)
    end = (_u(r, 0.9, 1.02), bar_y + _u(r, -0.04, 0.02))
    s = line(bottom, apex, corner, end)
    return [s if r.random() < 0.6 else s[::-1]]


# --- 6 -----------------------------------------------------------------------

def six_tiny_loop(r):
    """A long sweeping stem and a loop only 0.22..0.34 of the height tall."""
    lh, lw = _u(r, 0.22, 0.34), _u(r, 0.42, 0.62)
    lx = _u(r, 0.04, 0.14)
    cy = 1.0 - lh / 2
    stem = curve((_u(r, 0.78, 0.98), _u(r, 0.0, 0.06)), (_u(r, 0.42, 0.55), _u(r, 0.03, 0.1)),
                 (lx + _u(r, 0.02, 0.08), _u(r, 0.3, 0.42)), (lx, cy))
    loop = arc(lx + lw / 2, cy, lw / 2, lh / 2, 180, 180 - 345 - _u(r, -15, 30), _u(r, -0.08, 0.06))
    return [join(stem, loop)]


# --- 7 -----------------------------------------------------------------------

def _crossbar(r, stem):
    y = _u(r, 0.45, 0.58)
    sx = float(np.interp(y, stem[:, 1], stem[:, 0]))
    c = sx + _u(r, -0.05, 0.05)
    return line((c - _u(r, 0.2, 0.3), y + _u(r, -0.02, 0.03)),
                (c + _u(r, 0.2, 0.3), y + _u(r, -0.03, 0.02)))


def seven_crossed(r):
    corner = (_u(r, 0.9, 1.0), _u(r, -0.02, 0.04))
    stem, _ = _seven_stem(r, corner)
    top = line((_u(r, 0.0, 0.08), _u(r, -0.02, 0.06)), corner)
    return [join(top, stem), _crossbar(r, stem)]


def seven_crossed_hook(r):
    """A crossed 7 whose top starts with a down-tick or is drawn as a wave."""
    corner = (_u(r, 0.9, 1.0), _u(r, 0.0, 0.05))
    stem, _ = _seven_stem(r, corner)
    lx = _u(r, 0.0, 0.08)
    if r.random() < 0.5:
        top = line((lx + _u(r, -0.02, 0.04), _u(r, 0.14, 0.24)), (lx, _u(r, 0.0, 0.03)), corner)
    else:
        top = curve((lx, _u(r, 0.06, 0.14)), (_u(r, 0.25, 0.35), _u(r, -0.04, 0.0)),
                    (_u(r, 0.6, 0.7), _u(r, 0.04, 0.1)), corner)
    return [join(top, stem), _crossbar(r, stem)]


# --- 9 -----------------------------------------------------------------------

def nine_straight_tail(r):
    """A loop closed on its right side and a ruler-straight vertical stem from
    there; half of them first run up the right side to the height of the loop's top."""
    ly = _u(r, 0.38, 0.5)
    start = _u(r, -25, 5)
    loop = arc(0.5, ly / 2, 0.5, ly / 2, start, start - 360 - _u(r, -5, 10), _u(r, -0.05, 0.05))
    a = loop[-1]
    down = (a[0] + _u(r, -0.03, 0.02), 1.0)
    if r.random() < 0.5:
        up = (a[0] + _u(r, -0.01, 0.01), ly * _u(r, 0.05, 0.25))
        return [join(loop, line(a, up, down))]
    return [join(loop, line(a, down))]


def nine_tiny_loop(r):
    """A loop only 0.26..0.36 of the height tall on a long stem."""
    loop, ly = _nine_loop(r, (0.26, 0.36))
    a = loop[-1]
    stem = curve(a, (a[0] + _u(r, -0.03, 0.02), 0.5 * (ly + 1.0)), (a[0] + _u(r, -0.12, 0.03), 1.0))
    return [join(loop, stem)]


# (style name, template, aspect = width / height, weight); every style gets the
# same number of digits (make_drawn_digits.py --international --per-style).
INTL_STYLES: dict[int, list[tuple[str, object, float, int]]] = {
    0: [("0-slashed-long", zero_slashed_long, 0.8, 1),
        ("0-slashed-inside", zero_slashed_inside, 0.8, 1),
        ("0-slashed-one-stroke", zero_slashed_one_stroke, 0.8, 1)],
    1: [("1-continental", one_continental, ONE_ASPECT, 1),
        ("1-continental-base", one_continental_base, ONE_ASPECT, 1)],
    2: [("2-looped", two_looped, 0.72, 1)],
    4: [("4-open-vertical", four_open_vertical, 0.74, 1),
        ("4-checkmark", four_checkmark, 0.74, 1),
        ("4-closed-one-stroke", four_closed_one_stroke, 0.74, 1)],
    6: [("6-tiny-loop", six_tiny_loop, 0.6, 1)],
    7: [("7-crossed", seven_crossed, 0.76, 1), ("7-crossed-hook", seven_crossed_hook, 0.82, 1)],
    9: [("9-straight-tail", nine_straight_tail, 0.6, 1), ("9-tiny-loop", nine_tiny_loop, 0.4, 1)],
}
