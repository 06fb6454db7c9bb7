"""Train tab: training in a child process on the committed subset: stop, finish, close,
a killed child, a bad device."""

from __future__ import annotations

import gc
import os
import signal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton


@pytest.fixture()
def tab(window, subset_dir):
    t = window.train_tab
    t.data_dir_edit.setText(str(subset_dir))
    t.epochs_spin.setValue(2)
    t.limit_spin.setValue(640)
    t.lr_spin.setValue(0.05)
    return t


def test_hooks_exist(window):
    for name, kind in (("start_button", QPushButton), ("stop_button", QPushButton),
                       ("device_combo", QComboBox), ("clear_button", QPushButton)):
        assert window.findChild(kind, name) is not None, name


def test_course_defaults(window):
    t = window.train_tab
    assert (t.epochs_spin.value(), t.lr_spin.value(), t.momentum_spin.value(),
            t.batch_spin.value()) == (3, 0.01, 0.9, 32)
    config = t.config()
    assert config.recipe == "course" and config.limit is None


def test_devices_disabled_with_reason(qtbot, window):
    t = window.train_tab
    qtbot.waitUntil(lambda: "checking" not in (t.device_combo.itemData(1,
                                                Qt.ItemDataRole.ToolTipRole) or ""),
                    timeout=10000)
    model = t.device_combo.model()
    statuses = {d.name: d for d in t.device_statuses}
    for i in range(t.device_combo.count()):
        name = t.device_combo.itemData(i)
        assert model.item(i).isEnabled() == statuses[name].available
        if not statuses[name].available:
            assert statuses[name].reason in t.device_combo.itemData(
                i, Qt.ItemDataRole.ToolTipRole)
            assert "unavailable" in t.device_combo.itemText(i)
            assert statuses[name].reason in t.device_reason.text()
    assert t.device_combo.currentData() == "CPU"


