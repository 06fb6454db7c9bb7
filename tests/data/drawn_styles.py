"""Style templates of the normal and hard drawn-digit sets (``STYLES``).

Each template takes the sample's random generator and returns a list of strokes
(dense polylines) in a "digit box": x right, y down, the box 1 tall and 1 wide
before the style's aspect (width / height) is applied. The international styles
are in ``drawn_intl_styles.py``; ``make_drawn_digits.py`` varies and samples them.
"""

from __future__ import annotations

from drawn_geometry import _u, arc, curve, join, line

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
