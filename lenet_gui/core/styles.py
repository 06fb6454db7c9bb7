"""Style synthesis: MNIST digits re-written in the styles MNIST barely has.

People outside North America often write a zero with a slash (Ø), a one with a
long up-stroke ("continental" 1) and often a base line, and a seven with a
crossbar; many people begin a 6 far to the right of its loop, or write it mostly
loop. MNIST has few of these, so a LeNet5 trained on it reads a slashed 0 as 8 or
9, a continental 1 as 7 and such a 6 as 5. ``add_styles`` adds the missing stroke
to real MNIST digits (drawn with Pillow at 4x resolution with a pen as wide as the
digit's own strokes, then averaged down), or re-proportions them, so the network
learns the styles on real handwriting instead of on templates. MNIST plus code: no
other data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from .preprocess import MNIST_SIZE

_SUPER = 4  # supersampling factor for the added strokes
#: A flag's length, as a share of the 1's height. Down to 0.15: the short, sharp flag of
#: a hurried continental 1, which was read as 7 when flags were at least 0.25 long.
FLAG_LENGTH = (0.15, 0.7)


@dataclass(frozen=True)
class StyleConfig:
    """How often each style is added, per image of that class."""

    slashed_zero: float = 0.3
    flagged_one: float = 0.4  # an up-stroke into the top of the 1 (FLAG_LENGTH)
    based_one: float = 0.45  # a base line, given a flag (some ones get a base alone)
    base_only_one: float = 0.05
    crossed_seven: float = 0.3
    hooked_six: float = 0.25  # the top of the 6 arched over to the right
    big_loop_six: float = 0.25  # a short stem over a loop most of the digit's height


def stroke_width(image: np.ndarray) -> float:
    """Estimated pen width of a 28x28 digit in pixels: ink area / skeleton length.

    Ink area is the grey mass; the length is approximated by half the ink outline
    (a long thin stroke has about twice its length as outline).
    """
    ink = np.asarray(image, dtype=np.float32) / 255.0
    mask = ink > 0.5
    area = float(ink.sum())
    if not mask.any():
        return 2.0
    edges = (np.abs(np.diff(mask.astype(np.int8), axis=0)).sum()
             + np.abs(np.diff(mask.astype(np.int8), axis=1)).sum())
    length = max(edges / 2.0, 1.0)
    return float(np.clip(area / length, 1.2, 4.0))


def _draw(image: np.ndarray, lines: list[tuple[float, float, float, float]],
          width: float) -> np.ndarray:
    """Add straight strokes (x0, y0, x1, y1 in pixel coordinates) to a 28x28 image.

    Every line gets round caps, so a curve given as consecutive short lines is smooth.
    """
    big = MNIST_SIZE * _SUPER
    layer = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(layer)
    w = max(1, int(round(width * _SUPER)))
    for x0, y0, x1, y1 in lines:
        pts = [((x0 + 0.5) * _SUPER, (y0 + 0.5) * _SUPER), ((x1 + 0.5) * _SUPER,
                                                            (y1 + 0.5) * _SUPER)]
        draw.line(pts, fill=255, width=w)
        for px, py in pts:  # round caps
            draw.ellipse([px - w / 2, py - w / 2, px + w / 2, py + w / 2], fill=255)
    small = np.asarray(layer.resize((MNIST_SIZE, MNIST_SIZE), Image.Resampling.BOX),
                       dtype=np.float32)
    return np.maximum(np.asarray(image, dtype=np.float32), small)


def _ink_geometry(image: np.ndarray):
    mask = np.asarray(image) > 100
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if len(rows) < 3 or len(cols) < 1:
        return None
    return mask, rows[0], rows[-1], cols[0], cols[-1]


def slash_zero(image: np.ndarray, rng: np.random.Generator, width: float) -> np.ndarray:
    """A diagonal slash through a 0, lower left to upper right (sometimes the other way)."""
    geo = _ink_geometry(image)
    if geo is None:
        return image
    _, top, bottom, left, right = geo
    cx, cy = (left + right) / 2.0, (top + bottom) / 2.0
    h, w = bottom - top, right - left
    angle = np.deg2rad(rng.uniform(50, 80))
    if rng.random() < 0.12:
        angle = np.pi - angle  # a backslash, rarer
    # Half length: from staying inside the oval to poking out of it.
    half = 0.5 * np.hypot(w * np.cos(angle), h * np.sin(angle)) * rng.uniform(0.75, 1.35)
    dx, dy = half * np.cos(angle), half * np.sin(angle)
    ox, oy = rng.normal(0, 0.04 * w), rng.normal(0, 0.04 * h)
    return _draw(image, [(cx + ox - dx, cy + oy + dy, cx + ox + dx, cy + oy - dy)], width)


def _top_and_bottom(mask: np.ndarray, top: int, bottom: int) -> tuple[float, float, float, float]:
    top_x = float(np.flatnonzero(mask[top]).mean())
    bottom_x = float(np.flatnonzero(mask[bottom]).mean())
    return top_x, float(top), bottom_x, float(bottom)


def flag_one(image: np.ndarray, rng: np.random.Generator, width: float, flag: bool,
             base: bool, length: tuple[float, float] = FLAG_LENGTH) -> np.ndarray:
    """A continental 1: an up-stroke into the top (``length``: its range, as a share of
    the height), and/or a base line."""
    geo = _ink_geometry(image)
    if geo is None:
        return image
    mask, top, bottom, _, _ = geo
    tx, ty, bx, by = _top_and_bottom(mask, top, bottom)
    height = max(by - ty, 1.0)
    stem = np.arctan2(bx - tx, by - ty)  # the stem's lean (0 = vertical)
    lines = []
    if flag:
        reach = height * rng.uniform(*length)
        # 25..65 degrees below the horizontal, to the left, measured from the stem's top.
        below = np.deg2rad(rng.uniform(25, 65))
        fx = tx - reach * np.cos(below)
        fy = ty + reach * np.sin(below)
        lines.append((fx, fy, tx, ty))
    if base:
        half = height * rng.uniform(0.18, 0.38)
        tilt = np.deg2rad(rng.normal(0, 4)) + 0.0 * stem
        dx, dy = half * np.cos(tilt), half * np.sin(tilt)
        off = rng.normal(0, 0.1) * half
        lines.append((bx - dx + off, by + 0.5 - dy, bx + dx + off, by + 0.5 + dy))
    return _draw(image, lines, width) if lines else image


def cross_seven(image: np.ndarray, rng: np.random.Generator, width: float) -> np.ndarray:
    """A European 7: a short crossbar through the middle of the stem."""
    geo = _ink_geometry(image)
    if geo is None:
        return image
    mask, top, bottom, left, right = geo
    height = bottom - top
    row = int(round(top + height * rng.uniform(0.45, 0.62)))
    cols = np.flatnonzero(mask[row])
    if len(cols) == 0:
        return image
    x = float(cols.mean())
    half = max(right - left, height * 0.5) * rng.uniform(0.18, 0.32)
    tilt = np.deg2rad(rng.normal(-3, 5))
    dx, dy = half * np.cos(tilt), half * np.sin(tilt)
    off = rng.normal(0, 0.12) * half
    return _draw(image, [(x - dx + off, row - dy, x + dx + off, row + dy)], width)


def hook_six(image: np.ndarray, rng: np.random.Generator, width: float) -> np.ndarray:
    """A 6 whose stem starts far to the right: the top arches over like a cap.

    Many people begin a 6 well right of its loop, so the top is a wide arch; MNIST's 6s
    mostly start straight above the loop, and a LeNet5 trained on them reads the wide
    arch as the flag of a 5. The arch continues the stem's top end to the right and
    down, as a quadratic curve.
    """
    geo = _ink_geometry(image)
    if geo is None:
        return image
    mask, top, bottom, left, right = geo
    tx, ty, _, _ = _top_and_bottom(mask, top, bottom)
    span = max(right - left, (bottom - top) * 0.5)
    length = span * rng.uniform(0.5, 1.0)
    ex = min(tx + length, MNIST_SIZE - 1.5)
    ey = ty + (bottom - top) * rng.uniform(0.02, 0.2)
    cx, cy = (tx + ex) / 2.0, ty - (bottom - top) * rng.uniform(0.04, 0.16)
    t = np.linspace(0.0, 1.0, 7)
    xs = (1 - t) ** 2 * tx + 2 * (1 - t) * t * cx + t ** 2 * ex
    ys = (1 - t) ** 2 * ty + 2 * (1 - t) * t * cy + t ** 2 * ey
    ys = np.maximum(ys, 0.0)
    lines = [(xs[k], ys[k], xs[k + 1], ys[k + 1]) for k in range(len(t) - 1)]
    return _draw(image, lines, width)


def big_loop_six(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 6 with a short stem over a big loop: the upper rows squeezed, the lower stretched.

    A hurried 6 is often mostly loop, with a short flick for the stem; MNIST's 6s have
    a long stem over a small loop. The rows above a point about half-way down (the
    stem) are squeezed into the top quarter to third of the digit, the rest stretched
    to fill it: the same strokes, other proportions.
    """
    geo = _ink_geometry(image)
    if geo is None:
        return image
    _, top, bottom, _, _ = geo
    height = float(bottom - top)
    src = top + height * rng.uniform(0.4, 0.52)  # where the stem meets the loop
    dst = top + height * rng.uniform(0.22, 0.34)
    y = np.arange(MNIST_SIZE, dtype=np.float64)
    # Output row -> source row: piecewise linear; rows outside the digit stay put.
    edge = MNIST_SIZE - 1
    source = np.interp(y, [0, top, dst, bottom, edge], [0, top, src, bottom, edge])
    lo = np.clip(np.floor(source).astype(int), 0, MNIST_SIZE - 1)
    hi = np.clip(lo + 1, 0, MNIST_SIZE - 1)
    w = (source - lo)[:, None]
    img = np.asarray(image, dtype=np.float32)
    return ((1 - w) * img[lo] + w * img[hi]).astype(np.float32)


