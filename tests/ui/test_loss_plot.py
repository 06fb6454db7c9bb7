"""The loss plot draws a bounded number of points, whatever the length of the run."""

from __future__ import annotations

import numpy as np
import pytest

from lenet_gui.ui.loss_plot import DISPLAY_BINS, LossPlot, display_points


def _run(n: int):
    x = np.arange(1, n + 1, dtype=np.float64)
    y = np.random.default_rng(0).random(n)
    return x, y, np.cumsum(y) / x


def test_few_points_are_drawn_as_they_are():
    x, y, s = _run(500)
    rx, ry, sx, sy = display_points(x, y, s)
    assert np.array_equal(rx, x) and np.array_equal(ry, y) and np.array_equal(sy, s)


def test_many_points_keep_each_bins_extremes_and_the_last_smoothed_value():
    x, y, s = _run(50_000)
    y[31_337] = 9.0  # a spike survives
    rx, ry, sx, sy = display_points(x, y, s)
    assert len(rx) <= 2 * DISPLAY_BINS and len(sx) <= DISPLAY_BINS
    assert ry.max() == 9.0 and ry.min() == y.min()
    assert sx[-1] == x[-1] and sy[-1] == s[-1]
    assert np.all(np.diff(rx) >= 0) and np.all(np.diff(sx) > 0)


def test_a_zoomed_view_is_binned_on_its_own_range():
    x, y, s = _run(50_000)
    rx, ry, _, _ = display_points(x, y, s, 1000, 1100)
    assert rx[0] == 999 and rx[-1] == 1101  # every step, plus the lines leaving the view
    assert np.array_equal(ry, y[998:1101])


@pytest.fixture()
def plot(qtbot):
    """A shown LossPlot with its pyqtgraph plot built."""
    widget = LossPlot()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    qtbot.waitUntil(lambda: widget._plot is not None, timeout=5000)
    return widget


def test_the_widget_keeps_every_point_and_draws_few(plot):
    x, y, _ = _run(20_000)
    for start in range(0, 20_000, 1000):  # reports arrive in batches
        plot.add_points(list(zip(x[start:start + 1000].astype(int), y[start:start + 1000])))
    plot._redraw()
    assert plot.point_count == 20_000
    shown_x, shown_y = plot._raw_curve.getData()
    assert len(shown_x) <= 2 * DISPLAY_BINS and shown_y.max() == y.max()


def test_the_x_axis_spans_the_planned_steps_during_a_run(qtbot, plot):
    box = plot._plot.getViewBox()
    plot.set_planned_steps(5000)
    plot.add_points([(i, 2.0 - i / 1000) for i in range(1, 301)])
    plot._redraw()
    x0, x1 = box.viewRange()[0]
    assert not box.autoRangeEnabled()[0]
    assert x0 <= 0 and 5000 <= x1 < 5200  # not fitted to the 300 steps so far
    # The loss axis: 0 to 10% above the highest loss, not re-laid as losses fall.
    assert not box.autoRangeEnabled()[1]
    assert np.allclose(box.viewRange()[1], (0.0, 1.1 * 1.999))
    plot.add_points([(i, 0.5) for i in range(301, 400)])
    plot._redraw()
    assert np.allclose(box.viewRange()[1], (0.0, 1.1 * 1.999))
    plot.add_points([(400, 3.0)])  # a spike above it extends it
    plot._redraw()
    assert np.allclose(box.viewRange()[1], (0.0, 3.3))
    plot.finish()
    plot._redraw()
    assert box.autoRangeEnabled()[0] and box.autoRangeEnabled()[1]
    # Fitted to the steps actually taken (pyqtgraph refits at its next update).
    qtbot.waitUntil(lambda: box.viewRange()[0][1] < 1000, timeout=5000)
    plot.clear()
    plot.set_planned_steps(800)
    assert box.viewRange()[0][1] < 900


def test_a_zoomed_loss_axis_stays_where_the_user_put_it(plot):
    box = plot._plot.getViewBox()
    plot.set_planned_steps(5000)
    plot.add_points([(i, 2.0 - i / 1000) for i in range(1, 301)])
    plot._redraw()
    box.setYRange(0.5, 1.0, padding=0)  # the user zooms in on the loss
    plot.add_points([(301, 4.0)])
    plot._redraw()
    assert np.allclose(box.viewRange()[1], (0.5, 1.0))
    plot.finish()
    assert not box.autoRangeEnabled()[1]  # the end of the run does not undo the zoom
