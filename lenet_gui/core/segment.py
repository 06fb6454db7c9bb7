"""Cut a drawing (strokes) or an ink image into digits, left to right, to read a number.

A segment's ``ink`` is the input image with all but that digit set to 0, so it goes
through ``preprocess.preprocess_ink`` as a drawing does; one digit gives one segment
whose ``ink`` *is* the input, so a single digit reads as a drawing did before numbers
(``reading`` may redraw it, by its size). Units are the
ink strokes, or the connected pieces of the thresholded, slightly dilated ink:

1. Units much smaller than the tallest ("small": dots, ticks, specks) wait for 3.
2. The others are grouped, strongest evidence first: overlapping in x by half the
   narrower, or with ink that touches or comes close, they are one digit (the parts
   of a 4 or a 5, the bar of a 7, the slash of a 0, the loops of an 8) -- except two
   groups each nearly as tall as both together and overlapping in x by less than
   half the narrower: digits side by side, even where they touch, unless their
   stroke centre lines meet as one digit's do (a bar ending on a stem, a crossing,
   a loop's two halves, a corner away from the top and bottom: a 4 written as an L
   and a stem). A bar on its own (a 5's, floating above it) joins what it lies over,
   and a mark much smaller than the tallest digit (a stray tick) the nearest digit.
3. A small unit joins the group whose ink is nearest if that is close (a tick, a dot
   on a digit); far from everything it is noise, dropped and counted.
4. A group much wider than tall is cut along the top-to-bottom path crossing least
   ink, if that is about one stroke and leaves a tall digit each side (digits drawn
   touching in one stroke, ink that ran together); recursively (``seam``).
5. Where groups' boxes overlap, an inked pixel goes to the group with the nearest
   stroke centre line (strokes) or the piece of ink that holds it (images).

Steps 1-3 are ``grouping``. Thresholds: set on the drawn-digit sets (each drawing must
stay one segment), on numbers composed from them (tests/data/compose_numbers.py;
benchmarks/bench_segment.py), and on the held-out MNIST training digits drawn on the
canvas (``mnist_strokes``: real writers' 4s and 5s; never the MNIST test set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Callable, Sequence

import numpy as np

from .grouping import Box, box_gap as _box_gap, group as _group
from .seam import ink_box as _ink_box
from .seam import split as _split
from .strokes import CANVAS_SIZE, PEN_WIDTH, Stroke, render_strokes

MAX_DIGITS = 8
# 2: centre lines within JOIN pens meet; an arm is ARM pens of line from where they
# meet; meeting points APART pens apart are two (``grouping`` decides what that means).
JOIN, ARM, APART = 0.5, 1.0, 3.0
MEET_LENGTH = 250  # pens of line in all (8 digits: about 200); more: meetings not looked for
LEVEL = 0.3      # images: ink above this fraction of the peak makes the pieces
_STEP = 4.0      # centre lines are sampled at least this often (pixels)

@dataclass
class Segment:
    """One digit: its ink box in pixels and its ink (input-sized, all else zeroed)."""
    box: tuple[int, int, int, int]
    ink: np.ndarray
    stroke_indices: list[int] = field(default_factory=list)
    cut: bool = False  # parted from touching ink along a thin path: less sure
    # (top, bottom, left, right) of ``ink`` outside which it is 0 (None: not known):
    # preprocessing looks only there, and finds the same digit.
    region: tuple[int, int, int, int] | None = None


@dataclass
class SegmentResult:
    segments: list[Segment]  # left to right
    noise: int = 0           # specks dropped
    max_digits: int = MAX_DIGITS

    @property
    def count(self) -> int:
        return len(self.segments)

    @property
    def too_many(self) -> bool:
        """More pieces than a number may have ("too many pieces ... (N found)")."""
        return len(self.segments) > self.max_digits


def _segments(ink: np.ndarray, boxes: list[Box], mine: Callable[[int], np.ndarray | None],
              noise: int, level: float, pen: float,
              strokes_of: Callable[[int, tuple | None], list[int]],
              max_digits: int, all_ink_boxed: bool = False) -> SegmentResult:
    """Steps 4-5 and the result, for groups with pixel ``boxes``; ``mine(g)``: which
    pixels of box g are group g's (None: all); ``all_ink_boxed``: no ink lies outside
    the boxes (strokes: a box reaches a pixel past the pen)."""
    segments = []
    for g, (t, b, l, r) in enumerate(boxes):
        own, part = mine(g), ink[t:b, l:r]
        if own is not None:
            part = np.where(own, part, 0).astype(ink.dtype, copy=False)
        solid = part > level
        regions = _split(solid, pen)
        cut = len(regions) > 1
        if len(boxes) == 1 and not noise and not cut:
            # One digit: its ink is the whole image, exactly as a single drawing.
            box = _ink_box(solid, t, l)
            found = [] if box is None else [Segment(box, ink, strokes_of(0, None),
                                                    region=(t, b, l, r) if all_ink_boxed
                                                    else None)]
            return SegmentResult(found, 0, max_digits)
        for region in regions:
            box = _ink_box(solid & region if cut else solid, t, l)
            if box is not None:
                piece = np.zeros_like(ink)
                piece[t:b, l:r] = np.where(region, part, 0) if cut else part
                within = (t, l, region) if cut else None
                segments.append(Segment(box, piece, strokes_of(g, within), cut, (t, b, l, r)))
    segments.sort(key=lambda s: s.box[2] + s.box[3])
    return SegmentResult(segments, noise, max_digits)


def _inside(points: np.ndarray, top: int, left: int, region: np.ndarray) -> bool:
    """Whether any of the points (x, y pixels) falls in ``region`` placed at top, left."""
    q = np.floor(points).astype(np.intp) - [left, top]
    q = q[(q >= 0).all(axis=1) & (q < region.shape[::-1]).all(axis=1)]
    return bool(region[q[:, 1], q[:, 0]].any())


class _Lines:
    """The ink strokes' centre lines in pixels: ``index`` into the strokes, extents
    ``lo``/``hi`` (x, y), and on demand points no more than _STEP apart."""

    def __init__(self, strokes: Sequence[Stroke], size: int, pen: float):
        keep = [i for i, s in enumerate(strokes) if s.points and not s.erase]
        counts = [len(strokes[i].points) for i in keep]
        xy = chain.from_iterable(chain.from_iterable(strokes[i].points for i in keep))
        flat = np.fromiter(xy, dtype=np.float64, count=2 * sum(counts)).reshape(-1, 2) * size
        starts = np.cumsum([0] + counts[:-1]).astype(np.intp)
        lo = np.minimum.reduceat(flat, starts, axis=0) if keep else np.zeros((0, 2))
        hi = np.maximum.reduceat(flat, starts, axis=0) if keep else np.zeros((0, 2))
        on = (hi.max(axis=1) >= -pen) & (lo.min(axis=1) <= size + pen)  # can ink the image
        self.index = [i for i, k in zip(keep, on) if k]
        self.raw = [p for p, k in zip(np.split(flat, starts[1:]), on) if k]
        self.lo, self.hi = lo[on], hi[on]
        self._dense: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def dense(self, i: int) -> np.ndarray:
        return self._densified(i)[0]

    def along(self, i: int) -> np.ndarray:
        """How far along line i each of its dense points lies (pixels)."""
        return self._densified(i)[1]

    def _densified(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i not in self._dense:
            p = self.raw[i]
            s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))])
            if len(p) > 1 and np.diff(s).max() > _STEP:  # add points along the line
                t = np.union1d(s, np.arange(0.0, s[-1], _STEP))
                p = np.column_stack([np.interp(t, s, p[:, 0]), np.interp(t, s, p[:, 1])])
                s = t  # points on the line's segments: their distance along it is t
            self._dense[i] = p, s
        return self._dense[i]


def segment_strokes(strokes: Sequence[Stroke], size: int = CANVAS_SIZE, *,
                    ink: np.ndarray | None = None, pen_width: float = PEN_WIDTH,
                    max_digits: int = MAX_DIGITS) -> SegmentResult:
    """Segment a drawing into digits, left to right (``stroke_indices`` into ``strokes``).

    ``ink``: ``render_strokes(strokes, size)``, if the caller has it already (rendered
    otherwise). A drawing with erase strokes is segmented from its ink, since erasing
    can cut a stroke in two.
    """
    if ink is None:
        ink = render_strokes(strokes, size=size, pen_width=pen_width)
    if ink.shape != (size, size):
        raise ValueError(f"ink is {ink.shape}, the drawing is {size} x {size}")
    pen = pen_width * size
    if any(s.erase for s in strokes):
        return _from_ink(ink, pen, max_digits, strokes, size)
    lines = _Lines(strokes, size, pen)
    peak = float(ink.max()) if lines.index else 0.0
    if not peak > 0:
        return SegmentResult([], 0, max_digits)
    lo, hi = lines.lo - pen / 2, lines.hi + pen / 2  # ink extents
    units = [(a[1], b[1], a[0], b[0]) for a, b in zip(lo.tolist(), hi.tolist())]

    def gap(i: int, j: int, limit: float) -> float:
        a, b = lines.dense(i), lines.dense(j)
        m = limit + pen  # only points this near the other's box can be the nearest pair
        a = a[((a >= lo[j] - m) & (a <= hi[j] + m)).all(axis=1)]
        b = b[((b >= lo[i] - m) & (b <= hi[i] + m)).all(axis=1)]
        if len(a) == 0 or len(b) == 0:
            return np.inf
        d2 = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * (a @ b.T)
        return float(np.sqrt(max(d2.min(), 0.0))) - pen

    def meeting(i: int, j: int):
        return _meeting(i, j, lines, units, pen)

    # Where lines meet is looked for in handwriting, not in a page of hatching: it costs
    # the product of two lines' lengths per pair.
    length = sum(float(np.hypot(*np.diff(p, axis=0).T).sum()) for p in lines.raw)
    groups, noise = _group(units, gap, pen, meeting if length <= MEET_LENGTH * pen else None)
    groups.sort(key=lambda g: min(units[i][2] for i in g))
    labels = groups + [[i] for i in noise]  # noise keeps a label, so that it is cut away
    boxes = []
    for idx in labels:  # pixel boxes: the ink extents and a pixel, clipped to the image
        (l, t), (r, b) = np.floor(lo[idx].min(axis=0)) - 1, np.ceil(hi[idx].max(axis=0)) + 1
        t, l, b, r = (int(min(max(v, 0), size)) for v in (t, l, b, r))
        boxes.append((t, max(b, t), l, max(r, l)))
    shared: dict[tuple[int, int], tuple[Box, np.ndarray]] = {}

    def mine(g: int) -> np.ndarray | None:
        t, b, l, r = boxes[g]
        own = None
        for o in range(len(labels)):
            if o != g and _box_gap(boxes[g], boxes[o]) < 0:
                key = (min(g, o), max(g, o))
                if key not in shared:
                    shared[key] = _nearest(boxes[key[0]], boxes[key[1]], labels, units,
                                           lines, ink, pen)
                (rt, rb, rl, rr), near = shared[key]
                own = np.ones((b - t, r - l), dtype=bool) if own is None else own
                own[rt - t:rb - t, rl - l:rr - l] &= near == g + 1
        return own

    def strokes_of(g: int, within: tuple | None) -> list[int]:
        return sorted(lines.index[i] for i in groups[g]
                      if within is None or _inside(lines.dense(i), *within))

    return _segments(ink, boxes[:len(groups)], mine, len(noise), 0.5 * peak, pen,
                     strokes_of, max_digits, all_ink_boxed=True)


def _meeting(i: int, j: int, lines: "_Lines", units: list[Box],
             pen: float) -> tuple[int, float] | None:
    """Where centre lines i and j meet (come within JOIN pens): how many arms (ARM
    pens of line or more) leave the point, counting every line through it, and its
    height; 4 arms if they meet in two places (the halves of a loop); None if they
    do not meet. 3 or more: a bar ending on a stem, a crossing; 2: a corner."""
    m = JOIN * pen  # only points this near the other's extent can meet it
    a, b = lines.dense(i), lines.dense(j)
    a = a[((a >= lines.lo[j] - m) & (a <= lines.hi[j] + m)).all(axis=1)]
    b = b[((b >= lines.lo[i] - m) & (b <= lines.hi[i] + m)).all(axis=1)]
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    ia, ib = np.nonzero(d <= m)
    if len(ia) == 0:
        return None
    points = (a[ia] + b[ib]) / 2
    c = points[np.argmin(d[ia, ib])]
    if np.hypot(*(points - points[0]).T).max() >= APART * pen:
        return 4, float(c[1])
    arms = 0
    for k, u in enumerate(units):
        if _box_gap(u, (c[1], c[1], c[0], c[0])) > JOIN * pen:
            continue
        dist = np.hypot(*(lines.dense(k) - c).T)
        n = int(np.argmin(dist))
        if dist[n] > JOIN * pen:
            continue
        s = lines.along(k)
        arms += int(s[n] >= ARM * pen) + int(s[-1] - s[n] >= ARM * pen)
    return arms, float(c[1])


def _nearest(a: Box, b: Box, labels: list[list[int]], units: list[Box], lines: _Lines,
             ink: np.ndarray, pen: float) -> tuple[Box, np.ndarray]:
    """Where boxes ``a`` and ``b`` overlap: that rectangle, and for each inked pixel
    in it the label (index + 1) whose stroke centre line is nearest (0 elsewhere)."""
    t, bt, l, r = max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), min(a[3], b[3])
    near = np.zeros((bt - t, r - l), dtype=np.int16)
    ys, xs = np.nonzero(ink[t:bt, l:r] > 0)
    around = (t - pen, bt + pen, l - pen, r + pen)  # where the centre lines that ink it run
    points, owner = [], []
    for k, idx in enumerate(labels):
        for i in idx:
            if _box_gap(units[i], around) < 0:
                p = lines.dense(i)
                p = p[(p[:, 0] >= around[2]) & (p[:, 0] < around[3])
                      & (p[:, 1] >= around[0]) & (p[:, 1] < around[1])]
                points.append(p)
                owner.append(np.full(len(p), k + 1, dtype=np.int16))
    if len(ys) and sum(map(len, owner)):
        from scipy.spatial import cKDTree  # lazily: scipy costs start-up 0.3 s
        _, nearest = cKDTree(np.concatenate(points)).query(
            np.column_stack([xs + (l + 0.5), ys + (t + 0.5)]))
        near[ys, xs] = np.concatenate(owner)[nearest]
    return (t, bt, l, r), near


def _stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width of an ink mask: area / length, the length being half the
    boundary; pixel edges overcount a boundary at a random angle by 4 / pi."""
    area = int(np.count_nonzero(mask))
    edges = (int(np.count_nonzero(mask[:, 1:] != mask[:, :-1]))
             + int(np.count_nonzero(mask[1:] != mask[:-1])))
    return max(1.0, 2.0 * area / max(edges, 1) * 4.0 / np.pi)


