"""Browsing predictions: equal to evaluate, filters, the per-checkpoint cache."""

from __future__ import annotations

import os
import shutil
import threading

import numpy as np
import pytest

from lenet_gui.core.browse import (NO_INK, NO_LABEL, Filter, Predictions, confusion_matrix,
                                   drawings_source, find_drawn_sets, mnist_source,
                                   predict_source, select)
from lenet_gui.core.prediction_cache import PredictionCache, cache_key, cached_predictions
from lenet_gui.core.data import load_split
from lenet_gui.core.errors import StopRequested
from lenet_gui.core.evaluation import evaluate_drawings
from lenet_gui.core.predict import Recognizer, evaluate
from lenet_gui.core.strokes import Drawing, Stroke, load_drawings

from ..conftest import DRAWN


@pytest.fixture(scope="module")
def recognizer(shipped_ckpt):
    return Recognizer(shipped_ckpt)


@pytest.fixture(scope="module")
def test_split(subset_dir):
    return load_split(subset_dir, "test")


class CountingRecognizer:
    """Wraps a recognizer; counts how many images it was asked about."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.checkpoint = inner.checkpoint
        self.images = 0

    def probabilities(self, x):
        self.images += len(x)
        return self.inner.probabilities(x)


def test_predictions_equal_evaluate_on_the_subset(recognizer, test_split):
    expected = evaluate(recognizer, test_split.images, test_split.labels)
    seen = []
    got = predict_source(recognizer, test_split.images, test_split.labels, batch=128,
                         progress=lambda done, total: seen.append((done, total)))
    assert got.predicted.tolist() == expected.predictions
    assert np.allclose(got.confidences, expected.confidences, atol=1e-5)
    assert got.confusion.tolist() == expected.confusion
    assert got.accuracy == pytest.approx(expected.accuracy)
    assert got.mistakes == sum(y != p for y, p in zip(expected.labels, expected.predictions))
    assert seen[-1] == (500, 500) and len(seen) == 4  # 128, 256, 384, 500


def test_a_stroke_source_equals_evaluate_drawings(recognizer):
    drawings = load_drawings(DRAWN)[:120]
    expected = evaluate_drawings(recognizer, drawings)
    source = drawings_source("drawn", drawings)
    got = predict_source(recognizer, source)
    assert source.is_strokes and source.item(7) is drawings[7]
    assert got.predicted.tolist() == expected.predictions
    assert got.confusion.tolist() == expected.confusion
    assert np.allclose(got.confidences, expected.confidences, atol=1e-4)


def test_unlabelled_and_inkless_drawings_are_kept_out_of_the_confusion(recognizer):
    seven = load_drawings(DRAWN)[70]
    drawings = [Drawing(seven.strokes, None), Drawing([], 3), seven,
                Drawing([Stroke([(0.5, 0.5)], erase=True)], 4)]
    got = predict_source(recognizer, drawings)
    assert got.labels.tolist() == [NO_LABEL, 3, seven.label, 4]
    assert got.predicted[1] == NO_INK and got.predicted[3] == NO_INK
    assert got.predicted[0] == got.predicted[2]  # the same strokes read the same
    assert got.confusion.sum() == 1  # only the labelled, inked one
    assert got.wrong.tolist() == [False, True, got.predicted[2] != seven.label, True]


def test_stop_raises_between_batches(recognizer, test_split):
    stop = threading.Event()
    stop.set()
    with pytest.raises(StopRequested):
        predict_source(recognizer, test_split.images, test_split.labels, stop=stop)


def test_filters_select_exactly_the_right_items():
    labels = np.array([0, 1, 2, 1, 1, NO_LABEL], dtype=np.int16)
    pred = Predictions(labels, np.array([0, 7, 2, 1, 7, 3], dtype=np.int8),
                       np.ones(6, dtype=np.float32))
    assert pred.confusion[1, 7] == 2 and pred.confusion.sum() == 5
    assert select(labels, pred, Filter()).tolist() == [0, 1, 2, 3, 4, 5]
    assert select(labels, pred, Filter("mistakes")).tolist() == [1, 4]
    assert select(labels, pred, Filter("true", 1)).tolist() == [1, 3, 4]
    assert select(labels, pred, Filter("cell", 1, 7)).tolist() == [1, 4]
    assert select(labels, pred, Filter("cell", 1, 1)).tolist() == [3]
    assert select(labels, None, Filter("mistakes")).tolist() == []
    assert select(labels, None, Filter("true", 2)).tolist() == [2]
    assert confusion_matrix(labels, pred.predicted).tolist() == pred.confusion.tolist()


def test_the_cache_hits_on_the_second_call_and_survives_on_disk(recognizer, test_split,
                                                                tmp_path):
    source = mnist_source("MNIST test", test_split.images, test_split.labels)
    counting = CountingRecognizer(recognizer)
    cache = PredictionCache(tmp_path / "cache")
    first, cached = cached_predictions(cache, counting, source)
    assert not cached and counting.images == 500
    second, cached = cached_predictions(cache, counting, source)
    assert cached and counting.images == 500 and cache.hits == 1
    assert second is first  # from memory

    files = list((tmp_path / "cache").glob("predictions-*.npz"))
    assert len(files) == 1 and not list((tmp_path / "cache").glob(".tmp-*"))
    fresh = PredictionCache(tmp_path / "cache")  # a new session: from disk
    third, cached = cached_predictions(fresh, counting, source)
    assert cached and counting.images == 500
    assert third.predicted.tolist() == first.predicted.tolist()
    assert third.confusion.tolist() == first.confusion.tolist()

    # Other data is another key; so is the same checkpoint file changed.
    other = mnist_source("MNIST test", test_split.images[:100], test_split.labels[:100])
    _, cached = cached_predictions(fresh, counting, other)
    assert not cached and counting.images == 600


def test_a_changed_checkpoint_file_is_a_new_key(shipped_ckpt, tmp_path):
    ckpt = tmp_path / "m.ckpt"
    shutil.copy(shipped_ckpt, ckpt)
    before = cache_key(ckpt, "src")
    st = ckpt.stat()
    os.utime(ckpt, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert cache_key(ckpt, "src") != before
    assert cache_key(tmp_path / "missing.ckpt", "src") is None


def test_a_corrupt_cache_file_is_recomputed(recognizer, test_split, tmp_path):
    source = mnist_source("MNIST test", test_split.images, test_split.labels)
    counting = CountingRecognizer(recognizer)
    cached_predictions(PredictionCache(tmp_path), counting, source)
    [path] = tmp_path.glob("predictions-*.npz")
    for damage in (b"not a zip file", path.read_bytes()[:300]):
        path.write_bytes(damage)
        again, cached = cached_predictions(PredictionCache(tmp_path), counting, source)
        assert not cached and len(again) == 500
    assert counting.images == 1500
    # and it was written back whole
    _, cached = cached_predictions(PredictionCache(tmp_path), counting, source)
    assert cached


def test_a_cache_file_of_another_key_is_not_used(recognizer, test_split, tmp_path):
    source = mnist_source("MNIST test", test_split.images, test_split.labels)
    cache = PredictionCache(tmp_path)
    cached_predictions(cache, recognizer, source)
    [path] = tmp_path.glob("predictions-*.npz")
    key = cache_key(recognizer.checkpoint, "another source")
    path.rename(tmp_path / key.file_name())  # right name, wrong content
    assert PredictionCache(tmp_path).get(key) is None


def test_memory_cache_keeps_the_newest(tmp_path):
    cache = PredictionCache(None, max_items=2)
    p = Predictions(np.zeros(1, np.int16), np.zeros(1, np.int8), np.ones(1, np.float32))
    keys = [cache_key(DRAWN, f"s{i}") for i in range(3)]
    for k in keys:
        cache.put(k, p)
    assert cache.get(keys[0]) is None and cache.get(keys[2]) is p
    assert list(tmp_path.iterdir()) == []  # memory only: nothing on disk


def test_the_drawn_sets_are_found():
    names = [p.name for p in find_drawn_sets()]
    assert "drawn_digits.json" in names and "drawn_digits_hard.json" in names
    assert find_drawn_sets(DRAWN.parent / "no-such-folder") == []
