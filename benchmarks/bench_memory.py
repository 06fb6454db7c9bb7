"""Peak memory (RSS) of the app idle, the app training, and ``lenet-gui predict`` on 1,000 PNGs.

Every case runs in a fresh subprocess (offscreen, private settings and data
folders). Three peak figures per run:

* VmHWM: the child's own peak resident set size, read from /proc/self/status
  at its exit (it starts afresh at exec): the figure reported;
* ``ru_maxrss`` of that child (``os.wait4``): the kernel's peak, but on Linux it
  also counts the pre-exec copy of the parent (this script's RSS at fork, ~20-60
  MB), so it is never below that; shown as a cross-check;
* sampled: the highest RSS seen by polling the child with psutil every 20 ms
  (misses short peaks and very short processes).

Cases:

* reference: ``python -c pass`` and ``python -c "import mindspore"``;
* app idle: the window shown, the model loaded (``model_loaded``), then
  ``--idle-s`` seconds (default 3) of the event loop, then closed;
* app training: the same window; the Train tab trains (its Start button's handler)
  in its training process on the test subset (2,000 images) and, when the full
  MNIST is found (``--full-mnist``, default ../shared/MNIST), on all 60,000 images
  (what a user trains on); stopped with the Stop button after ``--steps`` steps
  (default 300; Stop evaluates the test set and saves the checkpoint). The
  training process reports its own VmHWM; the figure for the target is the
  window's plus the child's, each at its peak (an upper bound on the two together);
* predict: ``python -m lenet_gui predict --json`` on 1,000 PNG files written
  from the first 1,000 training images of the subset (28x28 greyscale).

    python benchmarks/bench_memory.py                 # 2 runs of each, median and max
    python benchmarks/bench_memory.py --runs 3 --json memory.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common as C

C.ensure_root_on_path()

MB = 1e6  # figures in MB (10^6 bytes), as the targets are given

# Prepended to every child: at exit, print the process's own peak RSS (VmHWM, which
# starts afresh at exec, unlike ru_maxrss) to stderr.
HWM = r'''
import atexit as _atexit, sys as _sys
def _bench_hwm():
    with open("/proc/self/status") as f:
        kb = next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))
    _sys.stderr.write(f"\nBENCH_HWM_KB {kb}\n")
    _sys.stderr.flush()
_atexit.register(_bench_hwm)
'''

PREDICT = r'''
import runpy, sys
sys.argv = ["lenet-gui"] + sys.argv[1:]
runpy.run_module("lenet_gui", run_name="__main__", alter_sys=True)
'''

DRIVER = r'''
import json, os, resource, sys, time
from PySide6.QtCore import QTimer
import lenet_gui.ui.main_window as mw

MODE = os.environ["BENCH_MODE"]
info = {}

def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6

class _Window(mw.MainWindow):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.model_loaded.connect(self._bench_loaded)
        self.model_failed.connect(lambda m: self._bench_done(error=m))
        self._bench_stopping = False

    def _bench_loaded(self, _text):
        info["rss_model_loaded_mb"] = maxrss_mb()
        if MODE == "idle":
            QTimer.singleShot(int(float(os.environ["BENCH_IDLE_S"]) * 1000), self._bench_done)
            return
        tab = self.train_tab
        tab.data_dir_edit.setText(os.environ["BENCH_DATA"])
        tab.limit_spin.setValue(int(os.environ["BENCH_LIMIT"]))
        tab.epochs_spin.setValue(int(os.environ["BENCH_EPOCHS"]))
        signals = getattr(tab, "signals", None)
        signals = signals if signals is not None else tab._signals  # before it was public
        signals.progress_reported.connect(self._bench_progress)
        tab.training_state_changed.connect(self._bench_state)
        if not tab.start():
            self._bench_done(error=tab.banner.label.text())

    def _bench_progress(self, p):
        info["steps"] = p.global_step
        if p.global_step >= int(os.environ["BENCH_STEPS"]) and not self._bench_stopping:
            self._bench_stopping = True
            info["rss_at_stop_mb"] = maxrss_mb()
            self.train_tab.stop()

    def _bench_state(self, running):
        if not running:
            self._bench_done()

    def _bench_done(self, error=None):
        if error:
            info["error"] = error
        result = getattr(self.train_tab, "_last_result", None)
        if getattr(result, "peak_memory_mb", None):  # the training process's VmHWM, MiB
            info["child_hwm_mb"] = result.peak_memory_mb * 1024 * 1024 / 1e6
        info["rss_done_mb"] = maxrss_mb()
        print("BENCH_INFO " + json.dumps(info), flush=True)
        QTimer.singleShot(0, self.close)

mw.MainWindow = _Window
sys.argv = ["lenet-gui"]
import runpy
try:
    runpy.run_module("lenet_gui", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
'''


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=2, help="runs of each case (default 2)")
    p.add_argument("--idle-s", type=float, default=3.0, help="idle app: seconds after load")
    p.add_argument("--steps", type=int, default=300,
                   help="training: stop after this many steps (default 300)")
    p.add_argument("--full-mnist", type=Path, default=C.ROOT.parent / "shared" / "MNIST",
                   help="full MNIST folder for the second training case (skipped if absent)")
    p.add_argument("--images", type=int, default=1000, help="PNG files to predict (default 1000)")
    p.add_argument("--timeout", type=float, default=300.0, help="per run, seconds")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


def measure(cmd: list[str], env: dict, timeout: float) -> dict:
    """Run ``cmd``; its exit status, stdout, ru_maxrss and psutil-sampled peak RSS."""
    import psutil

    out_f = tempfile.TemporaryFile(mode="w+")
    err_f = tempfile.TemporaryFile(mode="w+")
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=out_f, stderr=err_f, cwd=str(C.ROOT))
    peak = {"rss": 0}
    done = threading.Event()

    def sample():
        try:
            ps = psutil.Process(proc.pid)
            while not done.is_set():
                peak["rss"] = max(peak["rss"], ps.memory_info().rss)
                done.wait(0.02)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    stderr = err_f.read()
    hwm = [ln for ln in stderr.splitlines() if ln.startswith("BENCH_HWM_KB ")]
    return {"rc": proc.returncode, "stdout": out_f.read(), "stderr": stderr,
            "wall_s": time.perf_counter() - t,
            "hwm_mb": int(hwm[-1].split()[1]) * 1024 / MB if hwm else float("nan"),
            # Linux: kilobytes; counts the parent's RSS at fork too (see the docstring)
            "maxrss_mb": usage.ru_maxrss * 1024 / MB,
            "sampled_mb": peak["rss"] / MB}


WRITE_PNGS = r'''
import sys
from pathlib import Path
from PIL import Image
from lenet_gui.core.data import load_split
folder, n, subset = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
split = load_split(subset, "train")
if n > len(split):
    raise SystemExit(f"the subset has only {len(split)} images; use --images <= {len(split)}")
for i in range(n):
    Image.fromarray(split.images[i]).save(folder / f"digit_{i:04d}_label{int(split.labels[i])}.png")
'''


def write_pngs(folder: Path, n: int, env: dict) -> list[Path]:
    """In a subprocess, so that this process stays small (see ru_maxrss above)."""
    subprocess.run([sys.executable, "-c", WRITE_PNGS, str(folder), str(n), str(C.SUBSET)],
                   env=env, check=True)
    return sorted(folder.glob("digit_*.png"))


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("psutil is needed (pip install -e '.[bench]')")
        return 0
    home = tempfile.mkdtemp(prefix="lenet-gui-bench-")
    env = C.child_env(home)
    os.environ.setdefault("QT_QPA_PLATFORM", env["QT_QPA_PLATFORM"])
    print(C.env_line(), flush=True)
    png_dir = Path(home) / "pngs"
    png_dir.mkdir()
    pngs = write_pngs(png_dir, args.images, env)
    py = sys.executable

    def app_env(mode, **kw):
        e = dict(env, BENCH_MODE=mode, BENCH_IDLE_S=str(args.idle_s),
                 BENCH_STEPS=str(args.steps))
        e.update({k: str(v) for k, v in kw.items()})
        return e

    cases = [
        ("ref: python -c pass", [py, "-c", HWM + "pass"], env, None),
        ('ref: python -c "import mindspore"', [py, "-c", HWM + "import mindspore"], env, None),
        (f"app idle ({args.idle_s:g} s after model_loaded)", [py, "-c", HWM + DRIVER],
         app_env("idle"), "idle"),
        # limit 2000 = the whole subset; epochs so that --steps is reached.
        (f"app training, subset 2,000 images, {args.steps} steps",
         [py, "-c", HWM + DRIVER], app_env("train", BENCH_DATA=C.SUBSET, BENCH_LIMIT=2000,
                                     BENCH_EPOCHS=args.steps // 62 + 2), "train"),
    ]
    if (args.full_mnist / "train").is_dir():
        full = app_env("train", BENCH_DATA=args.full_mnist.resolve(), BENCH_LIMIT=0,
                       BENCH_EPOCHS=1)
        cases.append((f"app training, full MNIST 60,000 images, {args.steps} steps",
                      [py, "-c", HWM + DRIVER], full, "train"))
    else:
        print(f"(no full MNIST at {args.full_mnist}: that training case is skipped)")
    cases.append((f"predict --json, {len(pngs):,} PNG files",
                   [py, "-c", HWM + PREDICT, "predict", "--json", *map(str, pngs)], env,
                   "predict"))

    results = {name: [] for name, *_ in cases}
    for run in range(args.runs):
        for name, cmd, cenv, kind in cases:
            r = measure(cmd, cenv, args.timeout)
            if r["rc"] != 0:
                raise SystemExit(f"{name}: exit {r['rc']}\n{r['stderr'][-2000:]}")
            if kind in ("idle", "train"):
                lines = [ln for ln in r["stdout"].splitlines() if ln.startswith("BENCH_INFO ")]
                if not lines:
                    raise SystemExit(f"{name}: no result\n{r['stderr'][-2000:]}")
                r["info"] = json.loads(lines[-1][len("BENCH_INFO "):])
                if "error" in r["info"]:
                    raise SystemExit(f"{name}: {r['info']['error']}")
            if kind == "predict":
                answers = [json.loads(ln) for ln in r["stdout"].splitlines() if ln.startswith("{")]
                r["info"] = {"answers": len(answers),
                             "errors": sum(1 for a in answers if "error" in a)}
            del r["stdout"], r["stderr"]
            if kind == "train":
                # The window and its training process, each at its own peak: an upper
                # bound on the two together.
                r["together_mb"] = r["hwm_mb"] + r["info"].get("child_hwm_mb", float("nan"))
            results[name].append(r)
            extra = ""
            if "info" in r:
                extra = ", ".join(f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}"
                                  for k, v in r["info"].items())
            print(f"  run {run + 1}: {name}: VmHWM {r['hwm_mb']:.0f} MB, ru_maxrss "
                  f"{r['maxrss_mb']:.0f} MB, sampled "
                  f"{r['sampled_mb']:.0f} MB, {r['wall_s']:.1f} s" + (f" ({extra})" if extra
                                                                      else ""), flush=True)

    ref = C.median(r["hwm_mb"] for r in results['ref: python -c "import mindspore"'])
    rows = []
    summary = {}
    for name, runs in results.items():
        med = C.median(r["hwm_mb"] for r in runs)
        summary[name] = {"hwm_mb_median": med, "hwm_mb_max": max(r["hwm_mb"] for r in runs),
                         "maxrss_mb_median": C.median(r["maxrss_mb"] for r in runs),
                         "sampled_mb_median": C.median(r["sampled_mb"] for r in runs),
                         "wall_s_median": C.median(r["wall_s"] for r in runs)}
        rows.append([name, f"{med:.0f}", f"{summary[name]['hwm_mb_max']:.0f}",
                     f"{summary[name]['maxrss_mb_median']:.0f}",
                     f"{summary[name]['sampled_mb_median']:.0f}",
                     f"{summary[name]['wall_s_median']:.1f}", C.fmt(med / ref, ".2f")])
    print(f"\npeak RSS in MB (10^6 bytes), {args.runs} runs each")
    C.print_table(["", "VmHWM p50", "max", "ru_maxrss", "sampled", "wall s",
                   "x import ms"], rows)
    idle = next(v for k, v in summary.items() if k.startswith("app idle"))["hwm_mb_median"]
    together = {k: C.median(r["together_mb"] for r in runs) for k, runs in results.items()
                if k.startswith("app training")}
    for k, v in together.items():
        summary[k]["together_mb_median"] = v
        print(f"{k}: window + training process (each at its peak) {v:.0f} MB")
    train = max(together.values())
    print(f"\ntargets: idle app < 600 MB: {idle:.0f} MB {'met' if idle < 600 else 'MISSED'}; "
          f"window + training process < 1600 MB: {train:.0f} MB (largest case) "
          f"{'met' if train < 1600 else 'MISSED'}")
    C.write_json(args.json, {"args": {k: str(v) for k, v in vars(args).items()},
                             "env": C.env_line(), "runs": results, "summary": summary})
    return 0


if __name__ == "__main__":
    sys.exit(main())
