"""My digits as a Qt list model: the user's saved drawings, a thumbnail painted only when
the grid asks for it (with the canvas's pen), and a grid whose keys act on the selection.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QListView

from ..core.my_digits import MyDigit
from ..core.strokes import PEN_WIDTH
from .my_digits_hub import MyDigitsHub

THUMB = 64
CACHE_SIZE = 512  # thumbnails kept: a few screens' worth
ID_ROLE = Qt.ItemDataRole.UserRole
PAPER = QColor("#fdfdfb")
INK = QColor("#1d1f24")

def render_thumbnail(entry: MyDigit, size: int = THUMB) -> QPixmap:
    """The drawing as the canvas paints it (same pen), dark on paper, ~0.1 ms."""
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(PAPER)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for stroke in entry.strokes:
        pen = QPen(PAPER if stroke.erase else INK, PEN_WIDTH * size, Qt.PenStyle.SolidLine,
                   Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        pts = [QPointF(x * size, y * size) for x, y in stroke.points]
        if len(pts) == 1:
            p.drawPoint(pts[0])
        else:
            p.drawPolyline(pts)
    p.setPen(QColor("#d5d8de"))
    p.drawRect(0, 0, size - 1, size - 1)
    p.end()
    return QPixmap.fromImage(image)


class DigitsModel(QAbstractListModel):
    """The store's drawings (those of one digit, with a filter), thumbnails on demand."""

    def __init__(self, hub: MyDigitsHub, parent=None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.digit_filter: int | None = None
        self._rows: list[MyDigit] = []
        self._thumbs: OrderedDict[str, QPixmap] = OrderedDict()
        self.rendered = 0  # thumbnails painted so far (tests check they are lazy)
        self._bold = QFont()
        self._bold.setBold(True)
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        entries = self.hub.store.entries()
        f = self.digit_filter
        self._rows = entries if f is None else [e for e in entries if e.label == f]
        self.endResetModel()

    def set_filter(self, digit: int | None) -> None:
        self.digit_filter = digit
        self.refresh()

    def entry(self, row: int) -> MyDigit:
        return self._rows[row]

    def row_of(self, ident: str) -> int:
        for i, e in enumerate(self._rows):
            if e.id == ident:
                return i
        return -1

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(e.label)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(e)
        if role == Qt.ItemDataRole.ToolTipRole:
            added = e.added.replace("T", " ").replace("+00:00", " UTC") or "unknown"
            return f"Saved as {e.label}\nadded {added}\n{e.n_points()} points"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == ID_ROLE:
            return e.id
        return None

    def _thumbnail(self, e: MyDigit) -> QPixmap:
        pix = self._thumbs.get(e.id)
        if pix is not None:
            self._thumbs.move_to_end(e.id)
            return pix
        pix = render_thumbnail(e)
        self.rendered += 1
        self._thumbs[e.id] = pix
        while len(self._thumbs) > CACHE_SIZE:
            self._thumbs.popitem(last=False)
        return pix


class DigitsListView(QListView):
    """The grid; Delete and the digit keys act on the selection instead of searching."""

    delete_pressed = Signal()
    digit_pressed = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        chord = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                     | Qt.KeyboardModifier.AltModifier)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not chord:
            self.delete_pressed.emit()
            return
        digit = int(key) - Qt.Key.Key_0.value
        if 0 <= digit <= 9 and not chord:
            self.digit_pressed.emit(digit)
            return
        super().keyPressEvent(event)


__all__ = ["DigitsModel", "DigitsListView", "render_thumbnail", "THUMB", "ID_ROLE"]
