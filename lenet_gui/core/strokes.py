"""Strokes as vectors, rendered the way the canvas paints them.

A stroke is a polyline in the unit box (x right, y down, both 0..1) drawn with a
round pen whose width is a fraction of the box side. The canvas keeps exactly
this; ``render_strokes`` paints it with numpy (exact distance-to-segment
coverage, 1-pixel anti-aliasing ramp), and the canvas paints its model image with
the same code (``paint_strokes``, segment by segment as the mouse moves), so a
stroke file replayed without Qt gives the very image the window recognized.

Why it is fast (1.3-3 ms for a 150-point digit at 280 px, 40-50x faster than
comparing every pixel of a stroke's box with every segment: benchmarks/bench_strokes.py):
each segment is cut into pieces of at most ``_PIECE`` pixels, and each piece is
measured only against a fixed disc-shaped window of pixels around it (the only
ones its pen can reach). All (piece, pixel) pairs of a chunk are computed in one
vectorised float32 pass and reduced per pixel with ``np.minimum.at`` on squared
distances; the square root and the ramp are applied once per pixel at the end.
Segments are first clipped to the canvas plus the pen's reach, so points far
outside the box cost nothing. Chunks bound the temporaries (``_CHUNK`` pairs) and
the scratch buffers are reused, one set per thread.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import LenetGuiError

# The canvas's model image: fixed resolution, whatever the widget's size or DPI.
CANVAS_SIZE = 280
# Pen width as a fraction of the canvas side, chosen by measurement: with it the
# drawn-digit set has MNIST's stroke width after preprocessing (median 1.81 px
# against MNIST's 1.84; benchmarks/fidelity.py, docs/preprocessing.md).
PEN_WIDTH = 0.085
STROKES_FORMAT = "lenet-gui-strokes"


@dataclass
class Stroke:
    points: list[tuple[float, float]]
    erase: bool = False


@dataclass
class Drawing:
    strokes: list[Stroke] = field(default_factory=list)
    label: int | None = None
    style: str = ""


# Segments are cut into pieces of at most this many pixels, so that one window shape
# (a disc of radius pen reach + _PIECE / 2) holds every pixel a piece can ink.
# Longer pieces mean fewer, larger windows; measured, 4-6 are fastest (2.5 and 8: +10-25%).
_PIECE = 4.0
# (piece, pixel) pairs computed per vectorised pass: bounds the temporaries
# (24 bytes a pair: 0.8 MB) and keeps them in the CPU cache.
_CHUNK = 1 << 15

_scratch = threading.local()


def _buffer(name: str, n: int, dtype) -> np.ndarray:
    """A reusable flat scratch array of at least n items, private to this thread."""
    buf = getattr(_scratch, name, None)
    if buf is None or buf.size < n:
        buf = np.empty(max(n, 1), dtype=dtype)
        setattr(_scratch, name, buf)
    return buf[:n]


@lru_cache(maxsize=16)
def _window(half: int, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (rows, columns from the window's corner) of a (2 half + 1)^2 square
    that lie within ``reach`` of its centre."""
    oy, ox = np.divmod(np.arange((2 * half + 1) ** 2), 2 * half + 1)
    keep = (oy - half) ** 2 + (ox - half) ** 2 < reach ** 2
    oy, ox = oy[keep], ox[keep]
    oy.flags.writeable = ox.flags.writeable = False
    return oy, ox


