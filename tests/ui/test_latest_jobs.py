"""The latest job of a kind wins: an older one is stopped and its answer dropped."""

from __future__ import annotations

import threading

import pytest

from PySide6.QtWidgets import QProgressBar, QWidget

from lenet_gui.ui.latest_jobs import LatestJobs


@pytest.fixture
def view(qtbot):
    parent = QWidget()  # held here: the jobs object and the bar are its children
    qtbot.addWidget(parent)
    return parent


def _jobs(parent):
    bar = QProgressBar(parent)
    return LatestJobs(parent, bar, {"load": "Loading"}), bar


def test_a_newer_job_cancels_the_older_and_only_its_answer_arrives(qtbot, view):
    jobs, bar = _jobs(view)
    release = threading.Event()
    answers, stopped = [], []

    def slow(worker, report):
        release.wait(5)
        stopped.append(worker.stop_event.is_set())
        return "old"

    jobs.start("load", "a", slow, answers.append, answers.append)
    assert jobs.busy() and jobs.current("load").what == "a"
    assert not bar.isHidden() and bar.format() == "Loading %p%"

    def fast(worker, report):
        report(1, 2)
        return "new"

    jobs.start("load", "b", fast, answers.append, answers.append)
    release.set()
    qtbot.waitUntil(lambda: not jobs.busy(), timeout=5000)
    qtbot.wait(100)  # the old job's answer, if it were used, would have arrived by now
    jobs.shutdown()
    assert answers == ["new"]
    assert stopped == [True]  # the old job was told to stop
    assert bar.isHidden()


def test_an_error_reaches_on_error_in_one_line(qtbot, view):
    jobs, _ = _jobs(view)
    got = []

    def broken(worker, report):
        raise ValueError("bad\nsecond line")

    jobs.start("predict", None, broken, lambda r: got.append(("result", r)),
               lambda e: got.append(("error", e)))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    jobs.shutdown()
    assert got == [("error", "unexpected error: ValueError: bad")]
