"""Browsing a data set with the model's verdicts: predictions, confusion, a cache.

Why a module of its own: the Data view shows every MNIST image (60,000) or drawing
with the model's answer, and which ones it gets wrong. That needs all predictions
at once, computed in batches off the GUI thread (``predict_source``: progress and
a stop event, ~1 s for 10,000 images), and remembered per checkpoint so switching
sources or tabs is instant (``prediction_cache.PredictionCache``). No Qt.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .errors import LenetGuiError, StopRequested
from .preprocess import MNIST_SIZE, normalise
from .reading import lone_digit_image
from .strokes import Drawing, load_drawings

BATCH = 1000  # images per forward: the recognizer's largest compiled shape
NO_LABEL = -1  # an unlabelled drawing (e.g. a non-digit set)
NO_INK = -1  # a drawing with no ink: nothing to predict
ProgressFn = Callable[[int, int], None]  # done, total


class SupportsProbabilities(Protocol):
    def probabilities(self, inputs: np.ndarray) -> np.ndarray: ...


# ------------------------------------------------------------------ sources
@dataclass
class Source:
    """Images to browse: 28x28 MNIST-style pictures (what the model judges), labels,
    and for stroke sources the drawings themselves (double-click puts them back on
    the canvas). ``fingerprint`` names the content, for the cache."""

    name: str
    images: np.ndarray  # (N, 28, 28): uint8 for MNIST, float32 0..255 for drawings
    labels: np.ndarray  # (N,) int16, NO_LABEL where unknown
    drawings: list[Drawing] | None = None
    fingerprint: str = ""

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def is_strokes(self) -> bool:
        return self.drawings is not None

    def item(self, i: int) -> np.ndarray | Drawing:
        """What the canvas takes: the 28x28 uint8 image, or the drawing."""
        if self.drawings is not None:
            return self.drawings[i]
        return np.array(self.images[i], dtype=np.uint8)

    def thumbnail(self, i: int) -> np.ndarray:
        """The i-th image as contiguous uint8 (28, 28), light ink on black."""
        img = self.images[i]
        if img.dtype != np.uint8:
            img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(img)


def digest(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()


def mnist_source(name: str, images: np.ndarray, labels: np.ndarray) -> Source:
    """A split's images as a Source (hashing 60,000 images takes ~0.1 s)."""
    images = np.asarray(images, dtype=np.uint8)
    labels = np.asarray(labels).astype(np.int16)
    return Source(name, images, labels, None,
                  "mnist-" + digest(images.tobytes(), labels.tobytes()))


