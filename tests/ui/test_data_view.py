"""The Data view: MNIST and stroke sources with the model's answers, filters, the
confusion matrix, double-click to the canvas, the cache, empty states, laziness."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from lenet_gui.core.prediction_cache import PredictionCache
from lenet_gui.core.data import load_split, write_idx
from lenet_gui.core.evaluation import evaluate_drawings
from lenet_gui.core.my_digits import MyDigits
from lenet_gui.core.predict import Recognizer, evaluate
from lenet_gui.core.strokes import Drawing, load_drawings

from ..conftest import DRAWN, ROOT


class CountingRecognizer:
    """The real recognizer, counting the images it is asked about."""

    def __init__(self, inner) -> None:
        self.inner, self.checkpoint, self.images = inner, inner.checkpoint, 0

    def probabilities(self, x):
        self.images += len(x)
        return self.inner.probabilities(x)


@pytest.fixture(scope="module")
def recognizer(shipped_ckpt):
    return Recognizer(shipped_ckpt)


@pytest.fixture(scope="module")
def expected(recognizer, subset_dir):
    split = load_split(subset_dir, "test")
    return split, evaluate(recognizer, split.images, split.labels)


def make_view(qtbot, cache, data_dir, recognizer, wait=True):
    from lenet_gui.ui.data_view import DataView

    view = DataView(cache=cache, data_dir=data_dir)
    qtbot.addWidget(view)
    view.resize(1100, 680)
    view.set_recognizer(recognizer)
    if wait:
        with qtbot.waitSignal(view.predictions_shown, timeout=60000):
            view.show()
    else:
        view.show()
    return view


@pytest.fixture()
def view(qtbot, recognizer, subset_dir, tmp_path):
    v = make_view(qtbot, PredictionCache(tmp_path / "cache"), subset_dir, recognizer)
    yield v
    v.shutdown()


def item_center(qtbot, view, row: int) -> QPoint:
    """Where row ``row`` is on screen, once the view has laid it out."""
    index = view.model.index(row)
    qtbot.waitUntil(lambda: view.list.visualRect(index).isValid(), timeout=5000)
    return view.list.visualRect(index).center()


def double_click(qtbot, view, pos: QPoint) -> None:
    """A real double click: press, release, double-click, release (QTest's
    mouseDClick alone sends only the double-click event)."""
    vp, left = view.list.viewport(), Qt.MouseButton.LeftButton
    qtbot.mouseClick(vp, left, pos=pos)
    qtbot.mouseDClick(vp, left, pos=pos)
    qtbot.mouseRelease(vp, left, pos=pos)


def texts(view) -> list[str]:
    m = view.model
    return [m.data(m.index(r)) for r in range(m.rowCount())]


def wrong_rows(result) -> list[int]:
    return [i for i, (y, p) in enumerate(zip(result.labels, result.predictions)) if y != p]


# ------------------------------------------------------------------ MNIST
def test_predictions_and_confusion_equal_evaluate(view, expected):
    split, result = expected
    assert view.findChild(type(view.list), "data_list") is view.list
    assert view.objectName() == "data_view" and view.model.rowCount() == 500
    assert view.predictions.predicted.tolist() == result.predictions
    assert view.confusion.matrix.tolist() == result.confusion
    first = texts(view)[0]
    assert first == f"{split.labels[0]} \u2192 {result.predictions[0]} " \
                    f"({min(99, int(result.confidences[0] * 100))}%)"
    assert all(re.fullmatch(r"\d \u2192 \d \(\d{1,2}%\)", t) for t in texts(view))
    assert f"{result.accuracy:.2%}" in view.panel.summary_label.text()
    assert view.empty_label.isHidden() and not view.busy()


def test_the_mistakes_filter_shows_exactly_the_wrong_ones(view, expected):
    split, result = expected
    wrong = wrong_rows(result)
    assert wrong  # the subset has some, or this test proves nothing
    view.filter_combo.setCurrentIndex(view.filter_combo.findText("Mistakes"))
    assert view.model.rows().tolist() == wrong
    m = view.model
    for r in range(m.rowCount()):
        assert m.data(m.index(r), Qt.ItemDataRole.ForegroundRole) is not None  # highlighted
    view.filter_combo.setCurrentIndex(0)
    right = next(i for i in range(500) if i not in wrong)
    assert m.data(m.index(right), Qt.ItemDataRole.ForegroundRole) is None
    view.filter_combo.setCurrentIndex(view.filter_combo.findText("True 3"))
    assert view.model.rows().tolist() == np.flatnonzero(split.labels == 3).tolist()


def test_clicking_a_confusion_cell_filters_to_it(qtbot, view, expected):
    split, result = expected
    t, p = next((result.labels[i], result.predictions[i]) for i in wrong_rows(result))
    qtbot.mouseClick(view.confusion, Qt.MouseButton.LeftButton,
                     pos=view.confusion.cell_center(t, p).toPoint())
    want = [i for i in range(500) if result.labels[i] == t and result.predictions[i] == p]
    assert view.model.rows().tolist() == want and len(want) == result.confusion[t][p]
    assert view.filter_combo.currentText() == f"True {t}, read as {p}"
    assert view.confusion.selected == (t, p) and view.clear_button.isEnabled()
    assert all(f"{t} \u2192 {p} (" in s for s in texts(view))
    # The diagonal cell: the images read right.
    qtbot.mouseClick(view.confusion, Qt.MouseButton.LeftButton,
                     pos=view.confusion.cell_center(5, 5).toPoint())
    assert len(view.model.rows()) == result.confusion[5][5]
    assert view.filter_combo.count() == 13  # one cell item, replaced
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == 500 and view.confusion.selected is None
    assert view.filter_combo.count() == 12


def test_a_cell_with_no_images_says_so(qtbot, view, expected):
    _, result = expected
    t, p = next((t, p) for t in range(10) for p in range(10) if result.confusion[t][p] == 0)
    view.show_cell(t, p)
    assert view.model.rowCount() == 0 and not view.empty_label.isHidden()
    assert f"read as {p}" in view.empty_label.text()


def test_double_click_emits_the_image(qtbot, view, expected):
    split, result = expected
    view.filter_combo.setCurrentIndex(view.filter_combo.findText("Mistakes"))
    pos = item_center(qtbot, view, 0)
    with qtbot.waitSignal(view.image_chosen, timeout=3000) as sig:
        double_click(qtbot, view, pos)
    [image] = sig.args
    i = wrong_rows(result)[0]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert np.array_equal(image, split.images[i])


def test_the_second_time_comes_from_the_cache(qtbot, recognizer, subset_dir, tmp_path):
    counting = CountingRecognizer(recognizer)
    cache = PredictionCache(tmp_path / "cache")
    v = make_view(qtbot, cache, subset_dir, counting)
    assert counting.images == 500
    with qtbot.waitSignal(v.predictions_shown, timeout=60000):
        v.select_source("MNIST train")
    assert counting.images == 2500 and v.model.rowCount() == 2000
    with qtbot.waitSignal(v.predictions_shown, timeout=10000):
        v.select_source("MNIST test")  # loaded and judged before: nothing recomputed
    assert counting.images == 2500 and v.model.rowCount() == 500
    v.set_recognizer(counting)  # the same checkpoint again (e.g. reloaded)
    assert counting.images == 2500 and not v.busy()
    v.shutdown()
    # A new session (new view, new cache object): the answers are read from disk.
    again = make_view(qtbot, PredictionCache(tmp_path / "cache"), subset_dir, counting)
    assert counting.images == 2500 and again.model.rowCount() == 500
    assert again.cache.hits == 1
    again.shutdown()


def test_a_new_checkpoint_recomputes(qtbot, view, expected):
    course = ROOT / "checkpoints" / "lenet5_course.ckpt"
    if not course.is_file():
        pytest.skip("no second checkpoint")
    other = Recognizer(course)
    split, _ = expected
    want = evaluate(other, split.images, split.labels)
    with qtbot.waitSignal(view.predictions_shown, timeout=60000):
        view.set_recognizer(other)
    assert view.confusion.matrix.tolist() == want.confusion
    assert view.panel.model_label.text() == "Model: lenet5_course.ckpt"


def test_a_newer_checkpoint_cancels_the_older_job(qtbot, view, recognizer, expected,
                                                 tmp_path):
    course = ROOT / "checkpoints" / "lenet5_course.ckpt"
    if not course.is_file():
        pytest.skip("no second checkpoint")
    shutil.copy(course, tmp_path / "other.ckpt")  # a new path: nothing cached for it
    shutil.copy(course.with_suffix(".json"), tmp_path / "other.json")
    other = CountingRecognizer(Recognizer(tmp_path / "other.ckpt"))
    view.set_recognizer(other)
    assert view.busy() and view.predictions is None and not view.progress.isHidden()
    view.set_recognizer(recognizer)  # back at once: from the cache, the job cancelled
    assert not view.busy() and view.progress.isHidden()
    qtbot.wait(1500)  # the cancelled job's answer, if any, must not replace it
    split, result = expected
    assert view.predictions.predicted.tolist() == result.predictions
    theirs = evaluate(other.inner, split.images, split.labels)
    assert theirs.predictions != result.predictions  # so the check above can fail


def test_missing_mnist_is_an_empty_state_with_the_reason(qtbot, recognizer, tmp_path):
    from lenet_gui.ui.data_view import DataView

    v = DataView(cache=PredictionCache(None), data_dir=tmp_path / "no-mnist")
    qtbot.addWidget(v)
    v.set_recognizer(recognizer)
    v.show()
    qtbot.waitUntil(lambda: "not found" in v.empty_label.text(), timeout=10000)
    assert not v.empty_label.isHidden() and v.model.rowCount() == 0
    text = v.empty_label.text()
    assert str(tmp_path / "no-mnist") in text and "download it in the Train tab" in text
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()]
    # Downloaded meanwhile (in the Train tab): shown the next time the view is.
    v.hide()
    shutil.copytree(ROOT / "tests" / "data" / "mnist_subset", tmp_path / "no-mnist")
    v.show()
    qtbot.waitUntil(lambda: v.model.rowCount() == 500, timeout=30000)
    assert v.empty_label.isHidden()
    v.set_data_dir(tmp_path / "elsewhere")  # another folder: its own answer
    qtbot.waitUntil(lambda: "elsewhere" in v.empty_label.text(), timeout=10000)
    assert v.model.rowCount() == 0
    v.shutdown()


# ---------------------------------------------------------------- strokes
def test_a_stroke_source_shows_drawings_and_double_click_gives_the_drawing(qtbot, view,
                                                                          recognizer):
    drawings = load_drawings(DRAWN)
    want = evaluate_drawings(recognizer, drawings)
    with qtbot.waitSignal(view.predictions_shown, timeout=60000):
        assert view.select_source("Drawn: drawn_digits.json")
    assert view.model.rowCount() == 500
    assert view.predictions.predicted.tolist() == want.predictions
    assert view.confusion.matrix.tolist() == want.confusion
    view.filter_combo.setCurrentIndex(view.filter_combo.findText("Mistakes"))
    assert view.model.rows().tolist() == wrong_rows(want)
    view.filter_combo.setCurrentIndex(view.filter_combo.findText("True 4"))
    pos = item_center(qtbot, view, 2)
    with qtbot.waitSignal(view.image_chosen, timeout=3000) as sig:
        double_click(qtbot, view, pos)
    [drawing] = sig.args
    i = [k for k, d in enumerate(drawings) if d.label == 4][2]
    assert isinstance(drawing, Drawing) and drawing.label == 4
    assert drawing.strokes == drawings[i].strokes


def test_a_bad_stroke_file_says_why(qtbot, view, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    view.open_stroke_file(bad)
    qtbot.waitUntil(lambda: "not a JSON stroke file" in view.empty_label.text(),
                    timeout=10000)
    assert view.source_combo.currentText() == "File: bad.json"
    assert not view.empty_label.isHidden() and str(bad) in view.empty_label.text()
    assert view.model.rowCount() == 0 and view.confusion.matrix is None
    view.select_source("MNIST test")  # back to a good one
    qtbot.waitUntil(lambda: view.model.rowCount() == 500, timeout=10000)


def test_mnist_drawn_on_the_canvas_is_a_stroke_source(qtbot, view, recognizer, expected):
    """Real writers' digits as drawings: the answers are those of the same drawings read
    through the Draw tab's path, and double-click gives the drawing for the canvas."""
    from lenet_gui.core.mnist_strokes import as_drawings

    split, _ = expected
    drawings, kept = as_drawings(split.images, split.labels)
    want = evaluate_drawings(recognizer, drawings)
    with qtbot.waitSignal(view.predictions_shown, timeout=120000):
        assert view.select_source("MNIST test, drawn on the canvas")
    assert len(kept) == 500 and view.model.rowCount() == 500
    assert view.source.is_strokes
    assert view.predictions.predicted.tolist() == want.predictions
    assert want.accuracy >= 0.95
    pos = item_center(qtbot, view, 7)
    with qtbot.waitSignal(view.image_chosen, timeout=3000) as sig:
        double_click(qtbot, view, pos)
    [drawing] = sig.args
    assert isinstance(drawing, Drawing) and drawing.strokes == drawings[7].strokes
    assert drawing.label == int(split.labels[7])


