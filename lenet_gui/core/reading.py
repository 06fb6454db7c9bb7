"""Read a drawing or an image as a number: segments -> one batch through LeNet5 -> verdicts.

The Draw tab, ``lenet-gui predict`` and the evaluation scripts all read through
here. Each segment goes through the same MNIST-style preprocessing as a single
digit (``preprocess.preprocess_ink``); a drawing that is one digit is one segment
whose ink is the whole drawing, read as drawn unless it was drawn much smaller or
bigger than usual (``LONE_BAND``). ``lone_digit_image`` is that path for one digit's
strokes, for evaluation and the Data view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .preprocess import mnist_style, normalise
from .grouping import box_gap, box_union
from .segment import MAX_DIGITS, Segment, SegmentResult, segment_ink, segment_strokes
from .strokes import CANVAS_SIZE, PEN_WIDTH, Stroke, paint_strokes, render_strokes
from .verdict import DIGIT, NOT_A_DIGIT, UNSURE, Thresholds

REFUSED = "?"  # stands in the number for a segment that is not a digit
# The canvas pen has one width, so the small digits of a long number come out much
# bolder than a digit drawn alone, and bold LeNet input reads as 8 or 9. A segment of
# a number is therefore redrawn from its own strokes at the size a lone digit is
# usually drawn (median height 0.64 of the canvas in the drawn sets), with the same
# pen; at half resolution, which the 20x20 box of the preprocessing cannot tell apart.
LONE_DIGIT_HEIGHT = 0.64
REDRAW_SIZE = 112
# A digit drawn alone is read as drawn, unless it is drawn much smaller or bigger than
# usual: then it too is redrawn at that size. To LeNet the same pen makes a small digit
# a blob and a big one a hairline (the hard set drawn at 0.18 / 0.32 / 0.54 / 0.9 of
# the canvas's height read 68 / 98.0 / 99.2 / 97.4% right; redrawn, 98.8% at every
# size). Larger side, in canvas widths: outside this band a lone digit is redrawn.
# Below one pen width it is a speck, and stays one.
LONE_BAND = (0.35, 0.8)
# Two neighbouring segments of a drawing are read again as one digit when their ink
# boxes come within MERGE_GAP of their joint height, one of them is not a sure digit
# (unsure, or not a digit), and together they read as a digit at MERGE_SURE or more:
# the L and the stem of a 4, the two arcs of a 0, that the geometry of ``segment`` took
# for two digits side by side. (Joining also where a part read up to 0.9 joined a 0
# and a 1 written close into a 9, and a 1 and a 6 into a 6, in composed numbers.)
MERGE_GAP, MERGE_SURE = 0.1, 0.95


@dataclass
class DigitReading:
    """One segment: the network's answer and the verdict on it."""

    digit: int
    probabilities: list[float]
    verdict: str
    box: tuple[int, int, int, int]  # top, bottom, left, right in the ink image's pixels
    model_input: np.ndarray = field(repr=False, compare=False)

    @property
    def confidence(self) -> float:
        return self.probabilities[self.digit]

    @property
    def runner_up(self) -> int:
        return int(np.argsort(self.probabilities)[-2])

    def to_dict(self) -> dict:
        return {"digit": self.digit, "probabilities": [round(p, 6) for p in self.probabilities],
                "verdict": self.verdict, "box": list(self.box)}


@dataclass
class Reading:
    """What a drawing says: ``text`` is the number, with ``?`` for refused segments."""

    text: str
    digits: list[DigitReading]
    verdict: str  # for the whole: digit, unsure or not a digit
    noise: int = 0  # specks ignored
    message: str = ""  # why nothing (or not everything) could be read

    def to_dict(self) -> dict:
        return {"number": self.text, "verdict": self.verdict,
                "digits": [d.to_dict() for d in self.digits],
                **({"message": self.message} if self.message else {})}


