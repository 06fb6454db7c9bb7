"""The Draw tab's teach line, "Saved as 7 in My digits — Undo", and the counts.

Why: teaching is one key press, so its answer must be visible where the user looks
(beside the canvas's buttons) and undoable at once, without a dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

CONFIRM_MS = 10000  # how long "Saved as 7 … Undo" stays
GREY = "#5f6368"
OK = "#1e7e34"
WARN = "#b7791f"


def counts_text(counts: list[int]) -> str:
    """ "My digits: 12 · 0:1 1:3 …" (compact; the My digits tab has the rest)."""
    return f"My digits: {sum(counts)}  ·  " + " ".join(f"{d}:{n}" for d, n in enumerate(counts))


class TeachPanel(QWidget):
    """A confirmation with Undo, or a hint; ``counts_label`` goes where its owner wants."""

    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teach_panel")
        self.message_label = QLabel()
        self.message_label.setObjectName("teach_message")
        self.message_label.setWordWrap(True)
        self.undo_button = QToolButton()  # a link-like button right after the message
        self.undo_button.setText("Undo")
        self.undo_button.setObjectName("teach_undo_button")
        self.undo_button.setToolTip("Take this drawing out of My digits again and put it "
                                    "back on the canvas")
        self.undo_button.setAutoRaise(True)
        self.undo_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.undo_button.setStyleSheet("QToolButton { color: #2f6fde; font-weight: bold; "
                                       "text-decoration: underline; }")
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keep keys on the canvas
        self.undo_button.hide()
        self.counts_label = QLabel()  # placed by the owner (the Draw tab: under the buttons)
        self.counts_label.setObjectName("my_digits_counts")
        self.counts_label.setWordWrap(True)
        font = self.counts_label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.counts_label.setFont(font)
        self.counts_label.setStyleSheet(f"color: {GREY};")

        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(2)
        self._row.addWidget(self.message_label, 1)
        self._row.addWidget(self.undo_button)
        self._row.addStretch(0)

        self._timer = QTimer(self)  # puts the default hint back after a while
        self._timer.setSingleShot(True)
        self._timer.setInterval(CONFIRM_MS)
        self._timer.timeout.connect(self.show_default_hint)
        self.undo_button.clicked.connect(self.undo_requested)
        self.set_counts([0] * 10)
        self.show_default_hint()

    def set_counts(self, counts: list[int]) -> None:
        self.counts_label.setText(counts_text(counts))
        self.counts_label.setToolTip(
            "Your own drawings saved in My digits, per digit (see the My digits tab).\n"
            "Draw a digit, then press its key (0-9) or click its bar to save it.")

    def _confirming(self, on: bool) -> None:
        """A short confirmation on one line with Undo right after it; hints wrap."""
        self.message_label.setWordWrap(not on)
        self._row.setStretchFactor(self.message_label, 0 if on else 1)
        self._row.setStretch(2, 1 if on else 0)
        self.undo_button.setVisible(on)

    def show_saved(self, label: int) -> None:
        self.message_label.setText(f"Saved as {label} in My digits —")
        self.message_label.setStyleSheet(f"color: {OK};")
        self._confirming(True)
        self._timer.start()

    def show_hint(self, text: str, warn: bool = False) -> None:
        """A line without Undo, for a while."""
        self._confirming(False)
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {WARN if warn else GREY};")
        self._timer.start()

    def show_default_hint(self) -> None:
        self._timer.stop()
        self._confirming(False)
        self.message_label.setText("Press its digit (0-9) or click its bar to save it in "
                                   "My digits.")
        self.message_label.setStyleSheet(f"color: {GREY};")

    def is_confirming(self) -> bool:
        return not self.undo_button.isHidden()


__all__ = ["TeachPanel", "counts_text"]
