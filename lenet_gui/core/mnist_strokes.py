"""MNIST digits as canvas strokes: real writers' shapes drawn with the canvas's pen.

A drawing on the canvas has one pen width, the canvas's; an MNIST digit has its
writer's. To see (and train on) real people's shapes the way the Draw tab sees a
drawing, each MNIST digit is thinned to its centre line (Zhang-Suen, on a 3x
upscale so that the line is smooth enough to trace), traced into polylines, put
on the canvas at a lone digit's usual size and read through the Draw tab's own
path (``reading.lone_digit_image``). MNIST only: no other data.

Used by ``benchmarks/bench_replay.py`` (the MNIST test set's writers, who wrote
none of the training digits, replayed on the canvas) and by the robust recipe's
``canvas_pen`` share (training digits swapped for their canvas-pen drawing).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from scipy import ndimage

from .files import atomic_write
from .strokes import Stroke

UPSCALE = 3  # thin at 84x84: a 28x28 centre line is too coarse to trace smoothly
# Pen cut-off after the upscale (share of full ink). Of 2,000 test digits, 0.45 kept
# each digit's number of holes most often (93.4%; 0.3: 91.8%, 0.6: 92.7%, 0.75: 90.0%).
THRESHOLD = 0.45
DIGIT_SIDE = 0.64  # larger side on the canvas, canvas widths: the drawn sets' median
SPUR = 4  # traced pieces shorter than this (upscaled pixels) that end free are dropped
# Bump when the conversion changes: cached canvas-pen images carry it in their name.
VERSION = 1

# The 8 neighbours clockwise from north: bit i of a pixel's neighbour code.
_STEPS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _rules() -> tuple[np.ndarray, np.ndarray]:
    """Zhang-Suen's two deletion rules as 256-entry tables over the neighbour code."""
    tables = np.zeros((2, 256), dtype=bool)
    for code in range(256):
        n = [(code >> i) & 1 for i in range(8)]
        p2, _, p4, _, p6, _, p8, _ = n
        count = sum(n)
        turns = sum(n[i] == 0 and n[(i + 1) % 8] == 1 for i in range(8))
        base = 2 <= count <= 6 and turns == 1
        tables[0, code] = base and p2 * p4 * p6 == 0 and p4 * p6 * p8 == 0
        tables[1, code] = base and p2 * p4 * p8 == 0 and p2 * p6 * p8 == 0
    return tables[0], tables[1]


_RULES = _rules()


