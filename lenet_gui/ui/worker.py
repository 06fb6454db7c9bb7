"""Workers that run the core's long jobs in a QThread (Qt for Python's threads pattern).

``thread.started -> worker.run``; ``worker.finished -> thread.quit``;
``thread.finished -> deleteLater``; the window calls ``stop_and_wait`` before it
closes and drops its reference to the worker after the thread has finished.
Every job ends with exactly one of ``returned``, ``errored`` or ``cancelled`` (then
``finished``), so a failure is always shown, never a silent dead thread.
Stopping uses a ``threading.Event`` the job checks: a queued slot could not run
while ``run`` blocks the worker thread.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core.errors import LenetGuiError, StopRequested, first_line


def describe_error(exc: BaseException) -> str:
    """One line for the user; a developer's traceback only for real bugs."""
    if isinstance(exc, LenetGuiError):
        return str(exc)
    return f"unexpected error: {type(exc).__name__}: {first_line(exc, '')}"


class Worker(QObject):
    """Runs ``fn(worker)`` once in its thread; ``fn`` may call ``worker.stopping()``."""

    returned = Signal(object)
    errored = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[["Worker"], Any]) -> None:
        super().__init__()
        self._fn = fn
        self.stop_event = threading.Event()

    def stop(self) -> None:
        self.stop_event.set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(self)
        except StopRequested:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - every failure reaches the window
            if not isinstance(exc, LenetGuiError):
                traceback.print_exc()
            self.errored.emit(describe_error(exc))
        else:
            self.returned.emit(result)
        finally:
            self.finished.emit()


def start_worker(fn: Callable[[Worker], Any], parent: QObject,
                 name: str = "worker") -> tuple[Worker, QThread]:
    """Move a new Worker for ``fn`` to a new QThread and start it.

    Connect to the worker's signals from main-thread QObjects' methods (queued).
    The caller keeps the returned pair alive until ``thread.finished``.
    """
    thread = QThread(parent)
    thread.setObjectName(name)
    worker = Worker(fn)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    # Direct: quit() is thread-safe, and a queued call would wait for the main
    # thread, which may itself be waiting for this thread (closeEvent).
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    # The worker is owned by Python (the caller's reference) and freed in the main
    # thread once its thread has finished; a deleteLater in the worker's thread
    # would race with that.
    thread.finished.connect(thread.deleteLater)
    return worker, thread


def stop_and_wait(worker: Worker | None, thread: QThread | None,
                  timeout_ms: int = 30000) -> bool:
    """Ask a job to stop and wait for its thread; safe if either is already gone."""
    if worker is not None and shiboken6.isValid(worker):
        worker.stop()
    if thread is None or not shiboken6.isValid(thread):
        return True
    thread.quit()
    return thread.wait(timeout_ms)


REPORT_INTERVAL_S = 0.25  # how often the Train tab's jobs report to the window (4 Hz)


class Throttle:
    """At most one call per ``interval`` seconds, plus the final one (Orange3 style)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = 0.0

    def ready(self, force: bool = False) -> bool:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False


class TrainingSignals(QObject):
    """What the training and download jobs report, throttled so the event loop is
    never flooded."""

    losses_reported = Signal(list)  # [(global_step, loss), ...] since the last report
    progress_reported = Signal(object)  # core.train.Progress
    epoch_finished = Signal(object)  # core.train.EpochResult
    log_reported = Signal(str)
    download_reported = Signal(str, int, int)  # file name, bytes so far, total (0: unknown)


class ProgressRelay:
    """A training job's reports to ``TrainingSignals``, from the job's thread.

    Losses are batched; progress goes out at most every ``REPORT_INTERVAL_S`` and
    always at the last step of an epoch; ``flush`` (at an epoch's end and when the
    job ends) sends whatever is pending. One relay serves every training job of the
    Train tab (a recipe's training, the personal fine-tune).
    """

    def __init__(self, signals: TrainingSignals) -> None:
        self.signals = signals
        self._pending: list[tuple[int, float]] = []
        self._throttle = Throttle(REPORT_INTERVAL_S)

    def flush(self, progress=None) -> None:
        if self._pending:
            self.signals.losses_reported.emit(list(self._pending))
            self._pending.clear()
        if progress is not None:
            self.signals.progress_reported.emit(progress)

    def progress(self, p) -> None:
        """``on_progress`` for ``train.train`` and ``finetune.finetune``."""
        self._pending.append((p.global_step, p.loss))
        if self._throttle.ready(force=p.step == p.steps_per_epoch):
            self.flush(p)

    def epoch(self, e) -> None:
        """``on_epoch``: the losses first, so the epoch mark lands after them."""
        self.flush()
        self.signals.epoch_finished.emit(e)
