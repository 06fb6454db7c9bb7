"""The live loss plot: every step's loss, a smoothed line, and epoch boundaries.

pyqtgraph draws 100,000 points without effort with peak downsampling and
clip-to-view; zoom and pan come with it (mouse wheel, drag; right-click or the
"A" button autoscales again). pyqtgraph is imported when the plot is first
needed, so it does not slow down the window's start.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

SMOOTHING = 0.98  # bias-corrected exponential moving average, as TensorBoard smooths


class LossPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loss_plot")
        self.setMinimumHeight(180)
        self._steps: list[int] = []
        self._losses: list[float] = []
        self._smoothed: list[float] = []
        self._acc = 0.0
        self._epoch_marks: list[int] = []
        self._plot = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("The loss of every training step appears here.")
        self._placeholder.setStyleSheet("color: palette(mid);")
        self._layout.addWidget(self._placeholder)
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(400)  # a repaint costs 4-23 ms: not more often
        self._timer.timeout.connect(self._redraw)

    # --------------------------------------------------------------- building
    def _build(self) -> None:
        if self._plot is not None:
            return
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True, background="w", foreground="#333")
        plot = pg.PlotWidget()
        plot.setLabel("bottom", "step")
        plot.setLabel("left", "loss")
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.addLegend(offset=(-10, 10))
        item = plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self._raw_curve = plot.plot([], [], pen=pg.mkPen("#9ecae1", width=1), name="loss",
                                    antialias=False)
        self._smooth_curve = plot.plot([], [], pen=pg.mkPen("#08519c", width=2.5),
                                       name="smoothed")
        self._pg = pg
        self._epoch_lines: list = []
        self._placeholder.hide()
        self._layout.addWidget(plot)
        self._plot = plot

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        QTimer.singleShot(0, self._build)

    # ------------------------------------------------------------------- data
    @property
    def point_count(self) -> int:
        return len(self._losses)

    def clear(self) -> None:
        self._steps.clear()
        self._losses.clear()
        self._smoothed.clear()
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
        for step, loss in points:
            self._steps.append(step)
            self._losses.append(loss)
            n = len(self._losses)
            self._acc = self._acc * SMOOTHING + (1.0 - SMOOTHING) * loss
            self._smoothed.append(self._acc / (1.0 - SMOOTHING ** n))
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
        steps = np.asarray(self._steps, dtype=np.float64)
        self._raw_curve.setData(steps, np.asarray(self._losses, dtype=np.float64))
        self._smooth_curve.setData(steps, np.asarray(self._smoothed, dtype=np.float64))
        while len(self._epoch_lines) < len(self._epoch_marks):
            step = self._epoch_marks[len(self._epoch_lines)]
            line = self._pg.InfiniteLine(
                pos=step, angle=90, movable=False,
                pen=self._pg.mkPen("#bbbbbb", width=1, style=self._pg.QtCore.Qt.DashLine),
                label=f"epoch {len(self._epoch_lines) + 1}",
                labelOpts={"position": 0.95, "color": "#777"})
            self._plot.addItem(line)
            self._epoch_lines.append(line)
