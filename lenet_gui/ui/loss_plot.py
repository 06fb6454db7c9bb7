"""The live loss plot: every step's loss, a smoothed line, and epoch boundaries.

Every step is kept; what is drawn is the visible range cut into at most
``DISPLAY_BINS`` bins, each the lowest and highest loss in it (the raw curve) and
its last smoothed value: a repaint then costs the same at 2,000 steps as at
100,000 (measured offscreen: 15 ms against 209 ms for 20,000 points drawn as
they are), so the window does not stall during a long run. While a run is
under way the x axis spans its planned steps and the smoothed line is drawn as
segments, so a repaint neither re-lays the x axis nor antialiases a path (about
20 -> 8 ms a repaint at 20,000 steps under training load), and the y axis spans 0
to a little above the highest loss so far, re-laid only when a loss passes it
(autoscaled, it was re-laid at every redraw: a repaint of 2,400 steps took a median
13.5-16.1 ms, now 10.0-11.6 ms, offscreen, three interleaved runs). Zoom and pan come
with pyqtgraph (mouse wheel, drag; right-click or the "A" button autoscales
again); zooming in re-bins the visible range, down to every step. pyqtgraph is
imported when the plot is first needed, so it does not slow down the window's
start.
"""

from __future__ import annotations

import gc

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

SMOOTHING = 0.98  # bias-corrected exponential moving average, as TensorBoard smooths
DISPLAY_BINS = 700  # about one per pixel of a wide plot


