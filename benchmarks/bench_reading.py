"""Reading numbers and refusing non-digits (issue 11), measured through ``lenet_gui.core.reading``.

* numbers of 2-4 digits composed from each drawn set (tests/data/compose_numbers.py),
  and from 1,000 MNIST test digits drawn on the canvas (``mnist_strokes``: real writers;
  with ``--data-dir``): share read exactly, and share with the right number of segments;
* the generated non-digit set (tests/data/nondigits.json, never used in training):
  share refused ("not a digit");
* the drawn digit sets and MNIST test: share refused (should be tiny);
* time to read a 4-digit number from its strokes and canvas ink (segments, redraw,
  preprocessing, one batch), median and p95.

    python benchmarks/bench_reading.py --data-dir ../shared/MNIST
    python benchmarks/bench_reading.py --checkpoint C.ckpt --numbers 500 --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import DRAWN_SETS  # noqa: E402

DATA = ROOT / "tests" / "data"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", type=Path, default=ROOT / "checkpoints" / "lenet5_mnist.ckpt")
    p.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "MNIST",
                   help="MNIST folder for the MNIST-test refusal figure (skipped if absent)")
    p.add_argument("--numbers", type=int, default=300, help="composed numbers per drawn set")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.reading import read_strokes
    from lenet_gui.core.strokes import load_drawings, render_strokes
    from lenet_gui.core.verdict import NOT_A_DIGIT
    from tests.data.compose_numbers import compose_numbers

    r = Recognizer(args.checkpoint)
    t = r.thresholds
    print(f"checkpoint {args.checkpoint.name}: not a digit below {t.reject:.3f}, unsure below "
          f"{t.unsure:.2f}")
    out: dict = {"checkpoint": str(args.checkpoint), "reject": t.reject, "numbers": {},
                 "refused": {}}
    times = []
    sets = [(name, load_drawings(path)) for name, path in DRAWN_SETS.items()]
    if (args.data_dir / "test").is_dir():
        from lenet_gui.core.data import load_split
        from lenet_gui.core.mnist_strokes import as_drawings

        test = load_split(args.data_dir, "test")
        sets.append(("MNIST writers", as_drawings(test.images[:1000], test.labels[:1000])[0]))
    for name, drawings in sets:
        nums = compose_numbers(drawings, args.numbers, seed=args.seed)
        exact = count = 0
        for n in nums:
            ink = render_strokes(n.strokes)  # the canvas hands its ink to the reader
            t0 = time.perf_counter()
            reading = read_strokes(r, n.strokes, ink=ink)
            if len(n.text) == 4 and name in DRAWN_SETS:  # timed on the drawn sets, as before
                times.append((time.perf_counter() - t0) * 1000)
            exact += reading is not None and reading.text == n.text
            count += reading is not None and len(reading.digits) == len(n.text)
        out["numbers"][name] = {"n": len(nums), "exact": exact / len(nums),
                                "segments": count / len(nums)}
        probs = r.probabilities(drawings_to_inputs(drawings))
        refused = float(np.mean([t.verdict(p) == NOT_A_DIGIT for p in probs]))
        out["refused"][name] = refused
        print(f"{name:>13}: numbers read exactly {exact / len(nums) * 100:5.1f}%, right "
              f"segment count {count / len(nums) * 100:5.1f}% ({len(nums)} numbers); single "
              f"digits refused {refused * 100:.2f}% of {len(drawings)}", flush=True)
    nondigits = load_drawings(DATA / "nondigits.json")
    held_out_kinds = json.loads((DATA / "nondigits.json").read_text()).get("held_out_kinds", [])
    kinds = [d.style.split("-")[0] for d in nondigits]
    refused_nd = []
    for d in nondigits:
        reading = read_strokes(r, d.strokes)
        refused_nd.append(reading is None or reading.verdict == NOT_A_DIGIT)
    as_one = [t.verdict(p) == NOT_A_DIGIT
              for p in r.probabilities(drawings_to_inputs(nondigits))]
    out["refused"]["nondigits"] = float(np.mean(refused_nd))
    out["refused"]["nondigits_as_one_image"] = float(np.mean(as_one))
    held_out = {k: float(np.mean([x for x, kind in zip(refused_nd, kinds) if kind == k]))
                for k in held_out_kinds}
    out["refused"]["nondigits_held_out_kinds"] = held_out
    print(f"    nondigits: refused {np.mean(refused_nd) * 100:.1f}% of {len(nondigits)} "
          f"({np.mean(as_one) * 100:.1f}% when each is read as one image); the kinds no "
          "training generator makes: " + ", ".join(f"{k} {v * 100:.0f}%"
                                                  for k, v in held_out.items()))
    if (args.data_dir / "test").is_dir():
        from lenet_gui.core.preprocess import normalise

        probs = r.probabilities(normalise(test.images))
        refused = float(np.mean([t.verdict(p) == NOT_A_DIGIT for p in probs]))
        out["refused"]["mnist_test"] = refused
        print(f"   MNIST test: refused {refused * 100:.2f}% of {len(test):,}")
    else:
        print(f"   MNIST test: skipped ({args.data_dir} has no test/)")
    times.sort()
    p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
    out["read_4_digits_ms"] = {"p50": p50, "p95": p95, "n": len(times)}
    print(f"read a 4-digit number (strokes + canvas ink -> Reading): p50 {p50:.1f} ms, "
          f"p95 {p95:.1f} ms ({len(times)} numbers)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
