"""The confusion matrix of the model in use, painted: true digit down, read-as across;
and the Data view's side panel around it (model, accuracy, how to read it).

Why painted and not a table: 100 cells whose colour carries the message (the
diagonal's share right, each other cell's share of that digit's images read
wrong) and that answer a click (a cell filters the grid to those images; a row's
label to that true digit). Shares are of the row: off-diagonal colours are
stretched (square root) so a 0.5% confusion is still visible.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from ..core.browse import Predictions

RIGHT = QColor("#2e7d32")
WRONG = QColor("#c62828")
PAPER = QColor("#ffffff")
GRID = QColor("#dfe1e5")
TEXT = QColor("#202124")
GREY = QColor("#5f6368")
SELECTED = QColor("#1a56c4")
HEADER = 22  # pixels for the digit labels above and left of the cells


def _blend(colour: QColor, amount: float) -> QColor:
    a = float(min(max(amount, 0.0), 1.0))
    return QColor(round(255 + (colour.red() - 255) * a), round(255 + (colour.green() - 255) * a),
                  round(255 + (colour.blue() - 255) * a))


class ConfusionWidget(QWidget):
    """A 10x10 grid of counts; click a cell -> ``cell_clicked(true, predicted)``."""

    cell_clicked = Signal(int, int)
    row_clicked = Signal(int)  # a true digit's label, left of its row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusion_widget")
        self.setMouseTracking(True)
        self.setMinimumSize(HEADER + 10 * 22, HEADER + 10 * 22)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.matrix: np.ndarray | None = None
        self.message = "No predictions yet"
        self.selected: tuple[int, int] | None = None  # the cell the grid is filtered to
        self.selected_row: int | None = None  # the true digit the grid is filtered to
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))

    # ------------------------------------------------------------------ state
    def set_matrix(self, matrix: np.ndarray | None, message: str = "") -> None:
        """The counts (10x10, [true][predicted]), or None with a line saying why not."""
        self.matrix = None if matrix is None else np.asarray(matrix, dtype=np.int64)
        self.message = message or "No predictions yet"
        self.update()

    def set_selection(self, cell: tuple[int, int] | None, row: int | None = None) -> None:
        self.selected, self.selected_row = cell, row
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(HEADER + 10 * 32 + 2, HEADER + 10 * 32 + 2)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return width

    # --------------------------------------------------------------- geometry
    def _cell_size(self) -> float:
        return max(8.0, (min(self.width(), self.height()) - HEADER - 2) / 10.0)

    def _origin(self) -> QPointF:
        side = HEADER + 10 * self._cell_size()
        return QPointF(max(0.0, (self.width() - side) / 2.0), 0.0)

    def _cell_rect(self, row: int, col: int) -> QRectF:
        o, c = self._origin(), self._cell_size()
        return QRectF(o.x() + HEADER + col * c, o.y() + HEADER + row * c, c, c)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """(true, predicted) of the cell under ``pos``; (true, -1) on a row's label."""
        o, c = self._origin(), self._cell_size()
        x, y = pos.x() - o.x() - HEADER, pos.y() - o.y() - HEADER
        row = int(y // c) if y >= 0 else -1
        col = int(x // c) if x >= 0 else -1
        if not 0 <= row <= 9:
            return None
        if -HEADER <= x < 0:
            return row, -1
        return (row, col) if 0 <= col <= 9 else None

    def cell_center(self, true: int, predicted: int) -> QPointF:
        return self._cell_rect(true, predicted).center()

    # --------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        o, c = self._origin(), self._cell_size()
        p.setFont(self._small)
        p.setPen(GREY)
        for k in range(10):
            p.drawText(QRectF(o.x() + HEADER + k * c, o.y(), c, HEADER),
                       Qt.AlignmentFlag.AlignCenter, str(k))
            bold = self.selected_row == k
            p.setPen(SELECTED if bold else GREY)
            p.drawText(QRectF(o.x(), o.y() + HEADER + k * c, HEADER - 4, c),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(k))
            p.setPen(GREY)
        m = self.matrix
        area = QRectF(o.x() + HEADER, o.y() + HEADER, 10 * c, 10 * c)
        if m is None or m.sum() == 0:
            p.fillRect(area, QColor("#f6f7f9"))
            p.setPen(GREY)
            p.drawText(area.adjusted(8, 8, -8, -8),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            p.end()
            return
        rows = m.sum(axis=1)
        for t in range(10):
            for q in range(10):
                rect = self._cell_rect(t, q)
                n = int(m[t, q])
                share = n / rows[t] if rows[t] else 0.0
                if t == q:
                    fill = _blend(RIGHT, 0.15 + 0.85 * share if n else 0.0)
                else:
                    fill = _blend(WRONG, 0.12 + 2.0 * np.sqrt(share) if n else 0.0)
                p.fillRect(rect, fill)
                p.setPen(GRID)
                p.drawRect(rect)
                if n:
                    dark = fill.lightnessF() < 0.55
                    p.setPen(QColor("white") if dark else TEXT)
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{n:,}" if n < 10000
                               else f"{n / 1000:.0f}k")
        if self.selected is not None:
            p.setPen(QPen(SELECTED, 2.5))
            p.drawRect(self._cell_rect(*self.selected).adjusted(1, 1, -1, -1))
        p.end()

    # ----------------------------------------------------------------- events
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self.cell_at(event.position())
        if hit is None:
            return
        if hit[1] < 0:
            self.row_clicked.emit(hit[0])
        elif self.matrix is not None:
            self.cell_clicked.emit(*hit)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        hit = self.cell_at(event.position())
        text = self.cell_text(*hit) if hit is not None and hit[1] >= 0 else ""
        if hit is not None and hit[1] < 0:
            text = f"Show all true {hit[0]}s"
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()

    def cell_text(self, true: int, predicted: int) -> str:
        m = self.matrix
        if m is None:
            return ""
        n, row = int(m[true, predicted]), int(m[true].sum())
        share = f" ({n / row:.1%} of the {row:,} {true}s)" if row else ""
        what = "read right" if true == predicted else f"read as {predicted}"
        return f"{n:,} true {true}s {what}{share}\nClick to show them"


class ConfusionPanel(QWidget):
    """Title, the model's name, the matrix, the accuracy line and a how-to-read line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(350)
        self.matrix = ConfusionWidget()
        self.model_label = QLabel("No model loaded")
        self.model_label.setObjectName("data_model_name")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("data_summary")
        axis = QLabel("Rows: the true digit. Columns: what the model read. Click a cell to "
                      "see those images, a row's digit to see all of that digit.")
        for label in (self.model_label, self.summary_label, axis):
            label.setWordWrap(True)
        for label in (self.model_label, axis):
            label.setStyleSheet(f"color: {GREY.name()};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(QLabel("<b>Confusion matrix</b>"))
        layout.addWidget(self.model_label)
        layout.addWidget(self.matrix)
        layout.addWidget(self.summary_label)
        layout.addWidget(axis)
        layout.addStretch(1)

    def show_predictions(self, predictions: Predictions | None, name: str, size: int,
                         note: str = "") -> None:
        """The matrix and summary of ``predictions`` of source ``name`` (None: ``note``)."""
        if predictions is None:
            self.matrix.set_matrix(None, note)
            self.summary_label.setText(note)
            return
        self.matrix.set_matrix(predictions.confusion, "No labelled images: nothing to count")
        judged = int(predictions.judged.sum())
        self.summary_label.setText(
            f"{name}: {size:,} images, " +
            (f"<b>{predictions.accuracy:.2%}</b> read right, {predictions.mistakes:,}\u00a0"
             f"mistake{'s' if predictions.mistakes != 1 else ''}" if judged
             else "no labels (predictions only)"))


__all__ = ["ConfusionWidget", "ConfusionPanel"]
