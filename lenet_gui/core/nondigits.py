"""Generated non-digits drawn like mouse strokes, so LeNet5 can learn "not a digit".

Why: a classifier trained on digits alone calls every scribble a digit. With outlier
exposure, training also sees these drawings with a uniform target, and a score
threshold chosen on validation data refuses them. Each kind is a template (a few
lines, curves and arcs with random proportions), then varied like a hand on a mouse:
size, position, aspect, slant, rotation, slow wobble and tremor, and mouse-event
sampling 1-8 px apart on the 280 px canvas (denser at stroke ends and in turns),
quantised to a widget's pixels. numpy only: no fonts, no datasets.

Kinds: the scribbles of ``scribbles.py`` (random walks, tangles, zig-zags, loops,
hatching, cross-hatching, scratched-out ink, spirals, filled blobs), geometric shapes
(triangle, rectangle, star, asterisk, plus, X, arrow, heart, circle with a cross,
checkmark, wavy line, long lines, dots) and letters and symbols a person would not
take for a digit (A E F H K M N R W Y k m w h # @ & % = ? ! $ euro sign).

Left out on purpose (EXCLUDED), because a person would accept them as a digit, or
nearly: O o D Q C c U u (an open or closed 0); I l i j | / \\ ( ) (a 1); T J L r t f
^ V v (a 7, a 1 with a flag or a base, a part of a 4); Z z (a 2); S s § (a 5); b G
(a 6); B (an 8); a d g q y (a 9, or a 4 for y); e n (a 6 or a 0 when hurried);
£ (a 2). P is no digit either, but is kept for the evaluation set's held-out kinds.
A lone circle is a 0 and a lone near-vertical line a 1, so neither is a kind; arrows
and long lines stay within 60 and 25 degrees of horizontal for the same reason.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Callable, Sequence

import numpy as np

from .hand import Poly, arc, glyph, line, mouse_strokes
from .preprocess import mnist_style
from .scribbles import SCRIBBLES, parallel
from .strokes import PEN_WIDTH, Drawing, Stroke, render_strokes

SEED = 20250601  # generate_nondigits' default (training); never the evaluation set's
RENDER_SIZE = 140  # nondigit_images: half the canvas, indistinguishable after mnist_style
PEN_FACTOR = (0.8, 1.3)  # nondigit_images: pen width = PEN_WIDTH x this


# ----------------------------------------------------------------------------
# Kinds

def _closed(rng, corners: np.ndarray) -> Poly:
    """A closed polyline from a random corner, ending with a small gap or overshoot."""
    k = int(rng.integers(len(corners)))
    c = np.roll(corners, -k, axis=0)
    c = np.vstack([c, c[:1] + (c[1] - c[0]) * rng.uniform(-0.05, 0.12)])
    return line(*c)


def _triangle(rng):
    """A triangle, one stroke or one stroke per side."""
    a = np.radians(np.array([-90, 30, 150]) + rng.normal(0, 12, 3))
    c = np.column_stack([np.cos(a), np.sin(a)])
    if rng.random() < 0.7:
        return [_closed(rng, c)]
    return [line(c[i], c[(i + 1) % 3] + rng.normal(0, 0.03, 2)) for i in range(3)]


def _rectangle(rng):
    """A square or rectangle with sharp corners (round ones read as 0)."""
    w = rng.uniform(0.8, 1.8)
    c = np.array([[0, 0], [w, 0], [w, 1], [0, 1]]) + rng.normal(0, 0.03, (4, 2))
    if rng.random() < 0.6:
        return [_closed(rng, c)]
    if rng.random() < 0.5:
        return [line(c[3], c[0], c[1]), line(c[1], c[2], c[3])]
    return [line(c[i], c[(i + 1) % 4]) for i in range(4)]


def _star(rng):
    """A five-pointed star in one stroke, or a six-pointed one of two triangles."""
    if rng.random() < 0.75:
        a = np.radians(-90 + 144 * np.arange(6) + rng.normal(0, 5, 6))
        return [line(*np.column_stack([np.cos(a), np.sin(a)]))]
    out = []
    for base in (-90, 90):
        a = np.radians(base + 120 * np.arange(4) + rng.normal(0, 5, 4))
        out.append(line(*np.column_stack([np.cos(a), np.sin(a)])))
    return out


def _asterisk(rng):
    """Three or four lines through one centre."""
    n = int(rng.integers(3, 5))
    out = []
    for a in np.radians(180 / n * np.arange(n) + 90 + rng.normal(0, 6, n)):
        d = np.array([math.cos(a), math.sin(a)]) * rng.uniform(0.4, 0.55)
        out.append(line(-d + rng.normal(0, 0.03, 2), d))
    return out


def _plus(rng):
    """A plus sign: balanced arms, crossing near the middle."""
    ym, xm = rng.uniform(0.4, 0.6, 2)
    return [line((xm, 0), (xm + rng.normal(0, 0.04), 1)),
            line((0, ym), (1, ym + rng.normal(0, 0.04)))]


def _x_cross(rng):
    """An X (the letter or a cross-out mark): two diagonals."""
    j = rng.normal(0, 0.05, (4, 2))
    return [line((0, 0) + j[0], (1, 1) + j[1]), line((1, 0) + j[2], (0, 1) + j[3])]


def _arrow(rng):
    """An arrow within 60 degrees of horizontal (a vertical one with a small head can
    pass for a 1), with a head a quarter to 40% of its length."""
    ang = math.radians(rng.uniform(-60, 60) + 180 * (rng.random() < 0.5))
    length, spread = rng.uniform(1.6, 3), math.radians(rng.uniform(25, 45))
    head = length * rng.uniform(0.25, 0.4)
    tip = np.array([length, 0.0])
    b = [tip + head * np.array([-math.cos(spread), sgn * math.sin(spread)]) for sgn in (-1, 1)]
    parts = ([line((0, 0), tip), line(b[0], tip, b[1])] if rng.random() < 0.6 else
             [line((0, 0), tip, b[0]), line(tip, b[1])])
    c, s = math.cos(ang), math.sin(ang)
    return [p @ np.array([[c, s], [-s, c]]) for p in parts]


def _heart(rng):
    """A heart, in one stroke from the cleft or as two halves."""
    t = np.linspace(0, 2 * math.pi, 140)
    dip = rng.uniform(3, 7)
    p = np.column_stack([16 * np.sin(t) ** 3, -(13 * np.cos(t) - dip * np.cos(2 * t)
                                                 - 2 * np.cos(3 * t) - np.cos(4 * t))])
    if rng.random() < 0.6:  # one stroke, ending a little past its start
        return [np.vstack([p, p[1:int(rng.integers(1, 6))]])]
    return [p[:71], p[70:][::-1]]


def _circle_cross(rng):
    """A circle with a plus or an X inside (a single slash would be a slashed 0)."""
    a0 = rng.uniform(0, 360)
    ring = arc(0, 0, 1, rng.uniform(0.85, 1.1), a0, a0 + rng.uniform(345, 385),
               spiral=rng.normal(0, 0.04))
    r = rng.uniform(0.75, 1.05)
    axes = [(0, 90), (45, 135)][int(rng.random() < 0.5)]
    return [ring] + [line(-r * np.array([math.cos(math.radians(a)), math.sin(math.radians(a))]),
                          r * np.array([math.cos(math.radians(a)), math.sin(math.radians(a))]))
                     for a in axes]


def _checkmark(rng):
    """A tick: a short stroke down to the right, then a long one up."""
    low = np.array([rng.uniform(0.25, 0.4), 1.0])
    high = (rng.uniform(0.9, 1.2), rng.uniform(-0.1, 0.05))
    return [line((0, rng.uniform(0.45, 0.65)), low, high)]


def _wavy_line(rng):
    """A horizontal wave of 2-5 periods (fewer, and a big one reads as a lying S or 2)."""
    periods = rng.uniform(2, 5)
    t = np.linspace(0, periods, int(50 * periods))
    amp = rng.uniform(0.12, 0.3)
    return [np.column_stack([t, amp * np.sin(2 * math.pi * t + rng.uniform(0, 6.3))])]


def _long_lines(rng):
    """One to three long straight lines, within 25 degrees of horizontal (never a 1)."""
    ang = math.radians(rng.uniform(-25, 25))
    n = int(rng.choice([1, 1, 2, 3]))
    if n > 1:
        return parallel(rng, n, ang, jag=0.05)
    return [line((0, 0), (math.cos(ang), math.sin(ang)))]


def _dots(rng):
    """A few clicks: single dots scattered over an area."""
    return [p[None] for p in rng.uniform(0, 1, (int(rng.integers(2, 13)), 2))]


_LETTERS = {
    # name: (width / height, strokes), in a 1x1 box with y down
    "A": (0.85, ["L 0,1 .5,0 1,1", "L .2,.62 .8,.62"]),
    "E": (0.7, ["L 1,0 0,0 0,1 1,1", "L 0,.5 .8,.5"]),
    "F": (0.65, ["L 0,1 0,0 1,0", "L 0,.48 .75,.48"]),
    "H": (0.8, ["L 0,0 0,1", "L 1,0 1,1", "L 0,.5 1,.5"]),
    "K": (0.8, ["L 0,0 0,1", "L .95,0 .05,.55", "L .3,.4 .95,1"]),
    "M": (1.0, ["L 0,1 .05,0 .5,.65 .95,0 1,1"]),
    "N": (0.8, ["L 0,1 0,0 1,1 1,0"]),
    "R": (0.75, ["L 0,1 0,0 .5,0 C .8,.12 .8,.36 .5,.5 L 0,.5 .9,1"]),
    "W": (1.2, ["L 0,0 .25,1 .5,.35 .75,1 1,0"]),
    "Y": (0.85, ["L 0,0 .5,.48", "L 1,0 .5,.48 .5,1"]),
    "k": (0.65, ["L 0,0 0,1", "L .8,.38 .05,.72 .85,1"]),
    "m": (1.3, ["L 0,0 0,1 0,.25 C .2,0 .42,.05 .47,.3 L .47,1 .47,.3 "
                "C .65,0 .9,.05 .95,.3 L .95,1"]),
    "w": (1.2, ["C 0,0 .1,.7 .25,1 .4,.65 .5,.3 .6,.65 .75,1 .9,.7 1,0"]),
    "h": (0.6, ["L 0,0 0,1 0,.62 C .25,.42 .55,.45 .65,.65 L .65,1"]),
    "hash": (0.9, ["L .38,0 .28,1", "L .78,0 .68,1", "L 0,.33 1,.33", "L 0,.67 1,.67"]),
    "at": (1.0, ["E .5,.52,.17,.2,-20,340 L .7,.32 .7,.66 C .86,.68 .97,.5",
                 "E .5,.5,.47,.5,-10,-300"]),
    "ampersand": (0.8, ["C .95,1 .3,.4 .22,.15 .45,0 .64,.15 .55,.35 .15,.65 .12,.88 .35,1 "
                        ".62,.92 .9,.6"]),
    "percent": (0.8, ["L .95,0 .05,1", "E .18,.18,.15,.15,-90,270", "E .82,.82,.15,.15,-90,270"]),
    "equals": (1.3, ["L 0,.3 1,.3", "L 0,.7 1,.7"]),
    "question": (0.6, ["C .02,.35 .12,.1 .45,0 .8,.06 .92,.25 .8,.42 .55,.5 .5,.6 L .5,.72",
                       "D .5,.97"]),
    "exclamation": (0.3, ["L .5,0 .5,.68", "D .5,.97"]),
    "dollar": (0.65, ["C .95,.15 .6,.05 .2,.1 .08,.3 .35,.48 .7,.55 .9,.75 .7,.93 .3,.95 .02,.82",
                      "L .5,-.12 .5,1.12"]),
    "euro": (0.85, ["E .62,.5,.5,.5,-50,-310", "L 0,.4 .72,.4", "L 0,.6 .68,.6"]),
}


def _letter(spec: tuple[float, list[str]]) -> Callable:
    aspect, strokes = spec

    def template(rng):
        polys = glyph(rng, strokes, jit=0.03)
        return [p * np.array([aspect, 1.0]) for p in polys], {"size": (0.45, 0.9)}
    return template


# name -> (template, options for hand.mouse_strokes)
_SHAPES = {
    "triangle": (_triangle, dict(spin=180)),
    "rectangle": (_rectangle, dict(spin=8)),
    "star": (_star, dict(spin=15)),
    "asterisk": (_asterisk, dict(spin=30)),
    "plus": (_plus, dict(spin=8, aspect_sd=0.15)),
    "x_cross": (_x_cross, dict(spin=10, aspect_sd=0.2)),
    "arrow": (_arrow, dict(spin=0.1, slant=1)),
    "heart": (_heart, dict(spin=12)),
    "circle_cross": (_circle_cross, dict(spin=10)),
    "checkmark": (_checkmark, dict(spin=10, slant=5)),
    "wavy_line": (_wavy_line, dict(spin=15, size=(0.5, 0.92), slant=5)),
    "long_lines": (_long_lines, dict(spin=0.1, slant=1, size=(0.6, 0.92))),
    "dots": (_dots, dict(spin=180, size=(0.2, 0.8))),
}
_GLYPHS = {(name if len(name) > 1 else f"letter_{name}"): (_letter(spec), dict(spin=5, slant=9))
           for name, spec in _LETTERS.items()}


def _kind(template: Callable, hand: dict, check: Callable | None = None
          ) -> Callable[[np.random.Generator], list[Stroke]]:
    """A kind: its template drawn through mouse_strokes (a template may return options
    for the hand too), drawn again while ``check`` refuses the result (100 tries)."""
    def make(rng: np.random.Generator) -> list[Stroke]:
        for _ in range(100):
            polys = template(rng)
            polys, extra = polys if isinstance(polys, tuple) else (polys, {})
            strokes = mouse_strokes(rng, polys, **{**hand, **extra})
            if check is None or not check(strokes):
                break
        return strokes
    make.__name__, make.__doc__ = template.__name__, template.__doc__
    return make


# Every kind: name -> function(rng) -> list[Stroke].
KINDS = MappingProxyType({name: _kind(*spec) for name, spec in
                          {**SCRIBBLES, **_SHAPES, **_GLYPHS}.items()})
EXCLUDED = MappingProxyType({
    **dict.fromkeys("OoDQCcUu", "an open or closed 0"),
    **dict.fromkeys("Ilij|/\\()", "a 1"),
    **dict.fromkeys("TJLrtf^Vv", "a 7, a 1 with a flag or a base, or a part of a 4"),
    **dict.fromkeys("Zz£", "a 2"), **dict.fromkeys("Ss§", "a 5"),
    **dict.fromkeys("bG", "a 6"), "B": "an 8", **dict.fromkeys("adgqy", "a 9 (y: a 4)"),
    **dict.fromkeys("en", "a 6 or a 0 when hurried"),
})


# ----------------------------------------------------------------------------
# Public API

def generate_nondigit(rng: np.random.Generator, kind: str | None = None) -> list[Stroke]:
    """Strokes of one non-digit of ``kind`` (any kind, uniformly, if None)."""
    if kind is None:
        kind = list(KINDS)[int(rng.integers(len(KINDS)))]
    if kind not in KINDS:
        raise ValueError(f"unknown non-digit kind {kind!r}; known: {', '.join(KINDS)}")
    return KINDS[kind](rng)


def generate_nondigits(n: int, seed: int = SEED,
                       kinds: Sequence[str] | None = None) -> list[Drawing]:
    """n drawings (label None, style = kind) cycling through ``kinds``; drawing i has its
    own generator ``default_rng([seed, i])``, so a set is reproducible and extendable."""
    kinds = list(kinds or KINDS)
    return [Drawing(generate_nondigit(np.random.default_rng([seed, i]), kinds[i % len(kinds)]),
                    None, kinds[i % len(kinds)]) for i in range(n)]


def nondigit_images(n: int, rng: np.random.Generator,
                    kinds: Sequence[str] | None = None) -> np.ndarray:
    """n generated non-digits made MNIST-style: (n, 28, 28) float32, 0..255, for
    training. Rendered at RENDER_SIZE with a random pen (PEN_WIDTH x PEN_FACTOR)."""
    kinds = list(kinds or KINDS)
    out = np.zeros((n, 28, 28), np.float32)
    i = 0
    while i < n:
        strokes = generate_nondigit(rng, kinds[int(rng.integers(len(kinds)))])
        pen = PEN_WIDTH * rng.uniform(*PEN_FACTOR)
        img = mnist_style(render_strokes(strokes, size=RENDER_SIZE, pen_width=pen))
        if img is not None:
            out[i] = img
            i += 1
    return out
