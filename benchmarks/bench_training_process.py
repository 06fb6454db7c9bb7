"""The Train tab's training process: Start -> first loss point, Stop -> child exited,
epoch time through the child against ``lenet-gui train`` run directly.

The real MainWindow (offscreen, Train tab shown) trains the course recipe on
``--data-dir`` (default ../shared/MNIST when present, else the test subset):

1. start/stop, ``--repeats`` times each way: Start is clicked from inside the
   event loop; timed to the first point on the loss plot (the child started or
   the standby process took the job, MindSpore imported, data read, the step
   compiled and run, its report relayed); after ``--steps`` steps Stop is clicked;
   timed to the child's exit (it finishes its step, evaluates the test set,
   saves, and exits) and to the tab being idle. "standby": ``--settle-s`` after
   the tab shows (or the last run), so the standby process waits, as when a user
   looks at the tab before pressing Start; "cold": the standby closed first, a
   fresh process;
2. epoch time: one epoch of ``--epoch-limit`` images (default: all) in the Train
   tab (the child's own epoch time, from its epoch report) and by
   ``python -m lenet_gui train`` run directly (its "epoch 1: ... [N s]" line),
   alternated ``--epoch-repeats`` times; meanwhile the window waits for events as
   it does for a user (``--busy-wait``: polled every 1 ms, which on 2 cores
   takes CPU from the child);
3. reference: ``python -c "import mindspore"`` in a fresh process, the floor
   under any training process's start.

    python benchmarks/bench_training_process.py
    python benchmarks/bench_training_process.py --data-dir tests/data/mnist_subset --epoch-limit 0
    python benchmarks/bench_training_process.py --json process.json
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import _common as C

C.ensure_root_on_path()

FULL = C.ROOT.parent / "shared" / "MNIST"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=FULL if FULL.is_dir() else C.SUBSET)
    p.add_argument("--repeats", type=int, default=3, help="start/stop runs (default 3)")
    p.add_argument("--steps", type=int, default=50, help="steps before Stop (default 50)")
    p.add_argument("--settle-s", type=float, default=6.0,
                   help="wait before a standby Start (default 6 s)")
    p.add_argument("--epoch-limit", type=int, default=0,
                   help="images in the epoch-time runs (default 0 = all)")
    p.add_argument("--epoch-repeats", type=int, default=2,
                   help="epoch-time runs of each kind (default 2)")
    p.add_argument("--busy-wait", action="store_true",
                   help="epoch runs: poll the window every 1 ms, as the Start/Stop timing "
                        "does (before 2026-12-02 the epoch runs did too); default: the "
                        "window waits for events, as it does for a user")
    p.add_argument("--json", type=Path, default=None)
    return p.parse_args(argv)


def wait_until(app, cond, timeout_s: float) -> bool:
    """``_common.wait_until`` polling every 1 ms: Start and Stop are timed with it."""
    return C.wait_until(app, cond, timeout_s, poll_s=0.001)


def wait_idle(app, cond, timeout_s: float, check_ms: int = 100) -> bool:
    """Run the event loop until ``cond()`` holds, checking every ``check_ms``: the
    window then waits for events as it does for a user. A 1 ms poll
    (``wait_until``) keeps the window's thread busy, and on 2 cores it took about
    a tenth of the training process's epoch."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    end = time.monotonic() + timeout_s
    timer = QTimer()
    timer.setInterval(check_ms)
    timer.timeout.connect(lambda: (cond() or time.monotonic() > end) and loop.quit())
    timer.start()
    if not cond():
        loop.exec()
    timer.stop()
    return bool(cond())


