"""The Network and Data views in the real window: tabs, the drawing reaches them, items
from the Data view land on the canvas."""

from __future__ import annotations

from lenet_gui.core.data import load_split
from lenet_gui.core.strokes import load_drawings

from ..conftest import DRAWN, SUBSET


def test_tabs_and_object_names(window):
    names = [window.tabs.widget(i).objectName() for i in range(window.tabs.count())]
    assert "network_view" in names and "data_view" in names
    assert [window.tabs.tabText(i) for i in range(3)] == ["Draw", "Train", "My digits"]


def test_an_mnist_image_from_the_data_view_is_read_on_the_canvas(qtbot, window):
    test = load_split(SUBSET, "test")
    window.tabs.setCurrentWidget(window.data_view)
    with qtbot.waitSignal(window.draw_tab.reading_changed, timeout=5000):
        window.data_view.image_chosen.emit(test.images[0])
    assert window.tabs.currentWidget() is window.draw_tab
    assert window.draw_tab.canvas.has_image()
    assert window.draw_tab.last_reading.text == str(int(test.labels[0]))


def test_a_drawing_from_the_data_view_becomes_strokes(qtbot, window):
    d = load_drawings(DRAWN)[77]
    with qtbot.waitSignal(window.draw_tab.reading_changed, timeout=5000):
        window.data_view.image_chosen.emit(d)
    assert len(window.draw_tab.canvas.strokes) == len(d.strokes)
    assert window.draw_tab.last_prediction[0] == d.label


def test_the_network_view_follows_the_drawing(qtbot, window):
    d = load_drawings(DRAWN)[5]
    window.put_on_canvas(d)  # switches to the Draw tab; the view is hidden meanwhile
    window.tabs.setCurrentWidget(window.network_view)
    caption = window.network_view.caption
    qtbot.waitUntil(lambda: f"ead as <b>{d.label}</b>" in caption.text(), timeout=10000)