def test_mnist_on_the_canvas_without_mnist_says_why(qtbot, recognizer, tmp_path):
    v = make_view(qtbot, PredictionCache(None), tmp_path / "no-mnist", recognizer, wait=False)
    assert v.select_source("MNIST test, drawn on the canvas")
    qtbot.waitUntil(lambda: "MNIST not found" in v.empty_label.text(), timeout=10000)
    v.shutdown()


def test_my_digits_is_a_source_and_follows_changes(qtbot, view):
    from lenet_gui.ui.my_digits_hub import MyDigitsHub

    drawings = load_drawings(DRAWN)[:12]
    hub = MyDigitsHub(MyDigits(None))
    view.set_my_digits(hub)
    assert view.select_source("My digits")
    qtbot.waitUntil(lambda: "No drawings in My digits" in view.empty_label.text(),
                    timeout=5000)
    for d in drawings:
        hub.add(d.strokes, d.label)
    qtbot.waitUntil(lambda: view.predictions is not None and view.model.rowCount() == 12,
                    timeout=30000)
    assert view.predictions.labels.tolist() == [d.label for d in drawings]
    hub.add(drawings[0].strokes, 3)  # taught as a 3: a mistake now
    qtbot.waitUntil(lambda: view.predictions is not None and view.model.rowCount() == 13,
                    timeout=30000)
    assert view.predictions.wrong[12]


