"""File > Export model… (issue 13): the model in use exported in a worker, reported in the
status bar; a failure is a message, never a blocking modal, and writes nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from lenet_gui.ui import export_dialog
from lenet_gui.ui.export_dialog import add_export_action


@pytest.fixture()
def exporter_window(window):
    menu = window.menuBar().actions()[0].menu()
    action = add_export_action(window, menu)
    return window, action


def _finished(qtbot, exporter, start):
    with qtbot.waitSignal(exporter.export_finished, timeout=60000) as blocker:
        assert start()
    qtbot.waitUntil(lambda: not exporter.busy, timeout=10000)  # thread gone too
    return blocker.args


def test_action_sits_in_the_file_menu_above_quit(exporter_window):
    window, action = exporter_window
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert texts.index(action.text()) < texts.index("&Quit")
    assert action.text() == "&Export model…"


def test_export_onnx_reports_in_the_status_bar(exporter_window, qtbot, tmp_path):
    import onnxruntime as ort

    window, _ = exporter_window
    exporter = window.model_exporter
    ok, text = _finished(qtbot, exporter, lambda: exporter.export_to(tmp_path / "mine", "onnx"))
    assert ok, text
    model = tmp_path / "mine.onnx"
    assert window.statusBar().currentMessage() == text
    assert str(model) in text and "bytes" in text
    meta = json.loads((tmp_path / "mine.onnx.json").read_text())
    assert meta["checkpoint"]["path"] == str(window.checkpoint.absolute())
    # The exported network is the one the window uses, and the window still recognizes.
    x = np.random.default_rng(0).normal(size=(1, 1, 32, 32)).astype(np.float32)
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": x})[0]
    assert np.abs(got - window.draw_tab.recognizer.forward(x)).max() < 1e-4
    assert window.findChild(QMessageBox, "message_box") is None


def test_dialog_filter_chooses_the_format(exporter_window, qtbot, tmp_path, monkeypatch):
    window, action = exporter_window
    asked = {}

    def fake_dialog(parent, title, start, filters, selected):
        asked.update(start=start, filters=filters)
        return str(tmp_path / "chosen"), "MindIR model (*.mindir)"

    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName", fake_dialog)
    exporter = window.model_exporter
    ok, text = _finished(qtbot, exporter, lambda: (action.trigger(), exporter.busy)[1])
    assert ok, text
    assert (tmp_path / "chosen.mindir").is_file() and (tmp_path / "chosen.mindir.json").is_file()
    assert asked["start"].endswith(f"{window.checkpoint.stem}.onnx")
    assert "*.onnx" in asked["filters"] and "*.mindir" in asked["filters"]


def test_failure_is_a_message_and_writes_nothing(exporter_window, qtbot, tmp_path):
    window, _ = exporter_window
    exporter = window.model_exporter
    ok, text = _finished(qtbot, exporter, lambda: exporter.export_to(tmp_path / "mine.pt"))
    assert not ok
    assert text.startswith("Export failed: ") and "\n" not in text
    assert window.statusBar().currentMessage() == text
    box = window.findChild(QMessageBox, "message_box")
    assert box is not None and box.isVisible()  # open(), not exec(): the test went on
    assert "Nothing was written" in box.text()
    assert list(tmp_path.iterdir()) == []


def test_cancelled_dialog_and_no_model(exporter_window, qtbot, tmp_path, monkeypatch):
    window, action = exporter_window
    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName",
                        lambda *a: ("", ""))
    action.trigger()
    assert not window.model_exporter.busy
    monkeypatch.setattr(window, "checkpoint", None)
    assert not window.model_exporter.export_to(tmp_path / "m.onnx")
    assert "No model" in window.statusBar().currentMessage()
    assert list(tmp_path.iterdir()) == []


def test_closing_the_window_waits_for_the_export(exporter_window, qtbot, tmp_path):
    window, _ = exporter_window
    exporter = window.model_exporter
    assert exporter.export_to(tmp_path / "late.onnx")
    assert exporter.busy
    window.close()  # must not destroy a running thread (Qt would abort the process)
    assert not exporter.busy
    assert (tmp_path / "late.onnx").is_file() and (tmp_path / "late.onnx.json").is_file()