def _clip_segments(a: np.ndarray, b: np.ndarray, lo: float,
                   hi: float) -> tuple[np.ndarray, np.ndarray]:
    """The parts of the segments a->b inside the square [lo, hi]^2 (Liang-Barsky)."""
    d = b - a
    t0 = np.zeros(len(a))
    t1 = np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(2):
            for p, q in ((-d[:, k], a[:, k] - lo), (d[:, k], hi - a[:, k])):
                keep &= (p != 0) | (q >= 0)
                r = q / p
                t0 = np.where(p < 0, np.maximum(t0, r), t0)
                t1 = np.where(p > 0, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return (a + t0[:, None] * d)[keep], (a + t1[:, None] * d)[keep]


def _pieces(pts: np.ndarray, size: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points (pixels, float64) of the pieces of one polyline that can
    ink the canvas: clipped to it plus ``margin`` and cut to at most _PIECE pixels."""
    if len(pts) == 1:
        pts = np.vstack([pts, pts])  # a dot: one zero-length segment
    a, b = pts[:-1], pts[1:]
    if pts.min() < -margin or pts.max() > size + margin:
        # Exact: a pixel's nearest point on a segment, if the pen reaches the pixel,
        # lies within the margin of the canvas. Only the segments that leave it are
        # clipped, so each segment's pieces depend on that segment alone: the canvas
        # paints a stroke segment by segment and gets the same image.
        out = ((np.minimum(a, b) < -margin) | (np.maximum(a, b) > size + margin)).any(axis=1)
        ca, cb = _clip_segments(a[out], b[out], -margin, size + margin)
        a, b = np.concatenate([a[~out], ca]), np.concatenate([b[~out], cb])
        if len(a) == 0:
            return a, b
    d = b - a
    n = np.maximum(np.ceil(np.hypot(d[:, 0], d[:, 1]) / _PIECE), 1).astype(np.intp)
    if n.max() > 1:
        seg = np.repeat(np.arange(len(a)), n)
        k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
        nn = n[seg]
        a0, ds = a[seg], d[seg]
        a = a0 + (k / nn)[:, None] * ds
        b = a0 + ((k + 1) / nn)[:, None] * ds
    return a, b


def _paint(img: np.ndarray, a: np.ndarray, b: np.ndarray, reach: float, erase: bool) -> None:
    """Paint the pieces a->b (pixels) with one pen pass: ink = clip(reach - dist, 0, 1)
    where dist is the distance from a pixel's centre to the nearest piece; then
    img = max(img, ink), or img *= 1 - ink for an eraser."""
    size = img.shape[0]
    half = int(np.ceil(reach + _PIECE / 2 + 0.5))
    # A pixel centre within reach of a piece is within reach + _PIECE / 2 of the
    # piece's middle, and the window's centre is within sqrt(1/2) of that middle.
    oy, ox = _window(half, reach + _PIECE / 2 + 0.7072)
    n_win = len(ox)
    mid = (a + b) * 0.5
    x0 = np.floor(mid[:, 0]).astype(np.intp) - half  # window corners, pixels
    y0 = np.floor(mid[:, 1]).astype(np.intp) - half
    # The box holding every window, and the flat index of each pixel in it.
    bx, by = int(x0.min()), int(y0.min())
    bw = int(x0.max()) - bx + 2 * half + 1
    bh = int(y0.max()) - by + 2 * half + 1
    base = (y0 - by) * bw + (x0 - bx)
    off = oy * bw + ox
    offx, offy = ox.astype(np.float32), oy.astype(np.float32)
    # Pixel centre minus piece start = (corner + 0.5 - start) + offset.
    ux = (x0 + 0.5 - a[:, 0]).astype(np.float32)
    uy = (y0 + 0.5 - a[:, 1]).astype(np.float32)
    d = b - a
    len2 = (d ** 2).sum(axis=1)
    # A piece shorter than 1e-6 px is a dot (1 / len2 would overflow float32).
    inv = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 1e-12)
    dx, dy = d[:, 0].astype(np.float32), d[:, 1].astype(np.float32)
    tx, ty = (d[:, 0] * inv).astype(np.float32), (d[:, 1] * inv).astype(np.float32)

    dist2 = _buffer("dist2", bh * bw, np.float32)
    dist2.fill(np.inf)
    per_chunk = max(1, _CHUNK // n_win)
    m = min(per_chunk, len(a)) * n_win
    bufs = [_buffer(name, m, np.float32).reshape(-1, n_win) for name in ("rx", "ry", "t", "tmp")]
    index = _buffer("index", m, np.intp).reshape(-1, n_win)
    for s in range(0, len(a), per_chunk):
        e = min(s + per_chunk, len(a))
        rx, ry, t, tmp = (buf[:e - s] for buf in bufs)
        idx = index[:e - s]
        cdx, cdy = dx[s:e, None], dy[s:e, None]
        np.add(ux[s:e, None], offx, out=rx)
        np.add(uy[s:e, None], offy, out=ry)
        # t: position of the nearest point along the piece, 0..1.
        np.multiply(rx, tx[s:e, None], out=t)
        np.multiply(ry, ty[s:e, None], out=tmp)
        t += tmp
        np.maximum(t, 0.0, out=t)
        np.minimum(t, 1.0, out=t)
        np.multiply(t, cdx, out=tmp)
        rx -= tmp
        np.multiply(t, cdy, out=tmp)
        ry -= tmp
        np.multiply(rx, rx, out=rx)
        np.multiply(ry, ry, out=ry)
        rx += ry
        np.add(base[s:e, None], off, out=idx)
        np.minimum.at(dist2, idx.ravel(), rx.ravel())

    # The part of the box on the canvas: squared distance -> ink, then onto img.
    c0, c1 = max(bx, 0), min(bx + bw, size)
    r0, r1 = max(by, 0), min(by + bh, size)
    if c1 <= c0 or r1 <= r0:
        return
    near = dist2.reshape(bh, bw)[r0 - by:r1 - by, c0 - bx:c1 - bx]
    ink = _buffer("ink", near.size, np.float32).reshape(near.shape)
    np.sqrt(near, out=ink)
    np.subtract(np.float32(reach), ink, out=ink)
    np.maximum(ink, 0.0, out=ink)
    np.minimum(ink, 1.0, out=ink)
    region = img[r0:r1, c0:c1]
    if erase:
        np.subtract(np.float32(1.0), ink, out=ink)
        region *= ink
    else:
        np.maximum(region, ink, out=region)


def render_strokes(strokes: Iterable[Stroke | Sequence], size: int = CANVAS_SIZE,
                   pen_width: float = PEN_WIDTH) -> np.ndarray:
    """Paint strokes into a float32 ink image (size x size, 0 background, 1 ink).

    ``strokes``: Stroke objects or point sequences (``[(x, y), ...]`` or an (N, 2)
    array) in the unit box (points may lie outside it); one point is a dot, empty
    strokes are skipped. A pixel
    at distance ``dist`` from a stroke (pixel centre to polyline, in pixels) gets ink
    ``clip(pen_width * size / 2 + 0.5 - dist, 0, 1)``; strokes combine by maximum, and
    an erase stroke multiplies the image by ``1 - ink``.
    """
    img = np.zeros((size, size), dtype=np.float32)
    paint_strokes(img, strokes, pen_width)
    return img


def paint_strokes(img: np.ndarray, strokes: Iterable[Stroke | Sequence],
                  pen_width: float = PEN_WIDTH) -> None:
    """Paint strokes onto a square float32 ink image in place, as ``render_strokes``.

    Ink combines by maximum, so painting a stroke's segments one call at a time (the
    canvas, per mouse move) gives the image that painting it whole gives. An eraser
    does not: its passes multiply, so a finished erase stroke is painted whole.
    """
    if img.ndim != 2 or img.shape[0] != img.shape[1] or img.dtype != np.float32:
        raise ValueError(f"expected a square float32 image, got {img.dtype} {img.shape}")
    size = img.shape[0]
    reach = pen_width * size / 2.0 + 0.5  # the distance at which ink falls to 0
    margin = reach + 1.0
    run: list[tuple[np.ndarray, np.ndarray]] = []  # consecutive ink strokes: one pass

    def flush(erase: bool) -> None:
        pieces = [p for p in run if len(p[0])]
        run.clear()
        if pieces:
            _paint(img, np.concatenate([p[0] for p in pieces]),
                   np.concatenate([p[1] for p in pieces]), reach, erase)

    for stroke in strokes:
        points, erase = (stroke.points, stroke.erase) if isinstance(stroke, Stroke) \
            else (stroke, False)
        pts = np.asarray(points, dtype=np.float32).reshape(-1, 2) * size
        if len(pts) == 0:
            continue
        pieces = _pieces(pts.astype(np.float64), size, margin)
        if erase:  # erasers do not combine by maximum: each is its own pass
            flush(False)
            run.append(pieces)
            flush(True)
        else:
            run.append(pieces)
    flush(False)


def load_drawings(path: Path) -> list[Drawing]:
    """Read a stroke file (``{"format": "lenet-gui-strokes", "digits": [...]}``)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise LenetGuiError(f"{path}: file not found") from None
    except (OSError, ValueError) as exc:
        raise LenetGuiError(f"{path}: not a JSON stroke file ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != STROKES_FORMAT:
        raise LenetGuiError(f"{path}: not a lenet-gui stroke file (format must be "
                            f"{STROKES_FORMAT!r})")
    drawings = []
    try:
        for i, item in enumerate(raw["digits"]):
            label = item.get("label")
            if label is not None and (not isinstance(label, int) or not 0 <= label <= 9):
                raise ValueError(f"digit {i}: label {label!r} is not 0..9")
            strokes = []
            for s in item["strokes"]:
                if isinstance(s, dict):
                    pts, erase = s["points"], bool(s.get("erase", False))
                else:
                    pts, erase = s, False
                points = [(float(x), float(y)) for x, y in pts]
                if points and not np.isfinite(np.asarray(points)).all():
                    raise ValueError(f"digit {i}: non-finite coordinates")
                strokes.append(Stroke(points, erase))
            drawings.append(Drawing(strokes, label, str(item.get("style", ""))))
    except (KeyError, TypeError, ValueError) as exc:
        raise LenetGuiError(f"{path}: malformed stroke file ({exc})") from None
    return drawings


def save_drawings(path: Path, drawings: Sequence[Drawing], **extra) -> None:
    digits = []
    for d in drawings:
        strokes = [[[round(x, 4), round(y, 4)] for x, y in s.points] if not s.erase
                   else {"points": [[round(x, 4), round(y, 4)] for x, y in s.points],
                         "erase": True} for s in d.strokes]
        item = {"label": d.label, "strokes": strokes}
        if d.style:
            item["style"] = d.style
        digits.append(item)
    payload = {"format": STROKES_FORMAT, "version": 1, **extra, "digits": digits}
    Path(path).write_text(json.dumps(payload, separators=(",", ":")) + "\n")
