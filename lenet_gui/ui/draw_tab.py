"""Draw tab: canvas -> segments -> shared preprocessing -> recognizer -> the number.

A drawing is read as a number of 1 to 8 digits (``reading.read_strokes``): one
verdict per digit (digit, unsure, not a digit), an outline of each segment on the
canvas, and the 32x32 image the network saw for each (``ui/reading_panel.py``). A
drawing of one digit is one segment, redrawn at the usual size only if it was drawn
much smaller or bigger (``reading.LONE_BAND``).

Teaching: a digit key (0-9), or a click on that digit's bar, saves the drawing with
that label in My digits (ui/teach.py shows "Saved as 7 … Undo") and clears the canvas
for the next one.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from ..core.errors import LenetGuiError
from ..core.predict import Recognizer
from ..core.preprocess import preprocess_ink
from ..core.reading import Reading, RedrawCache, read_ink, read_strokes
from .canvas import Canvas
from .my_digits_hub import MyDigitsHub
from .reading_panel import ProbabilityBars, ReadingPanel
from .teach import TeachPanel

LIVE_INTERVAL_MS = 40  # at most ~25 predictions a second while drawing
HINT = ("Draw a digit, 0 to 9, or a number, in the box.\nLeft button draws, right "
        "button erases.")


class DrawTab(QWidget):
    prediction_changed = Signal(int, list)  # digit, ten probabilities (one-digit drawings)
    reading_changed = Signal(object)  # reading.Reading, or None for an empty canvas

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recognizer: Recognizer | None = None
        self.last_prediction: tuple[int, list[float]] | None = None
        self.last_reading: Reading | None = None
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

        self.panel = ReadingPanel()
        # The names tests and scripts know from before numbers.
        self.digit_label = self.panel.digit_label
        self.verdict_label = self.panel.verdict_label
        self.bars = self.panel.bars
        self.seen_label = self.panel.seen_label
        right = QVBoxLayout()
        right.addWidget(self.panel, 1)
        right_box = QWidget()
        right_box.setLayout(right)
        right_box.setMinimumWidth(260)
        right_box.setMaximumWidth(420)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(right_box, 2)

        self._redraws = RedrawCache()  # a number's unchanged digits are not redrawn
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
        if self.last_reading is not None and len(self.last_reading.digits) > 1:
            self.teach_panel.show_hint(
                f"Teach one digit at a time: this drawing reads as "
                f"{len(self.last_reading.digits)} digits. Clear it and draw one.", warn=True)
            return None
        if self.canvas.has_image():
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
        """Read the canvas now: segments, preprocessing, one batch through LeNet5."""
        if self.canvas.is_empty():
            self._show_empty()
            return
        ink = self.canvas.ink()
        if self.recognizer is None:
            model_input = preprocess_ink(ink)
            if model_input is None:
                self._show_empty()
                return
            self.last_input = model_input
            self.panel.show_waiting(model_input, self.model_error or "Loading the model…")
            return
        if self.canvas.has_image():
            # An opened picture (perhaps with strokes on it): read its pixels.
            reading = read_ink(self.recognizer, ink)
        else:
            reading = read_strokes(self.recognizer, self.canvas.strokes, ink=ink,
                                   cache=self._redraws)
        if reading is None:
            self._show_empty()
            return
        self._show_reading(reading)

    def _show_empty(self) -> None:
        self.panel.show_empty(self.model_error or HINT)
        self.canvas.set_segment_boxes([])
        self.last_input = None
        self.last_prediction = None
        if self.last_reading is not None:
            self.last_reading = None
            self.reading_changed.emit(None)

    def _show_reading(self, reading: Reading) -> None:
        self.panel.show_reading(reading)
        several = len(reading.digits) > 1
        self.canvas.set_segment_boxes([(d.box, d.verdict) for d in reading.digits]
                                      if several or reading.verdict != "digit" else [])
        self.last_reading = reading
        self.last_input = reading.digits[0].model_input if reading.digits else None
        if len(reading.digits) == 1:
            d = reading.digits[0]
            self.last_prediction = (d.digit, d.probabilities)
            self.reading_changed.emit(reading)
            self.prediction_changed.emit(d.digit, d.probabilities)
        else:
            self.last_prediction = None
            self.reading_changed.emit(reading)


__all__ = ["DrawTab", "ProbabilityBars"]
