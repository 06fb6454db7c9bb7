"""The Train tab's right side: what a training run shows while and after it runs.

A banner for the outcome (``Banner``), a progress bar and line, the loss plot, the
per-epoch accuracy table and the log, with the slots that the training job's
throttled reports fill them through. It starts no jobs: the Train tab does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QPlainTextEdit, QProgressBar, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from .loss_plot import LossPlot
from .worker import TrainingSignals


def format_duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``; "–" for NaN or infinity (not known yet)."""
    if seconds != seconds or seconds == float("inf"):
        return "–"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Banner(QFrame):
    """An inline message with an optional action, like KDE's KMessageWidget."""

    action_triggered = Signal()

    STYLES = {
        "info": ("#e8f1fd", "#2f6fde"),
        "success": ("#e7f6ec", "#2e8540"),
        "warning": ("#fff4e5", "#b26a00"),
        "error": ("#fdecea", "#c62828"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setObjectName("use_model_button")
        self.close_button = QPushButton("Dismiss")
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.action_button.clicked.connect(self.action_triggered)
        self.close_button.clicked.connect(self.hide)
        self.kind = "info"
        self.hide()

    def show_message(self, kind: str, text: str, action: str | None = None) -> None:
        bg, fg = self.STYLES[kind]
        self.kind = kind
        self.setStyleSheet(f"#banner {{ background: {bg}; border: 1px solid {fg}; "
                           f"border-radius: 4px; }} #banner QLabel {{ color: #1b1b1b; }}")
        self.label.setText(text)
        self.action_button.setVisible(action is not None)
        if action:
            self.action_button.setText(action)
        self.show()


class RunPanel(QWidget):
    """Banner, progress, loss plot, accuracy table and log, top to bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progress_bar")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Ready to train")
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel(" ")
        self.progress_label.setObjectName("progress_label")
        self.banner = Banner(self)
        self.loss_plot = LossPlot()
        self.accuracy_table = QTableWidget(0, 4)
        self.accuracy_table.setObjectName("accuracy_table")
        self.accuracy_table.setHorizontalHeaderLabels(["Epoch", "Loss", "Test acc.", "Time"])
        self.accuracy_table.setToolTip("Per epoch: mean training loss, accuracy on the MNIST "
                                       "test set, time. ★ marks the saved weights.")
        self.accuracy_table.verticalHeader().hide()
        self.accuracy_table.setWordWrap(False)
        self.accuracy_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.accuracy_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        self.accuracy_table.horizontalHeader().setMinimumSectionSize(40)
        self.accuracy_table.setMinimumWidth(260)
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("log_view")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(5000)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log_view.setPlaceholderText("Training log")
        mono = self.log_view.font()
        mono.setFamily("monospace")
        mono.setStyleHint(mono.StyleHint.Monospace)
        self.log_view.setFont(mono)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.accuracy_table)
        bottom.addWidget(self.log_view)
        bottom.setSizes([320, 480])
        bottom.setChildrenCollapsible(False)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.addWidget(self.loss_plot)
        vsplit.addWidget(bottom)
        vsplit.setStretchFactor(0, 3)
        vsplit.setStretchFactor(1, 2)
        right = QVBoxLayout(self)
        right.setContentsMargins(0, 0, 0, 0)  # laid out as a part of the tab's own layout
        right.addWidget(self.banner)
        right.addWidget(self.progress_bar)
        right.addWidget(self.progress_label)
        right.addWidget(vsplit, 1)

    def follow(self, signals: TrainingSignals) -> None:
        """Show what a job reports through ``signals``: losses, progress, epochs, log."""
        signals.losses_reported.connect(self._on_losses)
        signals.progress_reported.connect(self._on_progress)
        signals.epoch_finished.connect(self._on_epoch)
        signals.log_reported.connect(self.append_log)

    def begin_run(self) -> None:
        """Clear the last run's plot, table and banner; show that a run is starting."""
        self.loss_plot.clear()
        self.accuracy_table.setRowCount(0)
        self.banner.hide()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("starting… (MindSpore compiles the network)")
        self.progress_label.setText(" ")

    def end_run(self, done: bool) -> None:
        """The job's thread is gone: "Done" if it returned a result, else ready again."""
        if self.progress_bar.maximum() <= 1:
            self.progress_bar.setRange(0, 1)
        self.progress_bar.setFormat("Done (%p%)" if done else "Ready to train")
        self.loss_plot.finish()

    def append_log(self, line: str) -> None:
        self.log_view.appendPlainText(line)

    def _on_losses(self, points: list) -> None:
        self.loss_plot.add_points(points)

    def _on_progress(self, p) -> None:
        self.loss_plot.set_planned_steps(p.total_steps)
        self.progress_bar.setRange(0, p.total_steps)
        self.progress_bar.setValue(p.global_step)
        self.progress_bar.setFormat(f"epoch {p.epoch}/{p.epochs} · step "
                                    f"{p.global_step:,}/{p.total_steps:,} (%p%)")
        self.progress_label.setText(
            f"loss {p.loss:.4f} · {p.samples_per_s:,.0f} images/s · elapsed "
            f"{format_duration(p.elapsed_s)} · ETA {format_duration(p.eta_s)}")

    def _on_epoch(self, e) -> None:
        row = self.accuracy_table.rowCount()
        self.accuracy_table.insertRow(row)
        acc = f"{e.test_accuracy * 100:.2f}%" if e.test_samples else "–"
        for col, text in enumerate((str(e.epoch), f"{e.mean_loss:.4f}",
                                    acc + (" ★" if e.saved else ""),
                                    format_duration(e.elapsed_s))):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.accuracy_table.setItem(row, col, item)
        self.loss_plot.mark_epoch(self.loss_plot.point_count)
