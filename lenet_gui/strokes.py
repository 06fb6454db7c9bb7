"""Strokes as vectors, rendered the way the canvas paints them.

A stroke is a polyline in the unit box (x right, y down, both 0..1) drawn with a
round pen whose width is a fraction of the box side. The canvas keeps exactly
this and paints it with QPainter; ``render_strokes`` paints the same thing
with numpy (exact distance-to-segment coverage, 1-pixel anti-aliasing ramp), so
stroke files can be replayed without Qt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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


def render_strokes(strokes: Iterable[Stroke | Sequence], size: int = CANVAS_SIZE,
                   pen_width: float = PEN_WIDTH) -> np.ndarray:
    """Paint strokes into a float32 ink image (size x size, 0 background, 1 ink)."""
    img = np.zeros((size, size), dtype=np.float32)
    radius = pen_width * size / 2.0
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    for stroke in strokes:
        if not isinstance(stroke, Stroke):
            stroke = Stroke([tuple(p) for p in stroke])
        pts = np.asarray(stroke.points, dtype=np.float32).reshape(-1, 2) * size
        if len(pts) == 0:
            continue
        if len(pts) == 1:
            pts = np.vstack([pts, pts])
        # Only the pixels near this stroke need distances.
        lo = np.floor(pts.min(axis=0) - radius - 2).astype(int).clip(0, size)
        hi = np.ceil(pts.max(axis=0) + radius + 2).astype(int).clip(0, size)
        if hi[0] <= lo[0] or hi[1] <= lo[1]:
            continue
        px = xs[lo[1]:hi[1], lo[0]:hi[0]][..., None]
        py = ys[lo[1]:hi[1], lo[0]:hi[0]][..., None]
        dist = np.full(px.shape[:2], np.inf, dtype=np.float32)
        a, b = pts[:-1], pts[1:]
        for start in range(0, len(a), 256):  # bounded memory for long strokes
            sa, sb = a[start:start + 256], b[start:start + 256]
            d = sb - sa
            len2 = (d ** 2).sum(axis=1)
            len2[len2 == 0] = 1.0
            t = ((px - sa[:, 0]) * d[:, 0] + (py - sa[:, 1]) * d[:, 1]) / len2
            t = np.clip(t, 0.0, 1.0)
            cx = sa[:, 0] + t * d[:, 0]
            cy = sa[:, 1] + t * d[:, 1]
            dd = np.sqrt((px - cx) ** 2 + (py - cy) ** 2).min(axis=2)
            np.minimum(dist, dd, out=dist)
        cover = np.clip(radius + 0.5 - dist, 0.0, 1.0)
        region = img[lo[1]:hi[1], lo[0]:hi[0]]
        if stroke.erase:
            region *= 1.0 - cover
        else:
            np.maximum(region, cover, out=region)
    return img


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
