"""Issue 4: drawn digits replayed as real mouse drags agree with `lenet-gui eval --strokes`."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from lenet_gui.core.evaluation import evaluate_drawings
from lenet_gui.core.strokes import load_drawings

from ..conftest import DRAWN


def test_canvas_and_command_agree(qtbot, window):
    drawings = load_drawings(DRAWN)
    sample = [d for i, d in enumerate(drawings) if i % 25 == 0]  # 2 of each class
    expected = evaluate_drawings(window.draw_tab.recognizer, sample)  # the command's path
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
    assert got == expected.predictions
    assert sum(g == d.label for g, d in zip(got, sample)) >= 19
    # Mouse positions are whole pixels, the file's are not: close, not identical.
    winner = [p[g] for p, g in zip(probs, got)]
    assert np.allclose(winner, expected.confidences, atol=0.1)
