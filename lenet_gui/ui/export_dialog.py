"""File > Export model…: the checkpoint in use as an ONNX or MindIR file, in a worker thread.

Kept out of ``main_window`` on purpose: the window only calls ``add_export_action``.
The export runs ``lenet_gui.core.export.export_model`` (about a second: it compiles a graph)
in a worker, so the window never freezes; the result goes to the status bar, a failure
to a non-modal message as well.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from .worker import Worker, start_worker, stop_and_wait

#: dialog filter -> format
FILTERS = {"ONNX model (*.onnx)": "onnx", "MindIR model (*.mindir)": "mindir"}


class ModelExporter(QObject):
    """Exports ``window.checkpoint``; one export at a time."""

    #: (succeeded, the message shown)
    export_finished = Signal(bool, str)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("model_exporter")
        self._window = window
        self._job: tuple[Worker, object] | None = None  # kept alive until it finishes
        self._last_dir: Path | None = None
        # The window's closeEvent knows nothing of this worker: wait for it on Close,
        # or Qt would destroy a running thread.
        window.installEventFilter(self)

    # ------------------------------------------------------------------ public
    @property
    def busy(self) -> bool:
        return self._job is not None

    def ask_and_export(self) -> bool:
        """Ask for a file (the filter or the suffix chooses the format), then export."""
        checkpoint = self._checkpoint()
        if checkpoint is None:
            return False
        start = self._last_dir or checkpoint.parent
        path, chosen = QFileDialog.getSaveFileName(
            self._window, "Export model", str(start / f"{checkpoint.stem}.onnx"),
            ";;".join(FILTERS), next(iter(FILTERS)))
        if not path:
            return False
        from ..core.export import format_for_path

        return self.export_to(Path(path), format_for_path(Path(path)) or FILTERS.get(chosen))

    def export_to(self, path: Path, fmt: str | None = None) -> bool:
        """Export the model in use to ``path`` in a worker (``fmt`` None: from the
        suffix); False when it could not start. The outcome: ``export_finished``."""
        checkpoint = self._checkpoint()
        if checkpoint is None:
            return False
        if self.busy:
            self._status("An export is already running; wait for it to finish.")
            return False
        path = Path(path)
        self._last_dir = path.expanduser().absolute().parent

        def job(_worker):
            from ..core.export import export_model

            return export_model(checkpoint, fmt, path)

        worker, thread = start_worker(job, self, "export-model")
        worker.returned.connect(self._on_exported)
        worker.errored.connect(self._on_failed)
        # Bound methods of this main-thread object: queued, so they run here.
        thread.finished.connect(self._on_thread_finished)
        self._job = (worker, thread)
        self._status(f"Exporting {checkpoint.name} to {path.name}…", 0)
        thread.start()
        return True

    def shutdown(self) -> None:
        """Wait for an export in progress (it cannot be interrupted; ~1 s)."""
        if self._job is not None:
            stop_and_wait(*self._job)
            self._job = None

    # ---------------------------------------------------------------- internals
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Close:  # only the window is filtered
            self.shutdown()
        return False

    def _checkpoint(self) -> Path | None:
        checkpoint = getattr(self._window, "checkpoint", None)
        if checkpoint is None:
            self._status("No model is loaded yet: nothing to export.")
            return None
        return Path(checkpoint)

    def _status(self, text: str, timeout_ms: int = 10000) -> None:
        self._window.statusBar().showMessage(text, timeout_ms)

    def _on_exported(self, result) -> None:
        text = (f"Exported the model to {result.model} ({result.bytes:,} bytes; "
                f"described in {result.metadata.name})")
        self._status(text, 15000)
        self.export_finished.emit(True, text)

    def _on_failed(self, message: str) -> None:
        text = f"Export failed: {message}"
        self._status(text, 15000)
        show = getattr(self._window, "show_message", None)
        if show is not None:  # non-modal: box.open(), never exec()
            show("Cannot export the model", f"{message}\n\nNothing was written.")
        self.export_finished.emit(False, text)

    def _on_thread_finished(self) -> None:
        if self._job is not None:
            _, thread = self._job
            if not shiboken6.isValid(thread) or thread.isFinished():
                self._job = None


def add_export_action(window: QMainWindow, menu: QMenu) -> QAction:
    """Add "Export model…" to ``menu`` (before its last separator, i.e. above Quit);
    ``window.model_exporter`` then holds the exporter (``export_to(path)`` skips the
    dialog)."""
    exporter = ModelExporter(window)
    window.model_exporter = exporter
    action = QAction("&Export model…", window)
    action.setObjectName("export_model_action")
    action.setStatusTip("Save the model in use as ONNX or MindIR, with a JSON describing "
                        "its input and output")
    action.triggered.connect(exporter.ask_and_export)
    separators = [a for a in menu.actions() if a.isSeparator()]
    if separators:
        menu.insertAction(separators[-1], action)
    else:
        menu.addAction(action)
    return action


__all__ = ["ModelExporter", "add_export_action", "FILTERS"]
