"""The drawing pad: strokes kept as vectors, painted into an off-screen model image.

Like Qt's ``painter`` example, strokes are painted into images and ``paintEvent``
only copies them: one QImage at the widget's device resolution for the screen
(crisp on high-DPI). The recognizer's input is a fixed 280x280 float ink image,
whatever the window size, painted by the core's ``strokes.paint_strokes``: the
same pixels as ``render_strokes`` gives for the saved strokes, and nothing to
repaint when a stroke ends. Only the newest segment is painted per mouse move, so
a long stroke costs the same per event as a short one.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen,
                           QResizeEvent)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..core.strokes import CANVAS_SIZE, PEN_WIDTH, Stroke, paint_strokes

PAPER = QColor("#fdfdfb")
INK = QColor("#1d1f24")
GRID = QColor("#e4e6eb")
SEGMENT_COLOURS = {"digit": QColor("#2f6fde"), "unsure": QColor("#b7791f"),
                   "not a digit": QColor("#c62828")}


class Canvas(QWidget):
    """A square pad; left button draws, right button (or eraser mode) erases."""

    strokes_changed = Signal()  # ink changed (while drawing, on undo, clear, open)
    stroke_finished = Signal()  # a stroke ended (mouse release)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setMinimumSize(280, 280)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("Draw a digit with the left mouse button; the right button erases")
        self.strokes: list[Stroke] = []
        self.eraser = False
        self._current: Stroke | None = None
        self._background: np.ndarray | None = None  # an opened image's ink, 0..1
        # Outlines of the digits read (model-image pixels), drawn on screen only.
        self._segment_boxes: list[tuple[tuple[int, int, int, int], str]] = []
        self._ink = np.zeros((CANVAS_SIZE, CANVAS_SIZE), dtype=np.float32)  # model image
        self._screen = QImage()
        self._rerender()

    # ----------------------------------------------------------------- geometry
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return width

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 420)

    def _side(self) -> float:
        return float(min(self.width(), self.height()))

    def _origin(self) -> QPointF:
        side = self._side()
        return QPointF((self.width() - side) / 2.0, (self.height() - side) / 2.0)

    def _to_unit(self, pos: QPointF) -> tuple[float, float]:
        o, side = self._origin(), self._side()
        return ((pos.x() - o.x()) / side, (pos.y() - o.y()) / side)

    # ------------------------------------------------------------------ public
    def is_empty(self) -> bool:
        return not self.strokes and self._background is None

    def has_image(self) -> bool:
        """Whether an opened picture is on the canvas (pixels, not strokes)."""
        return self._background is not None

    def set_segment_boxes(self, boxes: list[tuple[tuple[int, int, int, int], str]]) -> None:
        """Outline each digit read: ((top, bottom, left, right) in model pixels, verdict).

        An overlay on the screen only; the model image never contains it.
        """
        if boxes != self._segment_boxes:
            self._segment_boxes = list(boxes)
            self.update()

    def ink(self) -> np.ndarray:
        """The model image as float32 ink (280x280, 0 background .. 1 ink); a copy."""
        return self._ink.copy()

    def clear(self) -> None:
        self.strokes.clear()
        self._current = None
        self._background = None
        self._rerender()
        self.strokes_changed.emit()
        self.stroke_finished.emit()

    def undo(self) -> None:
        """Remove the last stroke (or, with none left, the opened image)."""
        if self._current is not None:
            return
        if self.strokes:
            self.strokes.pop()
        elif self._background is not None:
            self._background = None
        else:
            return
        self._rerender()
        self.strokes_changed.emit()
        self.stroke_finished.emit()

    def set_eraser(self, on: bool) -> None:
        self.eraser = bool(on)

    def set_strokes(self, strokes: list[Stroke]) -> None:
        self.strokes = [Stroke(list(s.points), s.erase) for s in strokes]
        self._background = None
        self._rerender()
        self.strokes_changed.emit()
        self.stroke_finished.emit()

    def set_ink_image(self, ink: np.ndarray) -> None:
        """Replace the drawing by an ink image (opened file), fitted into the pad."""
        from PIL import Image

        ink = np.clip(np.asarray(ink, dtype=np.float32), 0.0, 1.0)
        h, w = ink.shape
        scale = CANVAS_SIZE / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = np.asarray(Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32))
                           .resize((nw, nh), Image.Resampling.BOX))
        bg = np.zeros((CANVAS_SIZE, CANVAS_SIZE), dtype=np.float32)
        top, left = (CANVAS_SIZE - nh) // 2, (CANVAS_SIZE - nw) // 2
        bg[top:top + nh, left:left + nw] = np.clip(small, 0.0, 1.0)
        self.strokes.clear()
        self._background = bg
        self._rerender()
        self.strokes_changed.emit()
        self.stroke_finished.emit()

    def drawing_image(self) -> QImage:
        """The drawing as dark ink on white, 280x280: what File > Save writes."""
        data = np.ascontiguousarray(np.round((1.0 - self._ink) * 255.0).astype(np.uint8))
        return QImage(data.data, CANVAS_SIZE, CANVAS_SIZE, CANVAS_SIZE,
                      QImage.Format.Format_Grayscale8).copy()

    # --------------------------------------------------------------- painting
    def _pen(self, side: float, erase: bool) -> QPen:
        return QPen(PAPER if erase else INK, PEN_WIDTH * side, Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)

    def _paint_segment(self, painter: QPainter, stroke: Stroke, side: float,
                       offset: QPointF, start: int) -> None:
        painter.setPen(self._pen(side, stroke.erase))
        pts = [QPointF(offset.x() + x * side, offset.y() + y * side)
               for x, y in stroke.points[max(0, start - 1):]]
        if len(pts) == 1:
            painter.drawPoint(pts[0])
        else:
            painter.drawPolyline(pts)

    def _screen_painter(self) -> QPainter:
        p = QPainter(self._screen)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(self._screen.devicePixelRatio(), self._screen.devicePixelRatio())
        return p

    def _rerender(self) -> None:
        """Repaint both images from the vectors (after undo, clear, resize)."""
        self._render_model()
        self._render_screen()

    def _render_model(self) -> None:
        ink = (self._background.copy() if self._background is not None
               else np.zeros((CANVAS_SIZE, CANVAS_SIZE), dtype=np.float32))
        paint_strokes(ink, self.strokes)
        self._ink = ink

    def _render_screen(self) -> None:
        dpr = self.devicePixelRatioF()
        size = QSize(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
        self._screen = QImage(size, QImage.Format.Format_RGB32)
        self._screen.setDevicePixelRatio(dpr)
        self._screen.fill(self.palette().window().color())
        p = self._screen_painter()
        o, side = self._origin(), self._side()
        p.fillRect(QRectF(o.x(), o.y(), side, side), PAPER)
        p.setPen(QPen(GRID, 1, Qt.PenStyle.DashLine))
        p.drawRect(QRectF(o.x() + side * 0.15, o.y() + side * 0.15, side * 0.7, side * 0.7))
        if self._background is not None:
            shown = self.drawing_image().scaled(round(side * dpr), round(side * dpr),
                                                Qt.AspectRatioMode.IgnoreAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation)
            shown.setDevicePixelRatio(dpr)
            p.drawImage(o, shown)
        for s in self.strokes:
            self._paint_segment(p, s, side, o, 0)
        p.end()
        self.update()

    def _extend(self, unit: tuple[float, float]) -> None:
        stroke = self._current
        assert stroke is not None
        stroke.points.append(unit)
        start = len(stroke.points) - 1
        paint_strokes(self._ink, [Stroke(stroke.points[max(0, start - 1):], stroke.erase)])
        p = self._screen_painter()
        self._paint_segment(p, stroke, self._side(), self._origin(), start)
        p.end()
        # Repaint only around the new segment.
        o, side = self._origin(), self._side()
        a = stroke.points[max(0, start - 1)]
        r = PEN_WIDTH * side
        x0, x1 = sorted((a[0], unit[0]))
        y0, y1 = sorted((a[1], unit[1]))
        self.update(QRectF(o.x() + x0 * side - r, o.y() + y0 * side - r,
                           (x1 - x0) * side + 2 * r, (y1 - y0) * side + 2 * r)
                    .toAlignedRect())
        self.strokes_changed.emit()

    # ------------------------------------------------------------------ events
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.drawImage(QRectF(event.rect()), self._screen, self._device_rect(event.rect()))
        if self._segment_boxes:
            self._paint_boxes(p)
        p.end()

    def _paint_boxes(self, p: QPainter) -> None:
        o, scale = self._origin(), self._side() / CANVAS_SIZE
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i, ((top, bottom, left, right), verdict) in enumerate(self._segment_boxes):
            colour = SEGMENT_COLOURS.get(verdict, SEGMENT_COLOURS["digit"])
            p.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            rect = QRectF(o.x() + left * scale - 3, o.y() + top * scale - 3,
                          (right - left) * scale + 6, (bottom - top) * scale + 6)
            p.drawRoundedRect(rect, 4, 4)
            p.setPen(colour)
            p.drawText(rect.adjusted(3, 1, 0, 0), Qt.AlignmentFlag.AlignLeft
                       | Qt.AlignmentFlag.AlignTop, str(i + 1))

    def _device_rect(self, rect) -> QRectF:
        dpr = self._screen.devicePixelRatio()
        return QRectF(rect.x() * dpr, rect.y() * dpr, rect.width() * dpr, rect.height() * dpr)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._rerender()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        if self._current is not None:
            return
        erase = self.eraser or button == Qt.MouseButton.RightButton
        if erase and self.is_empty():
            return
        self._current = Stroke([], erase)
        self.strokes.append(self._current)
        self._extend(self._to_unit(event.position()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._current is None:
            return
        unit = self._to_unit(event.position())
        last = self._current.points[-1]
        # Ignore sub-pixel jitter: it adds points but no ink.
        if abs(unit[0] - last[0]) + abs(unit[1] - last[1]) < 0.5 / CANVAS_SIZE:
            return
        self._extend(unit)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._current is None:
            return
        unit = self._to_unit(event.position())
        if unit != self._current.points[-1]:
            self._extend(unit)
        erased = self._current.erase
        self._current = None
        # Ink painted segment by segment is already the stroke's image (maximum is
        # order-free); an eraser's segments multiply, so it is repainted whole,
        # which makes the model image depend on the vectors only (undo and replay
        # give the same input).
        if erased:
            self._render_model()
        event.accept()
        self.stroke_finished.emit()
