"""The Data view: browse MNIST (test or train), My digits and stroke files with the
model's answer on every image, its mistakes and its confusion matrix.

Why it is built this way: all of a source's predictions are needed at once (to
filter to mistakes, to count the confusion matrix), so they are computed in a
worker, in batches, with progress (``latest_jobs``: a newer choice cancels the older
job), and cached per checkpoint (``prediction_cache``); the grid is a model/view list that paints only what is on screen (``data_model``). Nothing
runs until the view is shown, so the window starts as fast as before; a missing
MNIST folder or a bad stroke file is an empty state that says why, never a box.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QStackedLayout, QVBoxLayout, QWidget)

from ..core.browse import (Filter, Predictions, Source, drawings_source, find_drawn_sets,
                           load_mnist_source, load_stroke_source, mnist_canvas_source)
from ..core.config import default_data_dir
from ..core.prediction_cache import (PredictionCache, cached_predictions, default_cache_dir,
                                     source_key)
from .confusion_widget import ConfusionPanel
from .data_model import DataModel, make_grid
from .latest_jobs import LatestJobs

GREY = "#5f6368"
HINT = "Double-click an image to put it on the canvas."


@dataclass(frozen=True)
class SourceSpec:
    """A choice in the source picker: ``kind`` "mnist" or "mnist_canvas" (key: split),
    "my_digits" or "file" (key: the path)."""

    kind: str
    key: str
    name: str


class DataView(QWidget):
    """Source picker, filter, thumbnail grid and confusion matrix."""

    image_chosen = Signal(object)  # 28x28 uint8 array (MNIST) or strokes.Drawing
    source_shown = Signal()  # a source's images are in the grid (tests, benchmark)
    predictions_shown = Signal()  # the model's answers are in the grid and matrix

    def __init__(self, cache: PredictionCache | None = None,
                 data_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("data_view")
        self.cache = cache if cache is not None else PredictionCache(default_cache_dir())
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.recognizer = None
        self.hub = None
        self.source: Source | None = None
        self._sources: dict[SourceSpec, Source] = {}
        self._dirty = True  # something to (re)do once the view is visible

        self.source_combo = QComboBox()
        self.source_combo.setObjectName("data_source")
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for split in ("test", "train"):
            self._add_source(SourceSpec("mnist", split, f"MNIST {split}"))
        self._add_source(SourceSpec("mnist_canvas", "test", "MNIST test, drawn on the canvas"))
        for path in find_drawn_sets():
            self._add_source(SourceSpec("file", str(path), f"Drawn: {path.name}"))
        self.open_button = QPushButton("Open stroke file…")
        self.open_button.setObjectName("data_open")
        self.open_button.setToolTip("Browse the drawings of a lenet-gui stroke file (JSON)")
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("data_filter")
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter_combo.addItem("All images", Filter())
        self.filter_combo.addItem("Mistakes", Filter("mistakes"))
        for d in range(10):
            self.filter_combo.addItem(f"True {d}", Filter("true", d))
        self.clear_button = QPushButton("Clear filter")
        self.clear_button.setObjectName("data_clear_filter")
        self.progress = QProgressBar()
        self.progress.setObjectName("data_progress")
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        self.jobs = LatestJobs(self, self.progress, {"load": "Loading", "predict": "Reading"})

        self.model = DataModel(self)
        self.list = make_grid(self.model)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("data_empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(f"color: {GREY}; padding: 24px;")
        self.stack = QStackedLayout()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty_label)

        self.panel = ConfusionPanel()
        self.confusion = self.panel.matrix
        self.status_label = QLabel(HINT)
        self.status_label.setObjectName("data_status")
        self.status_label.setStyleSheet(f"color: {GREY};")

        top = QHBoxLayout()
        for w in (QLabel("Source:"), self.source_combo, self.open_button, QLabel("   Show:"),
                  self.filter_combo, self.clear_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.progress)
        middle = QHBoxLayout()
        middle.addLayout(self.stack, 1)
        middle.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status_label)

        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.open_button.clicked.connect(self.open_dialog)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(lambda: self.filter_combo.setCurrentIndex(0))
        self.confusion.cell_clicked.connect(self.show_cell)
        self.confusion.row_clicked.connect(lambda d: self.filter_combo.setCurrentIndex(2 + d))
        self.list.doubleClicked.connect(self._on_double_click)
        self._my_digits_timer = QTimer(self, singleShot=True, interval=300)
        self._my_digits_timer.timeout.connect(self._invalidate)
        self._update_filter_ui()

    # ---------------------------------------------------------------- public
    def set_data_dir(self, path: Path) -> None:
        """Where MNIST lives (the Train tab's folder); reloads MNIST if it changed."""
        path = Path(path)
        if path == self.data_dir:
            return
        self.data_dir = path
        self._forget("mnist")
        if self.current_spec().kind == "mnist":
            self._invalidate()

    def set_recognizer(self, recognizer) -> None:
        """The model in use; the grid and matrix are recomputed (or taken from the cache)."""
        self.recognizer = recognizer
        name = getattr(recognizer, "checkpoint", None)
        self.panel.model_label.setText(f"Model: {Path(name).name}" if name
                                       else "No model loaded")
        self._invalidate(reload=False)

    def set_my_digits(self, hub) -> None:
        """Offer My digits (a MyDigitsHub) as a source; follows its ``changed``."""
        self.hub = hub
        self._add_source(SourceSpec("my_digits", "", "My digits"), at=2)
        hub.changed.connect(self._on_my_digits_changed)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open stroke file", "",
                                              "Stroke files (*.json);;All files (*)")
        if path:
            self.open_stroke_file(Path(path))

    def open_stroke_file(self, path: Path) -> None:
        """Add a stroke file to the sources and show it (a bad file: its reason)."""
        spec = SourceSpec("file", str(Path(path)), f"File: {Path(path).name}")
        self._sources.pop(spec, None)
        self._add_source(spec)
        self.source_combo.setCurrentIndex(self.source_combo.findText(spec.name))
        self._invalidate()

    def select_source(self, name: str) -> bool:
        i = self.source_combo.findText(name)
        if i >= 0:
            self.source_combo.setCurrentIndex(i)
        return i >= 0

    def current_spec(self) -> SourceSpec:
        return self.source_combo.currentData()

    def show_cell(self, true: int, predicted: int) -> None:
        """Filter the grid to the images of ``true`` read as ``predicted``."""
        flt = Filter("cell", true, predicted)
        if self.filter_combo.count() > 12:
            self.filter_combo.blockSignals(True)
            self.filter_combo.removeItem(12)
            self.filter_combo.blockSignals(False)
        self.filter_combo.addItem(f"True {true}, read as {predicted}", flt)
        if self.filter_combo.currentIndex() == 12:
            self._on_filter_changed(12)
        else:
            self.filter_combo.setCurrentIndex(12)

    @property
    def predictions(self) -> Predictions | None:
        return self.model.predictions

    def busy(self) -> bool:
        return self.jobs.busy()

    def shutdown(self) -> None:
        """Stop and wait for the jobs (the window is closing)."""
        self.jobs.shutdown()

    # ------------------------------------------------------------- refreshing
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._dirty:
            QTimer.singleShot(0, self._refresh)

    def _invalidate(self, reload: bool = True) -> None:
        if reload:
            self.source = None
        self._dirty = True
        if self.isVisible():
            self._refresh()

    def _forget(self, kind: str) -> None:
        """Drop the loaded sources of this kind and stop loading one: their data changed."""
        for spec in [s for s in self._sources if s.kind == kind]:
            del self._sources[spec]
        loading = self.jobs.current("load")
        if loading is not None and loading.what.kind == kind:
            self.jobs.cancel("load")

    def _refresh(self) -> None:
        """Show the current source (loading it first) and the model's answers."""
        if not self.isVisible():
            return
        self._dirty = False
        spec = self.current_spec()
        source = self._sources.get(spec)
        if source is None:
            loading = self.jobs.current("load")
            if loading is None or loading.what != spec:  # not already under way
                self._show_empty(f"Loading {spec.name}…")
                self._load(spec)
            return
        if source is not self.source:
            self.source = source
            self.model.set_source(source, None)
            self.source_shown.emit()
        self._update_predictions()

    def _update_predictions(self) -> None:
        source, rec = self.source, self.recognizer
        if source is None:
            return
        if rec is None:
            self.model.set_predictions(None)
            self.jobs.cancel("predict")
            self._show_predictions("No model loaded: the images are shown with their labels.")
            return
        found = self.cache.peek(source_key(rec, source))
        if found is not None:
            self.jobs.cancel("predict")
            if found is not self.model.predictions:
                self.model.set_predictions(found)
                self._show_predictions()
            return
        self.model.set_predictions(None)
        self._show_predictions(f"Reading {len(source):,} images…")
        cache = self.cache
        self.jobs.start("predict", source, lambda w, report: cached_predictions(
            cache, rec, source, report, w.stop_event)[0],
            lambda p: self._on_predicted(source, p), self._on_predict_failed)

    def _load(self, spec: SourceSpec) -> None:
        data_dir = self.data_dir
        if spec.kind == "mnist":
            fn = lambda w, report: load_mnist_source(data_dir, spec.key, spec.name)  # noqa: E731
        elif spec.kind == "mnist_canvas":
            folder = self.cache.folder
            fn = lambda w, report: mnist_canvas_source(  # noqa: E731
                data_dir, spec.key, spec.name, report, w.stop_event, folder)
        elif spec.kind == "my_digits":
            drawings = self.hub.store.drawings() if self.hub is not None else []
            if not drawings:
                self._on_load_failed("No drawings in My digits yet.\n\nIn the Draw tab, "
                                     "draw a digit and press its key (0-9) to save it there.")
                return
            fn = lambda w, report: drawings_source(spec.name, drawings, report,  # noqa: E731
                                                   w.stop_event)
        else:
            fn = lambda w, report: load_stroke_source(Path(spec.key), spec.name,  # noqa: E731
                                                      report, w.stop_event)
        self.jobs.start("load", spec, fn, lambda src: self._on_loaded(spec, src),
                    self._on_load_failed)

    def _on_loaded(self, spec: SourceSpec, source: Source) -> None:
        self._sources[spec] = source
        if spec == self.current_spec():
            self._refresh()

    def _on_load_failed(self, message: str) -> None:
        """Say why; try again the next time the view is shown (MNIST downloaded since)."""
        self._show_empty(message)
        self._dirty = True

    def _on_predicted(self, source: Source, predictions: Predictions) -> None:
        if source is not self.source:
            return
        self.model.set_predictions(predictions)
        self._show_predictions()

    def _on_predict_failed(self, message: str) -> None:
        self._show_predictions(f"The model could not read these images: {message}")

    # ---------------------------------------------------------------- showing
    def _show_empty(self, message: str) -> None:
        self.source = None
        self.model.set_source(None)
        self.empty_label.setText(message)
        self.stack.setCurrentWidget(self.empty_label)
        self.panel.show_predictions(None, "", 0, "Nothing to show")
        self.status_label.setText("")

    def _show_predictions(self, note: str = "") -> None:
        """Matrix, summary and grid state for what the model has answered so far."""
        p, source = self.model.predictions, self.source
        if source is None:
            return
        self.panel.show_predictions(p, source.name, len(source), note)
        self._update_grid()
        if p is not None:
            self.predictions_shown.emit()

    def _update_grid(self) -> None:
        source, rows = self.source, self.model.rowCount()
        if source is None:
            return
        flt = self.model.filter
        if rows:
            self.stack.setCurrentWidget(self.list)
        elif flt.kind in ("mistakes", "cell") and self.model.predictions is None:
            self.empty_label.setText("Waiting for the model's answers…" if self.recognizer
                                     else "No model loaded: there are no mistakes to show.")
            self.stack.setCurrentWidget(self.empty_label)
        else:
            what = {"mistakes": "No mistakes: the model reads every image right."}.get(
                flt.kind, f"No images here ({flt.describe()}).")
            self.empty_label.setText(what)
            self.stack.setCurrentWidget(self.empty_label)
        shown = "all" if flt.kind == "all" else flt.describe()
        self.status_label.setText(f"Showing {rows:,} of {len(source):,} ({shown}). {HINT}")

    def _update_filter_ui(self) -> None:
        flt = self.model.filter
        self.clear_button.setEnabled(flt.kind != "all")
        self.confusion.set_selection((flt.true, flt.predicted) if flt.kind == "cell" else None,
                                     flt.true if flt.kind == "true" else None)

    # ----------------------------------------------------------------- events
    def _add_source(self, spec: SourceSpec, at: int | None = None) -> None:
        if self.source_combo.findText(spec.name) >= 0:
            return
        if at is None:
            self.source_combo.addItem(spec.name, spec)
        else:
            self.source_combo.insertItem(at, spec.name, spec)

    def _on_source_changed(self, _index: int) -> None:
        self.jobs.cancel("load")
        self.jobs.cancel("predict")
        self._invalidate()  # show the chosen one, loading it if need be

    def _on_filter_changed(self, index: int) -> None:
        flt = self.filter_combo.itemData(index)
        if flt.kind != "cell" and self.filter_combo.count() > 12:
            self.filter_combo.blockSignals(True)
            self.filter_combo.removeItem(12)
            self.filter_combo.blockSignals(False)
        self.model.set_filter(flt)
        self._update_filter_ui()
        self._update_grid()

    def _on_my_digits_changed(self) -> None:
        """Drop the old copy; reload once the changes pause (teaching adds one by one)."""
        self._forget("my_digits")
        if self.current_spec().kind == "my_digits":
            self._my_digits_timer.start()

    def _on_double_click(self, index: QModelIndex) -> None:
        if self.source is not None and index.isValid():
            self.image_chosen.emit(self.source.item(self.model.source_index(index.row())))


__all__ = ["DataView", "SourceSpec"]