# ------------------------------------------------------------------- speed
def test_sixty_thousand_thumbnails_are_painted_lazily(qtbot, tmp_path, subset_dir):
    train = load_split(subset_dir, "train")
    big = tmp_path / "big"
    write_idx(big / "train" / "train-images-idx3-ubyte", np.tile(train.images, (30, 1, 1)))
    write_idx(big / "train" / "train-labels-idx1-ubyte", np.tile(train.labels, 30))
    from lenet_gui.ui.data_view import DataView

    v = DataView(cache=PredictionCache(None), data_dir=big)
    qtbot.addWidget(v)
    v.resize(1100, 680)
    v.select_source("MNIST train")
    with qtbot.waitSignal(v.source_shown, timeout=30000):
        v.show()
    assert v.model.rowCount() == 60000
    qtbot.waitExposed(v.list)
    qtbot.wait(100)
    first = v.model.rendered
    assert 0 < first < 200
    bar = v.list.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 100000, timeout=20000)  # all laid out
    for k in range(1, 11):
        bar.setValue(bar.maximum() * k // 10)
        qtbot.wait(20)
    last = v.list.visualRect(v.model.index(59999))
    assert v.list.viewport().rect().intersects(last)  # scrolled to the very end
    assert v.model.rendered < 1500  # eleven screenfuls, not 60,000
    assert v.model.data(v.model.index(0)) == str(train.labels[0])  # no model: the label
    v.shutdown()
