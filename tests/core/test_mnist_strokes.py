"""MNIST digits as canvas strokes: thinning, tracing, the canvas-pen images and their cache."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from lenet_gui.core import mnist_strokes as M
from lenet_gui.core.config import TrainConfig
from lenet_gui.core.data import load_split
from lenet_gui.core.reading import lone_digit_image


@pytest.fixture(scope="module")
def test_split(subset_dir):
    return load_split(subset_dir, "test")


def _holes(binary: np.ndarray) -> int:
    lab, k = ndimage.label(~binary)
    border = set(np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])))
    return sum(1 for j in range(1, k + 1) if j not in border)


def test_thinning_leaves_a_one_pixel_line_and_keeps_holes():
    bar = np.zeros((1, 30, 40), bool)
    bar[0, 10:17, 5:35] = True
    ring = np.zeros((30, 30), bool)
    yy, xx = np.mgrid[:30, :30]
    r = np.hypot(yy - 15, xx - 15)
    ring[(r > 6) & (r < 11)] = True
    thin_bar, thin_ring = M.thin(bar)[0], M.thin(ring[None])[0]
    assert thin_bar.sum(axis=0).max() == 1  # one pixel thick across the bar
    assert 20 <= thin_bar.sum() <= 30
    assert _holes(thin_ring) == 1 and thin_ring.sum() < ring.sum() / 3
    assert not (thin_ring & ~ring).any()  # thinning only removes


def test_tracing_covers_the_line_once():
    line = np.zeros((20, 20), bool)
    line[5, 3:15] = True  # a horizontal run
    line[6:16, 14] = True  # then down: an L
    paths = M.trace(line)
    assert len(paths) == 1
    assert {tuple(p) for p in paths[0].astype(int)} == set(zip(*np.nonzero(line)))
    assert len(paths[0]) == line.sum()  # every pixel once: no edge walked twice
    loop = M.thin(np.pad(np.ones((10, 10), bool), 5)[None] & ~np.pad(
        np.ones((4, 4), bool), 8)[None])[0]
    (closed,) = M.trace(loop)
    assert np.abs(closed[0] - closed[-1]).max() <= 1  # a loop ends where it began
    assert M.trace(np.zeros((5, 5), bool)) == []


def test_digits_land_on_the_canvas_at_the_usual_size(test_split):
    drawings = M.mnist_to_strokes(test_split.images[:40])
    assert all(drawings)
    for strokes in drawings:
        pts = np.concatenate([np.array(s.points) for s in strokes])
        side = (pts.max(0) - pts.min(0)).max()
        assert side == pytest.approx(M.DIGIT_SIDE, abs=0.02)
        assert abs((pts.max(0) + pts.min(0)) / 2 - 0.5).max() < 0.02
    assert M.mnist_to_strokes(np.zeros((2, 28, 28), np.uint8)) == [[], []]


def test_replayed_digits_are_read_as_their_labels(test_split, shipped_ckpt):
    """Real writers' shapes with the canvas pen: the shipped model reads them as it
    reads a drawing (98.2% of all MNIST test digits, benchmarks/bench_replay.py). A
    transposed or mirrored trace, a lost stroke or a wrong size would fail this."""
    from lenet_gui.core.evaluation import evaluate_drawings
    from lenet_gui.core.predict import Recognizer

    drawings, kept = M.as_drawings(test_split.images[:300], test_split.labels[:300])
    assert len(kept) == 300 and drawings[0].style == "mnist"
    result = evaluate_drawings(Recognizer(shipped_ckpt), drawings)
    assert result.accuracy >= 0.95


def test_canvas_pen_images_are_what_the_draw_tab_reads(test_split):
    images = np.concatenate([test_split.images[:6], np.zeros((1, 28, 28), np.uint8)])
    pen = M.canvas_pen_images(images, chunk=4)
    assert pen.dtype == np.uint8 and pen.shape == images.shape
    strokes = M.mnist_to_strokes(images[:6])
    for i in range(6):
        expected = np.clip(np.rint(lone_digit_image(strokes[i])), 0, 255)
        assert np.array_equal(pen[i], expected)
        assert not np.array_equal(pen[i], images[i])  # drawn again, not copied
    assert not pen[6].any()  # nothing to trace: left as it was


def test_the_cache_is_reused_and_a_broken_one_made_again(test_split, tmp_path, monkeypatch):
    images = test_split.images[:5]
    first = M.cached_canvas_pen_images(images, tmp_path)
    (cached,) = tmp_path.glob("canvas-pen-v*.npy")

    def no_conversion(*_a, **_k):
        raise AssertionError("converted again although cached")

    monkeypatch.setattr(M, "canvas_pen_images", no_conversion)
    assert np.array_equal(M.cached_canvas_pen_images(images, tmp_path), first)
    monkeypatch.undo()
    cached.write_bytes(b"not an array")
    lines = []
    assert np.array_equal(M.cached_canvas_pen_images(images, tmp_path, lines.append), first)
    assert lines and "canvas pen" in lines[0]
    assert np.load(cached).shape == images.shape  # rewritten


def test_training_swaps_in_canvas_pen_digits(subset_dir, tmp_path, monkeypatch):
    from lenet_gui.core import train as train_module
    from lenet_gui.core import train_batches

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    seen = []
    real = train_batches.normalise

    def spy(x):
        seen.append(np.array(x))
        return real(x)

    monkeypatch.setattr(train_batches, "normalise", spy)
    split = load_split(subset_dir, "train")
    config = TrainConfig(epochs=1, limit=64, canvas_pen=1.0)
    train_module.train(config, tmp_path / "p.ckpt", train_split=split,
                       test_split=load_split(subset_dir, "test").head(32))
    pen = np.load(next((tmp_path / "data" / "lenet-gui" / "cache").glob("canvas-pen-*.npy")))
    batches = [b for b in seen if b.shape[0] == config.batch_size]
    assert batches
    # every training image of a batch is one of the canvas-pen digits, not MNIST's own
    pen_set = {p.tobytes() for p in pen.astype(np.float32)}
    assert all(img.astype(np.float32).tobytes() in pen_set for img in batches[0])


def test_traced_strokes_are_cached_and_read_back_the_same(test_split, tmp_path, monkeypatch):
    from lenet_gui.core.strokes import render_strokes

    images = test_split.images[:30]
    done = []
    fresh = M.cached_mnist_to_strokes(images, tmp_path, done.append)
    assert done[-1] == 30 and len(fresh) == 30
    (cached,) = tmp_path.glob("mnist-strokes-v*.npz")

    def no_tracing(*_a, **_k):
        raise AssertionError("traced again although cached")

    monkeypatch.setattr(M, "mnist_to_strokes", no_tracing)
    again = M.cached_mnist_to_strokes(images, tmp_path)
    assert [len(d) for d in again] == [len(d) for d in fresh]
    for a, b in zip(again, fresh):  # float32 in the file: the same canvas image
        assert np.array_equal(render_strokes(a), render_strokes(b))
    monkeypatch.undo()
    assert M.load_strokes(cached, 29) is None  # another digit count: not this cache
    cached.write_bytes(b"\x00garbage")
    assert M.load_strokes(cached, 30) is None
    assert len(M.cached_mnist_to_strokes(images, tmp_path)) == 30  # made again
    assert M.load_strokes(cached, 30) is not None


def test_tracing_stops_when_asked(test_split):
    assert M.cached_mnist_to_strokes(test_split.images[:1200], None, stop=lambda: True) == []
