"""Issue 4: drawn digits replayed as real mouse drags agree with `lenet-gui eval --strokes`."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from lenet_gui.core.evaluation import evaluate_drawings
from lenet_gui.core.strokes import load_drawings

from ..conftest import DRAWN


def _replay(qtbot, window, sample):
    """Each drawing dragged onto the canvas with the mouse; the window's answers."""
    canvas = window.draw_tab.canvas
    got, probs = [], []
    for drawing in sample:
        canvas.clear()
        side = min(canvas.width(), canvas.height())
        ox, oy = (canvas.width() - side) / 2, (canvas.height() - side) / 2
        for stroke in drawing.strokes:
            pts = [QPoint(round(ox + x * side), round(oy + y * side)) for x, y in stroke.points]
            qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=pts[0])
            for p in pts[1:]:
                qtbot.mouseMove(canvas, p)
            qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=pts[-1])
        digit, p = window.draw_tab.last_prediction
        got.append(digit)
        probs.append(p)
    return got, probs


def test_canvas_and_command_agree(qtbot, window):
    drawings = load_drawings(DRAWN)
    sample = [d for i, d in enumerate(drawings) if i % 25 == 0]  # 2 of each class
    expected = evaluate_drawings(window.draw_tab.recognizer, sample)  # the command's path
    got, probs = _replay(qtbot, window, sample)
    assert got == expected.predictions
    assert sum(g == d.label for g, d in zip(got, sample)) >= 19
    # Mouse positions are whole pixels, the file's are not: close, not identical.
    winner = [p[g] for p, g in zip(probs, got)]
    assert np.allclose(winner, expected.confidences, atol=0.1)


def test_real_writers_drawn_with_the_mouse_read_as_the_benchmark_reads_them(qtbot, window,
                                                                           subset_dir):
    """MNIST digits traced into strokes (benchmarks/bench_replay.py) and dragged onto the
    canvas: the window reads them as the benchmark does, though a traced digit often
    has several strokes."""
    from lenet_gui.core.data import load_split
    from lenet_gui.core.mnist_strokes import as_drawings

    test = load_split(subset_dir, "test")
    picks = [int(np.flatnonzero(test.labels == d)[k]) for d in range(10) for k in (0, 1)]
    sample, _ = as_drawings(test.images[picks], test.labels[picks])
    assert sum(len(d.strokes) > 1 for d in sample) >= 4
    expected = evaluate_drawings(window.draw_tab.recognizer, sample)
    got, probs = _replay(qtbot, window, sample)
    assert got == expected.predictions
    assert sum(g == d.label for g, d in zip(got, sample)) >= 18
    winner = [p[g] for p, g in zip(probs, got)]
    assert np.allclose(winner, expected.confidences, atol=0.1)
