"""The latest job of each kind, in worker threads, with one progress bar.

A view that loads and judges data (the Data view: "load" a source, "predict" its
images) starts a new job whenever the user picks something else; the older job of
that kind is then cancelled and its answer, should it still arrive, is dropped. The
threads are kept until they finish, so closing the window can wait for them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressBar

from ..core.errors import LenetGuiError, StopRequested
from .worker import Throttle, Worker, describe_error, start_worker, stop_and_wait

JobFn = Callable[[Worker, Callable[[int, int], None]], Any]  # fn(worker, report(done, total))


@dataclass
class Job:
    """A running job; its answer is used only while it is still the current one of its kind."""

    token: int
    worker: Worker
    what: object  # what the job works on (the view compares it with what it wants)
    on_result: Callable[[Any], None]
    on_error: Callable[[str], None]


class LatestJobs(QObject):
    """At most one current job per kind; ``progress`` shows the running ones."""

    _job_progress = Signal(int, int)  # token, percent: emitted in workers, queued here

    def __init__(self, parent: QObject, progress: QProgressBar,
                 verbs: dict[str, str]) -> None:
        super().__init__(parent)
        self.progress = progress
        self.verbs = verbs  # kind -> the progress bar's word ("Loading")
        self._current: dict[str, Job] = {}
        self._threads: list[tuple[Worker, Any]] = []  # kept until their thread finishes
        self._token = 0
        self._job_progress.connect(self._on_progress)

    def busy(self) -> bool:
        return bool(self._current)

    def current(self, kind: str) -> Job | None:
        return self._current.get(kind)

    def start(self, kind: str, what: object, fn: JobFn, on_result: Callable[[Any], None],
              on_error: Callable[[str], None]) -> None:
        """Run ``fn(worker, report)`` in a worker; an older job of this kind is cancelled."""
        self.cancel(kind)
        self._token += 1
        token, throttle = self._token, Throttle(0.1)

        def report(done: int, total: int) -> None:  # in the worker thread
            if throttle.ready(done >= total):
                self._job_progress.emit(token, round(100 * done / total) if total else 0)

        def run(worker: Worker):
            try:
                return token, fn(worker, report), None
            except StopRequested:
                raise
            except Exception as exc:  # noqa: BLE001 - shown in the view, never a box
                if not isinstance(exc, LenetGuiError):
                    traceback.print_exc()
                return token, None, describe_error(exc)

        worker, thread = start_worker(run, self, f"job-{kind}")
        worker.returned.connect(self._on_returned)  # a method: queued to this thread
        thread.finished.connect(self._prune_threads)
        self._current[kind] = Job(token, worker, what, on_result, on_error)
        self._threads.append((worker, thread))
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress.setFormat(self.verbs.get(kind, "Working") + " %p%")
        self.progress.show()
        thread.start()

    def cancel(self, kind: str) -> None:
        job = self._current.pop(kind, None)
        if job is not None and shiboken6.isValid(job.worker):
            job.worker.stop()
        self.progress.setVisible(bool(self._current))

    def shutdown(self) -> None:
        """Stop every job and wait for its thread (the window is closing)."""
        self._current.clear()
        for worker, thread in self._threads:
            stop_and_wait(worker, thread)
        self._threads.clear()

    def _take(self, token: int) -> Job | None:
        """The current job with this token, now finished; None for a cancelled one."""
        for kind, job in list(self._current.items()):
            if job.token == token:
                del self._current[kind]
                self.progress.setVisible(bool(self._current))
                return job
        return None

    def _on_returned(self, answer: tuple) -> None:
        token, result, error = answer
        job = self._take(token)
        if job is not None:
            job.on_result(result) if error is None else job.on_error(error)

    def _prune_threads(self) -> None:
        self._threads = [(w, t) for w, t in self._threads
                         if shiboken6.isValid(t) and not t.isFinished()]

    def _on_progress(self, token: int, percent: int) -> None:
        if any(job.token == token for job in self._current.values()):
            self.progress.setRange(0, 100)
            self.progress.setValue(percent)


__all__ = ["LatestJobs", "Job", "JobFn"]
