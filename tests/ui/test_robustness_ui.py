"""Issue 5 in the window: bad checkpoints, data, settings, images, closing mid-job.

docs/robustness.md maps every row of the fault matrix to its test; this file holds
the window's rows that no other test covered. The odd files come from the same
makers as the command line's rows (tests/core/test_robustness.py).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from lenet_gui.core.config import TrainConfig

from ..conftest import ROOT
from ..core.test_robustness import (ODD_IMAGES, _count_mismatch, _one_file_missing,
                                    _truncated_gz, _wrong_magic, make_bad_checkpoints,
                                    make_odd_images)
from .conftest import ONE, as_strokes


def message_boxes(window) -> list[QMessageBox]:
    """The window's open message boxes (objectName "message_box")."""
    return [b for b in window.findChildren(QMessageBox, "message_box")
            if shiboken6.isValid(b) and b.isVisible()]


def close_boxes(qtbot, window) -> None:
    for box in message_boxes(window):
        box.close()
    qtbot.waitUntil(lambda: not message_boxes(window), timeout=2000)


# ----------------------------------------------------------------- checkpoints

def test_bad_checkpoint_shows_a_message_and_keeps_the_model(qtbot, window, tmp_path,
                                                            shipped_ckpt):
    bad = make_bad_checkpoints(tmp_path / "bad", shipped_ckpt)
    recognizer = window.draw_tab.recognizer
    label, checkpoint = window.model_label.text(), window.checkpoint
    window.draw_tab.canvas.set_strokes(as_strokes(ONE))
    assert window.draw_tab.last_prediction[0] == 1
    for name, (path, message) in bad.items():
        with qtbot.waitSignal(window.model_failed, timeout=20000) as failed:
            window.load_checkpoint(path)
        assert message in failed.args[0], name
        boxes = message_boxes(window)
        assert len(boxes) == 1, name
        box = boxes[0]
        assert box.windowTitle() == "Cannot use this checkpoint"
        assert message in box.text(), (name, box.text())
        assert box.text().endswith(f"The current model ({checkpoint.name}) stays in use.")
        assert window.draw_tab.recognizer is recognizer, name
        assert window.model_label.text() == label and window.checkpoint == checkpoint, name
        close_boxes(qtbot, window)
    window.draw_tab.update_prediction()  # the old model still answers
    assert window.draw_tab.last_prediction[0] == 1


# ----------------------------------------------------------------- MNIST data

@pytest.fixture()
def train_tab(window):
    return window.train_tab


def _checked(qtbot, tab, folder: Path) -> str:
    tab.data_dir_edit.setText(str(folder))
    tab.check_data()
    qtbot.waitUntil(lambda: tab.data_status.text() != "Checking…", timeout=20000)
    return tab.data_status.text()


def test_broken_data_folder_is_reported_before_training(qtbot, train_tab, subset_dir,
                                                        tmp_path):
    tab = train_tab
    status = _checked(qtbot, tab, tmp_path / "nowhere")
    assert status == "✘ Missing: no MNIST files here. Download them or pick a folder."
    # The subset is well-formed but not the genuine files: a warning, training allowed.
    status = _checked(qtbot, tab, subset_dir)
    assert status.startswith("⚠ Checksum wrong: ") and status.endswith(
        " — training still works on well-formed subsets")
    for fault in (_one_file_missing, _truncated_gz, _wrong_magic, _count_mismatch):
        folder = tmp_path / fault.__name__.strip("_")
        shutil.copytree(subset_dir, folder)
        message = fault(folder)
        status = _checked(qtbot, tab, folder)
        if fault is _one_file_missing:
            assert status == "✘ Missing: t10k-labels-idx1-ubyte"
        assert not tab.start(), fault.__name__
        assert tab.banner.kind == "error" and not tab.banner.isHidden()
        text = tab.banner.label.text()
        assert text.startswith("Cannot start: ") and message in text, (fault.__name__, text)
        assert not tab.is_training()


def _download_via(monkeypatch, **overrides) -> None:
    """The Train tab downloads from the default mirrors; point it elsewhere."""
    import lenet_gui.core.download as dl

    real = dl.download

    def download(data_dir, **kwargs):
        return real(data_dir, **{**kwargs, **overrides})

    monkeypatch.setattr(dl, "download", download)


