"""My digits in the window: teach from the Draw tab, the My digits tab, import/export."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from lenet_gui.core.my_digits import MyDigits
from lenet_gui.core.strokes import STROKES_FORMAT, Drawing, load_drawings, save_drawings

from .conftest import ONE, SEVEN, ZERO, as_strokes, drag


@pytest.fixture()
def store_path(tmp_path) -> Path:
    return tmp_path / "my_digits.json"


def open_window(qtbot, my_digits):
    """The real window, its model loaded (closing it while MindSpore loads aborts)."""
    from lenet_gui.ui.main_window import MainWindow

    w = MainWindow(checkpoint=None, my_digits=my_digits)
    qtbot.addWidget(w)
    w.resize(1100, 720)
    w.show()
    qtbot.waitUntil(lambda: w.draw_tab.recognizer is not None, timeout=30000)
    return w


@pytest.fixture()
def win(qtbot, shipped_ckpt, store_path):
    """The real window with its own My digits file (tests never share one)."""
    w = open_window(qtbot, store_path)
    yield w
    w.close()


def draw(qtbot, window, point_lists):
    for pts in point_lists:
        drag(qtbot, window.draw_tab.canvas, pts)


def saved(path: Path) -> list[tuple[int, list]]:
    return [(d.label, d.strokes) for d in load_drawings(path)]


def click_bar(qtbot, bars, digit: int) -> None:
    y = round((digit + 0.5) * bars.height() / 10)
    qtbot.mouseClick(bars, Qt.MouseButton.LeftButton, pos=QPoint(bars.width() // 2, y))


# ------------------------------------------------------------------ teaching
def test_a_digit_key_saves_the_drawing_and_undo_takes_it_back(qtbot, win, store_path):
    tab = win.draw_tab
    draw(qtbot, win, SEVEN)
    assert tab.last_prediction[0] == 7
    drawn = [list(s.points) for s in tab.canvas.strokes]
    qtbot.keyClick(tab.canvas, Qt.Key.Key_7)

    assert win.my_digits.counts() == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    [(label, strokes)] = saved(store_path)
    assert label == 7 and len(strokes) == 1
    assert all(abs(a - b) < 1e-4 for p, q in zip(strokes[0].points, drawn[0])
               for a, b in zip(p, q))
    panel = tab.teach_panel
    assert panel.message_label.text() == "Saved as 7 in My digits —"
    assert panel.undo_button.isVisible()
    assert "7:1" in panel.counts_label.text() and "My digits: 1" in panel.counts_label.text()
    assert tab.canvas.is_empty() and tab.last_prediction is None  # ready for the next one

    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert win.my_digits.counts() == [0] * 10 and saved(store_path) == []
    assert not panel.undo_button.isVisible() and "Removed" in panel.message_label.text()
    assert len(tab.canvas.strokes) == 1  # the drawing is back, to teach it right
    assert tab.last_prediction[0] == 7
    assert "My digits: 0" in panel.counts_label.text()


def test_clicking_a_bar_teaches_that_digit(qtbot, win, store_path):
    tab = win.draw_tab
    draw(qtbot, win, ONE)
    assert tab.last_prediction[0] == 1
    click_bar(qtbot, tab.bars, 4)  # the user says it is a 4, whatever the network thinks
    assert [label for label, _ in saved(store_path)] == [4]
    assert tab.teach_panel.message_label.text() == "Saved as 4 in My digits —"
    draw(qtbot, win, ZERO)
    click_bar(qtbot, tab.bars, 0)
    assert [label for label, _ in saved(store_path)] == [4, 0]
    assert win.my_digits.counts()[0] == win.my_digits.counts()[4] == 1


def test_teaching_an_empty_canvas_only_gives_a_hint(qtbot, win, store_path):
    tab = win.draw_tab
    qtbot.keyClick(tab.canvas, Qt.Key.Key_3)
    click_bar(qtbot, tab.bars, 5)
    assert not store_path.exists() and len(win.my_digits) == 0
    assert "Draw a 5 first" in tab.teach_panel.message_label.text()
    assert not tab.teach_panel.undo_button.isVisible()
    draw(qtbot, win, SEVEN)
    qtbot.keyClick(tab.canvas, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)  # a chord
    assert len(win.my_digits) == 0 and not tab.canvas.is_empty()


def test_an_erased_drawing_or_an_opened_image_is_not_saved(qtbot, win, store_path, tmp_path):
    tab = win.draw_tab
    tab.canvas.set_strokes(as_strokes(SEVEN))
    assert win.save_drawing_to(tmp_path / "seven.png")
    assert win.open_image_file(tmp_path / "seven.png")
    qtbot.keyClick(tab.canvas, Qt.Key.Key_7)
    assert len(win.my_digits) == 0 and not tab.canvas.is_empty()
    assert "not an opened image" in tab.teach_panel.message_label.text()

    from lenet_gui.core.strokes import Stroke

    tab.canvas.set_strokes([Stroke([(0.5, 0.2), (0.5, 0.8)]),
                            Stroke([(0.5, 0.2), (0.5, 0.8)], erase=True)])
    qtbot.keyClick(tab.canvas, Qt.Key.Key_1)
    assert len(win.my_digits) == 0 and not store_path.exists()
    assert "Not saved: an empty drawing (everything is erased)" in \
        tab.teach_panel.message_label.text()


def test_a_failed_save_says_so_and_keeps_the_drawing(qtbot, win, store_path, monkeypatch):
    import lenet_gui.core.my_digits_file as core

    tab = win.draw_tab
    draw(qtbot, win, SEVEN)
    qtbot.keyClick(tab.canvas, Qt.Key.Key_7)
    before = store_path.read_bytes()
    draw(qtbot, win, ONE)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core.os, "fsync", disk_full)
    qtbot.keyClick(tab.canvas, Qt.Key.Key_1)
    text = tab.teach_panel.message_label.text()
    assert text.startswith("Not saved: ") and "No space left on device" in text
    assert store_path.read_bytes() == before and win.my_digits.counts()[1] == 0
    assert len(tab.canvas.strokes) == 1  # the drawing stays, to try again


# ------------------------------------------------------------- the My digits tab
def teach(qtbot, win, strokes, key):
    draw(qtbot, win, strokes)
    qtbot.keyClick(win.draw_tab.canvas, key)


def test_the_view_shows_relabels_deletes_and_persists(qtbot, win, store_path):
    teach(qtbot, win, SEVEN, Qt.Key.Key_7)
    teach(qtbot, win, ONE, Qt.Key.Key_1)
    teach(qtbot, win, ZERO, Qt.Key.Key_0)
    view = win.findChild(type(win.my_digits_view), "my_digits_view")
    assert view is win.my_digits_view and win.tabs.tabText(win.tabs.indexOf(view)) == \
        "My digits"
    win.tabs.setCurrentWidget(view)
    qtbot.waitExposed(view.list)
    model = view.model
    assert model.rowCount() == 3
    assert [model.index(r).data() for r in range(3)] == ["7", "1", "0"]
    pix = model.index(0).data(Qt.ItemDataRole.DecorationRole)
    assert not pix.isNull() and pix.width() == 64
    assert "3 drawings" in view.counts_label.text()

    # relabel the 1 as a 4 with its key
    view.list.setCurrentIndex(model.index(1))
    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_4)
    assert [label for label, _ in saved(store_path)] == [7, 4, 0]
    assert "Relabelled 1 drawing as 4" in view.message_label.text()
    assert "4:1" in win.draw_tab.teach_panel.counts_label.text()  # the Draw tab follows
    assert view.selected_ids() == [model.entry(1).id]  # the selection survives

    # ... and with the button's menu
    view.relabel_menu.actions()[2].trigger()
    assert [label for label, _ in saved(store_path)] == [7, 2, 0]

    # delete with the key, then undo
    qtbot.keyClick(view.list, Qt.Key.Key_Delete)
    assert [label for label, _ in saved(store_path)] == [7, 0]
    assert model.rowCount() == 2 and view.undo_button.isVisible()
    qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert [label for label, _ in saved(store_path)] == [7, 2, 0]

    # delete with the button, two at once
    view.list.selectAll()
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert saved(store_path) == [] and model.rowCount() == 0
    assert "Deleted 3 drawings" in view.message_label.text()
    assert "My digits: 0" in win.draw_tab.teach_panel.counts_label.text()


def test_the_context_menu_relabels_and_deletes(qtbot, win, store_path):
    from PySide6.QtWidgets import QMenu

    teach(qtbot, win, SEVEN, Qt.Key.Key_7)
    teach(qtbot, win, ONE, Qt.Key.Key_1)
    view = win.my_digits_view
    win.tabs.setCurrentWidget(view)
    qtbot.waitExposed(view.list)
    pos = view.list.visualRect(view.model.index(1)).center()
    view._context_menu(pos)  # what a right click on the second drawing opens
    menu = [m for m in view.findChildren(QMenu) if m.isVisible()][-1]
    relabel = next(a.menu() for a in menu.actions() if a.text() == "Relabel as…")
    next(a for a in relabel.actions() if a.text() == "5").trigger()
    assert [label for label, _ in saved(store_path)] == [7, 5]
    menu.close()
    view._context_menu(pos)
    menu = [m for m in view.findChildren(QMenu) if m.isVisible()][-1]
    next(a for a in menu.actions() if a.text() == "Delete").trigger()
    assert [label for label, _ in saved(store_path)] == [7]
    menu.close()


def test_the_filter_shows_one_digit(qtbot, win):
    for strokes, key in ((SEVEN, Qt.Key.Key_7), (ONE, Qt.Key.Key_1), (ZERO, Qt.Key.Key_7)):
        teach(qtbot, win, strokes, key)
    view = win.my_digits_view
    view.filter_combo.setCurrentIndex(view.filter_combo.findData(7))
    assert view.model.rowCount() == 2
    assert view.filter_combo.currentText() == "7  (2)"
    view.filter_combo.setCurrentIndex(view.filter_combo.findData(1))
    assert view.model.rowCount() == 1
    view.filter_combo.setCurrentIndex(0)
    assert view.model.rowCount() == 3 and view.filter_combo.currentText() == "All digits (3)"


def test_thumbnails_are_painted_only_when_shown(qtbot, tmp_path, shipped_ckpt):
    from lenet_gui.core.strokes import Stroke

    store = MyDigits(tmp_path / "many.json")
    batch_file = tmp_path / "batch.json"
    save_drawings(batch_file, [Drawing([Stroke([(0.5, 0.1 + i * 1e-4), (0.5, 0.9)])], i % 10)
                               for i in range(3000)])
    assert store.import_file(batch_file).added == 3000
    w = open_window(qtbot, store)
    w.tabs.setCurrentWidget(w.my_digits_view)
    qtbot.waitExposed(w.my_digits_view.list)
    qtbot.wait(200)
    assert w.my_digits_view.model.rowCount() == 3000
    assert 0 < w.my_digits_view.model.rendered < 300  # a screenful, not 3,000
    w.close()


# ------------------------------------------------------------- import, export
def test_import_merges_and_skips_duplicates(qtbot, win, store_path, tmp_path):
    teach(qtbot, win, SEVEN, Qt.Key.Key_7)
    mine = win.my_digits.entries()[0]
    other = tmp_path / "other.json"
    save_drawings(other, [mine.drawing(), Drawing(as_strokes(ONE), 1),
                          Drawing(as_strokes(ZERO), 0)])
    view = win.my_digits_view
    with qtbot.waitSignal(view.import_finished, timeout=20000) as sig:
        assert view.import_from(other)
        assert not view.import_button.isEnabled()  # one import at a time
    assert sig.args[0] == "Imported other.json: added 2, skipped 1 duplicate."
    assert view.message_label.text() == sig.args[0]
    assert sorted(label for label, _ in saved(store_path)) == [0, 1, 7]
    assert "My digits: 3" in win.draw_tab.teach_panel.counts_label.text()
    qtbot.waitUntil(view.import_button.isEnabled, timeout=5000)


def test_a_bad_import_is_one_line_and_changes_nothing(qtbot, win, store_path, tmp_path):
    teach(qtbot, win, SEVEN, Qt.Key.Key_7)
    before = store_path.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    view = win.my_digits_view
    with qtbot.waitSignal(view.import_finished, timeout=20000) as sig:
        view.import_from(bad)
    assert sig.args[0] == f"Not imported: {bad}: not a lenet-gui stroke file (format must be " \
                          f"'lenet-gui-strokes')"
    assert store_path.read_bytes() == before
    assert win.findChild(QMessageBox, "message_box") is None


def test_a_100000_drawing_import_neither_freezes_nor_loses_anything(qtbot, win, store_path,
                                                                     tmp_path):
    teach(qtbot, win, SEVEN, Qt.Key.Key_7)
    before = store_path.read_bytes()
    huge = tmp_path / "huge.json"
    digit = '{"label":%d,"strokes":[[[0.5,%.4f],[0.5,0.9]]]}'
    huge.write_text(json.dumps({"format": STROKES_FORMAT, "version": 1})[:-1] +
                    ',"digits":[' + ",".join(digit % (i % 10, (i % 5000) / 10000)
                                             for i in range(100_000)) + "]}")
    view = win.my_digits_view
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    start = time.monotonic()
    with qtbot.waitSignal(view.import_finished, timeout=60000) as sig:
        view.import_from(huge)
        assert time.monotonic() - start < 0.5  # the file is read in a worker...
        assert view.message_label.text() == "Importing huge.json…"  # ... not yet done
    timer.stop()
    assert "more than 20,000 drawings (a stroke file may have at most 20,000)" in sig.args[0]
    assert store_path.read_bytes() == before and len(win.my_digits) == 1
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    # The event loop kept running; the longest pauses are Python's full garbage
    # collections (~0.2 s here with MindSpore's objects on the heap), not the import.
    assert len(ticks) > 3 and max(gaps) < 1.0


def test_export_writes_a_file_load_drawings_reads(qtbot, win, tmp_path):
    view = win.my_digits_view
    assert not view.export_button.isEnabled()
    assert not view.export_to(tmp_path / "nothing.json")
    assert "nothing to export" in view.message_label.text()
    teach(qtbot, win, SEVEN, Qt.Key.Key_7)
    teach(qtbot, win, ONE, Qt.Key.Key_1)
    assert view.export_button.isEnabled()
    out = tmp_path / "export.json"
    assert view.export_to(out)
    assert [d.label for d in load_drawings(out)] == [7, 1]
    assert f"Exported 2 drawings to {out}" in view.message_label.text()


# ------------------------------------------------------------ at start
def test_a_corrupt_file_at_start_is_set_aside_and_said_once(qtbot, shipped_ckpt, tmp_path):
    path = tmp_path / "my_digits.json"
    path.write_text('{"format": "lenet-gui-strokes", "digits": [{"label": 3, "str')
    w = open_window(qtbot, path)
    kept = list(tmp_path.glob("my_digits.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text().startswith('{"format"')
    message = w.my_digits.recovered_message
    assert "not a JSON stroke file" in message and kept[0].name in message
    assert w.statusBar().currentMessage() == message
    banner = w.my_digits_view.banner
    assert not banner.isHidden() and banner.text() == message
    w.tabs.setCurrentWidget(w.my_digits_view)
    assert banner.isVisible()
    assert w.findChild(QMessageBox) is None  # never a modal box
    assert len(w.my_digits) == 0
    w.close()


def test_the_default_store_lives_in_the_private_test_folder(qtbot, shipped_ckpt):
    """Tests' windows never touch the real home: XDG_DATA_HOME is a temporary folder."""
    w = open_window(qtbot, None)  # no store given: the default one
    path = w.my_digits.path
    w.close()
    assert path.name == "my_digits.json"
    assert Path(os.environ["XDG_DATA_HOME"]) in path.parents
    assert Path.home() / ".local" not in path.parents


def test_the_train_tab_can_reach_the_store(win):
    """For "Learn my handwriting": the store and its counts are the window's."""
    assert isinstance(win.my_digits, MyDigits)
    assert win.my_digits_hub.store is win.my_digits
    assert win.my_digits.counts() == [0] * 10
