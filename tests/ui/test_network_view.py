"""The Network view: every layer's output for the current drawing, from the real network."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from lenet_gui.core.activations import activations_of
from lenet_gui.core.evaluation import drawings_to_inputs
from lenet_gui.core.predict import Recognizer
from lenet_gui.core.reading import DigitReading, Reading
from lenet_gui.core.strokes import load_drawings
from lenet_gui.ui.network_view import EMPTY, LOADING, NetworkView

from ..conftest import DRAWN


@pytest.fixture(scope="module")
def recognizer(shipped_ckpt):
    return Recognizer(shipped_ckpt)


@pytest.fixture(scope="module")
def inputs():
    drawings = load_drawings(DRAWN)
    zero = next(d for d in drawings if d.label == 0)
    seven = next(d for d in drawings if d.label == 7)
    return drawings_to_inputs([zero, seven])  # (2, 1, 32, 32): a 0 and a 7


@pytest.fixture()
def view(qtbot, recognizer):
    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(1100, 650)
    v.set_recognizer(recognizer)
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(lambda: v.filters is not None, timeout=30000)  # built and calibrated
    return v


def _reading(recognizer, inputs) -> Reading:
    probs = recognizer.probabilities(inputs)
    digits = [DigitReading(int(np.argmax(p)), [float(v) for v in p], "digit",
                           (0, 10, 10 * i, 10 * i + 10), x) for i, (x, p) in
              enumerate(zip(inputs, probs))]
    return Reading("".join(str(d.digit) for d in digits), digits, "digit")


def _hover(qtbot, view, key: str, index: int, row: int, col: int) -> str:
    """A real mouse move over value (row, col) of a tile; the hover line it gives."""
    tile = next(t for t in view.tiles if t.key == key and t.index == index)
    rows, cols = tile.shape
    r = tile.rect
    point = QPointF(r.left() + (col + 0.5) * r.width() / cols,
                    r.top() + (row + 0.5) * r.height() / rows)
    scene = view._vb.mapViewToScene(point)
    pos = view.graphics.mapFromScene(scene)
    qtbot.mouseMove(view.graphics.viewport(), pos)  # delivered at once, offscreen too
    return view.hover_label.text()


def test_every_layer_is_shown_with_its_shape(view, recognizer, inputs):
    view.show_input(inputs[0])
    expected = {"input": (1, (32, 32)), "c1": (6, (28, 28)), "s2": (6, (14, 14)),
                "c3": (16, (10, 10)), "s4": (16, (5, 5)), "filters": (6, (5, 5))}
    for key, (count, shape) in expected.items():
        items = view.images[key]
        assert len(items) == count, key
        assert all(item.image is not None and item.image.shape == shape for item in items), key
    acts = view.activations
    assert np.abs(acts.output - recognizer.forward(inputs[:1])[0]).max() < 1e-5
    assert np.array_equal(view.images["input"][0].image, inputs[0, 0])
    for key in ("c1", "s2", "c3", "s4"):
        for item, fmap in zip(view.images[key], acts.layer(key)):
            assert np.array_equal(item.image, fmap)
            assert item.levels is not None and item.levels[0] == 0  # fixed per layer
        assert len({tuple(i.levels) for i in view.images[key]}) == 1, key
    for key, n in (("f5", 120), ("f6", 84), ("output", 10)):
        heights = np.asarray(view.bars[key].opts["height"])
        assert heights.shape == (n,), key
    assert np.count_nonzero(view.bars["f5"].opts["height"]) > 5
    # the tallest output bar is the winner, and the caption says it
    assert acts.digit == 0
    assert "Read as <b>0</b>" in view.caption.text()


def test_labels_as_in_the_lenet_figure(view):
    texts = {item.toPlainText() for item in view.labels.values()}
    for label in ("input 32x32", "C1 6@28x28", "S2 6@14x14", "C3 16@10x10", "S4 16@5x5",
                  "F5 120", "F6 84", "output 10", "conv1 filters 6@5x5"):
        assert label in texts


def test_empty_canvas_shows_a_clear_empty_state(qtbot, view, inputs):
    view.show_input(inputs[1])
    assert view.activations is not None and not view.empty_mark.isVisible()
    view.show_input(None)
    assert view.activations is None
    assert view.caption.text() == EMPTY
    assert view.empty_mark.isVisible() and view.empty_mark.toPlainText() == "nothing drawn"
    for key in ("input", "c1", "s2", "c3", "s4"):
        assert all(item.image is None for item in view.images[key]), key
    for bars in view.bars.values():
        assert not np.any(bars.opts["height"])
    assert all(item.image is not None for item in view.images["filters"])  # weights stay
    assert _hover(qtbot, view, "c1", 0, 3, 3).endswith("nothing drawn")


def test_hover_reads_the_value_under_the_mouse(qtbot, view, recognizer, inputs):
    view.show_input(inputs[0])
    acts = activations_of(recognizer, inputs[0])
    row, col = np.unravel_index(int(np.argmax(acts.c1[2])), (28, 28))
    text = _hover(qtbot, view, "c1", 2, row, col)
    assert text.startswith(f"C1 map 3, row {row + 1}, column {col + 1}")
    assert f"{acts.c1[2, row, col]:.3f}" in text and acts.c1[2, row, col] > 0
    text = _hover(qtbot, view, "s4", 15, 4, 0)
    assert text.startswith("S4 map 16, row 5, column 1") and f"{acts.s4[15, 4, 0]:.3f}" in text
    unit = int(np.argmax(acts.f5))
    text = _hover(qtbot, view, "f5", -1, 0, unit)
    assert text.startswith(f"F5 unit {unit + 1} of 120") and f"{acts.f5[unit]:.3f}" in text
    text = _hover(qtbot, view, "output", -1, 0, 0)
    assert text.startswith("output 0: logit") and f"{acts.output[0]:.3f}" in text
    # the mouse stays, the drawing changes: the line follows the new values
    view.show_input(inputs[1])
    now = view.activations
    assert view.hover_label.text() == (f"output 0: logit {now.output[0]:.3f}, "
                                       f"probability {now.probabilities[0] * 100:.2f}%")
    assert view.hover_label.text() != text
    w = view.filters
    text = _hover(qtbot, view, "filters", 4, 1, 2)
    assert text.startswith("conv1 filter 5, row 2, column 3") and f"{w[4, 1, 2]:+.4f}" in text


def test_a_reading_of_two_digits_can_be_switched(qtbot, view, recognizer, inputs):
    reading = _reading(recognizer, inputs)
    assert reading.text == "07"
    view.show_reading(reading)
    buttons = [b for b in view.digit_buttons if b.isVisible()]
    assert [b.text() for b in buttons] == ["Digit 1", "Digit 2"]
    assert buttons[0].isChecked()
    assert np.array_equal(view.images["input"][0].image, inputs[0, 0])
    assert view.activations.digit == 0 and "Digit 1 of 2" in view.caption.text()
    qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    assert view.selected == 1 and buttons[1].isChecked()
    assert np.array_equal(view.images["input"][0].image, inputs[1, 0])
    assert view.activations.digit == 7 and "Digit 2 of 2: read as <b>7</b>" in view.caption.text()
    # the next reading (the user drew on) keeps the choice while it has that digit
    view.show_reading(_reading(recognizer, inputs))
    assert view.selected == 1 and view.activations.digit == 7
    one = _reading(recognizer, inputs[:1])
    view.show_reading(one)
    assert view.selected == 0 and not any(b.isVisible() for b in view.digit_buttons)
    assert view.activations.digit == 0
    view.show_reading(reading)
    view.show_input(inputs[1])  # a plain input is no reading: no buttons, no "Digit 1 of 2"
    assert not any(b.isVisible() for b in view.digit_buttons)
    assert view.caption.text().startswith("Read as <b>7</b>")
    view.show_reading(None)
    assert view.activations is None and view.caption.text() == EMPTY
    refused = Reading("", [], "not a digit", 0, "too many pieces to read as one number (9 found)")
    view.show_reading(refused)
    assert view.activations is None and view.caption.text().startswith("Too many pieces")


def test_nothing_is_computed_while_hidden(qtbot, view, inputs):
    view.show_input(inputs[0])
    done = view.computed
    view.hide()
    assert not view.isVisible()
    for _ in range(5):
        view.show_input(inputs[1])
    view.show_input(inputs[0])
    view.show_input(inputs[1])
    assert view.computed == done  # not one forward while hidden
    assert view.activations.digit == 0  # still what was shown
    view.show()
    qtbot.waitUntil(lambda: view.computed == done + 1, timeout=5000)
    assert np.array_equal(view.images["input"][0].image, inputs[1, 0])  # the latest input
    assert view.activations.digit == 7
    qtbot.wait(50)
    assert view.computed == done + 1  # once, not once per input missed


def test_a_view_never_shown_builds_and_computes_nothing(qtbot, recognizer, inputs):
    v = NetworkView()
    qtbot.addWidget(v)
    v.set_recognizer(recognizer)
    v.show_input(inputs[0])
    v.show_reading(_reading(recognizer, inputs))
    assert v.computed == 0 and v.graphics is None and v.activations is None


def test_loading_and_a_failing_network_show_a_line_not_a_traceback(qtbot, view, recognizer,
                                                                   inputs):
    view.set_recognizer(None)
    view.show_input(inputs[0])
    assert view.caption.text() == LOADING and view.activations is None
    assert all(item.image is None for item in view.images["filters"])
    view.set_recognizer(None, error="No model: checkpoint not found")
    assert view.caption.text() == "No model: checkpoint not found"

    class Broken:
        net = object()  # not a LeNet5: building its activations fails

    view.set_recognizer(Broken())
    assert view.caption.text().startswith("Could not compute the layers:")
    assert view.activations is None
    view.set_recognizer(recognizer)  # the model is back: filters, levels and maps with it
    assert view.activations.digit == 0
    assert all(item.image is not None for item in view.images["filters"])


def test_in_a_tab_it_computes_when_its_tab_is_chosen(qtbot, recognizer, inputs):
    """As the window will hold it: a tab that is not current is hidden, so costs nothing."""
    from PySide6.QtWidgets import QTabWidget, QWidget

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    v = NetworkView()
    tabs.addTab(QWidget(), "Draw")
    tabs.addTab(v, "Network")
    tabs.resize(900, 600)
    tabs.show()
    qtbot.waitExposed(tabs)
    v.set_recognizer(recognizer)
    for x in (inputs[0], inputs[1], inputs[0]):  # the user draws in the Draw tab
        v.show_input(x)
    assert v.computed == 0 and v.graphics is None
    tabs.setCurrentWidget(v)
    qtbot.waitUntil(lambda: v.computed == 1, timeout=10000)
    assert v.activations.digit == 0 and v.images["c1"][0].image is not None
    v.show_input(inputs[1])  # while it is shown, it follows at once
    assert v.computed == 2 and v.activations.digit == 7
    tabs.setCurrentIndex(0)
    v.show_input(inputs[0])
    assert v.computed == 2