def thin(binary: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a (N, H, W) bool stack, all images at once: one-pixel
    centre lines that keep each shape's holes."""
    b = np.pad(np.asarray(binary, dtype=np.uint8), ((0, 0), (1, 1), (1, 1)))
    h, w = b.shape[1] - 2, b.shape[2] - 2
    inner = b[:, 1:-1, 1:-1]
    code = np.empty(inner.shape, dtype=np.uint8)
    changed = True
    while changed:
        changed = False
        for rule in _RULES:
            code[:] = 0
            for bit, (dy, dx) in enumerate(_STEPS):
                code |= b[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] << bit
            kill = rule[code] & (inner == 1)
            if kill.any():
                inner[kill] = 0
                changed = True
    return inner.astype(bool)


def trace(skeleton: np.ndarray) -> list[np.ndarray]:
    """One thinned image's centre line as polylines of (row, col), every edge once.

    Walks start at free ends, then at what is left (loops); at a junction a walk goes
    on in the direction nearest the one it came in. Short free-ended spurs are dropped
    (thinning leaves them at stroke ends and corners)."""
    pix = {(int(r), int(c)) for r, c in zip(*np.nonzero(skeleton))}
    if not pix:
        return []

    def neighbours(p):
        near = [(p[0] + dy, p[1] + dx) for dy, dx in _STEPS if (p[0] + dy, p[1] + dx) in pix]
        ortho = [q for q in near if q[0] == p[0] or q[1] == p[1]]
        # A diagonal neighbour also reached through an orthogonal one is no edge of its own.
        return [q for q in near if q in ortho
                or not any(abs(q[0] - o[0]) + abs(q[1] - o[1]) == 1 for o in ortho)]

    adj = {p: neighbours(p) for p in pix}
    used: set[frozenset] = set()

    def free(p):
        return [q for q in adj[p] if frozenset((p, q)) not in used]

    def walk(start):
        path, cur, heading = [start], start, None
        while True:
            options = free(cur)
            if not options:
                return path
            nxt = options[0] if heading is None or len(options) == 1 else max(
                options, key=lambda q: (q[0] - cur[0]) * heading[0] + (q[1] - cur[1]) * heading[1])
            used.add(frozenset((cur, nxt)))
            heading = (nxt[0] - cur[0], nxt[1] - cur[1])
            path.append(nxt)
            cur = nxt

    paths = []
    for p in sorted(p for p in pix if len(adj[p]) == 1):
        if free(p):
            paths.append(walk(p))
    for p in sorted(pix):
        while free(p):
            paths.append(walk(p))
    if not paths:  # a lone pixel: a dot
        return [np.array([min(pix)], dtype=np.float64)]
    kept = [p for p in paths if len(p) >= SPUR
            or (len(adj[p[0]]) != 1 and len(adj[p[-1]]) != 1)]
    return [np.array(p, dtype=np.float64) for p in (kept or paths)]


def _smooth(path: np.ndarray, reach: int = 2) -> np.ndarray:
    """A moving average along the path (a loop wraps round, an open path keeps its
    ends): the pixel staircase becomes a pen's line."""
    if len(path) <= 2 * reach + 1:
        return path
    closed = np.abs(path[0] - path[-1]).max() <= 1
    if closed:
        ext = np.concatenate([path[-reach - 1:-1], path, path[1:reach + 1]])
    else:
        ext = np.concatenate([np.repeat(path[:1], reach, 0), path, np.repeat(path[-1:], reach, 0)])
    k = np.ones(2 * reach + 1) / (2 * reach + 1)
    return np.stack([np.convolve(ext[:, i], k, mode="valid") for i in (0, 1)], 1)


def mnist_to_strokes(images: np.ndarray) -> list[list[Stroke]]:
    """(N, 28, 28) MNIST digits -> each digit's strokes on the canvas (unit box, larger
    side ``DIGIT_SIDE``, centred); an empty list where a digit has no ink."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected (N, H, W) images, got shape {images.shape}")
    big = ndimage.zoom(images.astype(np.float32) / 255.0, (1, UPSCALE, UPSCALE), order=1)
    out = []
    for skeleton in thin(big > THRESHOLD):
        paths = [_smooth(p) for p in trace(skeleton)]
        if not paths:
            out.append([])
            continue
        pts = np.concatenate(paths)
        lo, hi = pts.min(0), pts.max(0)
        scale = DIGIT_SIDE / max(float((hi - lo).max()), 1.0)
        centre = (lo + hi) / 2
        out.append([Stroke([(round(float(x), 4), round(float(y), 4))
                            for x, y in (p[:, ::-1] - centre[::-1]) * scale + 0.5])
                    for p in paths])
    return out


CHUNK = 500  # digits traced at a time: bounds the upscaled stack (500 x 84 x 84 floats)


def canvas_pen_images(images: np.ndarray, chunk: int = CHUNK,
                      on_progress: Callable[[int], None] | None = None) -> np.ndarray:
    """(N, 28, 28) MNIST digits -> (N, 28, 28) uint8: each drawn on the canvas with its
    strokes and read as the Draw tab reads a lone digit. A digit that traces to
    nothing stays as it was."""
    from .reading import lone_digit_image

    images = np.asarray(images)
    out = np.array(images, dtype=np.uint8, copy=True)
    for start in range(0, len(images), chunk):
        for i, strokes in enumerate(mnist_to_strokes(images[start:start + chunk]), start):
            digit = lone_digit_image(strokes) if strokes else None
            if digit is not None:
                out[i] = np.clip(np.rint(digit), 0, 255).astype(np.uint8)
        if on_progress is not None:
            on_progress(min(start + chunk, len(images)))
    return out


def cached_canvas_pen_images(images: np.ndarray, cache_dir: Path,
                             log: Callable[[str], None] = lambda _line: None) -> np.ndarray:
    """``canvas_pen_images``, kept in ``cache_dir`` under the images' checksum (the
    conversion takes minutes for all of MNIST). A cache file that cannot be read is
    made again; one that cannot be written only costs the next run the time."""
    images = np.ascontiguousarray(images, dtype=np.uint8)
    path = Path(cache_dir) / f"canvas-pen-v{VERSION}-{_key(images)}.npy"
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape == images.shape and cached.dtype == np.uint8:
            return cached
    except (OSError, ValueError):
        pass
    log(f"drawing {len(images):,} training digits with the canvas pen (once; cached in {path})")
    made = canvas_pen_images(images)
    try:
        atomic_write(path, lambda fh: np.save(fh, made, allow_pickle=False))
    except OSError as e:
        log(f"could not cache the canvas-pen digits ({e}); they will be drawn again next time")
    return made


def _key(images: np.ndarray) -> str:
    return hashlib.md5(np.ascontiguousarray(images, dtype=np.uint8).tobytes()).hexdigest()[:16]


def save_strokes(path: Path, drawings: Sequence[Sequence[Stroke]]) -> None:
    """Each digit's strokes as three flat arrays in one .npz, written atomically."""
    per_digit = np.array([len(d) for d in drawings], dtype=np.int32)
    lengths = np.array([len(s.points) for d in drawings for s in d], dtype=np.int32)
    points = np.array([p for d in drawings for s in d for p in s.points],
                      dtype=np.float32).reshape(-1, 2)
    atomic_write(path, lambda fh: np.savez(fh, per_digit=per_digit, lengths=lengths,
                                           points=points))