def overall_verdict(verdicts: Sequence[str]) -> str:
    """Not a digit when at least half the pieces are not digits (a scribble cut in
    three, one piece of it 1-like, is still a scribble); digit when all are digits."""
    refused = sum(v == NOT_A_DIGIT for v in verdicts)
    if not verdicts or 2 * refused >= len(verdicts):
        return NOT_A_DIGIT
    return DIGIT if all(v == DIGIT for v in verdicts) else UNSURE


def _moved(strokes: Sequence[Stroke], indices: Sequence[int],
           lone: bool = False) -> list[np.ndarray] | None:
    """A segment moved to a lone digit's size in the unit box (its strokes' points);
    None if it cannot or need not be redrawn: a number's digit drawn at least that
    big, a ``lone`` digit drawn inside ``LONE_BAND`` (or a speck)."""
    mine = [strokes[i] for i in indices]
    if not mine or any(s.erase for s in mine):
        return None
    own = [np.asarray(s.points, dtype=np.float64).reshape(-1, 2) for s in mine if s.points]
    if not own:
        return None
    pts = np.concatenate(own)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    side = float(max(hi - lo))
    if lone:
        if side < PEN_WIDTH or LONE_BAND[0] <= side <= LONE_BAND[1]:
            return None
    elif not 0 < side < LONE_DIGIT_HEIGHT:
        return None  # already drawn at least that big
    centre = (lo + hi) / 2
    return [(p - centre) * (LONE_DIGIT_HEIGHT / side) + 0.5 for p in own]


def _redrawn(strokes: Sequence[Stroke], segments: Sequence,
             lone: bool = False) -> list[np.ndarray | None]:
    """Each segment redrawn alone at a lone digit's size (None where it is not).

    All of them in one painting: tiles of REDRAW_SIZE in a square grid, the pen as
    wide in pixels as on one tile. A moved digit with its pen stays inside its tile
    (0.64 of it plus the pen), so tiles do not touch.
    """
    moved = [_moved(strokes, seg.stroke_indices, lone) for seg in segments]
    jobs = [k for k, m in enumerate(moved) if m is not None]
    out: list[np.ndarray | None] = [None] * len(segments)
    if not jobs:
        return out
    grid = int(np.ceil(np.sqrt(len(jobs))))
    tiles = [divmod(j, grid) for j in range(len(jobs))]  # (row, column) of each job
    placed = [(p + (col, row)) / grid
              for k, (row, col) in zip(jobs, tiles) for p in moved[k]]
    sheet = np.zeros((REDRAW_SIZE * grid,) * 2, dtype=np.float32)
    paint_strokes(sheet, placed, PEN_WIDTH / grid)
    for k, (row, col) in zip(jobs, tiles):
        out[k] = sheet[row * REDRAW_SIZE:(row + 1) * REDRAW_SIZE,
                       col * REDRAW_SIZE:(col + 1) * REDRAW_SIZE]
    return out


class RedrawCache:
    """The latest reading's redrawn digits, MNIST-style, keyed by their strokes.

    A number is written a stroke at a time and read at every release; with this,
    the reading after the 4th digit's stroke redraws only the 4th digit (the other
    digits' strokes, and so their images, are unchanged). The Draw tab keeps one;
    it holds the latest reading's digits only.
    """

    def __init__(self) -> None:
        self.images: dict[tuple, np.ndarray | None] = {}  # None: drawn big, not redrawn


def _segment_key(strokes: Sequence[Stroke], seg, lone: bool) -> tuple:
    return (lone,) + tuple(tuple(map(tuple, strokes[i].points)) + (strokes[i].erase,)
                           for i in seg.stroke_indices)


