"""Stroke rendering speed: ``render_strokes`` against the plain renderer it replaced.

Renders 100 drawings of 100-200 points (from tests/data/drawn_digits*.json, picked
evenly among those with that many points) at the canvas size, with the library's
renderer and with the reference (the renderer before it was made fast, kept in
tests/core/test_strokes.py as ``_render_strokes_reference``), interleaved drawing by
drawing in the same process so that a busy machine slows both alike. Reports median
and p95 ms per drawing, the ratio, and the largest pixel difference between the two.
Also one long stroke (a 2,000-point spiral): time and traced peak memory.

    python benchmarks/bench_strokes.py                 # 100 drawings, ~30 s
    python benchmarks/bench_strokes.py --drawings 300 --repeats 9 --json strokes.json
    python benchmarks/bench_strokes.py --no-reference  # the new renderer only, seconds
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc

import numpy as np

import _common as C

C.ensure_root_on_path()

from lenet_gui.core.strokes import CANVAS_SIZE, Stroke, load_drawings, render_strokes  # noqa: E402

SETS = [C.ROOT / "tests" / "data" / "drawn_digits.json",
        C.ROOT / "tests" / "data" / "drawn_digits_hard.json"]
TARGET_MS = 5.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--drawings", type=int, default=100, help="drawings to render (default 100)")
    p.add_argument("--min-points", type=int, default=100)
    p.add_argument("--max-points", type=int, default=200)
    p.add_argument("--size", type=int, default=CANVAS_SIZE, help="image side (default 280)")
    p.add_argument("--repeats", type=int, default=5,
                   help="calls of the new renderer per drawing; its median counts (default 5)")
    p.add_argument("--long-points", type=int, default=2000, help="points of the long stroke")
    p.add_argument("--no-reference", action="store_true", help="skip the old renderer")
    p.add_argument("--json", type=str, default=None, help="also write the results here")
    return p.parse_args(argv)


def pick_drawings(n: int, lo: int, hi: int):
    drawings = [d for path in SETS for d in load_drawings(path)]
    eligible = [d for d in drawings if lo <= sum(len(s.points) for s in d.strokes) <= hi]
    if len(eligible) < n:
        raise SystemExit(f"only {len(eligible)} drawings have {lo}-{hi} points")
    return [eligible[i] for i in np.linspace(0, len(eligible) - 1, n).round().astype(int)]


def spiral(n: int) -> list[Stroke]:
    th = np.linspace(0.0, 12 * np.pi, n)
    r = 0.4 * th / th[-1]
    return [Stroke(list(zip(0.5 + r * np.cos(th), 0.5 + r * np.sin(th))))]


def timed(fn, *args, **kw) -> tuple[float, np.ndarray]:
    t = time.perf_counter()
    out = fn(*args, **kw)
    return (time.perf_counter() - t) * 1e3, out


def main(argv=None) -> int:
    args = parse_args(argv)
    reference = None
    if not args.no_reference:
        from tests.core.test_strokes import _render_strokes_reference as reference
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {C.loadavg()}", flush=True)
    drawings = pick_drawings(args.drawings, args.min_points, args.max_points)
    points = [sum(len(s.points) for s in d.strokes) for d in drawings]
    print(f"{len(drawings)} drawings, {min(points)}-{max(points)} points (median "
          f"{int(np.median(points))}), {args.size} px", flush=True)

    for d in drawings[:3]:  # warm-up: imports, caches, scratch buffers
        render_strokes(d.strokes, size=args.size)
        if reference:
            reference(d.strokes, size=args.size)
    new_ms, old_ms, diffs = [], [], []
    for d in drawings:
        if reference:
            ms, old = timed(reference, d.strokes, size=args.size)
            old_ms.append(ms)
        runs = [timed(render_strokes, d.strokes, size=args.size) for _ in range(args.repeats)]
        new_ms.append(C.median(ms for ms, _ in runs))
        if reference:
            diffs.append(float(np.abs(runs[0][1] - old).max()))

    long = spiral(args.long_points)
    long_new = C.median(timed(render_strokes, long, size=args.size)[0] for _ in range(5))
    tracemalloc.start()
    render_strokes(long, size=args.size)
    long_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    long_old = long_diff = None
    if reference:
        long_old, old = timed(reference, long, size=args.size)
        long_diff = float(np.abs(render_strokes(long, size=args.size) - old).max())

    new, old = C.summary(new_ms), C.summary(old_ms)
    rows = [["render_strokes (new)", C.fmt(new["p50"]), C.fmt(new["p95"]), C.fmt(new["max"]),
             C.fmt(long_new, ".1f")]]
    if reference:
        rows.append(["reference (old)", C.fmt(old["p50"], ".1f"), C.fmt(old["p95"], ".1f"),
                     C.fmt(old["max"], ".1f"), C.fmt(long_old, ".0f")])
        rows.append(["ratio old / new", C.fmt(old["p50"] / new["p50"], ".0f") + "x",
                     C.fmt(old["p95"] / new["p95"], ".0f") + "x", "",
                     C.fmt(long_old / long_new, ".0f") + "x"])
    print(f"\nms per drawing (new: median of {args.repeats} calls each)")
    C.print_table(["", "median", "p95", "max", f"{args.long_points}-pt stroke"], rows)
    print(f"\nlong stroke: traced peak memory of one call {long_peak:.1f} MB")
    if reference:
        print(f"largest pixel difference new vs reference: {max(diffs):.2e} over the drawings, "
              f"{long_diff:.2e} on the long stroke (tolerance 1e-3)")
    met = new["p50"] < TARGET_MS
    print(f"target: median < {TARGET_MS:g} ms per drawing: {new['p50']:.2f} ms "
          f"{'met' if met else 'MISSED'}")
    C.write_json(args.json, {"args": vars(args), "load_average": C.loadavg(),
                             "new_ms": new_ms, "old_ms": old_ms, "diffs": diffs,
                             "summary": {"new": new, "old": old, "long_new_ms": long_new,
                                         "long_old_ms": long_old, "long_peak_mb": long_peak,
                                         "long_diff": long_diff}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
