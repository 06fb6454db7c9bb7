"""Window fixtures: the real MainWindow, offscreen, with its model loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from lenet_gui.core.strokes import Stroke


@pytest.fixture(scope="session")
def qapp_args():
    return ["lenet-gui-tests"]


@pytest.fixture()
def window(qtbot, shipped_ckpt, tmp_path):
    from lenet_gui.ui.main_window import MainWindow

    # Each test its own My digits file: what one test teaches never leaks into another.
    w = MainWindow(checkpoint=None, my_digits=tmp_path / "my_digits.json")
    qtbot.addWidget(w)
    w.resize(1100, 720)
    w.show()
    qtbot.waitUntil(lambda: w.draw_tab.recognizer is not None, timeout=30000)
    yield w
    w.close()


def drag(qtbot, canvas, unit_points, button=Qt.MouseButton.LeftButton):
    """A real mouse drag through points given in the canvas's unit box."""
    side = min(canvas.width(), canvas.height())
    ox, oy = (canvas.width() - side) / 2, (canvas.height() - side) / 2
    pts = [QPoint(round(ox + x * side), round(oy + y * side)) for x, y in unit_points]
    qtbot.mousePress(canvas, button, pos=pts[0])
    for p in pts[1:]:
        qtbot.mouseMove(canvas, p)
    qtbot.mouseRelease(canvas, button, pos=pts[-1])


def densify(points, step=0.01):
    """Mouse-move spacing: a point every ~1% of the canvas along the polyline."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, int(np.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * t / n, y0 + (y1 - y0) * t / n) for t in range(1, n + 1)]
    return out


ONE = [densify([(0.5, 0.15), (0.52, 0.85)])]
ZERO = [[(0.5 + 0.22 * np.sin(a), 0.5 - 0.33 * np.cos(a)) for a in np.linspace(0, 6.4, 60)]]
SEVEN = [densify([(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)])]


def as_strokes(point_lists) -> list[Stroke]:
    return [Stroke([tuple(p) for p in pts]) for pts in point_lists]


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs"