def _redrawn_styled(strokes: Sequence[Stroke], segments: Sequence,
                    cache: RedrawCache | None, lone: bool = False) -> list[np.ndarray | None]:
    """The MNIST-style image of each segment redrawn at a lone digit's size, or None
    where the segment is not redrawn (it goes through preprocessing as it is)."""
    keys = [_segment_key(strokes, seg, lone) for seg in segments]
    known = cache.images if cache is not None else {}
    todo = [k for k, key in enumerate(keys) if key not in known]
    out = [known.get(key) for key in keys]
    for k, ink in zip(todo, _redrawn(strokes, [segments[k] for k in todo], lone)):
        out[k] = None if ink is None else mnist_style(ink)
    if cache is not None:
        cache.images = dict(zip(keys, out))
    return out


def read_segments(recognizer, result: SegmentResult,
                  thresholds: Thresholds | None = None,
                  strokes: Sequence[Stroke] | None = None,
                  cache: RedrawCache | None = None) -> Reading | None:
    """Recognize every segment in one batch; None when there is no ink at all.

    With the ``strokes``, neighbours that read as one digit better than as two are
    joined (``MERGE_GAP``): one more batch, only when a segment reads unsure."""
    if strokes is None:
        return _read_once(recognizer, result, thresholds, strokes, cache)[0]
    mine = RedrawCache()  # the segments already drawn are not drawn again for a trial
    if cache is not None:
        mine.images = cache.images
    reading, kept = _read_once(recognizer, result, thresholds, strokes, mine)
    while reading is not None:
        joined = _better_joined(recognizer, result, reading, kept, thresholds, strokes,
                                mine)
        if joined is None:
            break
        result, reading, kept, mine = joined
    if cache is not None:
        cache.images = mine.images
    return reading


def _better_joined(recognizer, result: SegmentResult, reading: Reading, kept: list,
                   thresholds: Thresholds | None, strokes: Sequence[Stroke],
                   cache: RedrawCache):
    """The first pair of neighbours that reads as one sure digit (``MERGE_SURE``) where
    one of them alone is not a sure digit: (result, reading, kept segments, redraw
    cache) with the pair joined; None if there is none."""
    for k in range(len(kept) - 1):
        a, b = kept[k], kept[k + 1]
        sure = reading.digits[k].verdict == reading.digits[k + 1].verdict == DIGIT
        if sure or getattr(a, "cut", False) or getattr(b, "cut", False):
            continue
        joint = max(a.box[1], b.box[1]) - min(a.box[0], b.box[0])
        if box_gap(a.box, b.box) > MERGE_GAP * joint:
            continue
        at = next(i for i, seg in enumerate(result.segments) if seg is a)
        if result.segments[at + 1] is not b:
            continue  # a segment between them read as nothing: leave them
        both = _join(a, b)
        trial = SegmentResult(result.segments[:at] + [both] + result.segments[at + 2:],
                              result.noise, result.max_digits)
        drawn = RedrawCache()  # a trial's redraws; the caller's stay as they are
        drawn.images = cache.images  # replaced, never changed, by _redrawn_styled
        again, again_kept = _read_once(recognizer, trial, thresholds, strokes, drawn)
        one = next((d for d, seg in zip(again.digits, again_kept) if seg is both), None) \
            if again is not None else None
        if one is not None and one.verdict == DIGIT and one.confidence >= MERGE_SURE:
            return trial, again, again_kept, drawn
    return None


def _join(a: Segment, b: Segment) -> Segment:
    """Two segments as one: their ink, boxes and strokes together."""
    region = None if a.region is None or b.region is None else box_union(a.region, b.region)
    return Segment(box_union(a.box, b.box), np.maximum(a.ink, b.ink),
                   sorted(a.stroke_indices + b.stroke_indices), region=region)


