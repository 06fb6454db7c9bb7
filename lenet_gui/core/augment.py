"""On-the-fly augmentation of MNIST digits for the robust recipe.

People draw digits rotated, slanted, squeezed, wobbly and with pens thicker or
thinner than MNIST's. Each batch gets a random affine map (rotation, scale,
aspect, shear, translation), an elastic distortion (Simard et al. 2003) and a
stroke-width change (grey dilation or erosion), all in one vectorised resampling
per batch. Before that, some 0s, 1s and 7s get the strokes of the styles MNIST
lacks (a slash, a long flag and base, a crossbar; ``styles.add_styles``). Then every digit is re-made MNIST-style (``preprocess.mnist_style``),
exactly as a drawing is before recognition, so training sees what the canvas
produces. MNIST only: no other data, no fonts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .preprocess import MNIST_SIZE, mnist_style
from .styles import StyleConfig, add_styles


@dataclass(frozen=True)
class AugmentConfig:
    p: float = 0.8  # share of images augmented; the rest stay pristine MNIST
    rotation_deg: float = 15.0
    scale: tuple[float, float] = (0.85, 1.15)
    aspect: tuple[float, float] = (0.7, 1.4)  # width / height
    shear: float = 0.45  # x += shear * y (about 24 degrees of slant)
    shift_px: float = 2.0
    elastic_alpha: float = 34.0 / 28 * 8  # displacement scale, pixels
    elastic_sigma: float = 4.0
    elastic_p: float = 0.5
    thicken_p: float = 0.3
    thin_p: float = 0.2
    recentre: bool = True
    styles: StyleConfig | None = None  # style synthesis (needs the labels)


class Augmenter:
    """``augment(images uint8 (N, 28, 28), labels) -> float32 (N, 28, 28)`` in 0..255.

    ``labels`` are needed only for style synthesis (``AugmentConfig.styles``).
    """

    def __init__(self, seed: int = 0, config: AugmentConfig | None = None) -> None:
        self.rng = np.random.default_rng(seed)
        self.config = config or AugmentConfig()

    def __call__(self, images: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        c, rng = self.config, self.rng
        original = np.asarray(images, dtype=np.float32)
        if c.styles is not None and labels is not None and len(original):
            styled = add_styles(original, labels, rng, c.styles)
            changed = np.flatnonzero((styled != original).any(axis=(1, 2)))
            for i in changed:  # a new stroke moves the ink box: re-make it MNIST-style
                again = mnist_style(styled[i])
                if again is not None:
                    styled[i] = again
            original = styled
        x = original.copy()
        n = len(x)
        if n == 0:
            return x
        pristine = rng.random(n) >= c.p
        # Thickness first, on the original strokes.
        thick = rng.random(n) < c.thicken_p
        thin = ~thick & (rng.random(n) < c.thin_p)
        if thick.any():
            x[thick] = ndimage.grey_dilation(x[thick], size=(1, 2, 2))
        if thin.any():
            eroded = ndimage.grey_erosion(x[thin], size=(1, 2, 2))
            # Never erase a thin digit completely: keep the original where erosion
            # would leave too little ink.
            keep = eroded.reshape(len(eroded), -1).sum(1) > 0.35 * x[thin].reshape(
                len(eroded), -1).sum(1)
            x[thin] = np.where(keep[:, None, None], eroded, x[thin])

        # One inverse affine map per image: output coords -> input coords.
        angle = np.deg2rad(rng.uniform(-c.rotation_deg, c.rotation_deg, n))
        scale = rng.uniform(*c.scale, n)
        aspect = np.exp(rng.uniform(np.log(c.aspect[0]), np.log(c.aspect[1]), n))
        shear = rng.uniform(-c.shear, c.shear, n)
        sx, sy = scale * np.sqrt(aspect), scale / np.sqrt(aspect)
        cos, sin = np.cos(angle), np.sin(angle)
        # Forward map p' = R (shear, scale) p around the centre; sampling needs its inverse.
        a = np.stack([np.stack([sx, shear * sy], -1), np.stack([np.zeros(n), sy], -1)], 1)
        r = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], 1)
        fwd = r @ a  # acts on (x, y)
        inv = np.linalg.inv(fwd)
        centre = (MNIST_SIZE - 1) / 2.0
        shift = rng.uniform(-c.shift_px, c.shift_px, (n, 2))
        ys, xs = np.mgrid[0:MNIST_SIZE, 0:MNIST_SIZE].astype(np.float64)
        px = xs[None] - centre - shift[:, 0, None, None]
        py = ys[None] - centre - shift[:, 1, None, None]
        src_x = inv[:, 0, 0, None, None] * px + inv[:, 0, 1, None, None] * py + centre
        src_y = inv[:, 1, 0, None, None] * px + inv[:, 1, 1, None, None] * py + centre

        elastic = rng.random(n) < c.elastic_p
        if elastic.any():
            k = int(elastic.sum())
            field = rng.uniform(-1, 1, (2, k, MNIST_SIZE, MNIST_SIZE))
            field = ndimage.gaussian_filter(field, sigma=(0, 0, c.elastic_sigma,
                                                          c.elastic_sigma), mode="constant")
            norm = np.abs(field).max(axis=(2, 3), keepdims=True) + 1e-9
            field = field / norm * rng.uniform(0.3, 1.0, (1, k, 1, 1)) * (
                c.elastic_alpha / 8.0)
            src_x[elastic] += field[0]
            src_y[elastic] += field[1]

        batch_idx = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None, None], src_x.shape)
        out = ndimage.map_coordinates(x, [batch_idx, src_y, src_x], order=1, mode="constant",
                                      cval=0.0, prefilter=False)
        out = np.clip(out, 0, 255).astype(np.float32)
        if c.recentre:
            for i in np.flatnonzero(~pristine):
                again = mnist_style(out[i])
                out[i] = again if again is not None else original[i]
        out[pristine] = original[pristine]
        return out