def segment_ink(ink: np.ndarray, *, max_digits: int = MAX_DIGITS) -> SegmentResult:
    """Segment an ink image (0 background, more = more ink, as ``image_to_ink`` makes
    it) into digits, left to right, from its connected pieces of ink."""
    ink = np.asarray(ink)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D ink image, got shape {ink.shape}")
    return _from_ink(ink, None, max_digits, None, 0)


def _from_ink(ink: np.ndarray, pen: float | None, max_digits: int,
              strokes: Sequence[Stroke] | None, size: int) -> SegmentResult:
    """segment_ink's work; ``pen``: the stroke width if known; ``strokes`` (drawn at
    ``size``) to say which strokes each segment holds."""
    clean = np.nan_to_num(ink.astype(np.float32, copy=False), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(clean.max()) if clean.size else 0.0
    if not peak > 0:
        return SegmentResult([], 0, max_digits)
    level = LEVEL * peak
    solid = clean > level
    pen = _stroke_width(solid) if pen is None else pen
    grow = max(1, int(round(pen / 10)))  # joins breaks up to 2 x grow pixels wide
    from scipy import ndimage  # here: importing scipy costs the window 0.3 s at start-up

    labels, _ = ndimage.label(ndimage.maximum_filter(solid.view(np.uint8), size=2 * grow + 1))
    units = [(s[0].start, s[0].stop, s[1].start, s[1].stop) for s in ndimage.find_objects(labels)]
    groups, noise = _group(units, lambda i, j, limit: _box_gap(units[i], units[j]), pen)
    groups.sort(key=lambda g: min(units[i][2] for i in g))
    lut = np.zeros(len(units) + 1, dtype=np.int16)
    boxes = []
    for k, g in enumerate(groups):
        lut[np.asarray(g) + 1] = k + 1
        boxes.append((min(units[i][0] for i in g), max(units[i][1] for i in g),
                      min(units[i][2] for i in g), max(units[i][3] for i in g)))
    owner = lut[labels]

    def mine(g: int) -> np.ndarray:
        t, b, l, r = boxes[g]
        return owner[t:b, l:r] == g + 1

    def strokes_of(g: int, within: tuple | None) -> list[int]:
        whole = (0, 0, owner == g + 1)
        return [i for i, s in enumerate(strokes or []) if s.points and not s.erase
                and _inside(np.asarray(s.points, dtype=np.float64).reshape(-1, 2) * size, *whole)
                and (within is None or _inside(np.asarray(s.points) * size, *within))]

    return _segments(ink, boxes, mine, len(noise), level, pen, strokes_of, max_digits)
