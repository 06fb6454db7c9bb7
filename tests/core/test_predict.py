"""Recognizer and evaluation with the shipped checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from lenet_gui.core.data import load_split
from lenet_gui.core.evaluation import evaluate_drawings
from lenet_gui.core.predict import Recognizer, evaluate, predict_one, score
from lenet_gui.core.preprocess import normalise
from lenet_gui.core.strokes import load_drawings


@pytest.fixture(scope="module")
def recognizer(shipped_ckpt):
    return Recognizer(shipped_ckpt)


def _numpy_lenet(params: dict, x: np.ndarray) -> np.ndarray:
    """An independent NumPy forward pass of the course's LeNet5."""
    def conv(x, w):
        n, c, h, wd = x.shape
        k = w.shape[-1]
        cols = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
        return np.einsum("nchwij,ocij->nohw", cols, w)

    def pool(x):
        n, c, h, w = x.shape
        return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))

    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    x = pool(relu(conv(x, params["conv1.weight"])))
    x = pool(relu(conv(x, params["conv2.weight"])))
    x = x.reshape(len(x), -1)
    x = relu(x @ params["fc1.weight"].T + params["fc1.bias"])
    x = relu(x @ params["fc2.weight"].T + params["fc2.bias"])
    return x @ params["fc3.weight"].T + params["fc3.bias"]


def test_mindspore_agrees_with_numpy(recognizer, subset_dir):
    images = load_split(subset_dir, "test").images[:20]
    x = normalise(images)
    params = {p.name: p.asnumpy().astype(np.float64) for p in recognizer.net.get_parameters()}
    logits = _numpy_lenet(params, x.astype(np.float64))
    e = np.exp(logits - logits.max(1, keepdims=True))
    expected = e / e.sum(1, keepdims=True)
    assert np.allclose(recognizer.probabilities(x), expected, atol=1e-4)


def test_single_and_batch_agree(recognizer, subset_dir):
    x = normalise(load_split(subset_dir, "test").images[:300])  # more than one bucket
    batch = recognizer.probabilities(x)
    assert batch.shape == (300, 10) and np.allclose(batch.sum(1), 1, atol=1e-5)
    for i in (0, 17, 299):
        assert np.allclose(recognizer.probabilities(x[i]), batch[i], atol=1e-5)
    with pytest.raises(ValueError):
        recognizer.probabilities(np.zeros((28, 28), np.float32))


def test_subset_accuracy_and_confusion(recognizer, subset_dir):
    test = load_split(subset_dir, "test")
    result = evaluate(recognizer, test.images, test.labels)
    assert result.accuracy > 0.97
    confusion = np.array(result.confusion)
    assert confusion.sum() == 500 and confusion.trace() == round(result.accuracy * 500)
    assert np.allclose(confusion.sum(1), np.bincount(test.labels, minlength=10))
    for c in range(10):
        assert result.per_class[c] == pytest.approx(confusion[c, c] / confusion[c].sum())
    assert set(result.to_dict()) == {"accuracy", "per_class", "confusion", "samples"}


def test_score_counts_confident_mistakes():
    probs = np.array([[0.95, 0.05] + [0] * 8, [0.2, 0.8] + [0] * 8, [0.05, 0.95] + [0] * 8])
    result = score(np.array([1, 1, 0]), probs)
    assert result.accuracy == pytest.approx(1 / 3)
    assert result.confident_mistakes(0.9) == 2 and result.confident_mistakes(0.96) == 0


def test_predict_one(recognizer, subset_dir):
    test = load_split(subset_dir, "test")
    preds = [predict_one(recognizer, normalise(img)) for img in test.images[:20]]
    assert sum(p.digit == y for p, y in zip(preds, test.labels[:20])) >= 18
    for p in preds:
        assert p.confidence == max(p.probabilities)
        assert p.low_confidence == (p.confidence < 0.6)


def test_drawn_digits(recognizer):
    from ..conftest import DRAWN

    drawings = load_drawings(DRAWN)
    assert len(drawings) >= 300
    assert min(np.bincount([d.label for d in drawings], minlength=10)) >= 30
    result = evaluate_drawings(recognizer, drawings)
    assert result.accuracy >= 0.97  # issue 4's target for the shipped checkpoint
    assert result.samples == len(drawings)
