"""The Data view with 60,000 MNIST thumbnails: does it show, scroll and judge without
freezing the window?

Offscreen, one DataView (1100x680) with the shipped checkpoint and an empty cache:

1. MNIST train: from show() to the grid holding 60,000 images (read + hash in a
   worker), to all of them laid out (the scroll bar at full length), and to the
   model's 60,000 answers shown;
2. scroll to the end in ``--steps`` steps (each: set the scroll bar, let the view
   repaint), and how many thumbnails were painted in all (they are made on demand);
3. the confusion matrix of the 10,000 test images: switching the source to MNIST
   test until its matrix is shown (load + predictions in the worker), and
   ``predict_source`` alone on those images.

All along, a 10 ms single-shot QTimer is re-armed each time it fires; its worst
lateness is the longest the event loop was stalled.

    python benchmarks/bench_data_view.py [--data-dir ../shared/MNIST] [--steps 50] [--json out.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _common as C

C.ensure_root_on_path()

SHARED = C.ROOT.parent / "shared" / "MNIST"


class StallProbe:
    """A 10 ms single-shot timer re-armed on each firing; records how late each was."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000.0
        self.late: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._fired)
        self._armed = time.perf_counter()
        self.timer.start(interval_ms)

    def _fired(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, now - self._armed - self.interval) * 1000.0)
        self._armed = now
        self.timer.start(round(self.interval * 1000))

    def take(self) -> list[float]:
        late, self.late = self.late, []
        return late


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path,
                    default=SHARED if (SHARED / "train").is_dir() else C.SUBSET)
    ap.add_argument("--steps", type=int, default=50, help="scroll steps to the end")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    C.private_env()

    from PySide6.QtWidgets import QApplication

    from lenet_gui.core.browse import predict_source
    from lenet_gui.core.prediction_cache import PredictionCache
    from lenet_gui.core.config import shipped_checkpoint
    from lenet_gui.core.data import load_split
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.ui.data_view import DataView

    app = QApplication.instance() or QApplication(["bench-data-view"])
    recognizer = Recognizer(shipped_checkpoint())
    recognizer.warm_up()

    def pump_until(cond, timeout: float = 300.0) -> float:
        start = time.perf_counter()
        while not cond():
            if time.perf_counter() - start > timeout:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.001)
        return time.perf_counter() - start

    view = DataView(cache=PredictionCache(None), data_dir=args.data_dir)
    view.resize(1100, 680)
    view.set_recognizer(recognizer)
    view.select_source("MNIST train")
    shown = {"source": None, "predictions": None}
    view.source_shown.connect(lambda: shown.__setitem__("source", time.perf_counter()))
    view.predictions_shown.connect(lambda: shown.__setitem__("predictions",
                                                             time.perf_counter()))
    probe = StallProbe()
    t0 = time.perf_counter()
    view.show()
    pump_until(lambda: shown["source"] is not None)
    t_grid = shown["source"] - t0
    n = view.model.rowCount()
    bar = view.list.verticalScrollBar()
    last, stable = -1, 0

    def laid_out() -> bool:  # the scroll bar has stopped growing for 0.2 s
        nonlocal last, stable
        if bar.maximum() != last:
            last, stable = bar.maximum(), time.perf_counter()
        return bar.maximum() > 0 and time.perf_counter() - stable > 0.2

    pump_until(laid_out)
    t_laid = stable
    pump_until(lambda: shown["predictions"] is not None)
    t_judged = shown["predictions"] - t0
    show_late = probe.take()
    rendered_before = view.model.rendered

    step_times = []
    for k in range(1, args.steps + 1):
        s = time.perf_counter()
        bar.setValue(bar.maximum() * k // args.steps)
        view.list.viewport().repaint()
        app.processEvents()
        step_times.append((time.perf_counter() - s) * 1000.0)
        end = time.perf_counter() + 0.02
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
    scroll_late = probe.take()
    at_end = view.list.viewport().rect().intersects(view.list.visualRect(view.model.index(n - 1)))

    shown["predictions"] = None
    s = time.perf_counter()
    view.select_source("MNIST test")
    pump_until(lambda: shown["predictions"] is not None)
    t_test_view = shown["predictions"] - s
    test_late = probe.take()
    test = load_split(args.data_dir, "test")
    s = time.perf_counter()
    predict_source(recognizer, test.images, test.labels)
    t_predict = time.perf_counter() - s
    view.shutdown()

    result = {
        "data_dir": str(args.data_dir), "train_images": n, "test_images": len(test),
        "show_to_grid_s": t_grid, "show_to_laid_out_s": t_laid - t0,
        "show_to_predictions_s": t_judged,
        "thumbnails_painted_on_show": rendered_before,
        "thumbnails_painted_after_scroll": view.model.rendered,
        "scroll_steps": args.steps, "scrolled_to_end": at_end,
        "scroll_step_ms": C.summary(step_times),
        "max_stall_ms": {"show_and_judge_train": max(show_late, default=0.0),
                         "scrolling": max(scroll_late, default=0.0),
                         "switch_to_test": max(test_late, default=0.0)},
        "confusion_test_in_view_s": t_test_view, "predict_source_test_s": t_predict,
        "env": C.env_line(),
    }
    print(f"data: {args.data_dir} ({n:,} train, {len(test):,} test images); {C.env_line()}")
    print(f"MNIST train: grid filled {result['show_to_grid_s']:.2f} s after show(), "
          f"laid out {result['show_to_laid_out_s']:.2f} s, all {n:,} answers shown "
          f"{t_judged:.2f} s; worst stall "
          f"{result['max_stall_ms']['show_and_judge_train']:.0f} ms (incl. judging them all)")
    print(f"scroll to the end in {args.steps} steps: step p50 "
          f"{C.fmt(result['scroll_step_ms']['p50'], '.1f')} ms, max "
          f"{C.fmt(result['scroll_step_ms']['max'], '.1f')} ms; worst stall "
          f"{result['max_stall_ms']['scrolling']:.0f} ms; reached the end: {at_end}; "
          f"thumbnails painted {rendered_before} on show, {view.model.rendered} in all")
    print(f"confusion matrix of {len(test):,} test images: {t_test_view:.2f} s in the view "
          f"(load + predict in the worker; worst stall "
          f"{result['max_stall_ms']['switch_to_test']:.0f} ms), predict_source alone "
          f"{t_predict:.2f} s")
    C.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
