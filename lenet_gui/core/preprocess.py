"""MNIST-style preprocessing shared by the training data and everything a user draws.

MNIST digits were made by scaling each digit's ink box to fit 20x20 (keeping its
aspect ratio, with anti-aliasing) and translating it so that its centre of mass
sits at the centre of a 28x28 field. The course then resizes 28x28 to 32x32
(bilinear) and normalises with MNIST's mean and standard deviation.

``normalise`` is the one function that turns a 28x28 MNIST-style image into the
network's input; the dataset pipeline and the recognizer both call it.
``mnist_style`` turns any ink image (a canvas, a photo) into such a 28x28 image.
Pure numpy + Pillow: no Qt, no MindSpore.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

MEAN = 0.1307
STD = 0.3081
MNIST_SIZE = 28
INPUT_SIZE = 32
BOX_SIZE = 20
# Centre of mass of the average MNIST digit, in pixel-index coordinates
# (measured on the 60,000 training images: 13.996, 14.007).
CENTRE = 14.0
# Ink below this fraction of the image's maximum counts as background when the
# ink box is found, so faint anti-aliasing or JPEG noise does not widen the box.
INK_THRESHOLD = 0.1
PREPROCESSING_ID = "mnist-box20-com28-bilinear32-norm0.1307/0.3081"


@lru_cache(maxsize=None)
def _resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Bilinear resize as a matrix, with OpenCV's half-pixel-centre convention.

    The same convention as ``mindspore.dataset.vision.Resize(Inter.LINEAR)``.
    """
    m = np.zeros((n_out, n_in), dtype=np.float64)
    scale = n_in / n_out
    for i in range(n_out):
        src = (i + 0.5) * scale - 0.5
        src = min(max(src, 0.0), n_in - 1.0)
        lo = int(np.floor(src))
        hi = min(lo + 1, n_in - 1)
        frac = src - lo
        m[i, lo] += 1.0 - frac
        m[i, hi] += frac
    m.setflags(write=False)
    return m


def normalise(images: np.ndarray) -> np.ndarray:
    """28x28 MNIST-style image(s), 0..255 ink-on-black -> the network's float32 input.

    Accepts (28, 28) -> (1, 32, 32) or (N, 28, 28) -> (N, 1, 32, 32): the course's
    Resize(32, 32) + Rescale(1/255) + Rescale(1/0.3081, -0.1307/0.3081) + HWC2CHW.
    """
    x = np.asarray(images)
    single = x.ndim == 2
    if single:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != (MNIST_SIZE, MNIST_SIZE):
        raise ValueError(f"expected 28x28 image(s), got shape {np.shape(images)}")
    r = _resize_matrix32(MNIST_SIZE, INPUT_SIZE)
    out = np.empty((len(x), 1, INPUT_SIZE, INPUT_SIZE), dtype=np.float32)
    # In chunks: all of MNIST at once would need ~1 GB of temporaries. Two batched
    # matmuls (rows, then columns): for one drawing, a tenth of einsum's path search.
    for start in range(0, len(x), 4096):
        chunk = x[start:start + 4096].astype(np.float32)
        y = np.matmul(np.matmul(r, chunk), r.T)
        out[start:start + 4096, 0] = (y / 255.0 - MEAN) / STD
    return out[0] if single else out


@lru_cache(maxsize=None)
def _resize_matrix32(n_in: int, n_out: int) -> np.ndarray:
    m = _resize_matrix(n_in, n_out).astype(np.float32)
    m.setflags(write=False)
    return m


def denormalise(model_input: np.ndarray) -> np.ndarray:
    """The network's input back to 0..255 grey levels, to show what the model saw."""
    x = np.asarray(model_input, dtype=np.float32).reshape(INPUT_SIZE, INPUT_SIZE)
    return np.clip((x * STD + MEAN) * 255.0, 0, 255).astype(np.uint8)


