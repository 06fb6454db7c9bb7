"""What bench_latency.py records: the events behind each prediction, and waits for
MindSpore's lock."""

from __future__ import annotations

import time

import _common as C

class Recorder:
    """Timestamps of the events that lead to each prediction_changed."""

    def __init__(self, live_timer, live_interval_ms: float):
        self.live_timer = live_timer
        self.live_interval_ms = live_interval_ms  # the Draw tab's live-prediction throttle
        self.cause = None  # "release" | "live" while a prediction is being made
        self.t_event = 0.0  # the release event / the throttle timer firing
        self.t_trigger = None  # the mouse event that started the throttle timer
        self.parts = {"pre": 0.0, "predict": 0.0, "rerender": 0.0}
        self.paint_from = None
        self.release, self.live = [], []
        self.paint = []  # signal -> bars paint starts, ms
        self.unmatched = 0

    def reset_parts(self):
        for k in self.parts:
            self.parts[k] = 0.0

    def send(self, kind, fn):
        """Send one mouse event; note whether it started the throttle timer."""
        was_active = self.live_timer.isActive()
        self.reset_parts()
        t = time.perf_counter()
        if kind == "release":
            self.cause, self.t_event = "release", t
        fn()
        if kind == "release":
            self.cause = None
            self.t_trigger = None
        elif not was_active and self.live_timer.isActive():
            self.t_trigger = t

    def timer_fired(self):
        self.reset_parts()
        self.cause, self.t_event = "live", time.perf_counter()

    def on_prediction(self, digit, probabilities):
        t = time.perf_counter()
        ms = 1e3
        total = (t - self.t_event) * ms
        row = {"total": total, "pre": self.parts["pre"] * ms,
               "predict": self.parts["predict"] * ms}
        if self.cause == "release":
            row["rerender"] = self.parts["rerender"] * ms
            row["qt"] = total - row["pre"] - row["predict"]
            self.release.append(row)
        elif self.cause == "live":
            row["qt"] = total - row["pre"] - row["predict"]
            if self.t_trigger is not None:
                row["e2e"] = (t - self.t_trigger) * ms
                row["lateness"] = (self.t_event - self.t_trigger) * ms - self.live_interval_ms
            self.live.append(row)
            self.cause = None
            self.t_trigger = None
        else:
            self.unmatched += 1
        self.paint_from = t

    def bars_painting(self):
        if self.paint_from is not None:
            self.paint.append((time.perf_counter() - self.paint_from) * 1e3)
            self.paint_from = None


class TimedLock:
    """A stand-in for ``_mindspore.LOCK`` that records waits and hold times per thread.

    Delegates to the app's lock (a ``_mindspore.MainThreadFirstLock``). Records,
    for the GUI thread, how long each acquire waited and how many times the worker
    took the lock meanwhile (steps that "overtook" the waiting prediction); for
    other threads, how long each outermost hold lasted.
    """

    def __init__(self, lock):
        import threading

        self._lock = lock
        self._local = threading.local()
        self._main = threading.main_thread()
        self._other_acquires = 0
        self.main_waits, self.main_overtaken, self.worker_holds = [], [], []

    def acquire(self, blocking=True, timeout=-1):
        import threading

        me = threading.current_thread()
        depth = getattr(self._local, "depth", 0)
        t0 = time.perf_counter()
        before = self._other_acquires
        ok = self._lock.acquire(blocking, timeout)
        t1 = time.perf_counter()
        if ok:
            if depth == 0:
                if me is self._main:
                    self.main_waits.append((t1 - t0) * 1e3)
                    self.main_overtaken.append(self._other_acquires - before)
                else:
                    self._other_acquires += 1
                self._local.t = t1
            self._local.depth = depth + 1
        return ok

    def release(self):
        import threading

        self._local.depth -= 1
        if self._local.depth == 0 and threading.current_thread() is not self._main:
            self.worker_holds.append((time.perf_counter() - self._local.t) * 1e3)
        self._lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def reset(self):
        self.main_waits, self.main_overtaken, self.worker_holds = [], [], []

    def stats(self):
        return {"gui_wait_ms": C.summary(self.main_waits),
                "gui_overtaken": C.summary(self.main_overtaken),
                "worker_hold_ms": C.summary(self.worker_holds)}


__all__ = ["Recorder", "TimedLock"]