def import_reference(env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import mindspore"], env=env, check=True)
    return time.perf_counter() - t0


def direct_epoch(args, env: dict, out: Path) -> float:
    cmd = [sys.executable, "-m", "lenet_gui", "train", "--data-dir", str(args.data_dir),
           "--epochs", "1", "--out", str(out), "--quiet"]
    if args.epoch_limit:
        cmd += ["--limit", str(args.epoch_limit)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=C.ROOT)
    m = re.search(r"^epoch 1: .*\[([\d.]+) s\]$", proc.stdout, re.M)
    if proc.returncode or not m:
        sys.exit(f"direct training failed: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    return float(m.group(1))


def main(argv=None) -> int:
    args = parse_args(argv)
    home = C.private_env("lenet-gui-bench-process-")
    env = C.child_env(home)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from lenet_gui.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1100, 720)
    window.show()
    window.tabs.setCurrentWidget(window.train_tab)
    if not wait_until(app, lambda: window.draw_tab.recognizer is not None, 60):
        sys.exit("the model did not load")
    tab = window.train_tab
    signals = C.train_signals(tab)
    tab.data_dir_edit.setText(str(args.data_dir))
    print(f"{C.env_line()}\ndata: {args.data_dir}", flush=True)
    results: dict = {"env": C.env_line(), "data_dir": str(args.data_dir), "runs": []}

    state: dict = {}
    signals.progress_reported.connect(lambda p: state.__setitem__("step", p.global_step))
    signals.epoch_finished.connect(lambda e: state.setdefault("epochs", []).append(e))
    for run in range(2 * args.repeats):
        kind = "standby" if run % 2 == 0 else "cold"
        state.clear()
        state["step"] = 0
        tab.epochs_spin.setValue(20)
        tab.limit_spin.setValue(0)
        if kind == "standby":
            t_end = time.perf_counter() + args.settle_s
            wait_until(app, lambda: time.perf_counter() > t_end, args.settle_s + 1)
        else:
            tab.standby.close()
        had_standby = tab.standby_pid() is not None
        clicked = {}

        def click():
            clicked["t"] = time.perf_counter()
            tab.start_button.click()

        QTimer.singleShot(0, click)
        # The click runs from the event loop; until then the plot shows the last run.
        if not wait_until(app, lambda: "t" in clicked and tab.loss_plot.point_count >= 1,
                          60):
            sys.exit(f"no loss point within 60 s: {tab.banner.label.text()}")
        first = time.perf_counter() - clicked["t"]
        wait_until(app, lambda: state["step"] >= args.steps, 120)
        child = tab._child
        t_stop = time.perf_counter()
        tab.stop_button.click()
        wait_until(app, lambda: child.proc.poll() is not None, 30)
        exited = time.perf_counter() - t_stop
        wait_until(app, lambda: not tab.is_training(), 30)
        idle = time.perf_counter() - t_stop
        peak = tab._last_result.peak_memory_mb if tab._last_result else None
        results["runs"].append({"kind": kind, "standby_waiting": had_standby,
                                "first_loss_s": first, "stop_exit_s": exited,
                                "stop_idle_s": idle, "child_peak_mb": peak})
        print(f"  run {run + 1} ({kind}{'' if had_standby == (kind == 'standby') else '?'}): "
              f"Start -> first loss point {first:.2f} s; Stop -> child exited {exited:.2f} s,"
              f" tab idle {idle:.2f} s; child peak {C.fmt(peak, '.0f')} MB", flush=True)

    child_epochs, direct_epochs = [], []
    for run in range(args.epoch_repeats):
        state.clear()
        state["step"] = 0
        tab.epochs_spin.setValue(1)
        tab.limit_spin.setValue(args.epoch_limit)
        tab.start()
        waiter = wait_until if args.busy_wait else wait_idle
        if not waiter(app, lambda: not tab.is_training(), 900):
            sys.exit("the epoch run did not end in 900 s")
        if not state.get("epochs"):
            sys.exit(f"no epoch result: {tab.banner.label.text()}")
        child_epochs.append(state["epochs"][0].elapsed_s)
        direct_epochs.append(direct_epoch(args, env, Path(home) / f"direct{run}.ckpt"))
        print(f"  epoch run {run + 1}: through the child {child_epochs[-1]:.1f} s, "
              f"direct {direct_epochs[-1]:.1f} s", flush=True)
    window.close()
    reference = C.median([import_reference(env) for _ in range(3)])

    runs = results["runs"]
    first = C.median([r["first_loss_s"] for r in runs if r["kind"] == "standby"])
    cold = C.median([r["first_loss_s"] for r in runs if r["kind"] == "cold"])
    exit_s = C.median([r["stop_exit_s"] for r in runs])
    idle_s = C.median([r["stop_idle_s"] for r in runs])
    child = C.median(child_epochs)
    direct = C.median(direct_epochs)
    results.update({"first_loss_s": first, "first_loss_cold_s": cold, "stop_exit_s": exit_s, "stop_idle_s": idle_s,
                    "child_epoch_s": child, "direct_epoch_s": direct,
                    "import_mindspore_s": reference})
    print(f"\nmedians: Start -> first loss point {first:.2f} s with the standby process, "
          f"{cold:.2f} s cold ({cold / reference:.2f}x 'import mindspore', "
          f"{reference:.2f} s); Stop -> child exited {exit_s:.2f} s "
          f"(tab idle {idle_s:.2f} s); epoch through the child {child:.1f} s vs direct "
          f"{direct:.1f} s ({(child / direct - 1) * 100:+.1f}%)")
    print(f"targets: first loss < 3 s: {'met' if first < 3 else 'MISSED'} (cold: "
          f"{'met' if cold < 3 else 'MISSED'}); child exited "
          f"< 2 s: {'met' if exit_s < 2 else 'MISSED'}; epoch within 10% of direct: "
          f"{'met' if child <= 1.1 * direct else 'MISSED'}")
    C.write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
