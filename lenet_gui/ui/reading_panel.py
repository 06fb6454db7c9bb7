"""What the Draw tab says about a drawing: the number, each digit's verdict, the bars,
and the 32x32 image the network saw for every digit.

The panel only shows a ``reading.Reading``; the Draw tab makes it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy,
                               QVBoxLayout, QWidget)

from ..core.preprocess import denormalise
from ..core.reading import Reading
from ..core.verdict import NOT_A_DIGIT, UNSURE

ACCENT = QColor("#2f6fde")
COLOURS = {"digit": "", UNSURE: "color: #b7791f;", NOT_A_DIGIT: "color: #c62828;"}
EMPTY_COLOUR = "color: #c3c7ce;"
SEEN_SIDE = 100  # one segment: the size the single 32x32 had before numbers
MAX_SHOWN = 8



def restyle(widget: QWidget, css: str) -> None:
    """Set a style sheet only when it changes: each call re-polishes the widget (about
    half a millisecond), and a reading would otherwise set the same ones every time."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)

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


class SeenImage(QLabel):
    """One segment's 32x32 model input, scaled up; clicking it selects that digit."""

    clicked = Signal(int)

    def __init__(self, index: int, side: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setFixedSize(side, side)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def show_input(self, model_input: np.ndarray, selected: bool, verdict: str) -> None:
        grey = np.ascontiguousarray(denormalise(model_input))
        image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.shape[1],
                       QImage.Format.Format_Grayscale8).copy()
        side = self.width() - 4
        self.setPixmap(QPixmap.fromImage(image).scaled(
            side, side, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation))
        border = "#2f6fde" if selected else ("#c62828" if verdict == NOT_A_DIGIT else "#c3c7ce")
        restyle(self, f"border: {2 if selected else 1}px solid {border};")

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.clicked.emit(self.index)
        event.accept()


