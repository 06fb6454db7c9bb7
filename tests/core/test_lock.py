"""MindSpore's process lock: re-entrant, and the main thread goes before workers."""

from __future__ import annotations

import threading
import time

import pytest

from lenet_gui.core._mindspore import MainThreadFirstLock


def test_reentrant_and_owned():
    lock = MainThreadFirstLock()
    with lock:
        with lock:
            assert lock.locked()
        assert lock.locked()
    assert not lock.locked()
    with pytest.raises(RuntimeError):
        lock.release()


def test_non_blocking_and_timeout():
    lock = MainThreadFirstLock()
    held = threading.Event()
    done = threading.Event()

    def hold():
        with lock:
            held.set()
            done.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    assert lock.acquire(blocking=False) is False
    assert lock.acquire(timeout=0.05) is False
    done.set()
    t.join()
    assert lock.acquire(timeout=1) is True
    lock.release()


def test_main_thread_goes_before_a_greedy_worker():
    """A worker that re-takes the lock at once cannot starve the main thread."""
    lock = MainThreadFirstLock()
    stop = threading.Event()
    worker_turns = []

    def greedy():
        while not stop.is_set():
            with lock:
                worker_turns.append(time.monotonic())
                time.sleep(0.005)  # a training step

    t = threading.Thread(target=greedy)
    t.start()
    time.sleep(0.05)
    try:
        for _ in range(20):
            before = len(worker_turns)
            with lock:
                pass
            # At most the step in progress (and one that started meanwhile) ran.
            assert len(worker_turns) - before <= 2
    finally:
        stop.set()
        t.join()
    assert len(worker_turns) > 5
