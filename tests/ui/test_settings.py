"""Issue 6: the window remembers size, tab, checkpoint and hyperparameters (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from lenet_gui.ui.main_window import MainWindow


def _open(qtbot, settings, checkpoint=None):
    w = MainWindow(checkpoint=checkpoint, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.draw_tab.recognizer is not None, timeout=30000)
    return w


def test_settings_round_trip(qtbot, tmp_path, shipped_ckpt):
    settings = QSettings(str(tmp_path / "lenet-gui.conf"), QSettings.Format.IniFormat)
    course = shipped_ckpt.with_name("lenet5_course.ckpt")
    w = _open(qtbot, settings, course)
    w.resize(760, 560)  # the offscreen screen is 800x600: stay inside it
    w.tabs.setCurrentIndex(1)
    w.train_tab.epochs_spin.setValue(7)
    w.train_tab.lr_spin.setValue(0.02)
    w.train_tab.limit_spin.setValue(5000)
    w.train_tab.form.average_spin.setValue(3)
    w.train_tab.data_dir_edit.setText(str(tmp_path / "mnist"))
    w.close()
    assert settings.value("model/checkpoint") == str(course)

    again = _open(qtbot, QSettings(str(tmp_path / "lenet-gui.conf"),
                                   QSettings.Format.IniFormat))
    assert again.tabs.currentIndex() == 1
    assert (again.width(), again.height()) == (760, 560)
    t = again.train_tab
    assert (t.epochs_spin.value(), t.lr_spin.value(), t.limit_spin.value()) == (7, 0.02, 5000)
    assert t.form.average_spin.value() == 3
    assert t.data_dir_edit.text() == str(tmp_path / "mnist")
    again.close()


def test_the_shipped_model_is_not_pinned(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.conf"), QSettings.Format.IniFormat)
    w = _open(qtbot, settings)
    w.close()
    assert settings.value("model/checkpoint") == ""  # next start: whatever ships then


def test_run_app_reopens_the_last_checkpoint(tmp_path, monkeypatch, shipped_ckpt):
    """run_app's choice of checkpoint, without starting an event loop."""
    import lenet_gui.ui.app as app_module

    seen = {}

    class FakeWindow:
        def __init__(self, checkpoint=None, device=None, settings=None):
            seen["checkpoint"] = checkpoint

        def show(self):
            pass

    course = shipped_ckpt.with_name("lenet5_course.ckpt")
    settings = QSettings(str(tmp_path / "r.conf"), QSettings.Format.IniFormat)
    settings.setValue("model/checkpoint", str(course))
    settings.sync()
    monkeypatch.setattr(app_module, "QSettings", lambda *a: settings)
    monkeypatch.setattr("lenet_gui.ui.main_window.MainWindow", FakeWindow)
    monkeypatch.setattr(app_module.QApplication, "exec", lambda self: 0)
    assert app_module.run_app() == 0
    assert seen["checkpoint"] == course
    settings.setValue("model/checkpoint", str(tmp_path / "gone.ckpt"))  # deleted since
    app_module.run_app()
    assert seen["checkpoint"] is None
