"""What the screenshot scripts share: let the event loop run, wait for the model, and
drag strokes onto the canvas with real mouse events (as a user draws).

Imported by the scripts in this folder (``python docs/NAME.py`` puts it on sys.path).
"""

from __future__ import annotations

import time


def pump(app, seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for_model(app, window, timeout: float = 60.0) -> None:
    """Until the Draw tab has its recognizer (the model loads after the first paint)."""
    end = time.monotonic() + timeout
    while window.draw_tab.recognizer is None and time.monotonic() < end:
        pump(app, 0.05)


def drag_strokes(canvas, strokes) -> None:
    """Each stroke as a press, one move per point, and a release, on the canvas."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    side = min(canvas.width(), canvas.height())
    ox, oy = (canvas.width() - side) / 2, (canvas.height() - side) / 2
    for stroke in strokes:
        pts = [QPoint(round(ox + x * side), round(oy + y * side)) for x, y in stroke.points]
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         pts[0])
        for p in pts[1:]:
            QTest.mouseMove(canvas, p)
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           pts[-1])
