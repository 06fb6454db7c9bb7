"""Network view update time (issue 13): ``show_input`` for drawn digits, offscreen.

200 drawings of tests/data/drawn_digits.json, rendered and preprocessed as the canvas
does (``evaluation.drawings_to_inputs``), shown one after another in a visible
Network view at 1100x650 with the shipped checkpoint. Reports p50/p95 of

* ``show_input``: MindSpore forward with every intermediate + all ImageItems and bars;
* ``show_input`` + a synchronous repaint of the scene (what the user waits for);
* the forward alone (``activations.activations_of``).

    python benchmarks/bench_network_view.py [--n 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import _common

_common.ensure_root_on_path()
_common.private_env()


def _stats(ms: list[float]) -> dict:
    q = statistics.quantiles(ms, n=100)
    return {"p50": statistics.median(ms), "p95": q[94], "max": max(ms), "n": len(ms)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--checkpoint", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from lenet_gui.core.activations import activations_of
    from lenet_gui.core.config import shipped_checkpoint
    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.strokes import load_drawings
    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.network_view import NetworkView

    app = make_application()
    drawings = load_drawings(_common.DRAWN)[:args.n]
    inputs = drawings_to_inputs(drawings)
    rec = Recognizer(args.checkpoint or shipped_checkpoint())
    view = NetworkView()
    view.resize(1100, 650)
    view.set_recognizer(rec)
    view.show()
    t0 = time.perf_counter()
    while view.filters is None and time.perf_counter() - t0 < 60:  # built, compiled
        app.processEvents()
        time.sleep(0.005)
    first_ms = (time.perf_counter() - t0) * 1000
    for x in inputs[:10]:  # warm up
        view.show_input(x)
        app.processEvents()

    update, painted, forward = [], [], []
    for x in inputs:
        t = time.perf_counter()
        view.show_input(x)
        t1 = time.perf_counter()
        view.graphics.viewport().repaint()
        t2 = time.perf_counter()
        update.append((t1 - t) * 1000)
        painted.append((t2 - t) * 1000)
        app.processEvents()
    for x in inputs:
        t = time.perf_counter()
        activations_of(rec, x)
        forward.append((time.perf_counter() - t) * 1000)
    assert view.computed >= len(inputs)

    out = {"first_show_ms": first_ms, "show_input": _stats(update),
           "show_input_and_repaint": _stats(painted), "forward": _stats(forward)}
    print(f"first show (pyqtgraph import, compile, calibration): {first_ms:.0f} ms")
    for name in ("show_input", "show_input_and_repaint", "forward"):
        s = out[name]
        print(f"{name:>23}: p50 {s['p50']:5.2f} ms  p95 {s['p95']:5.2f} ms  max "
              f"{s['max']:6.2f} ms  ({s['n']} updates)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
