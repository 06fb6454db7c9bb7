"""The canvas's model image: painted by the core, a segment per mouse move, and exactly
the image ``strokes.render_strokes`` gives for the saved strokes."""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

import lenet_gui.ui.canvas as canvas_module
from lenet_gui.core.strokes import load_drawings, render_strokes
from lenet_gui.ui.canvas import Canvas
from lenet_gui.ui.draw_tab import LIVE_INTERVAL_MS

from ..conftest import ROOT
from .conftest import ONE, densify, drag


def test_the_model_image_is_the_core_rendering_of_the_strokes(qtbot, window):
    """Painted a segment per mouse move, the canvas's input is bit for bit what the
    core renders from the saved vectors: what `eval --strokes` measures is what the
    window recognizes."""
    canvas = window.draw_tab.canvas
    drawings = load_drawings(ROOT / "tests" / "data" / "drawn_digits.json")[::50]
    for d in drawings:
        canvas.clear()
        for s in d.strokes:
            drag(qtbot, canvas, s.points)
        assert len(canvas.strokes) == len(d.strokes)
        ink = canvas.ink()
        assert ink.max() > 0.9
        assert np.array_equal(ink, render_strokes(canvas.strokes)), d.label


def test_an_erase_stroke_is_repainted_whole_when_it_ends(qtbot, window):
    canvas = window.draw_tab.canvas
    drag(qtbot, canvas, ONE[0])
    drag(qtbot, canvas, densify([(0.3, 0.5), (0.7, 0.52)]), Qt.MouseButton.RightButton)
    assert canvas.strokes[-1].erase
    assert np.array_equal(canvas.ink(), render_strokes(canvas.strokes))
    assert canvas.ink()[140, 140] < 0.05


def test_ink_is_a_copy(qtbot, window):
    canvas = window.draw_tab.canvas
    drag(qtbot, canvas, ONE[0])
    ink = canvas.ink()
    ink[:] = 0
    assert canvas.ink().max() > 0.9


def _loops(canvas, n_points: int) -> list[QPoint]:
    """Mouse positions going round an ellipse (a 0) until ``n_points`` distinct moves.

    Consecutive positions differ by more than the canvas's jitter threshold, so every
    one of them becomes a point of the stroke.
    """
    side = min(canvas.width(), canvas.height())
    ox, oy = (canvas.width() - side) / 2, (canvas.height() - side) / 2
    min_step = max(2, math.ceil(side / 280))  # the canvas ignores < 0.5 / 280 of its side
    pts: list[QPoint] = []
    a, rx, ry = 0.0, 0.22 * side, 0.32 * side
    while len(pts) < n_points:
        p = QPoint(round(ox + side / 2 + rx * math.sin(a)), round(oy + side / 2 - ry * math.cos(a)))
        if not pts or abs(p.x() - pts[-1].x()) + abs(p.y() - pts[-1].y()) >= min_step:
            pts.append(p)
        a += 0.5 / max(rx, ry)
    return pts


def test_a_10000_point_stroke_paints_one_segment_per_move(qtbot, window, monkeypatch):
    """No lag growth: each mouse move paints the newest segment only, however long the
    stroke; predictions are coalesced (at most one per LIVE_INTERVAL_MS) while drawing."""
    tab = window.draw_tab
    canvas = tab.canvas
    painted: list[int] = []  # points painted per call: the screen image's and the model's
    real_paint, real_ink = Canvas._paint_segment, canvas_module.paint_strokes

    def spy(self, painter, stroke, side, offset, start):
        painted.append(len(stroke.points[max(0, start - 1):]))
        return real_paint(self, painter, stroke, side, offset, start)

    def spy_ink(img, strokes, *args):
        painted.append(sum(len(s.points) for s in strokes))
        return real_ink(img, strokes, *args)

    monkeypatch.setattr(Canvas, "_paint_segment", spy)
    monkeypatch.setattr(canvas_module, "paint_strokes", spy_ink)
    predictions = []
    tab.prediction_changed.connect(lambda d, p: predictions.append(d))
    app = QApplication.instance()
    pts = _loops(canvas, 10_001)
    t0 = time.monotonic()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=pts[0])
    for i, p in enumerate(pts[1:], start=1):
        qtbot.mouseMove(canvas, p)
        if i % 250 == 0:
            app.processEvents()  # let the live-prediction timer fire, as a real loop would
    elapsed = time.monotonic() - t0
    moves_painted = list(painted)
    live = len(predictions)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=pts[-1])
    stroke = canvas.strokes[-1]
    assert len(stroke.points) >= 10_000
    assert len(moves_painted) >= 2 * 10_000  # the screen and the model image, per move
    assert max(moves_painted) <= 2, "a mouse move repainted more than its own segment"
    assert live <= elapsed / (LIVE_INTERVAL_MS / 1000) + 2, (live, elapsed)
    assert tab.last_prediction is not None and tab.last_prediction[0] == 0, tab.last_prediction
