"""Issue 11 on the real canvas: numbers dragged with the mouse, scribbles, too many pieces."""

from __future__ import annotations

import numpy as np
import pytest

from lenet_gui.core.strokes import load_drawings

from ..conftest import DRAWN
from ..data.compose_numbers import compose_numbers
from .conftest import drag


@pytest.fixture(scope="module")
def drawn():
    return load_drawings(DRAWN)


def draw(qtbot, window, strokes):
    window.draw_tab.canvas.clear()
    for s in strokes:
        drag(qtbot, window.draw_tab.canvas, s.points)


def test_a_number_is_read_with_outlines_and_one_image_per_digit(qtbot, window, drawn):
    tab = window.draw_tab
    numbers = [n for n in compose_numbers(drawn, 30, seed=8, digits=(2, 3))
               if min(n.gaps) > 0.1][:3]
    for n in numbers:
        with qtbot.waitSignal(tab.reading_changed, timeout=5000,
                              check_params_cb=lambda r: r is not None and
                              len(r.digits) == len(n.text)):
            draw(qtbot, window, n.strokes)
        reading = tab.last_reading
        assert reading.text == n.text, (reading.text, n.text)
        assert tab.digit_label.text() == n.text
        assert tab.last_prediction is None  # a number is not a one-digit prediction
        boxes = tab.canvas._segment_boxes
        assert len(boxes) == len(n.text)
        lefts = [b[0][2] for b in boxes]
        assert lefts == sorted(lefts)
        shown = [img for img in tab.panel.seen_images if img.isVisible()]
        assert len(shown) == len(n.text) and all(img.pixmap() is not None for img in shown)
        for d in reading.digits:
            assert d.verdict in ("digit", "unsure", "not a digit")
            assert len(d.probabilities) == 10 and abs(sum(d.probabilities) - 1) < 1e-4
            top, bottom, left, right = d.box
            assert 0 <= top < bottom <= 280 and 0 <= left < right <= 280
    # Clicking the second image shows its bars.
    tab.panel.select(1)
    assert tab.bars.probabilities == tab.last_reading.digits[1].probabilities
    assert "Digit 2 of" in tab.panel.bars_caption.text()


def test_the_model_image_never_contains_the_outlines(qtbot, window, drawn):
    from lenet_gui.core.strokes import render_strokes

    n = compose_numbers(drawn, 1, seed=3, digits=(2, 2))[0]
    draw(qtbot, window, n.strokes)
    assert window.draw_tab.canvas._segment_boxes
    ink = window.draw_tab.canvas.ink()
    # The model image is the strokes only: it agrees with the core renderer.
    assert np.abs(ink - render_strokes(n.strokes)).mean() < 0.02


def test_one_digit_reads_exactly_as_before(qtbot, window, drawn):
    tab = window.draw_tab
    d = drawn[123]
    with qtbot.waitSignal(tab.prediction_changed, timeout=5000):
        draw(qtbot, window, d.strokes)
    reading = tab.last_reading
    assert len(reading.digits) == 1 and reading.text == str(tab.last_prediction[0])
    assert reading.digits[0].probabilities == tab.last_prediction[1]
    assert tab.canvas._segment_boxes in ([], [(reading.digits[0].box, reading.verdict)])


def test_too_many_pieces_says_so(qtbot, window, drawn):
    tab = window.draw_tab
    nine = compose_numbers(drawn, 1, seed=3, digits=(9, 9))[0]
    draw(qtbot, window, nine.strokes)
    assert tab.last_reading.text == "" and "too many pieces" in tab.last_reading.message
    assert "Too many pieces to read as one number (9 found)" in tab.verdict_label.text()


def test_digits_on_top_of_each_other_never_fail(qtbot, window, drawn):
    tab = window.draw_tab
    stacked = [s for d in (drawn[60], drawn[260]) for s in d.strokes]  # a 1 over a 5
    draw(qtbot, window, stacked)
    assert tab.last_reading is not None and 1 <= len(tab.last_reading.digits) <= 2
    vertical = []
    for k, d in enumerate((drawn[10], drawn[110])):  # a 0 above a 2, small
        for s in d.strokes:
            s2 = type(s)([(0.3 + x * 0.4, k * 0.5 + y * 0.45) for x, y in s.points])
            vertical.append(s2)
    draw(qtbot, window, vertical)
    assert tab.last_reading is not None  # read what can be read; no traceback


def test_teaching_a_number_is_refused_with_a_hint(qtbot, window, drawn):
    tab = window.draw_tab
    n = compose_numbers(drawn, 1, seed=3, digits=(2, 2))[0]
    draw(qtbot, window, n.strokes)
    assert tab.teach(4) is None
    assert "one digit at a time" in tab.teach_panel.message_label.text()
    assert len(window.my_digits) == 0


def test_scribbles_are_refused_on_the_canvas(qtbot, window):
    """The shipped model says "not a digit" to scribbles dragged onto the canvas."""
    from ..conftest import TESTS

    tab = window.draw_tab
    scribbles = [d for d in load_drawings(TESTS / "data" / "nondigits.json")
                 if d.style in ("scribble", "hatching", "scratch_out")][:6]
    refused = 0
    for d in scribbles:
        draw(qtbot, window, d.strokes)
        reading = tab.last_reading
        if reading is not None and reading.verdict == "not a digit":
            refused += 1
            assert tab.digit_label.text() == "?"
            assert "Not a digit" in tab.verdict_label.text() or "Not a number" in \
                tab.verdict_label.text()
            assert tab.last_prediction is None or len(reading.digits) == 1
    assert refused >= 5, refused
