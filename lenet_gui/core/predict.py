"""Recognition and evaluation with MindSpore.

``Recognizer`` loads a checkpoint once and answers for one input or a batch. It
runs the network as one compiled graph (``mindspore.jit``): ~2-3 ms for one
image here against ~20 ms op by op, fast enough for every mouse move. Inputs are
padded to a few fixed batch sizes so MindSpore compiles each shape only once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ._mindspore import LOCK, import_mindspore
from .model import CheckpointInfo, load_checkpoint
from .preprocess import INPUT_SIZE, normalise
from .verdict import DEFAULT_REJECT, UNSURE_BELOW, Thresholds

# Batch shapes compiled for; bigger inputs are cut into chunks of the largest.
# 4 and 8: the digits of a number (a 4-digit number padded to 16 costs 0.65 ms more).
_BUCKETS = (1, 4, 8, 16, 256, 1000)
# The answer is given with its runner-up below this: the one threshold of verdict.py.
LOW_CONFIDENCE = UNSURE_BELOW


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def make_forward(net, largest: int = _BUCKETS[-1],
                 sizes: tuple[int, ...] = ()) -> Callable[[np.ndarray], np.ndarray]:
    """(N, 1, 32, 32) float32 -> (N, 10) logits with ``net``'s current weights.

    Compiled once per bucket size; each batch holds MindSpore's process lock, so
    it can run beside a training step in another thread; ``largest`` bounds a
    batch, and so how long the lock is held. Leaves ``net``'s train flag alone (a
    training graph using it stays compiled). ``sizes``: more batch shapes, for a
    caller whose batches have one size (a teacher's training batches), so that they
    are not padded to the next bucket.
    """
    buckets = tuple(sorted({b for b in _BUCKETS if b <= largest} | set(sizes))) or (1,)
    ms = import_mindspore()

    @ms.jit
    def _logits(x):
        return net(x)

    def forward(x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        out = []
        biggest = buckets[-1]
        for start in range(0, len(x), biggest):
            chunk = x[start:start + biggest]
            n = len(chunk)
            bucket = next(b for b in buckets if b >= n)
            if bucket != n:
                pad = np.zeros((bucket - n,) + chunk.shape[1:], dtype=np.float32)
                chunk = np.concatenate([chunk, pad])
            with LOCK:
                out.append(_logits(ms.Tensor(chunk)).asnumpy()[:n])
        if not out:
            return np.zeros((0, 10), dtype=np.float32)
        return np.concatenate(out)

    return forward


class Recognizer:
    """A checkpoint loaded once; probabilities for network inputs.

    Thread-safe: the window predicts from the GUI thread while a worker may be
    training another network in the same process (see ``_mindspore.LOCK``).
    """

    def __init__(self, checkpoint: Path) -> None:
        self.checkpoint = Path(checkpoint)
        with LOCK:
            self.net, self.info = load_checkpoint(self.checkpoint)
        self._forward = make_forward(self.net)
        reject = self.info.reject_threshold
        self.thresholds = Thresholds(reject=reject if reject is not None else DEFAULT_REJECT)

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 1, 32, 32) -> (N, 10) logits."""
        return self._forward(inputs)

    @property
    def info_text(self) -> str:
        return self.info.describe()

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(1, 32, 32) -> (10,) or (N, 1, 32, 32) -> (N, 10) probabilities."""
        x = np.asarray(inputs, dtype=np.float32)
        single = x.ndim == 3
        if single:
            x = x[None]
        if x.ndim != 4 or x.shape[1:] != (1, INPUT_SIZE, INPUT_SIZE):
            raise ValueError(f"expected (N, 1, 32, 32) inputs, got {np.shape(inputs)}")
        p = softmax(self._forward(x).astype(np.float64))
        return p[0] if single else p

    def warm_up(self, sizes: tuple[int, ...] = (1,)) -> None:
        """Compile the graphs for these batch sizes now rather than on first use
        (0.15-0.3 s each): 1 for a digit, 4 and 8 for the digits of a number."""
        for n in sizes:
            self.probabilities(np.zeros((n, 1, INPUT_SIZE, INPUT_SIZE), dtype=np.float32))


@dataclass
class Prediction:
    digit: int
    probabilities: list[float]

    @property
    def confidence(self) -> float:
        return self.probabilities[self.digit]

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


def predict_one(recognizer: Recognizer, model_input: np.ndarray) -> Prediction:
    p = recognizer.probabilities(model_input)
    return Prediction(int(np.argmax(p)), [float(v) for v in p])


@dataclass
class EvalResult:
    accuracy: float
    per_class: list[float]
    confusion: list[list[int]]  # confusion[true][predicted]
    samples: int
    predictions: list[int] = field(default_factory=list, repr=False)
    confidences: list[float] = field(default_factory=list, repr=False)
    labels: list[int] = field(default_factory=list, repr=False)

    def confident_mistakes(self, threshold: float = 0.9) -> int:
        """Wrong answers given with probability above ``threshold``."""
        return sum(1 for y, p, c in zip(self.labels, self.predictions, self.confidences)
                   if y != p and c > threshold)

    def to_dict(self) -> dict:
        return {"accuracy": self.accuracy, "per_class": self.per_class,
                "confusion": self.confusion, "samples": self.samples}


def score(labels: np.ndarray, probabilities: np.ndarray) -> EvalResult:
    """Accuracy, per-class accuracy and confusion matrix from probabilities."""
    labels = np.asarray(labels, dtype=np.int64)
    pred = np.argmax(probabilities, axis=1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, pred), 1)
    per_class = [float(confusion[c, c] / confusion[c].sum()) if confusion[c].sum() else
                 float("nan") for c in range(10)]
    accuracy = float((pred == labels).mean()) if len(labels) else float("nan")
    conf = probabilities[np.arange(len(pred)), pred] if len(pred) else np.zeros(0)
    return EvalResult(accuracy, per_class, confusion.tolist(), int(len(labels)),
                      pred.tolist(), [float(c) for c in conf], labels.tolist())


def evaluate_arrays(forward: Callable[[np.ndarray], np.ndarray], images: np.ndarray,
                    labels: np.ndarray, batch: int = 1000) -> EvalResult:
    """Evaluate 28x28 uint8 MNIST images through the shared preprocessing."""
    probs = []
    for start in range(0, len(images), batch):
        probs.append(softmax(forward(normalise(images[start:start + batch]))))
    p = np.concatenate(probs) if probs else np.zeros((0, 10))
    return score(labels, p)


def evaluate(recognizer: Recognizer, images: np.ndarray, labels: np.ndarray) -> EvalResult:
    return evaluate_arrays(recognizer.forward, images, labels)


__all__ = ["Recognizer", "Prediction", "EvalResult", "CheckpointInfo", "predict_one",
           "evaluate", "evaluate_arrays", "score", "softmax", "make_forward", "LOW_CONFIDENCE"]
