"""Small helpers shared by the GUI benchmarks (bench_latency, bench_startup, ...).

Not a benchmark itself. Each benchmark script puts this folder on ``sys.path``
(Python does that for the script's own folder) and imports it as ``_common``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / "tests" / "data" / "mnist_subset"
DRAWN = ROOT / "tests" / "data" / "drawn_digits.json"
# The drawn-digit sets by name (tests/data/README.md); "holdout" never chooses anything.
DRAWN_SETS = {name: ROOT / "tests" / "data" / file for name, file in (
    ("neat", "drawn_digits.json"), ("hard", "drawn_digits_hard.json"),
    ("international", "drawn_digits_intl.json"), ("holdout", "drawn_digits_holdout.json"))}
# The full MNIST beside the work folder, and the two checkpoints the repository ships.
SHARED_MNIST = ROOT.parent / "shared" / "MNIST"
CHECKPOINTS = (ROOT / "checkpoints" / "lenet5_course.ckpt",
               ROOT / "checkpoints" / "lenet5_mnist.ckpt")


def ensure_root_on_path() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def private_env(prefix: str = "lenet-gui-bench-") -> str:
    """Offscreen Qt and private settings/data folders, as the tests use; returns the folder.

    Set before Qt or MindSpore is imported. Checkpoints that a training run
    writes land in this temporary folder, not in the user's data folder.
    """
    home = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("GLOG_v", "4")
    os.environ["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    os.environ["XDG_DATA_HOME"] = os.path.join(home, "data")
    os.environ.pop("LENET_GUI_DATA", None)
    return home


def child_env(home: str | None = None) -> dict:
    """The environment for a benchmark's subprocess: offscreen, private folders."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("GLOG_v", "4")
    if home is None:
        home = tempfile.mkdtemp(prefix="lenet-gui-bench-")
    env["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    env["XDG_DATA_HOME"] = os.path.join(home, "data")
    env.pop("LENET_GUI_DATA", None)
    pp = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + pp if pp else "")
    return env


def train_signals(tab):
    """The Train tab's TrainingSignals (``signals``; ``_signals`` before it was public)."""
    sig = getattr(tab, "signals", None)
    return sig if sig is not None else tab._signals


def loadavg() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def env_line() -> str:
    try:
        from PySide6 import __version__ as qt
    except ImportError:
        qt = "?"
    return (f"python {platform.python_version()}, PySide6 {qt}, {os.cpu_count()} CPUs, "
            f"load average {loadavg()}, QT_QPA_PLATFORM="
            f"{os.environ.get('QT_QPA_PLATFORM', '(unset)')}")


def pct(values, q: float) -> float:
    """The q-th percentile (0..100), linear interpolation; nan for no values."""
    v = sorted(values)
    if not v:
        return float("nan")
    if len(v) == 1:
        return float(v[0])
    k = (len(v) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return float(v[lo] + (v[hi] - v[lo]) * (k - lo))


def summary(values) -> dict:
    """n, p50, p95, p99, max and mean of a list of numbers."""
    values = list(values)
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95),
            "p99": pct(values, 99), "max": max(values) if values else float("nan"),
            "mean": statistics.fmean(values) if values else float("nan")}


def wait_until(app, cond, timeout_s: float, poll_s: float = 0.005) -> bool:
    """Run the Qt event loop until ``cond()`` holds (True) or ``timeout_s`` pass (False)."""
    import time

    from PySide6.QtCore import QEventLoop

    end = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > end:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(poll_s)
    return True


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def fmt(value, spec: str = ".2f") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return format(value, spec)


def print_table(header: list[str], rows: list[list], widths: list[int] | None = None) -> None:
    """A plain fixed-width table: the first column left-aligned, the rest right."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    if widths is None:
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for r in cells:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(r)))


def write_json(path: Path | None, data: dict) -> None:
    if path is None:
        return
    text = json.dumps(data, indent=1, default=str)
    if str(path) in ("-", "/dev/stdout"):
        print(text)
    else:
        Path(path).write_text(text + "\n")


def recipe_settings(pairs: list[str] | None) -> dict:
    """``["lr=0.003", "copies=16"]`` -> FinetuneConfig keyword arguments (``--set``), each
    value of its field's type, so a recipe variant is tried from the command line."""
    from dataclasses import fields

    from lenet_gui.core.finetune import FinetuneConfig

    types = {f.name: type(getattr(FinetuneConfig(), f.name)) for f in fields(FinetuneConfig)}
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or name not in types:
            raise SystemExit(f"--set {pair!r}: expected NAME=VALUE with NAME one of "
                             f"{', '.join(types)}")
        try:
            out[name] = types[name](value) if types[name] is not type(None) else int(value)
        except ValueError:
            raise SystemExit(f"--set {pair!r}: {value!r} is not a {types[name].__name__}")
    return out
