"""GUI event-loop stalls while the Train tab trains in its worker thread.

The real MainWindow (offscreen) runs its event loop; a probe re-arms a 10 ms
single-shot ``QTimer`` (precise) each time it fires and records how late each
firing was (fired - armed - 10 ms). Any Python or Qt work in the GUI thread, and
any time the GUI thread waits for the GIL, shows up as lateness.

Each repeat (``--repeats``, default 3; medians reported):

1. training: the Train tab (shown, as for a user watching the loss plot) is set
   to the test subset and a few epochs, and its Start button is clicked from
   inside the event loop; measured from the click until the worker's thread has
   finished (split into: click -> first step, i.e. data loading in the click
   handler and graph compilation in the worker; then the steps, evaluations and
   checkpoint saves).
2. reference, the same measurement in the same process with no training, for
   as long as the training phase took (at most ``--max-idle-s``).

    python benchmarks/bench_responsiveness.py                  # subset, 5 epochs (310 steps)
    python benchmarks/bench_responsiveness.py --data-dir ../shared/MNIST --limit 9600 --epochs 1
    python benchmarks/bench_responsiveness.py --tab draw --json resp.json
    python benchmarks/bench_responsiveness.py --diagnose      # where the GUI thread stalls
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _common as C

C.ensure_root_on_path()


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--interval-ms", type=int, default=10, help="probe timer (default 10)")
    p.add_argument("--repeats", type=int, default=3,
                   help="training runs, each followed by its reference (default 3; medians)")
    p.add_argument("--data-dir", type=Path, default=C.SUBSET,
                   help="MNIST folder to train on (default: the test subset, 2,000 + 500)")
    p.add_argument("--limit", type=int, default=2000,
                   help="Train tab 'Training images' (default 2000; 0 = all)")
    p.add_argument("--epochs", type=int, default=5,
                   help="epochs (default 5: 310 steps of 32 on the subset, 5 evaluations)")
    p.add_argument("--tab", choices=("train", "draw"), default="train",
                   help="the tab on screen while training (default: train, the loss plot "
                        "repaints)")
    p.add_argument("--max-idle-s", type=float, default=30.0,
                   help="longest reference (no training) phase, seconds (default 30)")
    p.add_argument("--stall-ms", type=float, default=50.0,
                   help="lateness that counts as a stall (default 50 = the target)")
    p.add_argument("--diagnose", action="store_true",
                   help="a watchdog thread samples the GUI thread's Python stack whenever "
                        "the probe is 30+ ms late, and prints where the stalls were (adds "
                        "a little load of its own) and times a forced loss-plot repaint "
                        "every 250 ms")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


class Watchdog:
    """Samples the GUI thread's Python stack while the probe timer is overdue."""

    def __init__(self, probe, late_ms: float = 30.0, every_s: float = 0.005):
        import collections
        import threading

        self.probe, self.late_ms, self.every = probe, late_ms, every_s
        self.main_id = threading.main_thread().ident
        self.counts = collections.Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-watchdog", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _run(self):
        import traceback

        while not self._stop.wait(self.every):
            overdue = (time.perf_counter() - self.probe._armed) * 1e3 - self.probe.interval
            if overdue < self.late_ms:
                continue
            frame = sys._current_frames().get(self.main_id)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-4:]
            key = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                              for f in reversed(stack))
            self.counts[key] += 1
            self.samples += 1

    def report(self, top: int = 8):
        print(f"\nGUI thread's Python stack while the probe was 30+ ms overdue "
              f"({self.samples} samples every {self.every * 1e3:.0f} ms; the innermost "
              f"frame first; 'exec' = inside Qt's C++ or waiting for the GIL):")
        for key, n in self.counts.most_common(top):
            print(f"  {n:4d}  {key}")


class Probe:
    """A 10 ms single-shot timer, re-armed on every firing; records the lateness."""

    def __init__(self, interval_ms: int):
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._fired)
        self.samples: list[tuple[float, float]] = []  # (perf_counter at firing, late ms)
        self._armed = 0.0

    def start(self):
        self._armed = time.perf_counter()
        self.timer.start(self.interval)

    def stop(self):
        self.timer.stop()

    def _fired(self):
        t = time.perf_counter()
        self.samples.append((t, (t - self._armed) * 1e3 - self.interval))
        self._armed = t
        self.timer.start(self.interval)

    def between(self, t0: float, t1: float) -> list[float]:
        return [late for t, late in self.samples if t0 <= t < t1]


