"""Main window: files in and out, About, checkpoints, device option."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from .conftest import SEVEN, as_strokes


def test_save_then_open_the_drawing(qtbot, window, tmp_path):
    tab = window.draw_tab
    tab.canvas.set_strokes(as_strokes(SEVEN))
    digit, probs = tab.last_prediction
    assert window.save_drawing_to(tmp_path / "seven")  # ".png" is added
    saved = tmp_path / "seven.png"
    assert saved.is_file()
    tab.canvas.clear()
    assert window.open_image_file(saved)
    assert tab.canvas.strokes == [] and not tab.canvas.is_empty()
    digit2, probs2 = tab.last_prediction
    assert digit2 == digit == 7
    assert np.allclose(probs, probs2, atol=0.02)
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Escape)  # clears the opened image too
    assert tab.canvas.is_empty() and tab.last_prediction is None


def test_opening_a_bad_image_keeps_the_drawing(qtbot, window, tmp_path):
    tab = window.draw_tab
    tab.canvas.set_strokes(as_strokes(SEVEN))
    before = tab.canvas.ink().copy()
    (tmp_path / "bad.png").write_text("no")
    assert not window.open_image_file(tmp_path / "bad.png")
    box = window.findChild(QMessageBox, "message_box")
    assert box is not None and "not an image file" in box.text()
    assert "Your drawing is unchanged" in box.text()
    assert np.array_equal(tab.canvas.ink(), before)
    box.close()


def test_about_box(qtbot, window):
    box = window.show_about()
    text = box.text()
    assert "lenet-gui 0.1.0" in text and "MindSpore 2." in text
    assert "Apache License 2.0" in text and "Yann LeCun" in text
    assert not box.iconPixmap().isNull()
    box.close()


def test_window_identity(window):
    from PySide6.QtWidgets import QApplication

    assert not window.windowIcon().isNull()
    assert QApplication.instance() is not None
    assert "lenet5_mnist" in window.model_label.text() and "99." in window.model_label.text()


def test_use_another_checkpoint(qtbot, window, shipped_ckpt):
    course = shipped_ckpt.with_name("lenet5_course.ckpt")
    with qtbot.waitSignal(window.model_loaded, timeout=20000):
        window.load_checkpoint(course)
    assert window.checkpoint == course and "lenet5_course" in window.model_label.text()
    with qtbot.waitSignal(window.model_loaded, timeout=20000):
        window.shipped_checkpoint_action.trigger()
    assert window.checkpoint == shipped_ckpt


def test_unavailable_device_option_falls_back_to_cpu(qtbot, shipped_ckpt):
    from lenet_gui.core.devices import probe_devices
    from lenet_gui.ui.main_window import MainWindow

    gpu = {d.name: d for d in probe_devices()}["GPU"]
    if gpu.available:
        import pytest

        pytest.skip("this machine has a usable GPU")
    w = MainWindow(device="GPU")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.draw_tab.recognizer is not None, timeout=30000)
    tab = w.train_tab
    qtbot.waitUntil(lambda: not tab.banner.isHidden(), timeout=10000)
    assert tab.banner.label.text() == f"--device GPU: {gpu.reason}; training uses the CPU."
    assert tab.device_combo.currentData() == "CPU"
    assert w.findChild(QMessageBox, "message_box") is None  # the window is not blocked
    w.close()


def test_what_lives_until_exit_is_frozen_once_the_model_is_loaded(qtbot, shipped_ckpt,
                                                                    tmp_path):
    """MindSpore's and the model's objects leave the garbage collector's walk, so a
    full collection is no longer a stall in the middle of drawing."""
    import gc

    from lenet_gui.ui.main_window import MainWindow

    gc.unfreeze()  # whatever an earlier test froze
    assert gc.get_freeze_count() == 0
    w = MainWindow(checkpoint=None, my_digits=tmp_path / "my_digits.json")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.draw_tab.recognizer is not None, timeout=30000)
    frozen = gc.get_freeze_count()
    assert frozen > 50_000  # MindSpore alone brings well over this many
    assert len(gc.get_objects()) < frozen / 10
