"""Start-up time of the desktop app: process start -> window shown -> first prediction possible.

Each run is a fresh subprocess started the way ``python -m lenet_gui`` starts
(offscreen, private settings, the shipped checkpoint): a tiny driver script
subclasses ``MainWindow`` only to timestamp, then runs the ``lenet_gui`` module
itself. Times are measured from the moment just before the parent spawns the
process (``time.time()`` passed in ``BENCH_SPAWN_T``), so they include the
interpreter's start. Marks, all from the spawn:

* python up: the driver's first line runs (interpreter + site start-up);
* window built: ``MainWindow.__init__`` entered (imports of PySide6 and the app done);
* show() returned: ``window.show()`` in ``run_app`` returned;
* first paint: the canvas gets its first paint event (the window is on screen);
* event loop: a 0 ms timer queued after ``show()`` fired;
* model loaded: ``MainWindow.model_loaded`` (MindSpore imported, checkpoint loaded,
  the single-image graph compiled in ``warm_up``): first prediction possible;
* first prediction: a stroke put on the canvas right then has produced
  ``prediction_changed`` (synchronously).

References, spawned the same way, interleaved with the app runs: ``python -c pass``,
a bare PySide6 window (``QApplication`` + a ``QMainWindow`` holding one label, timed to
the label's first paint: the floor any Qt for Python window has on this machine) and
``python -c "import mindspore"`` (the floor of the first prediction).

    python benchmarks/bench_startup.py              # 5 runs each, medians
    python benchmarks/bench_startup.py --runs 9 --json startup.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import _common as C

C.ensure_root_on_path()

DRIVER = r'''
import json, os, sys, time
T0 = float(os.environ["BENCH_SPAWN_T"])
marks = {"python_up": time.time() - T0}
def mark(name):
    marks.setdefault(name, time.time() - T0)

import lenet_gui.ui.app  # first, as `lenet-gui` imports it (cli -> run_app)
from PySide6.QtCore import QEvent, QObject, QTimer
import lenet_gui.ui.main_window as mw


class _Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "first_paint" not in marks:
            mark("first_paint")
            QTimer.singleShot(0, lambda: mark("first_paint_done"))
        return False

class _Window(mw.MainWindow):
    def __init__(self, *a, **k):
        mark("window_init")
        super().__init__(*a, **k)
        self._bench_probe = _Probe()
        self.draw_tab.canvas.installEventFilter(self._bench_probe)
        self.model_loaded.connect(self._bench_loaded)
        self.model_failed.connect(self._bench_failed)

    def show(self):
        super().show()
        mark("show_returned")
        QTimer.singleShot(0, lambda: mark("event_loop"))

    def _bench_loaded(self, _text):
        mark("model_loaded")
        from lenet_gui.core.strokes import Stroke
        self.draw_tab.prediction_changed.connect(lambda d, p: mark("first_prediction"))
        self.draw_tab.canvas.set_strokes([Stroke([(0.5, 0.15), (0.51, 0.5), (0.52, 0.85)])])
        self._bench_done()

    def _bench_failed(self, message):
        marks["error"] = message
        self._bench_done()

    def _bench_done(self):
        print("BENCH_MARKS " + json.dumps(marks), flush=True)
        QTimer.singleShot(0, self.close)

mw.MainWindow = _Window
sys.argv = ["lenet-gui"]
import runpy
try:
    runpy.run_module("lenet_gui", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
'''

REF_PASS = r'''
import os, time
print("BENCH_T", time.time() - float(os.environ["BENCH_SPAWN_T"]))
'''

REF_QT = r'''
import os, sys, time
T0 = float(os.environ["BENCH_SPAWN_T"])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class _Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("BENCH_T", time.time() - T0, flush=True)
            QTimer.singleShot(0, app.quit)
        return False


app = QApplication(["bare"])
window = QMainWindow()
label = QLabel("bare PySide6 window")
probe = _Probe()
label.installEventFilter(probe)
window.setCentralWidget(label)
window.resize(900, 640)
window.show()
app.exec()
'''

REF_MINDSPORE = r'''
import os, time
import mindspore
print("BENCH_T", time.time() - float(os.environ["BENCH_SPAWN_T"]))
'''

APP_MARKS = [("python_up", "python up (driver's first line)"),
             ("window_init", "window built (imports done)"),
             ("show_returned", "window.show() returned"),
             ("first_paint", "first paint of the canvas starts"),
             ("first_paint_done", "first paint done (next loop turn)"),
             ("event_loop", "event loop turned after show()"),
             ("model_loaded", "model_loaded: first prediction possible"),
             ("first_prediction", "first prediction_changed")]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="runs of each (default 5; median)")
    p.add_argument("--warmup", type=int, default=1,
                   help="untimed rounds first, to warm the disk cache (default 1)")
    p.add_argument("--timeout", type=float, default=120.0, help="per run, seconds")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


def spawn(code: str, env: dict, timeout: float) -> tuple[float, str, str]:
    """Run ``python -c code``; returns (wall seconds to exit, stdout, stderr)."""
    env = dict(env)
    t = time.time()
    env["BENCH_SPAWN_T"] = repr(t)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=timeout, cwd=str(C.ROOT), check=False)
    wall = time.time() - t
    if out.returncode != 0:
        raise RuntimeError(f"exit {out.returncode}: {out.stderr[-1500:]}")
    return wall, out.stdout, out.stderr


def run_ref(code, env, timeout):
    wall, stdout, _ = spawn(code, env, timeout)
    line = [ln for ln in stdout.splitlines() if ln.startswith("BENCH_T")][-1]
    return float(line.split()[1]), wall


def run_app(env, timeout):
    wall, stdout, stderr = spawn(DRIVER, env, timeout)
    lines = [ln for ln in stdout.splitlines() if ln.startswith("BENCH_MARKS ")]
    if not lines:
        raise RuntimeError(f"no marks; stderr: {stderr[-1500:]}")
    marks = json.loads(lines[-1][len("BENCH_MARKS "):])
    if "error" in marks:
        raise RuntimeError(f"model failed to load: {marks['error']}")
    marks["exit"] = wall
    return marks


def main(argv=None) -> int:
    args = parse_args(argv)
    # An installed app starts from bytecode (pip writes it); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 (as this machine's shell is) would compile every
    # lenet_gui module at each start, ~0.15 s.
    import compileall

    compileall.compile_dir(str(C.ROOT / "lenet_gui"), quiet=1)
    env = C.child_env()
    os.environ.setdefault("QT_QPA_PLATFORM", env["QT_QPA_PLATFORM"])
    print(C.env_line(), flush=True)
    print(f"{args.runs} runs each (+{args.warmup} warm-up), interleaved: python -c pass, "
          f"a bare PySide6 window, python -c 'import mindspore', the app", flush=True)
    ref_pass, ref_qt, ref_ms, apps = [], [], [], []
    for i in range(args.warmup + args.runs):
        p = run_ref(REF_PASS, env, args.timeout)
        q = run_ref(REF_QT, env, args.timeout)
        m = run_ref(REF_MINDSPORE, env, args.timeout)
        a = run_app(env, args.timeout)
        if i >= args.warmup:
            ref_pass.append(p[0])
            ref_qt.append(q[0])
            ref_ms.append(m[0])
            apps.append(a)
            print(f"  run {i - args.warmup + 1}: pass {p[0]:.3f} s, bare Qt window "
                  f"{q[0]:.3f} s, import mindspore {m[0]:.3f} s, app shown {a['first_paint']:.3f} s, model loaded "
                  f"{a['model_loaded']:.3f} s  (load {C.loadavg()})", flush=True)

    pass_med, qt_med, ms_med = C.median(ref_pass), C.median(ref_qt), C.median(ref_ms)

    def row(label: str, vals: list[float], med: float) -> list[str]:
        return [label, C.fmt(med, ".3f"), C.fmt(min(vals), ".3f"), C.fmt(max(vals), ".3f"),
                C.fmt(med / pass_med, ".1f"), C.fmt(med / qt_med, ".2f"),
                C.fmt(med / ms_med, ".2f")]

    rows = [row("python -c pass", ref_pass, pass_med),
            row("bare PySide6 window: first paint", ref_qt, qt_med),
            row('python -c "import mindspore"', ref_ms, ms_med)]
    res = {"args": {k: str(v) for k, v in vars(args).items()}, "env": C.env_line(),
           "ref_python_pass_s": ref_pass, "ref_bare_qt_window_s": ref_qt,
           "ref_import_mindspore_s": ref_ms, "app": apps,
           "median": {"python_pass": pass_med, "bare_qt_window": qt_med,
                      "import_mindspore": ms_med}}
    for key, label in APP_MARKS + [("exit", "process exited (closed at once)")]:
        vals = [a[key] for a in apps if key in a]
        med = C.median(vals)
        res["median"][key] = med
        rows.append(row(f"app: {label}", vals, med))
    print(f"\nseconds from spawn, median of {args.runs}")
    C.print_table(["", "median", "min", "max", "x pass", "x bare Qt", "x import ms"], rows)
    shown = res["median"]["first_paint"]
    loaded = res["median"]["model_loaded"]
    print(f"\ntargets: window shown (first paint) < 0.4 s: {shown:.3f} s "
          f"{'met' if shown < 0.4 else 'MISSED'}; first prediction possible < 2.0 s: "
          f"{loaded:.3f} s {'met' if loaded < 2.0 else 'MISSED'}")
    print(f"the app's own cost: window shown - bare Qt window = {shown - qt_med:.3f} s; "
          f"first prediction possible - import mindspore = {loaded - ms_med:.3f} s")
    print(f"model loaded - window shown = {loaded - shown:.3f} s; import mindspore alone "
          f"- python -c pass = {ms_med - pass_med:.3f} s")
    C.write_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