def run_loop_until(app, pred, timeout_s: float, poll_ms: int = 20) -> bool:
    """Run a real event loop until ``pred()`` (checked every ``poll_ms``)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    ok = {"v": True}
    end = time.monotonic() + timeout_s

    def check():
        if pred():
            loop.quit()
        elif time.monotonic() > end:
            ok["v"] = False
            loop.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(poll_ms)
    QTimer.singleShot(0, check)
    loop.exec()
    poll.stop()
    return ok["v"]


def stats(lates: list[float], stall_ms: float) -> dict:
    s = C.summary(lates)
    s["stalls"] = sum(1 for v in lates if v > stall_ms)
    return s


def main(argv=None) -> int:
    args = parse_args(argv)
    C.private_env()
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.main_window import MainWindow

    app = make_application(["bench-responsiveness"])
    print(C.env_line(), flush=True)
    window = MainWindow(checkpoint=None)
    window.resize(1100, 720)
    window.show()
    if not run_loop_until(app, lambda: window.draw_tab.recognizer is not None
                          and not window._jobs, 60):
        sys.exit("the model did not load within 60 s")
    tab = window.train_tab
    window.tabs.setCurrentWidget(tab if args.tab == "train" else window.draw_tab)
    tab.data_dir_edit.setText(str(args.data_dir))
    tab.epochs_spin.setValue(args.epochs)
    tab.limit_spin.setValue(args.limit)
    run_loop_until(app, lambda: False, 0.3)  # settle: layout, repaint of the tab

    events = {"first_step": None, "epochs": [], "steps": 0}

    # These run in the worker thread (direct): they only note the time.
    def on_progress(p):
        if events["first_step"] is None:
            events["first_step"] = time.perf_counter()
        events["steps"] = p.global_step

    signals = C.train_signals(tab)
    signals.progress_reported.connect(on_progress)
    signals.epoch_finished.connect(lambda e: events["epochs"].append(time.perf_counter()))

    plot_paints: list[tuple[float, float]] = []  # (time, ms) of forced loss-plot repaints

    def time_plot_repaint():
        """Diagnose: one synchronous repaint of the loss plot (what each update costs)."""
        plot = tab.loss_plot._plot
        if plot is None or not plot.isVisible():
            return
        plot.scene().update()
        t = time.perf_counter()
        plot.viewport().repaint()
        plot_paints.append((t, (time.perf_counter() - t) * 1e3))

    repaint_timer = QTimer()
    repaint_timer.timeout.connect(time_plot_repaint)
    if args.diagnose and args.tab == "train":
        repaint_timer.start(250)

    probe = Probe(args.interval_ms)
    probe.start()
    watchdog = Watchdog(probe) if args.diagnose else None
    if watchdog:
        watchdog.start()
    run_loop_until(app, lambda: False, 0.5)  # probe running before the first click

    runs = []
    for rep in range(args.repeats):
        events.update(first_step=None, epochs=[], steps=0)
        started = {"ok": None, "t": None, "click": None}

        def click():
            started["click"] = time.perf_counter()
            QTest.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
            started["ok"] = tab.is_training()
            started["t"] = time.perf_counter()

        QTimer.singleShot(0, click)
        run_loop_until(app, lambda: started["ok"] is not None, 10)
        if not started["ok"]:
            sys.exit(f"training did not start: {tab.banner.label.text()}")
        if not run_loop_until(app, lambda: not tab.is_training(), 600):
            sys.exit("training did not finish within 600 s")
        t_click, t_end = started["click"], time.perf_counter()
        train_s = t_end - t_click
        first = events["first_step"] or t_end
        idle_s = min(train_s, args.max_idle_s)
        t_idle0 = time.perf_counter()
        run_loop_until(app, lambda: False, idle_s)
        t_idle1 = time.perf_counter()
        phases = {
            "reference: no training": probe.between(t_idle0, t_idle1),
            "training: whole run": probe.between(t_click, t_end),
            "  click -> first step": probe.between(t_click, first),
            "  first step -> end": probe.between(first, t_end),
            # Around each epoch end (evaluation, checkpoint save, table row): +-0.3 s.
            "  +-0.3 s around epoch ends": [
                late for t, late in probe.samples if t_click <= t < t_end
                and any(abs(t - te) <= 0.3 for te in events["epochs"])],
        }
        worst = sorted(((late, t) for t, late in probe.samples if t_click <= t < t_end),
                       reverse=True)[:3]
        run = {"train_s": train_s, "idle_s": t_idle1 - t_idle0, "steps": events["steps"],
               "epochs": len(events["epochs"]),
               "click_handler_ms": (started["t"] - t_click) * 1e3,
               "first_step_s": first - t_click,
               "worst_at": [(round(late, 1), round(t - t_click, 2)) for late, t in worst],
               "phases": {k: stats(v, args.stall_ms) for k, v in phases.items()}}
        if args.diagnose:
            run["plot_repaint_ms"] = {
                "training": C.summary(ms for t, ms in plot_paints if t_click <= t < t_end),
                "no training": C.summary(ms for t, ms in plot_paints if t_idle0 <= t < t_idle1)}
        runs.append(run)
        tr, rf = run["phases"]["training: whole run"], run["phases"]["reference: no training"]
        print(f"  run {rep + 1}: {run['steps']} steps, {run['epochs']} epochs, "
              f"{train_s:.1f} s (click handler {run['click_handler_ms']:.0f} ms, first step "
              f"after {run['first_step_s']:.2f} s); training p99 {tr['p99']:.1f} worst "
              f"{tr['max']:.1f} ms; no training p99 {rf['p99']:.1f} worst {rf['max']:.1f} ms; "
              f"worst at " + ", ".join(f"{la:.0f} ms @+{t:.2f} s"
                                       for la, t in run["worst_at"]), flush=True)
    probe.stop()
    repaint_timer.stop()

    names = list(runs[0]["phases"])
    res = {"args": {k: str(v) for k, v in vars(args).items()}, "env": C.env_line(),
           "runs": runs, "median": {}}
    rows = []
    ref_worst = C.median(r["phases"]["reference: no training"]["max"] for r in runs)
    for name in names:
        per = [r["phases"][name] for r in runs]
        med = {k: C.median(p[k] for p in per) for k in ("n", "p50", "p99", "max", "stalls")}
        med["max_of_runs"] = max(p["max"] for p in per)
        res["median"][name.strip()] = med
        rows.append([name, f"{med['n']:.0f}", C.fmt(med["p50"]), C.fmt(med["p99"]),
                     C.fmt(med["max"]), C.fmt(med["max_of_runs"]), f"{med['stalls']:g}",
                     C.fmt(med["max"] / ref_worst, ".1f") if ref_worst else "-"])
    print(f"\n{args.interval_ms} ms timer lateness, ms ({args.tab} tab on screen), median of "
          f"{args.repeats} runs (worst of all runs in 'worst all')")
    C.print_table(["", "firings", "p50", "p99", "worst", "worst all",
                   f">{args.stall_ms:g} ms", "worst x ref"], rows)
    w = res["median"]["training: whole run"]["max"]
    print(f"\ntarget: worst lateness while training < 50 ms: median worst {w:.1f} ms "
          f"{'met' if w < 50 else 'MISSED'} (no training: {ref_worst:.1f} ms)")
    if watchdog:
        watchdog.stop()
        watchdog.report()
        for i, run in enumerate(runs, 1):
            if "plot_repaint_ms" not in run:
                continue
            tr, idle = run["plot_repaint_ms"]["training"], run["plot_repaint_ms"]["no training"]
            print(f"one forced loss-plot repaint, run {i}: while training p50 "
                  f"{C.fmt(tr['p50'])} / max {C.fmt(tr['max'])} ms (n={tr['n']}); no training "
                  f"p50 {C.fmt(idle['p50'])} / max {C.fmt(idle['max'])} ms (n={idle['n']})")
    C.write_json(args.json, res)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
