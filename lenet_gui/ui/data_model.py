"""The Data view's grid: a list model with one row per image of a source (through a
filter), each with its label, the model's answer and a thumbnail painted only when
the view asks; and the QListView set up to show it.

Why a model and not widgets: 60,000 MNIST images must scroll smoothly. The view
(QListView, IconMode, uniform item sizes) asks ``data()`` only for the items on
screen; a thumbnail is made from the 28x28 array then (~20 µs) and kept in a small
LRU cache, so memory stays flat however far the user scrolls.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QImage
from PySide6.QtWidgets import QListView

from ..core.browse import NO_INK, NO_LABEL, Filter, Predictions, Source, select

THUMB = 56  # 28x28 at 2x: crisp pixels, like the course's sample grid
CACHE_SIZE = 1024  # thumbnails kept: several screens' worth
INDEX_ROLE = Qt.ItemDataRole.UserRole  # the item's index in its source
WRONG_TEXT = QColor("#b3261e")
WRONG_BACK = QColor("#fde7e4")
ARROW = "\u2192"


def thumbnail(image: np.ndarray, scale: int = THUMB // 28) -> QImage:
    """A 28x28 uint8 image (light ink on black, as MNIST stores it), each pixel a
    ``scale`` x ``scale`` block, in the screen's RGB32 so painting it is a plain copy
    (numpy: ~15 µs, several times faster than QImage.scaled + QPixmap.fromImage)."""
    grey = np.asarray(image, dtype=np.uint32)
    rgb = np.uint32(0xFF000000) | grey * np.uint32(0x010101)
    big = np.ascontiguousarray(np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1))
    h, w = big.shape
    return QImage(big.data, w, h, 4 * w, QImage.Format.Format_RGB32).copy()


def verdict_text(label: int, predicted: int | None, confidence: float) -> str:
    """ "7 → 7 (99%)"; just "7" before the model has answered."""
    head = "" if label == NO_LABEL else str(label)
    if predicted is None:
        return head or "?"
    if predicted == NO_INK:
        return f"{head} {ARROW} no ink".strip()
    # Rounded down and at most 99%: a sure answer fits the cell ("100%" does not);
    # the tooltip has the exact figure.
    return f"{head} {ARROW} {predicted} ({min(99, int(confidence * 100))}%)".strip()


class DataModel(QAbstractListModel):
    """A source's items (those the filter keeps), thumbnails on demand."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.source: Source | None = None
        self.predictions: Predictions | None = None
        self.filter = Filter()
        self._rows = np.zeros(0, dtype=np.intp)
        self._wrong = np.zeros(0, dtype=bool)  # per source item, with the predictions
        self._thumbs: OrderedDict[int, QImage] = OrderedDict()
        self.rendered = 0  # thumbnails painted so far (tests check they are lazy)
        self._wrong_brush = QBrush(WRONG_BACK)

    # --------------------------------------------------------------- state
    def set_source(self, source: Source | None, predictions: Predictions | None = None) -> None:
        self.beginResetModel()
        if source is not self.source:
            self._thumbs.clear()
        self.source = source
        self.predictions = predictions if source is not None else None
        self._refilter()
        self.endResetModel()

    def set_predictions(self, predictions: Predictions | None) -> None:
        if predictions is not None and (self.source is None
                                        or len(predictions) != len(self.source)):
            predictions = None
        old = self._rows
        self.predictions = predictions
        self._refilter()
        if np.array_equal(old, self._rows):  # same rows: repaint them, keep the scroll
            self._wrong_changed()
            return
        new, self._rows = self._rows, old
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def _wrong_changed(self) -> None:
        if len(self._rows):
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def set_filter(self, flt: Filter) -> None:
        self.beginResetModel()
        self.filter = flt
        self._refilter()
        self.endResetModel()

    def _refilter(self) -> None:
        p = self.predictions
        self._wrong = p.wrong if p is not None else np.zeros(0, dtype=bool)
        if self.source is None:
            self._rows = np.zeros(0, dtype=np.intp)
        else:
            self._rows = select(self.source.labels, self.predictions, self.filter)

    def source_index(self, row: int) -> int:
        return int(self._rows[row])

    def rows(self) -> np.ndarray:
        """Source indices of the rows, in order."""
        return self._rows.copy()

    # ------------------------------------------------------------- Qt API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if self.source is None or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        i = int(self._rows[index.row()])
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(i)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(i)
        if role == INDEX_ROLE:
            return i
        wrong = self._is_wrong(i)
        if role == Qt.ItemDataRole.ForegroundRole:
            return WRONG_TEXT if wrong else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._wrong_brush if wrong else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(i)
        return None

    # ------------------------------------------------------------- helpers
    def _answer(self, i: int) -> tuple[int | None, float]:
        p = self.predictions
        if p is None:
            return None, 0.0
        return int(p.predicted[i]), float(p.confidences[i])

    def _is_wrong(self, i: int) -> bool:
        return i < len(self._wrong) and bool(self._wrong[i])

    def _text(self, i: int) -> str:
        predicted, confidence = self._answer(i)
        return verdict_text(int(self.source.labels[i]), predicted, confidence)

    def _tooltip(self, i: int) -> str:
        label = int(self.source.labels[i])
        predicted, confidence = self._answer(i)
        lines = [f"{self.source.name}, #{i + 1:,}",
                 "no label" if label == NO_LABEL else f"label {label}"]
        if predicted is None:
            lines.append("the model has not answered yet")
        elif predicted == NO_INK:
            lines.append("no ink: nothing to read")
        else:
            lines.append(f"read as {predicted} ({confidence:.1%})")
        lines.append("Double-click to put it on the canvas")
        return "\n".join(lines)

    def _thumbnail(self, i: int) -> QImage:
        pix = self._thumbs.get(i)
        if pix is not None:
            self._thumbs.move_to_end(i)
            return pix
        pix = thumbnail(self.source.thumbnail(i))
        self.rendered += 1
        self._thumbs[i] = pix
        while len(self._thumbs) > CACHE_SIZE:
            self._thumbs.popitem(last=False)
        return pix


def make_grid(model: DataModel) -> QListView:
    """An icon grid with uniform item sizes over ``model``: only visible items are asked
    for; 60,000 are laid out in batches between events, so nothing freezes."""
    grid = QListView()
    grid.setObjectName("data_list")
    grid.setModel(model)
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setIconSize(QSize(THUMB, THUMB))
    grid.setGridSize(QSize(THUMB + 32, THUMB + 28))
    grid.setSpacing(4)
    grid.setUniformItemSizes(True)
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setMovement(QListView.Movement.Static)
    grid.setLayoutMode(QListView.LayoutMode.Batched)
    grid.setBatchSize(2000)
    grid.setWrapping(True)
    grid.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
    return grid


__all__ = ["DataModel", "make_grid", "thumbnail", "verdict_text", "THUMB", "INDEX_ROLE"]
