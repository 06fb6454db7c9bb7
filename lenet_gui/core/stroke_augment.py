"""Augmentation of drawings as vectors, for learning a user's own handwriting.

A user teaches a few dozen digits; fine-tuning on exactly those would learn their
pixels. Each epoch sees new variants instead: the strokes get a small random
rotation, shear, squeeze, a smooth wobble and another pen width, then go through
the canvas's renderer and the MNIST-style preprocessing like a real drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .preprocess import mnist_style
from .reading import lone_digit_strokes
from .strokes import PEN_WIDTH, Drawing, Stroke, render_strokes

# Variants are rendered at half the canvas's resolution: after the 20x20 box of
# the preprocessing the two are indistinguishable, and it is 4x less work.
RENDER_SIZE = 140


@dataclass(frozen=True)
class StrokeAugmentConfig:
    rotation_deg: float = 8.0
    shear: float = 0.2
    aspect_sd: float = 0.1  # log-normal squeeze of width against height
    wobble: float = 0.012  # unit-box amplitude of a smooth displacement
    pen_width: tuple[float, float] = (0.8, 1.3)  # factor on the canvas pen


def augment_strokes(strokes: list[Stroke], rng: np.random.Generator,
                    config: StrokeAugmentConfig | None = None) -> tuple[list[Stroke], float]:
    """A random variant of ``strokes`` and the pen width to draw it with."""
    c = config or StrokeAugmentConfig()
    pts = [np.asarray(s.points, dtype=np.float64).reshape(-1, 2) for s in strokes]
    if not any(len(p) for p in pts):
        return list(strokes), PEN_WIDTH
    allp = np.concatenate([p for p in pts if len(p)])
    centre = (allp.min(axis=0) + allp.max(axis=0)) / 2
    angle = np.deg2rad(np.clip(rng.normal(0, c.rotation_deg / 2), -c.rotation_deg,
                               c.rotation_deg))
    shear = rng.uniform(-c.shear, c.shear)
    aspect = np.exp(np.clip(rng.normal(0, c.aspect_sd), -2 * c.aspect_sd, 2 * c.aspect_sd))
    cos, sin = np.cos(angle), np.sin(angle)
    m = np.array([[cos, -sin], [sin, cos]]) @ np.array([[aspect ** 0.5, shear],
                                                        [0.0, aspect ** -0.5]])
    # A smooth wobble: one low-frequency sinusoid per axis over the whole drawing.
    freq = rng.uniform(2.0, 5.0, 2)
    phase = rng.uniform(0, 2 * np.pi, 2)
    amp = rng.uniform(0, c.wobble, 2)
    out = []
    for s, p in zip(strokes, pts):
        if len(p) == 0:
            out.append(s)
            continue
        q = (p - centre) @ m.T + centre
        q[:, 0] += amp[0] * np.sin(freq[0] * 2 * np.pi * p[:, 1] + phase[0])
        q[:, 1] += amp[1] * np.sin(freq[1] * 2 * np.pi * p[:, 0] + phase[1])
        out.append(Stroke([(float(x), float(y)) for x, y in q], s.erase))
    return out, PEN_WIDTH * rng.uniform(*c.pen_width)


def drawing_variants(drawings: list[Drawing], copies: int, rng: np.random.Generator,
                     config: StrokeAugmentConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``copies`` augmented 28x28 MNIST-style images of each drawing, and their labels.

    Each drawing is first put at the size the Draw tab reads it at (a lone digit drawn
    much smaller or bigger than usual is redrawn: ``reading.lone_digit_strokes``)."""
    images, labels = [], []
    for d in drawings:
        as_read = lone_digit_strokes(d.strokes)
        for _ in range(copies):
            strokes, pen = augment_strokes(as_read, rng, config)
            digit = mnist_style(render_strokes(strokes, size=RENDER_SIZE, pen_width=pen))
            if digit is not None:
                images.append(digit)
                labels.append(int(d.label))
    if not images:
        return np.zeros((0, 28, 28), dtype=np.float32), np.zeros(0, dtype=np.int32)
    return np.stack(images).astype(np.float32), np.asarray(labels, dtype=np.int32)


__all__ = ["StrokeAugmentConfig", "augment_strokes", "drawing_variants", "RENDER_SIZE"]
