"""The one place MindSpore is imported: lazily, quietly and with a fast CPU runtime."""

from __future__ import annotations

import os
import sys
import threading

#: Read by oneDNN and MindSpore at their first operation, so set before any runs.
#: ONEDNN_MAX_CPU_ISA=AVX2: on AVX-512 CPUs MindSpore's bundled oneDNN runs LeNet's
#: plain-layout convolutions with a reference kernel (12-16 ms each at batch 32);
#: capped at AVX2 it uses im2col + JIT GEMM (0.3-0.5 ms). MS_DEV_HOST_BLOCKING_RUN=1:
#: run each compiled graph in the calling thread instead of handing it to a queue
#: thread that the caller busy-waits for (which starves a 2-core machine).
#: Measurements: benchmarks/TRAINING_SPEED.md.
RUNTIME_ENV = {"ONEDNN_MAX_CPU_ISA": "AVX2", "MS_DEV_HOST_BLOCKING_RUN": "1", "GLOG_v": "4"}



class MainThreadFirstLock:
    """A re-entrant lock that the main thread gets before any other waiter.

    A plain lock is not fair: a training loop that releases and re-takes it at once
    can win it several times in a row while the window waits to recognize a stroke.
    Here a worker that wants the lock while the main thread is waiting steps
    aside, so a prediction waits for at most the one step in progress.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._main_waiting = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """As ``threading.RLock.acquire``."""
        me = threading.get_ident()
        main = threading.current_thread() is threading.main_thread()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            if main:
                self._main_waiting += 1
            try:
                free = lambda: self._owner is None and (main or not self._main_waiting)  # noqa: E731
                if not blocking:
                    got = free()
                else:
                    got = self._cond.wait_for(free, None if timeout < 0 else timeout)
            finally:
                if main:
                    self._main_waiting -= 1
            if got:
                self._owner, self._depth = me, 1
            return got

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a lock this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()

    def __enter__(self) -> "MainThreadFirstLock":
        self.acquire()
        return self

    def locked(self) -> bool:
        return self._owner is not None

    def __exit__(self, *exc) -> None:
        self.release()


#: MindSpore 2.10 cannot compile or run graphs in two threads at once ("Nested
#: execution during JIT execution"). Every graph compile/run (a training step, an
#: inference batch, a checkpoint load) holds this one lock: the window recognizes
#: drawings between the training worker's steps. Per process, as MindSpore's own
#: state is.
LOCK = MainThreadFirstLock()


def set_cpu_threads(n: int | None) -> None:
    """MindSpore's CPU kernel threads (before its first operation); None: its default.

    LeNet5's steps take as long with one thread as with two (measured: 8.4-9.4 s an
    epoch of 19,200 images either way), so the window's training process uses one
    and leaves the other core to the window."""
    ms = import_mindspore()
    if n:
        ms.device_context.cpu.op_tuning.threads_num(int(n))


def import_mindspore():
    """Import MindSpore with the runtime settings above, unless the user chose others.

    GLOG_v=4 keeps MindSpore's plugin-probe warnings (no CUDA, no Ascend) off the
    terminal: the app reports device availability itself, in one line.
    """
    if "mindspore" not in sys.modules:
        for key, value in RUNTIME_ENV.items():
            os.environ.setdefault(key, value)
    import mindspore

    return mindspore