def add_styles(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator,
               config: StyleConfig | None = None) -> np.ndarray:
    """Return a float32 copy of ``images`` (N, 28, 28) with styles added to some digits."""
    c = config or StyleConfig()
    out = np.asarray(images, dtype=np.float32).copy()
    labels = np.asarray(labels)
    draw = rng.random(len(out))
    for i in range(len(out)):
        label = int(labels[i])
        if label == 0 and draw[i] < c.slashed_zero:
            out[i] = slash_zero(out[i], rng, stroke_width(out[i]))
        elif label == 1:
            flag = draw[i] < c.flagged_one
            base = (flag and rng.random() < c.based_one) or (
                not flag and draw[i] < c.flagged_one + c.base_only_one)
            if flag or base:
                out[i] = flag_one(out[i], rng, stroke_width(out[i]), flag, base)
        elif label == 7 and draw[i] < c.crossed_seven:
            out[i] = cross_seven(out[i], rng, stroke_width(out[i]))
        elif label == 6:
            if rng.random() < c.big_loop_six:
                out[i] = big_loop_six(out[i], rng)
            if draw[i] < c.hooked_six:
                out[i] = hook_six(out[i], rng, stroke_width(out[i]))
    return np.clip(out, 0, 255)


__all__ = ["StyleConfig", "add_styles", "slash_zero", "flag_one", "cross_seven", "hook_six",
           "big_loop_six", "stroke_width", "FLAG_LENGTH"]