def load_strokes(path: Path, n: int) -> list[list[Stroke]] | None:
    """What ``save_strokes`` wrote, for ``n`` digits; None if it is missing or not that."""
    try:
        with np.load(path, allow_pickle=False) as f:
            per_digit, lengths, points = f["per_digit"], f["lengths"], f["points"]
    except (OSError, ValueError, KeyError):
        return None
    if (len(per_digit) != n or per_digit.sum() != len(lengths) or lengths.sum() != len(points)
            or (lengths < 1).any() or not np.isfinite(points).all()):
        return None
    cuts = np.cumsum(lengths)[:-1]
    strokes = [Stroke([(float(x), float(y)) for x, y in pts]) for pts in np.split(points, cuts)]
    out, k = [], 0
    for count in per_digit.tolist():
        out.append(strokes[k:k + count])
        k += count
    return out


def cached_mnist_to_strokes(images: np.ndarray, cache_dir: Path | None,
                            on_progress: Callable[[int], None] | None = None,
                            stop: Callable[[], bool] | None = None) -> list[list[Stroke]]:
    """``mnist_to_strokes`` in chunks (progress, stop), kept in ``cache_dir`` under the
    images' checksum; a cache that cannot be read or written costs only the time."""
    path = None if cache_dir is None else \
        Path(cache_dir) / f"mnist-strokes-v{VERSION}-{_key(images)}.npz"
    found = None if path is None else load_strokes(path, len(images))
    if found is not None:
        if on_progress is not None:
            on_progress(len(images))
        return found
    out: list[list[Stroke]] = []
    for start in range(0, len(images), CHUNK):
        if stop is not None and stop():
            return out
        out.extend(mnist_to_strokes(images[start:start + CHUNK]))
        if on_progress is not None:
            on_progress(len(out))
    if path is not None:
        try:
            save_strokes(path, out)
        except OSError:
            pass
    return out


def as_drawings(images: np.ndarray, labels: Sequence[int]):
    """MNIST digits as labelled drawings (``strokes.Drawing``), inkless ones left out,
    with their indices: what ``evaluation`` reads."""
    from .strokes import Drawing

    drawings, kept = [], []
    for i, strokes in enumerate(mnist_to_strokes(images)):
        if strokes:
            drawings.append(Drawing(strokes, int(labels[i]), style="mnist"))
            kept.append(i)
    return drawings, np.array(kept, dtype=np.int64)