def ink_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the ink, bottom/right exclusive; None if empty."""
    return _ink_box(ink, float(ink.max()) if ink.size else 0.0)


def _ink_box(ink: np.ndarray, peak: float) -> tuple[int, int, int, int] | None:
    """``ink_box`` given the image's maximum ``peak``, already known to the caller."""
    if not np.isfinite(peak) or peak <= 0:
        return None
    mask = ink > peak * INK_THRESHOLD
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def mnist_style(ink: np.ndarray) -> np.ndarray | None:
    """Any ink image -> 28x28 float32 (0..255) made the way MNIST was made; None if blank.

    ``ink`` is 2-D, background 0, more ink = larger values (any scale). The ink box
    is scaled to fit 20x20 keeping the aspect ratio, with area-averaging
    anti-aliasing, and the result is shifted by whole pixels so that its centre of
    mass lands on MNIST's average centre.
    """
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D ink image, got shape {ink.shape}")
    peak = float(ink.max()) if ink.size else 0.0
    if ink.size and not (np.isfinite(peak) and ink.min() >= 0):
        # Only odd input (a corrupt file, a bad array) pays for the cleaning copies.
        ink = np.nan_to_num(ink, nan=0.0, posinf=0.0, neginf=0.0)
        ink = np.clip(ink, 0.0, None)
        peak = float(ink.max())
    box = _ink_box(ink, peak)
    if box is None:
        return None
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right] / peak  # the box holds the peak
    h, w = crop.shape
    scale = BOX_SIZE / max(h, w)
    new_h = max(1, min(BOX_SIZE, int(round(h * scale))))
    new_w = max(1, min(BOX_SIZE, int(round(w * scale))))
    small = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32)).resize(
        (new_w, new_h), Image.Resampling.BOX)
    digit = np.clip(np.asarray(small, dtype=np.float32), 0.0, 1.0)
    if digit.max() <= 0:
        return None
    # A line thinner than a pixel fades when averaged down; MNIST's strokes are
    # never fainter than full ink, so stretch the grey levels back to 0..1.
    digit = digit / digit.max()

    total = digit.sum()
    cy = (digit.sum(axis=1) * np.arange(new_h)).sum() / total
    cx = (digit.sum(axis=0) * np.arange(new_w)).sum() / total
    top0 = int(round(CENTRE - cy))
    left0 = int(round(CENTRE - cx))
    # Keep the whole box inside the field even for very lopsided ink.
    top0 = min(max(top0, 0), MNIST_SIZE - new_h)
    left0 = min(max(left0, 0), MNIST_SIZE - new_w)
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    out[top0:top0 + new_h, left0:left0 + new_w] = digit * 255.0
    return out


def image_to_ink(image: Image.Image, max_side: int = 1024) -> np.ndarray:
    """A picture of a digit (dark on light or light on dark, any mode) -> ink map 0..1.

    The background is taken to be the median of the border pixels; ink is what
    differs from it. Transparent areas count as background.
    """
    image.draft("L", (max_side, max_side))  # JPEG: decode at a reduced size
    if max(image.size) > max_side:
        # One reducing resize: no full-size copy of a huge picture.
        scale = max_side / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        grey = np.asarray(image.convert("F"), dtype=np.float32)
        hi = float(grey.max()) if grey.size else 0.0
        grey = grey / hi if hi > 0 else grey
        alpha = None
    elif has_alpha:
        rgba = np.asarray(image.convert("LA"), dtype=np.float32) / 255.0
        grey, alpha = rgba[..., 0], rgba[..., 1]
    else:
        grey = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
        alpha = None
    if alpha is not None and alpha.min() < 1.0:
        opaque = alpha > 0.5
        if not opaque.any():
            return np.zeros_like(grey)
        transparent = ~opaque
        if transparent.any() and opaque.mean() < 0.5:
            # Ink drawn on a transparent sheet: opacity is the ink.
            return alpha.astype(np.float32)
        grey = np.where(opaque, grey, np.nan)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    border = border[np.isfinite(border)]
    background = float(np.median(border)) if border.size else 1.0
    grey = np.nan_to_num(grey, nan=background)
    ink = grey - background if background < 0.5 else background - grey
    return np.clip(ink, 0.0, None).astype(np.float32)


def preprocess_ink(ink: np.ndarray) -> np.ndarray | None:
    """Ink image -> network input (1, 32, 32), or None for a blank image."""
    digit = mnist_style(ink)
    return None if digit is None else normalise(digit)


MAX_IMAGE_PIXELS = 120_000_000


def read_image_ink(path) -> np.ndarray:
    """An image file (PNG, JPEG, GIF, ...) -> ink map; ImageError in one line if unusable."""
    import warnings

    from PIL import UnidentifiedImageError

    from .errors import ImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                w, h = image.size
                if w * h > MAX_IMAGE_PIXELS:
                    raise ImageError(f"{path}: image too large ({w}x{h} pixels; at most "
                                     f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels)")
                if w < 1 or h < 1:
                    raise ImageError(f"{path}: empty image")
                image.seek(0)
                return image_to_ink(image)
    except ImageError:
        raise
    except FileNotFoundError:
        raise ImageError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ImageError(f"{path}: is a folder, not an image") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image file Pillow can read") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{path}: cannot read the image ({exc})") from None
