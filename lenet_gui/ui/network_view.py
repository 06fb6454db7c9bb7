"""Network view: what every layer of LeNet5 makes of the current drawing.

Laid out like the course's LeNet figure, from the Recognizer's own MindSpore network
(``activations.activations_of``). One pyqtgraph ViewBox holds everything: one
``ImageItem`` per feature map (smaller layers get bigger pixels, yet stay smaller
than the layer before), fixed levels per layer from the bundled sample digits (a
growing stroke shows as a growing response), one coordinate system for the hover
line. pyqtgraph is imported on first show; nothing is computed while hidden (the
latest input waits for ``showEvent``), so the Draw tab never pays for this view.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from ..core.activations import FILTERS_LABEL, LAYERS, Activations, describe_value
from ..core.errors import first_line
from .network_layout import MAP_GRIDS, Tile, layout

# > 256 colours: pyqtgraph then applies the table in numpy (RGB888), where with 256 it
# rebuilds an Indexed8 colour table in Python on every repaint of every map (25 ms here).
LUT_SIZE = 512
FRAME, TRACK, LABEL = QColor("#b4b9c1"), QColor("#f1f3f5"), "#333333"
BAR, WINNER, NEGATIVE = QColor("#5b8ad9"), QColor("#2f6fde"), QColor("#d98c8c")
HOVER_HINT = ("Hover over a map, a filter or a bar to read its value. Filters: red is a "
              "positive weight, blue a negative one.")
EMPTY = ("Nothing drawn yet. Draw a digit in the Draw tab: this view shows what every "
         "layer of LeNet5 makes of it.")
LOADING = "Loading the model…"
LABELS = {layer.key: layer.label for layer in LAYERS}


class NetworkView(QWidget):
    """The Network tab: set a Recognizer, then show inputs (or readings) as they come."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("network_view")
        self.recognizer = None
        self.model_input: np.ndarray | None = None  # the latest, shown or pending
        self.activations: Activations | None = None  # what is on screen
        self.filters: np.ndarray | None = None
        self.levels: dict[str, tuple[float, float]] = {}
        self.computed = 0  # forwards run: the tests check none run while hidden
        self.reading = None
        self.selected = 0
        self._stale = True
        self._calibrated_for = None
        self._model_error: str | None = None
        self._hover_point: QPointF | None = None
        self.tiles, self.extent = layout()
        self.images: dict[str, list] = {}  # key -> ImageItems, in map order
        self.bars: dict[str, object] = {}  # key -> BarGraphItem
        self.labels: dict[str, object] = {}  # key -> TextItem
        self.graphics = None  # built on first show (pyqtgraph is imported then)

        self.caption = QLabel(EMPTY)
        self.caption.setObjectName("network_caption")
        self.caption.setWordWrap(True)
        self.digit_buttons: list[QToolButton] = []
        self._button_group = QButtonGroup(self)  # exclusive
        self._button_group.idClicked.connect(self.select_digit)
        self._selector = QHBoxLayout()
        self._selector.setSpacing(2)
        self.hover_label = QLabel(HOVER_HINT)
        self.hover_label.setObjectName("network_hover")
        self.hover_label.setStyleSheet("color: #5f6368;")
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addLayout(self._selector)
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(top)
        self._placeholder = QWidget()
        self._placeholder.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Expanding)
        self._layout.addWidget(self._placeholder, 1)
        self._layout.addWidget(self.hover_label)

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        if self.graphics is not None:
            return
        import pyqtgraph as pg

        graphics = pg.GraphicsLayoutWidget()
        graphics.setBackground("w")
        graphics.setObjectName("network_graphics")
        graphics.setMinimumSize(320, 180)
        graphics.ci.setContentsMargins(2, 2, 2, 2)
        vb = graphics.addViewBox(lockAspect=True, enableMouse=False, enableMenu=False,
                                 invertY=True, defaultPadding=0.01)
        vb.setRange(self.extent, padding=0.01)
        luts = {"input": pg.colormap.get("CET-L1").getLookupTable(nPts=LUT_SIZE),  # grey
                "maps": pg.colormap.get("inferno").getLookupTable(nPts=LUT_SIZE),
                "filters": pg.colormap.get("CET-D1").getLookupTable(nPts=LUT_SIZE)}  # blue-red
        outline, tracks = QPainterPath(), QPainterPath()  # one item each: cheap to paint
        blocks: dict[str, QRectF] = {}
        for tile in self.tiles:
            r = tile.rect
            blocks[tile.key] = blocks[tile.key].united(r) if tile.key in blocks else QRectF(r)
            outline.addRect(r.adjusted(-0.3, -0.3, 0.3, 0.3))
            if tile.index < 0:
                tracks.addRect(r)
                n = tile.shape[1]
                unit = r.width() / n
                self.bars[tile.key] = pg.BarGraphItem(
                    x0=r.left() + unit * (0.1 + np.arange(n)), y0=np.full(n, r.bottom()),
                    width=unit * 0.8, height=np.zeros(n), pen=pg.mkPen(None), brush=BAR)
                continue
            item = pg.ImageItem(axisOrder="row-major")
            item.setLookupTable(luts.get(tile.key, luts["maps"]))
            item.setLevels((0.0, 1.0))
            # setRect would need the image first: place the pixel grid by hand.
            item.setTransform(QTransform(r.width() / tile.shape[1], 0, 0,
                                         r.height() / tile.shape[0], r.left(), r.top()))
            vb.addItem(item)
            self.images.setdefault(tile.key, []).append(item)
        keys = list(MAP_GRIDS)
        for a, b in zip(keys, keys[1:]):  # arrows: the figure's flow, left to right
            x0, x1, y = blocks[a].right() + 2, blocks[b].left() - 2, blocks[a].center().y()
            outline.moveTo(x0, y)
            outline.lineTo(x1, y)
            outline.moveTo(x1 - 2.2, y - 1.6)
            outline.lineTo(x1, y)
            outline.lineTo(x1 - 2.2, y + 1.6)
        out = blocks["output"]
        outline.moveTo(out.left(), out.center().y())  # the logits' zero
        outline.lineTo(out.right(), out.center().y())
        pen = QPen(FRAME, 1.2)
        pen.setCosmetic(True)
        for path, brush in ((tracks, TRACK), (outline, None)):
            item = pg.QtWidgets.QGraphicsPathItem(path)
            item.setPen(pen if brush is None else QPen(Qt.PenStyle.NoPen))
            if brush is not None:
                item.setBrush(brush)
                item.setZValue(-1)
            vb.addItem(item)
        for bars in self.bars.values():
            vb.addItem(bars)
        for key, rect in blocks.items():
            label = pg.TextItem(FILTERS_LABEL if key == "filters" else LABELS[key],
                                color=LABEL, anchor=(0, 1))
            font = label.textItem.font()
            font.setBold(True)
            label.setFont(font)
            label.setPos(rect.left() - 1, rect.top() - 0.5)
            vb.addItem(label)
            self.labels[key] = label
        for d in range(10):
            digit = pg.TextItem(str(d), color=LABEL, anchor=(0.5, 0))
            digit.setPos(out.left() + out.width() / 10 * (d + 0.5), out.bottom() + 0.2)
            vb.addItem(digit)
        self.empty_mark = pg.TextItem("nothing drawn", color="#9aa0a6", anchor=(0.5, 0.5))
        self.empty_mark.setPos(blocks["input"].center())
        vb.addItem(self.empty_mark)
        # Moves and leaves straight from the viewport: pyqtgraph's sigMouseMoved is rate
        # limited and can drop the last move, leaving a stale value on the line.
        graphics.viewport().installEventFilter(self)
        self._vb = vb
        self._layout.replaceWidget(self._placeholder, graphics)
        self._placeholder.deleteLater()
        self.graphics = graphics
        self._stale = True

    # ---------------------------------------------------------------- public
    def set_recognizer(self, recognizer, error: str | None = None) -> None:
        """The network to show (None: loading, or ``error`` says why there is none)."""
        self.recognizer, self._model_error = recognizer, error
        self._invalidate()

    def show_input(self, model_input: np.ndarray | None) -> None:
        """Show one (1, 32, 32) model input, not part of a reading; None: an empty canvas."""
        self.reading = None
        self._update_selector(0)
        self._set_input(model_input)

    def _set_input(self, model_input: np.ndarray | None) -> None:
        self.model_input = None if model_input is None else np.asarray(model_input, np.float32)
        self._invalidate()

    def show_reading(self, reading) -> None:
        """A ``reading.Reading`` (or None): show its selected digit, offer the others."""
        self.reading = reading
        digits = reading.digits if reading is not None else []
        if self.selected >= len(digits):
            self.selected = 0
        self._update_selector(len(digits))
        self._set_input(digits[self.selected].model_input if digits else None)

    def select_digit(self, index: int) -> None:
        """Show the ``index``-th digit of the reading."""
        if self.reading is None or not 0 <= index < len(self.reading.digits):
            return
        self.selected = index
        self.show_reading(self.reading)

    # ------------------------------------------------------------- updating
    def _invalidate(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        try:
            self._build()
        except Exception as exc:  # noqa: BLE001 - an exception here would abort Qt
            self.caption.setText(f"Could not build the Network view: {first_line(exc)}")
            return
        if self._stale:
            # Paint the tab first; compute (and on first use compile) right after.
            QTimer.singleShot(0, self._refresh_if_stale)

    def _refresh_if_stale(self) -> None:
        if self._stale and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Compute and show the latest input now."""
        self._stale = False
        rec, self.activations = self.recognizer, None
        message = getattr(self.reading, "message", "")  # "too many pieces ...", "only specks"
        try:
            self._build()
            if rec is None:
                self.filters = self._calibrated_for = None
                self._show_filters()
                self._clear_maps(self._model_error or LOADING)
            elif self._calibrated_for is not rec:
                self._calibrate(rec)
            if rec is not None and self.model_input is None:
                self._clear_maps(f"{message[:1].upper()}{message[1:]}. "
                                 f"{EMPTY.split('. ', 1)[1]}" if message else EMPTY)
            elif rec is not None:
                from ..core.activations import activations_of

                acts = activations_of(rec, self.model_input)
                self.computed += 1
                self._show(acts)
        except Exception as exc:  # noqa: BLE001 - a message, never a traceback
            self.activations = None
            self.caption.setText(f"Could not compute the layers: {first_line(exc)}")
            if self.graphics is not None:
                self._clear_maps(self.caption.text())
        self._update_hover()

    def _calibrate(self, rec) -> None:
        from ..core.activations import activations_of, conv1_filters, layer_levels, sample_inputs

        samples = [activations_of(rec, x) for x in sample_inputs()]
        self.levels = layer_levels(samples)
        for key, items in self.images.items():
            if key in self.levels:
                for item in items:
                    item.setLevels(self.levels[key])
        self.filters = conv1_filters(rec.net)
        self._show_filters()
        self._calibrated_for = rec

    def _show_filters(self) -> None:
        bound = float(np.abs(self.filters).max() or 1.0) if self.filters is not None else 1.0
        for i, item in enumerate(self.images["filters"]):
            if self.filters is None:
                item.clear()
                continue
            item.setLevels((-bound, bound))  # (setImage's levels= is ignored here)
            item.setImage(self.filters[i], autoLevels=False)

    def _show(self, acts: Activations) -> None:
        self.activations = acts
        self.empty_mark.setVisible(False)
        self.images["input"][0].setImage(acts.input, autoLevels=False)
        for key in ("c1", "s2", "c3", "s4"):
            for item, fmap in zip(self.images[key], acts.layer(key)):
                item.setImage(fmap, autoLevels=False)
        for key in ("f5", "f6"):
            rect = self._tile(key).rect
            hi = self.levels[key][1]
            h = np.clip(acts.layer(key) / hi, 0.0, 1.0) * rect.height()
            self.bars[key].setOpts(y0=rect.bottom() - h, height=h)
        rect = self._tile("output").rect
        half = rect.height() / 2
        v = np.clip(acts.output / self.levels["output"][1], -1.0, 1.0) * half
        brushes = [WINNER if d == acts.digit else (BAR if v[d] >= 0 else NEGATIVE)
                   for d in range(10)]
        self.bars["output"].setOpts(y0=rect.center().y() - np.maximum(v, 0),
                                    height=np.abs(v), brushes=brushes)
        p = acts.probabilities
        several = self.reading is not None and len(self.reading.digits) > 1
        which = f"Digit {self.selected + 1} of {len(self.reading.digits)}: r" if several else "R"
        self.caption.setText(f"{which}ead as <b>{acts.digit}</b> ({p[acts.digit] * 100:.1f}%). "
                             "Every layer's output for this input, computed by the network "
                             "in use; brighter is stronger.")

    def _clear_maps(self, caption: str) -> None:
        self.caption.setText(caption)
        self.empty_mark.setVisible(True)
        for item in (i for key in MAP_GRIDS for i in self.images[key]):
            item.clear()
        for key, bars in self.bars.items():
            bars.setOpts(height=np.zeros(self._tile(key).shape[1]), brushes=None, brush=BAR)

    def _update_selector(self, n: int) -> None:
        n = n if n > 1 else 0
        while len(self.digit_buttons) < n:
            i = len(self.digit_buttons)
            button = QToolButton()
            button.setText(f"Digit {i + 1}")
            button.setCheckable(True)
            button.setObjectName(f"network_digit_{i + 1}")
            self._button_group.addButton(button, i)
            self._selector.addWidget(button)
            self.digit_buttons.append(button)
        for i, button in enumerate(self.digit_buttons):
            button.setVisible(i < n)
            button.setChecked(i == self.selected)

    # ---------------------------------------------------------------- hover
    def _tile(self, key: str) -> Tile:
        return next(t for t in self.tiles if t.key == key)

    def describe(self, point: QPointF) -> str:
        """The hover line for ``point`` (scene units): the value under it, or the hint."""
        tile = next((t for t in self.tiles if t.rect.contains(point)), None)
        if tile is None:
            return HOVER_HINT
        (rows, cols), r = tile.shape, tile.rect
        row = min(rows - 1, int((point.y() - r.top()) / r.height() * rows))
        col = min(cols - 1, int((point.x() - r.left()) / r.width() * cols))
        return describe_value(self.activations, self.filters, tile.key, tile.index, row, col)

    def _update_hover(self) -> None:
        self.hover_label.setText(HOVER_HINT if self._hover_point is None
                                 else self.describe(self._hover_point))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if self.graphics is not None and watched is self.graphics.viewport():
            kind = event.type()
            if kind == QEvent.Type.MouseMove:
                scene = self.graphics.mapToScene(event.position().toPoint())
                self._hover_point = self._vb.mapSceneToView(scene)
                self._update_hover()
            elif kind == QEvent.Type.Leave:
                self._hover_point = None
                self._update_hover()
        return super().eventFilter(watched, event)


__all__ = ["NetworkView", "layout", "Tile"]