def drawings_fingerprint(drawings: Sequence[Drawing]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for d in drawings:
        h.update(b"L%d|" % (NO_LABEL if d.label is None else d.label))
        for s in d.strokes:
            h.update(b"E" if s.erase else b"S")
            h.update(np.asarray(s.points, dtype=np.float32).tobytes())
    return "strokes-" + h.hexdigest()


def drawings_source(name: str, drawings: Sequence[Drawing],
                    progress: ProgressFn | None = None,
                    stop: threading.Event | None = None) -> Source:
    """Render each drawing with the canvas pen and make it MNIST-style (1-3 ms each).

    Exactly the Draw tab's path for a lone digit (``reading.lone_digit_image``): the
    model later sees ``normalise`` of these float images. A drawing with no ink stays
    black.
    """
    drawings = list(drawings)
    images = np.zeros((len(drawings), MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    for i, d in enumerate(drawings):
        if stop is not None and stop.is_set():
            raise StopRequested("cancelled")
        digit = lone_digit_image(d.strokes)
        if digit is not None:
            images[i] = digit
        if progress is not None and (i % 50 == 49 or i == len(drawings) - 1):
            progress(i + 1, len(drawings))
    labels = np.array([NO_LABEL if d.label is None else d.label for d in drawings],
                      dtype=np.int16)
    return Source(name, images, labels, drawings, drawings_fingerprint(drawings))


def load_stroke_source(path: Path, name: str, progress: ProgressFn | None = None,
                       stop: threading.Event | None = None) -> Source:
    """A stroke file's drawings as a Source; LenetGuiError (one line) if unusable."""
    drawings = load_drawings(Path(path))
    if not drawings:
        raise LenetGuiError(f"{path}: no drawings in this stroke file")
    return drawings_source(name, drawings, progress, stop)


def load_mnist_source(data_dir: Path, split: str, name: str) -> Source:
    """An MNIST split as a Source; LenetGuiError (one line) where it is missing or bad."""
    from .data import load_split, require_files
    from .errors import DataError

    try:
        require_files(data_dir, split)
    except DataError:
        raise LenetGuiError(f"MNIST not found in {data_dir} — download it in the Train "
                            "tab.") from None
    try:
        data = load_split(data_dir, split)
    except DataError as exc:
        raise LenetGuiError(f"Cannot read MNIST {split} in {data_dir}: {exc}") from None
    return mnist_source(name, data.images, data.labels)


def mnist_canvas_source(data_dir: Path, split: str, name: str,
                        progress: ProgressFn | None = None,
                        stop: threading.Event | None = None,
                        cache_dir: Path | None = None) -> Source:
    """An MNIST split's digits drawn on the canvas (``mnist_strokes``): real writers'
    shapes as drawings, read the way the Draw tab reads them. The tracing (about 5 ms a
    digit: the first half of the progress) is kept in ``cache_dir``; the rendering is
    the second half."""
    from .mnist_strokes import cached_mnist_to_strokes

    mnist = load_mnist_source(data_dir, split, name)
    n = len(mnist)
    traced = cached_mnist_to_strokes(
        mnist.images, cache_dir, None if progress is None else (lambda done: progress(done, 2 * n)),
        None if stop is None else stop.is_set)
    if stop is not None and stop.is_set():
        raise StopRequested("cancelled")
    drawings = [Drawing(strokes, int(label), style="mnist")
                for strokes, label in zip(traced, mnist.labels)]
    rendering = None if progress is None else (lambda done, total: progress(total + done, 2 * total))
    return drawings_source(name, drawings, rendering, stop)


# -------------------------------------------------------------- predictions
@dataclass
class Predictions:
    """The model's answer for every item of a source."""

    labels: np.ndarray  # (N,) int16, NO_LABEL where unknown
    predicted: np.ndarray  # (N,) int8, NO_INK where there was nothing to read
    confidences: np.ndarray  # (N,) float32, probability of the predicted digit
    confusion: np.ndarray | None = None  # (10, 10) [true][predicted]; computed if None

    def __post_init__(self) -> None:
        if self.confusion is None:
            self.confusion = confusion_matrix(self.labels, self.predicted)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def judged(self) -> np.ndarray:
        """Items with a label and a prediction: those the confusion matrix counts."""
        return (self.labels >= 0) & (self.predicted >= 0)

    @property
    def wrong(self) -> np.ndarray:
        return (self.labels >= 0) & (self.predicted != self.labels)

    @property
    def accuracy(self) -> float:
        n = int(self.judged.sum())
        return float(np.trace(self.confusion) / n) if n else float("nan")

    @property
    def mistakes(self) -> int:
        return int(self.wrong.sum())


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """confusion[true][predicted] over the labelled, predicted items."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    keep = (labels >= 0) & (predicted >= 0)
    out = np.zeros((10, 10), dtype=np.int64)
    np.add.at(out, (labels[keep].astype(np.intp), predicted[keep].astype(np.intp)), 1)
    return out


def predict_source(recognizer: SupportsProbabilities,
                   source: Source | np.ndarray | Sequence[Drawing],
                   labels: np.ndarray | None = None, batch: int = BATCH,
                   progress: ProgressFn | None = None,
                   stop: threading.Event | None = None) -> Predictions:
    """Every item's predicted digit and confidence, ``batch`` images at a time.

    ``source``: a Source, (N, 28, 28) MNIST-style images (with ``labels``), or
    drawings (labelled by themselves). ``progress(done, total)`` after each batch;
    ``stop`` set -> StopRequested between batches.
    """
    if not isinstance(source, Source):
        if isinstance(source, np.ndarray):
            n = len(source)
            lab = np.full(n, NO_LABEL, np.int16) if labels is None else labels
            source = Source("images", source, np.asarray(lab).astype(np.int16))
        else:
            source = drawings_source("drawings", source, stop=stop)
    n = len(source)
    predicted = np.full(n, NO_INK, dtype=np.int8)
    confidences = np.zeros(n, dtype=np.float32)
    for start in range(0, n, batch):
        if stop is not None and stop.is_set():
            raise StopRequested("cancelled")
        chunk = source.images[start:start + batch]
        inked = chunk.reshape(len(chunk), -1).max(axis=1) > 0
        idx = np.flatnonzero(inked)
        if len(idx):
            p = np.asarray(recognizer.probabilities(normalise(chunk[idx])))
            best = np.argmax(p, axis=1)
            predicted[start + idx] = best
            confidences[start + idx] = p[np.arange(len(idx)), best]
        if progress is not None:
            progress(min(start + batch, n), n)
    return Predictions(source.labels.copy(), predicted, confidences)


# ------------------------------------------------------------------ filters
@dataclass(frozen=True)
class Filter:
    """Which items to show: ``kind`` is "all", "mistakes", "true" (label == true)
    or "cell" (label == true and predicted == predicted)."""

    kind: str = "all"
    true: int | None = None
    predicted: int | None = None

    def describe(self) -> str:
        if self.kind == "mistakes":
            return "mistakes"
        if self.kind == "true":
            return f"true {self.true}"
        if self.kind == "cell":
            return f"true {self.true}, read as {self.predicted}"
        return "all"


def select(labels: np.ndarray, predictions: Predictions | None, flt: Filter) -> np.ndarray:
    """Indices of the items the filter keeps, in source order. Without predictions
    yet, "mistakes" and "cell" keep nothing."""
    labels = np.asarray(labels)
    if flt.kind == "all":
        return np.arange(len(labels))
    if flt.kind == "true":
        return np.flatnonzero(labels == flt.true)
    if predictions is None:
        return np.zeros(0, dtype=np.intp)
    if flt.kind == "mistakes":
        return np.flatnonzero(predictions.wrong)
    if flt.kind == "cell":
        return np.flatnonzero((labels == flt.true) & (predictions.predicted == flt.predicted))
    raise ValueError(f"unknown filter {flt.kind!r}")


def drawn_sets_dir() -> Path:
    """The project's drawn-digit sets (a source checkout's tests/data)."""
    return Path(__file__).resolve().parents[2] / "tests" / "data"


def find_drawn_sets(folder: Path | None = None) -> list[Path]:
    """Stroke files in ``folder`` (default: drawn_sets_dir()); none when it is absent."""
    folder = drawn_sets_dir() if folder is None else Path(folder)
    try:
        return sorted(p for p in folder.glob("*.json") if p.is_file())
    except OSError:
        return []


__all__ = ["Source", "Predictions", "Filter", "mnist_source", "drawings_source",
           "load_stroke_source", "predict_source", "select", "confusion_matrix",
           "find_drawn_sets", "drawn_sets_dir", "digest", "NO_LABEL", "NO_INK"]