def test_download_offline_shows_why(qtbot, train_tab, tmp_path, monkeypatch):
    tab = train_tab
    _download_via(monkeypatch, mirrors=["http://127.0.0.1:9/"], timeout=2)
    tab.data_dir_edit.setText(str(tmp_path / "d"))
    qtbot.mouseClick(tab.download_button, Qt.MouseButton.LeftButton)
    assert tab.download_button.text() == "Cancel download"
    qtbot.waitUntil(lambda: tab.download_button.text() == "Download MNIST", timeout=20000)
    assert tab.banner.kind == "error"
    assert tab.banner.label.text() == (
        "Download failed: train-images-idx3-ubyte.gz: no mirror worked: you seem to be "
        f"offline; connect to the internet or copy the four MNIST files into {tmp_path / 'd'}")
    assert tab.download_button.isEnabled() and tab.download_progress.isHidden()


class SlowServer:
    """Serves any name as a 50 MB file, 16 KB every 20 ms: a download stays in flight."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(50_000_000))
                self.end_headers()
                try:
                    while not server.stopping.is_set():
                        self.wfile.write(b"\0" * 16384)
                        self.wfile.flush()
                        time.sleep(0.02)
                except OSError:  # the client hung up
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SlowServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_close_the_window_during_a_download(qtbot, window, tmp_path, monkeypatch):
    tab = window.train_tab
    folder = tmp_path / "d"
    with SlowServer() as srv:
        _download_via(monkeypatch, mirrors=[srv.url], timeout=5)
        tab.data_dir_edit.setText(str(folder))
        tab.download_button.click()
        qtbot.waitUntil(lambda: "downloading train-images-idx3-ubyte" in
                        tab.log_view.toPlainText(), timeout=20000)
        thread = tab._download_thread
        assert thread is not None and thread.isRunning()
        t0 = time.monotonic()
        window.close()
        closed_in = time.monotonic() - t0
    assert closed_in < 5, f"closing took {closed_in:.1f} s"
    assert not shiboken6.isValid(thread) or thread.isFinished()
    assert not (folder / "train" / "train-images-idx3-ubyte.gz").exists()
    part = folder / "train" / "train-images-idx3-ubyte.gz.part"
    assert part.is_file() and part.stat().st_size > 0  # kept, to resume next time


_EXIT_SCRIPT = textwrap.dedent("""
    import sys, time
    mode, subset, url, folder = sys.argv[1:5]
    from PySide6.QtCore import QTimer
    from lenet_gui.ui.app import make_application
    app = make_application(["lenet-gui-exit-test"])
    import lenet_gui.core.download as dl
    from lenet_gui.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    tab = window.train_tab
    deadline = time.monotonic() + 90

    def fail(why):
        print("FAIL", why, flush=True)
        app.exit(3)

    if mode == "train":
        tab.data_dir_edit.setText(subset)
        tab.limit_spin.setValue(2000)
        tab.epochs_spin.setValue(50)
        def begin():
            if not tab.start():
                fail(tab.banner.label.text())
        def in_flight():
            return tab.is_training() and tab.loss_plot.point_count >= 3
    else:
        real = dl.download
        dl.download = lambda d, **kw: real(d, **{**kw, "mirrors": [url], "timeout": 5})
        tab.data_dir_edit.setText(folder)
        def begin():
            tab.download_button.click()
        def in_flight():
            return "downloading " in tab.log_view.toPlainText()

    def poll():
        if in_flight():
            print("in flight", flush=True)
            window.close()
            app.quit()
        elif time.monotonic() > deadline:
            fail("the job never got going")
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, begin)
    QTimer.singleShot(20, poll)
    code = app.exec()
    print("event loop returned", code, flush=True)
    sys.exit(code)