def _read_once(recognizer, result: SegmentResult, thresholds: Thresholds | None,
               strokes: Sequence[Stroke] | None,
               cache: RedrawCache | None) -> tuple[Reading | None, list]:
    """``read_segments`` without joining: the reading, and the segments it read."""
    if not result.segments:
        return (None if not result.noise else Reading(
            "", [], NOT_A_DIGIT, result.noise, "only specks: nothing to read")), []
    if len(result.segments) > result.max_digits:
        n = len(result.segments)
        return Reading("", [], NOT_A_DIGIT, result.noise,
                       f"too many pieces to read as one number ({n} found)"), []
    thresholds = thresholds or getattr(recognizer, "thresholds", None) or Thresholds()
    images, kept = [], []
    styled: list[np.ndarray | None] = [None] * len(result.segments)
    if strokes is not None:
        uncut = [k for k, seg in enumerate(result.segments) if not getattr(seg, "cut", False)]
        redrawn = _redrawn_styled(strokes, [result.segments[k] for k in uncut], cache,
                                  lone=len(result.segments) == 1)
        for k, digit in zip(uncut, redrawn):
            styled[k] = digit
    for seg, digit in zip(result.segments, styled):
        if digit is None:
            region = getattr(seg, "region", None)
            digit = mnist_style(seg.ink if region is None else
                                seg.ink[region[0]:region[1], region[2]:region[3]])
        if digit is not None:
            images.append(digit)
            kept.append(seg)
    if not images:
        return None, []
    inputs = normalise(np.stack(images))  # one call for all: preprocess_ink, batched
    probs = recognizer.probabilities(inputs)
    digits = []
    for seg, x, p in zip(kept, inputs, probs):
        verdict = thresholds.verdict(p)
        if verdict == DIGIT and getattr(seg, "cut", False) and len(kept) > 1:
            verdict = UNSURE if float(np.max(p)) < 0.9 else DIGIT  # a forced cut: be careful
        digits.append(DigitReading(int(np.argmax(p)), [float(v) for v in p], verdict,
                                   tuple(int(v) for v in seg.box), x))
    text = "".join(REFUSED if d.verdict == NOT_A_DIGIT else str(d.digit) for d in digits)
    return Reading(text, digits, overall_verdict([d.verdict for d in digits]),
                   result.noise), kept


def read_strokes(recognizer, strokes: Sequence[Stroke], ink: np.ndarray | None = None,
                 thresholds: Thresholds | None = None, size: int = CANVAS_SIZE,
                 max_digits: int = MAX_DIGITS,
                 cache: RedrawCache | None = None) -> Reading | None:
    """Read a drawing (the canvas's strokes, rendered as ``ink`` if given)."""
    return read_segments(recognizer, segment_strokes(strokes, size, ink=ink,
                                                     max_digits=max_digits), thresholds,
                         strokes, cache)


def read_ink(recognizer, ink: np.ndarray, thresholds: Thresholds | None = None,
             max_digits: int = MAX_DIGITS) -> Reading | None:
    """Read an ink image (a picture of a number)."""
    return read_segments(recognizer, segment_ink(ink, max_digits=max_digits), thresholds)


def lone_digit_strokes(strokes: Sequence[Stroke]) -> list[Stroke]:
    """A drawing of one digit as the Draw tab reads it: moved to a lone digit's usual
    size if it was drawn outside ``LONE_BAND``, else as drawn. The personal recipe
    augments these, so it trains on what the window reads."""
    moved = _moved(strokes, range(len(strokes)), lone=True)
    if moved is None:
        return list(strokes)
    return [Stroke([(float(x), float(y)) for x, y in pts]) for pts in moved]


def lone_digit_image(strokes: Sequence[Stroke]) -> np.ndarray | None:
    """A drawing of one digit as the Draw tab reads it: its MNIST-style 28x28 image,
    redrawn at a lone digit's size where it was drawn outside ``LONE_BAND``, else from
    the canvas's rendering; None when it has no ink. Evaluation goes through here, so
    it measures what the window reads."""
    moved = _moved(strokes, range(len(strokes)), lone=True)
    if moved is not None:
        return mnist_style(render_strokes(moved, size=REDRAW_SIZE))
    return mnist_style(render_strokes(strokes))


__all__ = ["Reading", "DigitReading", "RedrawCache", "read_segments", "read_strokes", "read_ink",
           "lone_digit_image", "lone_digit_strokes", "overall_verdict", "REFUSED", "LONE_BAND"]