class ReadingPanel(QWidget):
    """The right column of the Draw tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected = 0
        self.reading: Reading | None = None
        self.digit_label = QLabel("?")
        self.digit_label.setObjectName("digit_label")
        self.digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._big = QFont(self.font())
        self._big.setBold(True)
        self._base_size = self._big.pointSizeF()
        self._set_big(1)
        self.digit_label.setMinimumWidth(120)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdict_label")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bars = ProbabilityBars()
        self.bars_caption = QLabel()
        self.bars_caption.setObjectName("bars_caption")
        self.bars_caption.setStyleSheet("color: #5f6368;")
        self.seen_box = QWidget()
        self.seen_row = QHBoxLayout(self.seen_box)
        self.seen_row.setContentsMargins(0, 0, 0, 0)
        self.seen_row.setSpacing(4)
        self.seen_images: list[SeenImage] = []
        self.seen_label = self._seen_image(0, SEEN_SIDE)  # the first, as before numbers
        self.seen_label.setObjectName("seen_label")
        self.seen_label.setToolTip("The 32x32 image the network saw: your drawing scaled to "
                                   "fit 20x20, centred by its centre of mass, like MNIST")
        self.seen_caption = QLabel("What the model saw\n(32×32, MNIST-style)")
        self.seen_caption.setStyleSheet("color: #5f6368;")
        self.seen_caption.setAlignment(Qt.AlignmentFlag.AlignLeft
                                       | Qt.AlignmentFlag.AlignVCenter)
        result = QGridLayout()
        result.addWidget(self.digit_label, 0, 0)
        result.addWidget(self.verdict_label, 0, 1)
        result.setColumnStretch(1, 1)
        seen = QHBoxLayout()
        seen.addWidget(self.seen_box)
        seen.addWidget(self.seen_caption, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(result)
        layout.addSpacing(4)
        layout.addWidget(self.bars_caption)
        layout.addWidget(self.bars, 1)
        layout.addSpacing(8)
        layout.addLayout(seen)

    def _set_big(self, chars: int) -> None:
        factor = 6 if chars <= 1 else max(2.2, 6 - 0.9 * (chars - 1))
        if self._big.pointSizeF() != self._base_size * factor:  # a new font re-lays out
            self._big.setPointSizeF(self._base_size * factor)
            self.digit_label.setFont(self._big)

    def _seen_image(self, index: int, side: int) -> SeenImage:
        img = SeenImage(index, side)
        img.clicked.connect(self.select)
        self.seen_row.addWidget(img)
        self.seen_images.append(img)
        return img

    # ------------------------------------------------------------------ show
    def show_empty(self, hint: str) -> None:
        self.reading = None
        self._set_big(1)
        self.digit_label.setText("?")
        restyle(self.digit_label, EMPTY_COLOUR)
        self.verdict_label.setText(hint)
        self.bars.set_probabilities(None)
        self.bars_caption.setText("")
        self._layout_seen(1)
        self.seen_label.clear()
        restyle(self.seen_label, "")
        self.seen_label.setText("empty")

    def show_waiting(self, model_input: np.ndarray | None, text: str) -> None:
        self.digit_label.setText("…")
        self.verdict_label.setText(text)
        if model_input is not None:
            self._layout_seen(1)
            self.seen_label.show_input(model_input, False, "digit")

    def show_reading(self, reading: Reading) -> None:
        self.reading = reading
        if self.selected >= len(reading.digits):
            self.selected = 0
        if not reading.digits:  # too many pieces, only specks
            self._set_big(1)
            self.digit_label.setText("?")
            restyle(self.digit_label, COLOURS[NOT_A_DIGIT])
            self.verdict_label.setText(reading.message[:1].upper() + reading.message[1:])
            self.bars.set_probabilities(None)
            self.bars_caption.setText("")
            self._layout_seen(1)
            self.seen_label.clear()
            self.seen_label.setText("–")
            return
        single = len(reading.digits) == 1
        self._set_big(len(reading.text))
        self.digit_label.setText(reading.text)
        restyle(self.digit_label, COLOURS[reading.verdict])
        self.verdict_label.setText(self._verdict_text(reading))
        self._layout_seen(len(reading.digits))
        for i, (img, d) in enumerate(zip(self.seen_images, reading.digits)):
            img.show_input(d.model_input, not single and i == self.selected, d.verdict)
            img.setToolTip(f"Digit {i + 1}: {self._digit_text(d)}")
        self.seen_caption.setText("What the model saw\n(32×32, MNIST-style)" if single else
                                  "What the model saw, per digit\n(click one for its bars)")
        self._show_bars()

    def select(self, index: int) -> None:
        """Show the bars of the ``index``-th digit of the number."""
        if self.reading is None or not 0 <= index < len(self.reading.digits):
            return
        self.selected = index
        self.show_reading(self.reading)

    def _show_bars(self) -> None:
        d = self.reading.digits[self.selected]
        self.bars.set_probabilities(d.probabilities)
        self.bars_caption.setText("" if len(self.reading.digits) == 1 else
                                  f"Digit {self.selected + 1} of {len(self.reading.digits)}")

    def _layout_seen(self, n: int) -> None:
        n = max(1, min(n, MAX_SHOWN))
        side = SEEN_SIDE if n == 1 else max(36, min(64, 300 // n))
        while len(self.seen_images) < n:
            self._seen_image(len(self.seen_images), side)
        for i, img in enumerate(self.seen_images):
            img.setVisible(i < n)
            if img.width() != side or img.height() != side:
                img.setFixedSize(side, side)

    @staticmethod
    def _digit_text(d) -> str:
        if d.verdict == NOT_A_DIGIT:
            return f"not a digit (at most {d.confidence * 100:.0f}% like any digit)"
        if d.verdict == UNSURE:
            second = d.runner_up
            return (f"not sure: {d.digit} ({d.confidence * 100:.0f}%) or {second} "
                    f"({d.probabilities[second] * 100:.0f}%)")
        return f"{d.digit}, {d.confidence * 100:.1f}% sure"

    def _verdict_text(self, reading: Reading) -> str:
        digits = reading.digits
        if len(digits) == 1:
            d = digits[0]
            if d.verdict == NOT_A_DIGIT:
                return ("Not a digit: this does not look like 0-9 "
                        f"(at most {d.confidence * 100:.0f}% like any digit)")
            if d.verdict == UNSURE:
                second = d.runner_up
                return (f"Not sure: {d.digit} ({d.confidence * 100:.0f}%) or {second} "
                        f"({d.probabilities[second] * 100:.0f}%)")
            return f"{d.confidence * 100:.1f}% sure"
        parts = []
        for d in digits:
            if d.verdict == NOT_A_DIGIT:
                parts.append("? not a digit")
            elif d.verdict == UNSURE:
                parts.append(f"{d.digit}: {d.confidence * 100:.0f}%, or {d.runner_up}?")
            else:
                parts.append(f"{d.digit}: {d.confidence * 100:.0f}%")
        lead = {"digit": "", UNSURE: "Partly unsure. ", NOT_A_DIGIT: "Not a number. "}
        return lead[reading.verdict] + "  ·  ".join(parts)


__all__ = ["ReadingPanel", "ProbabilityBars", "SeenImage"]
