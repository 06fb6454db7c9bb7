"""Draw tab: canvas -> shared preprocessing -> recognizer -> digit, bars, what the model saw.

Teaching: a digit key (0-9), or a click on that digit's bar, saves the drawing with
that label in My digits (ui/teach.py shows "Saved as 7 … Undo") and clears the canvas
for the next one.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (QColor, QFont, QImage, QKeyEvent, QKeySequence, QMouseEvent,
                           QPainter, QPixmap, QShortcut)
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from ..errors import LenetGuiError
from ..predict import Prediction, Recognizer, predict_one
from ..preprocess import denormalise, preprocess_ink
from .canvas import Canvas
from .my_digits_hub import MyDigitsHub
from .teach import TeachPanel

LIVE_INTERVAL_MS = 40  # at most ~25 predictions a second while drawing
ACCENT = QColor("#2f6fde")
HINT = "Draw a digit, 0 to 9, in the box.\nLeft button draws, right button erases."


class ProbabilityBars(QWidget):
    """Ten labelled bars, the winner highlighted; clicking a row means "it is this digit"."""

    digit_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probability_bars")
        self.probabilities: list[float] | None = None
        self.setMinimumSize(200, 10 * 20)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("The probability the network gives each digit.\n"
                        "Click a digit to save your drawing as that digit in My digits.")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(260, 10 * 24)

    def row_at(self, y: float) -> int:
        return min(9, max(0, int(y / (self.height() / 10.0))))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.digit_clicked.emit(self.row_at(event.position().y()))
            event.accept()
        else:
            super().mousePressEvent(event)

    def set_probabilities(self, probabilities: list[float] | None) -> None:
        self.probabilities = probabilities
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        row_h = self.height() / 10.0
        label_w = 22.0
        text_w = 56.0
        bar_w = max(10.0, self.width() - label_w - text_w - 8)
        best = int(np.argmax(self.probabilities)) if self.probabilities else -1
        font = p.font()
        for d in range(10):
            y = d * row_h
            value = self.probabilities[d] if self.probabilities else 0.0
            bold = d == best
            font.setBold(bold)
            p.setFont(font)
            p.setPen(pal.text().color())
            p.drawText(QRectF(0, y, label_w, row_h), Qt.AlignmentFlag.AlignCenter, str(d))
            track = QRectF(label_w + 4, y + row_h * 0.22, bar_w, row_h * 0.56)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(pal.alternateBase().color().darker(104))
            p.drawRoundedRect(track, 3, 3)
            if value > 0:
                fill = QRectF(track.x(), track.y(), max(2.0, bar_w * value), track.height())
                p.setBrush(ACCENT if bold else QColor("#9db7e6"))
                p.drawRoundedRect(fill, 3, 3)
            p.setPen(pal.text().color())
            text = f"{value * 100:.1f}%" if self.probabilities else "–"
            p.drawText(QRectF(label_w + 8 + bar_w, y, text_w, row_h),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        p.end()


class DrawTab(QWidget):
    prediction_changed = Signal(int, list)  # digit, ten probabilities

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recognizer: Recognizer | None = None
        self.last_prediction: tuple[int, list[float]] | None = None
        self.last_input: np.ndarray | None = None
        self.model_error: str | None = None
        self.my_digits: MyDigitsHub | None = None
        self.last_taught: str | None = None  # id of the drawing the Undo would remove

        self.canvas = Canvas(self)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clear_button")
        self.clear_button.setToolTip("Clear the drawing (Esc or Delete)")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("undo_button")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.eraser_button = QToolButton()
        self.eraser_button.setText("Eraser")
        self.eraser_button.setObjectName("eraser_button")
        self.eraser_button.setCheckable(True)
        self.eraser_button.setToolTip("Erase with the left button too (E)")

        self.teach_panel = TeachPanel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.eraser_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.teach_panel, 1)  # (the right column has no height to spare)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(buttons)
        left.addWidget(self.teach_panel.counts_label)

        self.digit_label = QLabel("?")
        self.digit_label.setObjectName("digit_label")
        self.digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 6)
        big.setBold(True)
        self.digit_label.setFont(big)
        self.digit_label.setMinimumWidth(120)
        self.verdict_label = QLabel(HINT)
        self.verdict_label.setObjectName("verdict_label")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bars = ProbabilityBars()
        self.seen_label = QLabel()
        self.seen_label.setObjectName("seen_label")
        self.seen_label.setFixedSize(100, 100)
        self.seen_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.seen_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seen_label.setToolTip("The 32x32 image the network saw: your drawing scaled to "
                                   "fit 20x20, centred by its centre of mass, like MNIST")
        seen_caption = QLabel("What the model saw\n(32×32, MNIST-style)")
        seen_caption.setStyleSheet("color: #5f6368;")
        seen_caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        result = QGridLayout()
        result.addWidget(self.digit_label, 0, 0)
        result.addWidget(self.verdict_label, 0, 1)
        result.setColumnStretch(1, 1)
        seen_row = QHBoxLayout()
        seen_row.addWidget(self.seen_label)
        seen_row.addWidget(seen_caption, 1)
        right = QVBoxLayout()
        right.addLayout(result)
        right.addSpacing(8)
        right.addWidget(self.bars, 1)
        right.addSpacing(8)
        right.addLayout(seen_row)
        right_box = QWidget()
        right_box.setLayout(right)
        right_box.setMinimumWidth(260)
        right_box.setMaximumWidth(420)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(right_box, 2)

        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_INTERVAL_MS)
        self._live_timer.timeout.connect(self.update_prediction)

        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.eraser_button.toggled.connect(self.canvas.set_eraser)
        self.canvas.strokes_changed.connect(self._on_strokes_changed)
        self.canvas.stroke_finished.connect(self._on_stroke_finished)
        for keys in (QKeySequence.StandardKey.Undo,):
            QShortcut(QKeySequence(keys), self, self.canvas.undo)
        for key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
            QShortcut(QKeySequence(key), self, self.canvas.clear)
        QShortcut(QKeySequence(Qt.Key.Key_E), self, self.eraser_button.toggle)
        self.bars.digit_clicked.connect(self.teach)
        self.teach_panel.undo_requested.connect(self.undo_teach)
        self._show_empty()

    # -------------------------------------------------------------- teaching
    def set_my_digits(self, hub: MyDigitsHub | None) -> None:
        """Where taught drawings go (the window's one store)."""
        self.my_digits = hub
        if hub is not None:
            hub.changed.connect(self._show_counts)
        self._show_counts()

    def _show_counts(self) -> None:
        self.teach_panel.set_counts(self.my_digits.counts() if self.my_digits else [0] * 10)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        # Keys the canvas and the buttons do not use arrive here.
        digit = int(event.key()) - Qt.Key.Key_0.value
        chord = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                     | Qt.KeyboardModifier.AltModifier
                                     | Qt.KeyboardModifier.MetaModifier)
        if 0 <= digit <= 9 and not chord:
            self.teach(digit)
            event.accept()
            return
        super().keyPressEvent(event)

    def teach(self, label: int) -> str | None:
        """Save the drawing as ``label`` in My digits, then clear the canvas; the id or None."""
        if self.my_digits is None:
            self.teach_panel.show_hint("My digits is not available here.", warn=True)
            return None
        if self.canvas.is_empty():
            self.teach_panel.show_hint(f"Draw a {label} first, then press {label}.", warn=True)
            return None
        # An opened image is pixels, not strokes: My digits keeps strokes only.
        if getattr(self.canvas, "_background", None) is not None:
            self.teach_panel.show_hint("My digits keeps drawings, not an opened image: clear "
                                       "it and draw.", warn=True)
            return None
        try:
            ident = self.my_digits.add(self.canvas.strokes, label)
        except LenetGuiError as exc:
            self.teach_panel.show_hint(f"Not saved: {exc}", warn=True)
            return None
        self.last_taught = ident
        self.canvas.clear()
        self.teach_panel.show_saved(label)
        return ident

    def undo_teach(self) -> None:
        """Take the last taught drawing out of My digits, back onto an empty canvas."""
        ident, self.last_taught = self.last_taught, None
        if ident is None or self.my_digits is None:
            self.teach_panel.show_default_hint()
            return
        try:
            removal = self.my_digits.remove(ident)
        except LenetGuiError as exc:  # deleted meanwhile in the My digits tab
            self.teach_panel.show_hint(f"Nothing to undo: {exc}")
            return
        if removal.entries and self.canvas.is_empty():
            self.canvas.set_strokes(removal.entries[0].strokes)
        self.teach_panel.show_hint("Removed from My digits.")

    # ---------------------------------------------------------------- model
    def set_recognizer(self, recognizer: Recognizer | None, error: str | None = None) -> None:
        self.recognizer = recognizer
        self.model_error = error
        self.update_prediction()

    # ------------------------------------------------------------ predicting
    def _on_strokes_changed(self) -> None:
        if not self._live_timer.isActive():
            self._live_timer.start()

    def _on_stroke_finished(self) -> None:
        self._live_timer.stop()
        self.update_prediction()

    def update_prediction(self) -> None:
        """Preprocess the canvas and recognize it now."""
        if self.canvas.is_empty():
            self._show_empty()
            return
        model_input = preprocess_ink(self.canvas.ink())
        if model_input is None:
            self._show_empty()
            return
        self.last_input = model_input
        self._show_seen(model_input)
        if self.recognizer is None:
            self.digit_label.setText("…")
            self.verdict_label.setText(self.model_error or "Loading the model…")
            return
        pred = predict_one(self.recognizer, model_input)
        self._show_prediction(pred)

    def _show_empty(self) -> None:
        self.digit_label.setText("?")
        self.digit_label.setStyleSheet("color: #c3c7ce;")
        self.verdict_label.setText(self.model_error or HINT)
        self.bars.set_probabilities(None)
        self.seen_label.clear()
        self.seen_label.setText("empty")
        self.last_input = None
        if self.last_prediction is not None:
            self.last_prediction = None

    def _show_seen(self, model_input: np.ndarray) -> None:
        grey = np.ascontiguousarray(denormalise(model_input))
        image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.shape[1],
                       QImage.Format.Format_Grayscale8).copy()
        side = self.seen_label.width() - 4
        self.seen_label.setPixmap(QPixmap.fromImage(image).scaled(
            side, side, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation))

    def _show_prediction(self, pred: Prediction) -> None:
        self.digit_label.setText(str(pred.digit))
        order = np.argsort(pred.probabilities)[::-1]
        if pred.low_confidence:
            second = int(order[1])
            self.verdict_label.setText(
                f"Not sure: {pred.digit} ({pred.confidence * 100:.0f}%) or {second} "
                f"({pred.probabilities[second] * 100:.0f}%)")
            self.digit_label.setStyleSheet("color: #b7791f;")
        else:
            self.verdict_label.setText(f"{pred.confidence * 100:.1f}% sure")
            self.digit_label.setStyleSheet("")
        self.bars.set_probabilities(pred.probabilities)
        self.last_prediction = (pred.digit, pred.probabilities)
        self.prediction_changed.emit(pred.digit, pred.probabilities)


__all__ = ["DrawTab", "ProbabilityBars"]