""")


@pytest.mark.parametrize("mode", ["train", "download"])
def test_the_process_exits_when_closed_mid_job(tmp_path, subset_dir, mode):
    """Close the window mid-epoch / mid-download: exit code 0, no thread left behind."""
    script = tmp_path / "close_mid_job.py"
    script.write_text(_EXIT_SCRIPT)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    with SlowServer() as srv:
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, str(script), mode, str(subset_dir), srv.url,
                               str(tmp_path / "d")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        took = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "in flight" in proc.stdout and "event loop returned 0" in proc.stdout
    assert "QThread: Destroyed while thread" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert took < 60, f"the process took {took:.0f} s to exit"


# ------------------------------------------------------------- hyperparameters

TYPING_CASES = [("lr_spin", "abc"), ("lr_spin", "-1"), ("lr_spin", "0"), ("lr_spin", "nan"),
                ("lr_spin", "inf"), ("lr_spin", "1e9"), ("lr_spin", "99999"),
                ("momentum_spin", "2"), ("epochs_spin", "-1"), ("epochs_spin", "0"),
                ("epochs_spin", "abc"), ("batch_spin", "0"), ("batch_spin", "-5"),
                ("batch_spin", "99999"), ("limit_spin", "-1")]


def test_typing_nonsense_into_the_spin_boxes_leaves_valid_values(qtbot, train_tab):
    """The validators keep every box in its range; what is in range but still unusable
    (a limit below one batch) is refused by Start with the reason."""
    from lenet_gui.core.errors import ConfigError

    tab = train_tab
    seen = {}
    for name, text in TYPING_CASES:
        tab.set_config(TrainConfig())
        spin = getattr(tab, name)
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, text)
        qtbot.keyClick(spin, Qt.Key.Key_Return)
        value = seen[name, text] = spin.value()
        assert spin.minimum() <= value <= spin.maximum(), (name, text, value)
        assert math.isfinite(value), (name, text, value)
        try:
            config = tab.config()
        except ConfigError as exc:
            assert not tab.start(), (name, text)
            assert tab.banner.label.text() == f"Cannot start: {exc}"
        else:
            assert config.lr > 0 and config.epochs >= 1 and config.batch_size >= 1
    assert seen["lr_spin", "abc"] == 0.01 and seen["lr_spin", "nan"] == 0.01
    assert not tab.is_training()
    tab.set_config(TrainConfig())


def test_start_refuses_a_batch_larger_than_the_data(train_tab, subset_dir):
    tab = train_tab
    tab.data_dir_edit.setText(str(subset_dir))
    tab.limit_spin.setValue(0)  # all the (2,000) training images
    tab.batch_spin.setValue(4000)
    assert not tab.start()
    assert tab.banner.kind == "error"
    assert tab.banner.label.text() == ("Cannot start: batch size (4000) is larger than the "
                                       "training data (2000 samples)")
    assert not tab.is_training() and tab.start_button.isEnabled()


# ---------------------------------------------------------------------- images

@pytest.fixture(scope="module")
def odd_images(tmp_path_factory):
    return make_odd_images(tmp_path_factory.mktemp("odd_images"))


def test_opening_odd_images_predicts_or_refuses_and_keeps_the_drawing(qtbot, window,
                                                                      odd_images):
    tab = window.draw_tab
    canvas = tab.canvas
    for name, expected in ODD_IMAGES.items():
        canvas.set_strokes(as_strokes(ONE))
        strokes, ink = [s.points for s in canvas.strokes], canvas.ink().copy()
        opened = window.open_image_file(odd_images[name])
        if isinstance(expected, int):
            assert opened, (name, [b.text() for b in message_boxes(window)])
            assert not canvas.strokes and not canvas.is_empty()
            assert tab.last_prediction is not None and tab.last_prediction[0] == expected, \
                (name, tab.last_prediction)
            assert not message_boxes(window), name
        else:
            assert not opened, name
            boxes = message_boxes(window)
            assert len(boxes) == 1, name
            text = boxes[0].text()
            assert expected in text and text.endswith("Your drawing is unchanged."), \
                (name, text)
            assert boxes[0].windowTitle() in ("Cannot open image", "No digit in this image")
            assert [s.points for s in canvas.strokes] == strokes, name
            assert np.array_equal(canvas.ink(), ink), name
            assert tab.last_prediction is not None and tab.last_prediction[0] == 1, name
            close_boxes(qtbot, window)
