"""A standby training process for the Train tab: started while the tab is on screen,
so that Start finds MindSpore already imported (the first loss ~2 s sooner).

At most one waits. It starts ``STANDBY_DELAY_MS`` after the tab is shown or a run
ends, and is ended when another tab has been on screen ``KEEP_HIDDEN_MS`` (it holds
~400 MB) and when the window closes (end of its stdin: it exits).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

STANDBY_DELAY_MS = 1500
KEEP_HIDDEN_MS = 30000


class StandbyKeeper:
    """Owns the Train tab's standby process (``train_process.spawn_standby``)."""

    def __init__(self, tab: QWidget, may_start: Callable[[], bool]) -> None:
        self._tab = tab
        self._may_start = may_start  # e.g. not while a job runs
        self._process = None

    def schedule(self) -> None:
        QTimer.singleShot(STANDBY_DELAY_MS, self._tab, self._prepare)

    def tab_hidden(self) -> None:
        QTimer.singleShot(KEEP_HIDDEN_MS, self._tab, self._drop_if_hidden)

    def _prepare(self) -> None:
        if self._process is not None or not self._tab.isVisible() or not self._may_start():
            return
        from ..core.errors import TrainingError
        from ..core.train_process import spawn_standby

        try:
            self._process = spawn_standby()
        except TrainingError:
            self._process = None  # Start will say why, starting afresh

    def _drop_if_hidden(self) -> None:
        if not self._tab.isVisible():
            self.close()

    def take(self):
        """The waiting process for a job (None if none waits); it is the job's now."""
        process, self._process = self._process, None
        return process

    def pid(self) -> int | None:
        p = self._process
        return p.pid if p is not None and p.alive() else None

    def close(self) -> None:
        process = self.take()
        if process is not None:
            process.finish(2.0)