def display_points(steps: np.ndarray, losses: np.ndarray, smoothed: np.ndarray,
                   x0: float = -np.inf, x1: float = np.inf,
                   bins: int = DISPLAY_BINS) -> tuple[np.ndarray, ...]:
    """(raw x, raw y, smooth x, smooth y) to draw for the steps in [x0, x1]: every
    point when there are at most ``2 * bins``, else the min and max of each bin
    (the raw curve keeps its spikes) and each bin's last smoothed value."""
    lo = int(np.searchsorted(steps, x0, side="left"))
    hi = int(np.searchsorted(steps, x1, side="right"))
    lo, hi = max(0, lo - 1), min(len(steps), hi + 1)  # the lines leaving the view
    x, y, sm = steps[lo:hi], losses[lo:hi], smoothed[lo:hi]
    if len(x) <= 2 * bins:
        return x, y, x, sm
    size = -(-len(x) // bins)
    pad = (-len(x)) % size
    yy = np.concatenate([y, np.full(pad, y[-1])]).reshape(-1, size)
    first = x[::size]
    last_idx = np.minimum(np.arange(size - 1, len(x) + pad, size), len(x) - 1)
    raw_x = np.repeat(first, 2)
    raw_y = np.stack([yy.min(axis=1), yy.max(axis=1)], axis=1).ravel()
    return raw_x, raw_y, x[last_idx], sm[last_idx]


class LossPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loss_plot")
        self.setMinimumHeight(180)
        # (steps, losses, smoothed) in one growing array; the first _n rows are used.
        self._data = np.zeros((1024, 3), dtype=np.float64)
        self._n = 0
        self._acc = 0.0
        self._epoch_marks: list[int] = []
        self._planned_steps = 0  # the run's total steps: the x axis spans them
        self._y_top: float | None = None  # the y axis's top while a run owns it
        self._plot = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("The loss of every training step appears here.")
        self._placeholder.setStyleSheet("color: palette(mid);")
        self._layout.addWidget(self._placeholder)
        self._dirty = False
        self._timer = QTimer(self)
        # A repaint costs 10-25 ms of the window's time (and of the CPU the training
        # process shares): once a second is live enough for a loss curve.
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._redraw)

    # --------------------------------------------------------------- building
    def _build(self) -> None:
        if self._plot is not None:
            return
        import pyqtgraph as pg

        # Antialiasing only for the smoothed line: on the axes, grid and the raw curve
        # it cost 3-5 ms a repaint.
        pg.setConfigOptions(antialias=False, background="w", foreground="#333")
        plot = pg.PlotWidget()
        plot.setLabel("bottom", "step")
        plot.setLabel("left", "loss")
        plot.showGrid(x=False, y=True, alpha=0.25)  # the vertical grid cost 3 ms a repaint
        plot.addLegend(offset=(-10, 10))
        # Zoom or pan: re-bin what is visible (at the next redraw tick).
        plot.getViewBox().sigXRangeChanged.connect(self._on_range_changed)
        self._raw_curve = plot.plot([], [], pen=pg.mkPen("#9ecae1", width=1), name="loss",
                                    antialias=False)
        self._smooth_curve = plot.plot([], [], pen=pg.mkPen("#08519c", width=2.5),
                                       name="smoothed", antialias=True)
        # Opaque segments look the same as one antialiased path here and cost a
        # quarter of it (10 -> 2.5 ms a repaint).
        self._smooth_curve.curve.setSegmentedLineMode("on")
        self._pg = pg
        self._epoch_lines: list = []
        self._placeholder.hide()
        self._layout.addWidget(plot)
        self._plot = plot
        self._apply_x_extent()
        gc.freeze()  # pyqtgraph's modules live until exit: keep full collections short

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        QTimer.singleShot(0, self._build)

    # ------------------------------------------------------------------- data
    @property
    def point_count(self) -> int:
        return self._n

    def set_planned_steps(self, steps: int) -> None:
        """The run will take ``steps`` steps: fix the x axis to them (until the user
        zooms or autoscales), so it is not re-laid at every redraw."""
        if steps != self._planned_steps:
            self._planned_steps = max(0, int(steps))
            self._apply_x_extent()

    def finish(self) -> None:
        """The run is over: fit the x axis to the steps actually taken."""
        self._planned_steps = 0
        if self._plot is not None:
            box = self._plot.getViewBox()
            box.enableAutoRange(x=True, y=self._owns_y(box) or None)
        self._y_top = None

    def _apply_x_extent(self) -> None:
        if self._plot is None or self._planned_steps <= 0:
            return
        box = self._plot.getViewBox()
        box.enableAutoRange(x=False)
        box.setXRange(0, self._planned_steps, padding=0.01)

    def _owns_y(self, box) -> bool:
        """Whether the y range is still the one the run set (not zoomed or panned)."""
        return self._y_top is not None and bool(
            np.allclose(box.viewRange()[1], (0.0, self._y_top), rtol=1e-6, atol=1e-9))

    def _fit_y(self, losses: np.ndarray) -> None:
        """While a run is under way: y from 0 to 10% above the highest loss so far,
        moved only when a loss passes it; a range the user zoomed or panned to stays."""
        if self._planned_steps <= 0 or not len(losses):
            return
        box = self._plot.getViewBox()
        if self._y_top is not None and not self._owns_y(box):
            return
        finite = losses[np.isfinite(losses)]
        if not len(finite):
            return
        high = float(finite.max())
        if self._y_top is None or high > self._y_top:
            self._y_top = max(1.1 * high, 1e-3)
            box.enableAutoRange(y=False)
            box.setYRange(0.0, self._y_top, padding=0)

    def clear(self) -> None:
        self._n = 0
        self._planned_steps = 0
        self._y_top = None
        self._epoch_marks.clear()
        self._acc = 0.0
        if self._plot is not None:
            for line in self._epoch_lines:
                self._plot.removeItem(line)
            self._epoch_lines.clear()
            self._plot.enableAutoRange()
        self._dirty = True
        self._redraw()

    def add_points(self, points: list[tuple[int, float]]) -> None:
        if self._n + len(points) > len(self._data):
            grown = np.zeros((2 * (self._n + len(points)), 3), dtype=np.float64)
            grown[:self._n] = self._data[:self._n]
            self._data = grown
        for step, loss in points:
            self._acc = self._acc * SMOOTHING + (1.0 - SMOOTHING) * loss
            self._n += 1
            self._data[self._n - 1] = (step, loss, self._acc / (1.0 - SMOOTHING ** self._n))
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _on_range_changed(self, *_args) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def mark_epoch(self, step: int) -> None:
        self._epoch_marks.append(step)
        self._dirty = True

    def _redraw(self) -> None:
        if not self._dirty:
            self._timer.stop()
            return
        self._dirty = False
        if self._plot is None:
            if not self.isVisible():
                return
            self._build()
        box = self._plot.getViewBox()
        x0, x1 = (-np.inf, np.inf) if box.autoRangeEnabled()[0] else box.viewRange()[0]
        data = self._data[:self._n]
        raw_x, raw_y, sm_x, sm_y = display_points(data[:, 0], data[:, 1], data[:, 2], x0, x1)
        self._raw_curve.setData(raw_x, raw_y)
        self._smooth_curve.setData(sm_x, sm_y)
        self._fit_y(data[:, 1])
        while len(self._epoch_lines) < len(self._epoch_marks):
            step = self._epoch_marks[len(self._epoch_lines)]
            line = self._pg.InfiniteLine(
                pos=step, angle=90, movable=False,
                pen=self._pg.mkPen("#bbbbbb", width=1, style=self._pg.QtCore.Qt.DashLine),
                label=f"epoch {len(self._epoch_lines) + 1}",
                labelOpts={"position": 0.95, "color": "#777"})
            self._plot.addItem(line)
            self._epoch_lines.append(line)
