"""Segmenting numbers into digits: accuracy and time of ``segment_strokes``/``segment_ink``.

For each drawn set in tests/data (drawn_digits*.json): 1,000 numbers of 2-4 digits
composed from its drawings (tests/data/compose_numbers.py, seeded), each rendered
once at the canvas size; then ``segment_strokes`` (given that rendering) and
``segment_ink`` (on it). A number is right when the count is right and each
segment lies on its digit, in order. Accuracy is also split by the tightest gap in
the number (clear >= 0.08 digit heights between ink boxes; tight 0..0.08; overlap:
boxes overlap). Times are per number, rendering not counted (shown apart, for
scale). segment_strokes, the one with a target, counts the fastest of --repeats
calls, so that the other jobs of a shared machine count less (cpu: this process's
CPU time in that call); render_strokes and segment_ink are one call each.
With --singles, also how many of the set's drawings stay one segment (all must; the
tests check it too). Last, the fastest of --repeats calls on drawings no person writes
but a user can make (a page of hatching, a 30-stroke scribble): the worst cases.

    python benchmarks/bench_segment.py                  # all sets, ~20-40 s
    python benchmarks/bench_segment.py --numbers 300 --singles --json segment.json
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

import _common as C

C.ensure_root_on_path()

from lenet_gui.core.segment import segment_ink, segment_strokes  # noqa: E402
from lenet_gui.core.strokes import load_drawings, render_strokes  # noqa: E402
from tests.data.compose_numbers import compose_numbers  # noqa: E402

DATA = C.ROOT / "tests" / "data"
TARGET_MS = 2.0  # segment_strokes, 4 digits, beyond rendering


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--numbers", type=int, default=1000, help="numbers per set (default 1000)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--sets", nargs="*", default=None,
                   help="stroke files (default tests/data/drawn_digits*.json)")
    p.add_argument("--repeats", type=int, default=3,
                   help="segment_strokes calls per number; the fastest counts (default 3)")
    p.add_argument("--singles", action="store_true", help="also segment every drawing alone")
    p.add_argument("--json", type=str, default=None, help="also write the results here")
    return p.parse_args(argv)


def _right(result, number) -> bool:
    if result.count != len(number.text):
        return False
    centres = [(s.box[2] + s.box[3]) / 2 / 280 for s in result.segments]
    return all(b[2] < c < b[3] for c, b in zip(centres, number.boxes))


def _kind(number) -> str:
    g = min(number.gaps)
    return "overlap" if g < 0 else "tight" if g < 0.08 else "clear"


def timed(repeats: int, fn, *args, **kw):
    """((wall ms, CPU ms) of the fastest of ``repeats`` calls, the result): the
    fastest call is the code's own cost, the others add what the machine's other
    jobs took from it."""
    best = None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn(*args, **kw)
        run = ((time.perf_counter() - t) * 1e3, (time.process_time() - c) * 1e3)
        best = run if best is None or run[0] < best[0] else best
    return best, out


def run_set(path, n: int, seed: int, singles: bool, repeats: int) -> dict:
    drawings = load_drawings(path)
    singles = sum(segment_strokes(d.strokes).count == 1 for d in drawings) if singles else None
    numbers = compose_numbers(drawings, n, seed=seed)
    out = {"set": path.name, "drawings": len(drawings), "singles_whole": singles, "numbers": n,
           "right": {"strokes": 0, "ink": 0}, "by_kind": {},
           "ms": {"render": [], "strokes": [], "ink": [], "strokes4": [], "strokes4_cpu": []}}
    ms = out["ms"]
    for number in numbers:
        t = time.perf_counter()
        ink = render_strokes(number.strokes)
        ms["render"].append((time.perf_counter() - t) * 1e3)
        (wall, cpu), by_strokes = timed(repeats, segment_strokes, number.strokes, ink=ink)
        ms["strokes"].append(wall)
        if len(number.text) == 4:
            ms["strokes4"].append(wall)
            ms["strokes4_cpu"].append(cpu)
        (wall, _), by_ink = timed(1, segment_ink, ink)
        ms["ink"].append(wall)
        kind = out["by_kind"].setdefault(_kind(number), {"n": 0, "strokes": 0, "ink": 0})
        kind["n"] += 1
        for name, result in (("strokes", by_strokes), ("ink", by_ink)):
            ok = _right(result, number)
            out["right"][name] += ok
            kind[name] += ok
    return out


def worst_cases() -> dict[str, list]:
    """Drawings that make segmentation do the most work: many tall strokes side by side,
    and long strokes crossing everywhere."""
    from lenet_gui.core.strokes import Stroke

    rng = np.random.default_rng(0)
    walk = lambda: [tuple(p) for p in np.clip(0.5 + np.cumsum(rng.normal(0, 0.03, (200, 2)), 0), 0, 1)]  # noqa: E731
    return {
        "hatching, 60 lines": [Stroke([(0.1 + 0.013 * k, 0.1), (0.11 + 0.013 * k, 0.9)])
                               for k in range(60)],
        "hatching, 200 lines": [Stroke([(0.05 + 0.0045 * k, 0.1), (0.06 + 0.0045 * k, 0.9)])
                                for k in range(200)],
        "scribble, 30 strokes of 200 points": [Stroke(walk()) for _ in range(30)],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    sets = [C.ROOT / p for p in args.sets] if args.sets else sorted(DATA.glob("drawn_digits*.json"))
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {C.loadavg()}", flush=True)
    for d in load_drawings(sets[0])[:5]:  # warm-up: imports, caches
        segment_ink(render_strokes(d.strokes))
        segment_strokes(d.strokes)
    results = []
    for path in sets:
        t = time.perf_counter()
        results.append(run_set(path, args.numbers, args.seed, args.singles, args.repeats))
        print(f"{path.name}: {time.perf_counter() - t:.1f} s", flush=True)

    print(f"\nright count and order, {args.numbers} numbers of 2-4 digits per set")
    rows = []
    for r in results:
        k = r["by_kind"]
        def cell(name, kind, k=k):
            return f"{k[kind][name]}/{k[kind]['n']}" if kind in k else "-"
        whole = "-" if r["singles_whole"] is None else f"{r['singles_whole']}/{r['drawings']}"
        rows.append([r["set"], whole,
                     f"{100 * r['right']['strokes'] / r['numbers']:.1f}%",
                     cell("strokes", "tight"), cell("strokes", "overlap"),
                     f"{100 * r['right']['ink'] / r['numbers']:.1f}%",
                     cell("ink", "tight"), cell("ink", "overlap")])
    C.print_table(["set", "singles whole", "strokes", "tight", "overlap", "ink", "tight",
                   "overlap"], rows)

    print(f"\nms per number (strokes: fastest of {args.repeats} calls; ink and render: one "
          "call; rendering not counted in the others)")
    rows = []
    for r in results:
        s = {k: C.summary(v) for k, v in r["ms"].items()}
        r["summary_ms"] = s
        rows.append([r["set"], C.fmt(s["strokes"]["p50"]), C.fmt(s["strokes"]["p95"]),
                     C.fmt(s["strokes4"]["p50"]), C.fmt(s["strokes4"]["p95"]),
                     C.fmt(s["strokes4_cpu"]["p50"]), C.fmt(s["strokes4_cpu"]["p95"]),
                     C.fmt(s["ink"]["p50"]), C.fmt(s["ink"]["p95"]), C.fmt(s["render"]["p50"])])
    C.print_table(["set", "strokes p50", "p95", "4 digits p50", "p95", "cpu p50", "p95",
                   "ink p50", "p95", "render p50"], rows)
    four = C.summary(v for r in results for v in r["ms"]["strokes4"])
    cpu = C.summary(v for r in results for v in r["ms"]["strokes4_cpu"])
    met = "met" if four["p50"] < TARGET_MS else "MISSED"
    print(f"target: segment_strokes on 4 digits, median < {TARGET_MS:g} ms beyond rendering: "
          f"{four['p50']:.2f} ms {met} (p95 {four['p95']:.2f}; cpu {cpu['p50']:.2f} / "
          f"{cpu['p95']:.2f}; load average {C.loadavg()})")
    worst = {}
    for name, strokes in worst_cases().items():
        ink = render_strokes(strokes)
        (wall, _), result = timed(args.repeats, segment_strokes, strokes, ink=ink)
        worst[name] = wall
        print(f"worst case, {name}: segment_strokes {wall:.1f} ms ({result.count} segments)")
    C.write_json(args.json, {"args": vars(args), "load_average": C.loadavg(), "worst_ms": worst,
                             "results": [{k: v for k, v in r.items() if k != "ms"}
                                         for r in results]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