def test_train_to_the_end_and_use_the_model(qtbot, window, tab):
    tab.form.average_spin.setValue(2)  # weight averaging reaches the training process
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert tab.is_training() and not tab.start_button.isEnabled()
    assert tab.stop_button.isEnabled()
    with qtbot.waitSignal(tab.training_state_changed, timeout=120000,
                          check_params_cb=lambda running: not running):
        pass
    assert tab.loss_plot.point_count == 2 * (640 // 32)
    assert tab.accuracy_table.rowCount() == 2
    assert "%" in tab.accuracy_table.item(1, 2).text()
    assert not tab.banner.isHidden() and tab.banner.kind == "success"
    assert "Use this model" == tab.banner.action_button.text()
    log = tab.log_view.toPlainText()
    assert "training LeNet5 (course recipe) on 640 images" in log
    assert "--average-epochs 2" in log and "weights averaged over epochs 1-2" in log
    assert "epoch 2: mean loss" in log
    assert tab.progress_bar.value() == tab.progress_bar.maximum() == 40
    checkpoint = tab._last_result.checkpoint
    assert checkpoint.is_file() and "lenet-gui" in str(checkpoint)  # user data folder
    with qtbot.waitSignal(window.model_loaded, timeout=20000):
        qtbot.mouseClick(tab.banner.action_button, Qt.MouseButton.LeftButton)
    assert window.draw_tab.recognizer.checkpoint == checkpoint
    assert checkpoint.stem in window.model_label.text()


def test_stop_within_a_step(qtbot, tab):
    tab.epochs_spin.setValue(50)
    tab.limit_spin.setValue(2000)
    tab.start()
    qtbot.waitUntil(lambda: tab.loss_plot.point_count >= 5, timeout=60000)
    tab.stop()
    tab.stop()  # a second press is harmless
    with qtbot.waitSignal(tab.training_state_changed, timeout=30000):
        pass
    result = tab._last_result
    assert result.stopped and result.steps_done < 62 * 2
    assert not tab.is_training() and tab.start_button.isEnabled()
    assert result.checkpoint is not None  # the weights so far were kept
    assert "stopped" in tab.banner.label.text()


def test_start_twice_runs_one_job(qtbot, tab):
    assert tab.start()
    assert not tab.start()  # the second press does nothing
    tab.stop()
    with qtbot.waitSignal(tab.training_state_changed, timeout=60000):
        pass


def test_bad_settings_are_refused_before_starting(qtbot, tab, tmp_path):
    tab.batch_spin.setValue(1024)  # more than the 640-image limit
    assert not tab.start()
    assert tab.banner.kind == "error" and "smaller than one batch" in tab.banner.label.text()
    tab.batch_spin.setValue(32)
    tab.data_dir_edit.setText(str(tmp_path / "nothing"))
    assert not tab.start()
    assert "MNIST folder not found" in tab.banner.label.text()
    assert not tab.is_training()


def test_diverging_training_reports_an_error(qtbot, tab):
    tab.lr_spin.setValue(10.0)
    tab.momentum_spin.setValue(0.99)
    tab.start()
    with qtbot.waitSignal(tab.training_state_changed, timeout=60000):
        pass
    assert tab.banner.kind == "error"
    assert "diverged" in tab.banner.label.text()
    assert tab._last_result is None


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_close_the_window_while_training(qtbot, window, tab):
    tab.epochs_spin.setValue(50)
    tab.limit_spin.setValue(2000)
    tab.start()
    qtbot.waitUntil(lambda: tab.loss_plot.point_count >= 3, timeout=60000)
    thread = tab._thread
    pid = tab.training_pid()
    assert pid is not None and pid != os.getpid()
    window.close()
    assert not tab.is_training() or thread.isFinished()
    assert _gone(pid)  # exited and reaped: no orphan
    gc.collect()


def test_a_killed_training_process_is_one_line_and_start_works_again(qtbot, window, tab):
    from .conftest import ONE, drag

    canvas = window.draw_tab.canvas
    drag(qtbot, canvas, ONE[0])
    qtbot.waitUntil(lambda: window.draw_tab.last_reading is not None, timeout=10000)
    tab.epochs_spin.setValue(50)
    tab.limit_spin.setValue(2000)
    tab.start()
    qtbot.waitUntil(lambda: tab.loss_plot.point_count >= 3, timeout=60000)
    os.kill(tab.training_pid(), signal.SIGKILL)
    with qtbot.waitSignal(tab.training_state_changed, timeout=30000):
        pass
    assert tab.banner.kind == "error"
    assert tab.banner.label.text() == ("Training failed: training process ended "
                                       "unexpectedly: killed by signal 9 (SIGKILL)")
    assert tab.start_button.isEnabled() and not tab.is_training()
    assert not canvas.is_empty() and window.draw_tab.last_reading.text == "1"  # kept
    tab.epochs_spin.setValue(1)
    tab.limit_spin.setValue(320)
    assert tab.start()
    with qtbot.waitSignal(tab.training_state_changed, timeout=60000):
        pass
    assert tab.banner.kind == "success"


def test_an_unavailable_device_cannot_start(qtbot, tab):
    qtbot.waitUntil(lambda: "checking" not in tab.device_reason.text(), timeout=10000)
    statuses = {d.name: d for d in tab.device_statuses}
    if statuses["GPU"].available:
        pytest.skip("this machine has a GPU")
    # Disabled in the list; a stale setting could still select it.
    tab.device_combo.setCurrentIndex(tab.device_combo.findData("GPU"))
    assert tab.start()
    with qtbot.waitSignal(tab.training_state_changed, timeout=60000):
        pass
    assert tab.banner.kind == "error"
    text = tab.banner.label.text()
    assert text.startswith("Cannot start: GPU is not available: ") and "\n" not in text
    assert "--device GPU" in tab.log_view.toPlainText()


def test_a_standby_process_waits_while_the_tab_shows_and_runs_the_next_start(
        qtbot, window, tab):
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.standby_pid() is not None, timeout=10000)
    standby = tab.standby_pid()
    tab.epochs_spin.setValue(1)
    tab.limit_spin.setValue(320)
    assert tab.start()
    assert tab.standby_pid() is None  # taken by this run
    qtbot.waitUntil(lambda: tab.training_pid() is not None, timeout=10000)
    assert tab.training_pid() == standby
    with qtbot.waitSignal(tab.training_state_changed, timeout=60000):
        pass
    assert tab.banner.kind == "success"
    qtbot.waitUntil(lambda: tab.standby_pid() is not None, timeout=10000)  # the next one
    second = tab.standby_pid()
    assert second != standby
    window.close()
    assert _gone(second) and _gone(standby)


def test_weight_averaging_is_off_by_default_and_not_for_the_personal_recipe(window):
    t = window.train_tab
    assert t.form.average_spin.value() == 0 and t.config().average_epochs == 0
    t.form.average_spin.setValue(4)
    assert t.config().average_epochs == 4
    t.recipe_combo.setCurrentIndex(t.recipe_combo.findData("personal"))
    assert not t.form.average_spin.isEnabled()
    t.recipe_combo.setCurrentIndex(t.recipe_combo.findData("robust"))
    assert t.form.average_spin.isEnabled() and t.config().average_epochs == 0
