"""Drawn small or big: does a lone digit read as well at every size on the canvas?

The canvas pen has one width, so to LeNet a digit drawn at 0.15 of the canvas is a
blob and one at 0.95 a hairline. ``reading`` redraws a lone digit drawn outside
``LONE_BAND`` at the usual size. Each drawn set in tests/data is moved so that every
drawing's larger side is a given share of the canvas, and read through the Draw tab's
path (``reading.read_strokes`` on the canvas's rendering): with the redraw, and as
drawn (``LONE_BAND`` opened to every size: how the window read before) in the same run.

    python benchmarks/bench_sizes.py
    python benchmarks/bench_sizes.py --sizes 0.1 0.2 0.9 --json sizes.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import DRAWN_SETS  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", type=Path, default=ROOT / "checkpoints" / "lenet5_mnist.ckpt")
    p.add_argument("--sizes", type=float, nargs="+", default=[0.15, 0.25, 0.5, 0.9, 0.95],
                   help="larger side of each drawing, in canvas widths")
    p.add_argument("--every", type=int, default=1, help="read every N-th drawing of a set")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def share_right(recognizer, drawings, side: float | None) -> float:
    from lenet_gui.core.reading import read_strokes
    from lenet_gui.core.strokes import render_strokes
    from tests.data.compose_numbers import at_size

    right = 0
    for d in drawings:
        strokes = d.strokes if side is None else at_size(d.strokes, side)
        reading = read_strokes(recognizer, strokes, ink=render_strokes(strokes))
        right += reading is not None and reading.text == str(d.label)
    return right / len(drawings)


def main(argv=None) -> int:
    args = parse_args(argv)
    import lenet_gui.core.reading as reading
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.strokes import load_drawings

    recognizer = Recognizer(args.checkpoint)
    band = reading.LONE_BAND
    sizes = [None] + list(args.sizes)
    heads = ["as in the set"] + [f"{s:g}" for s in args.sizes]
    print(f"checkpoint {args.checkpoint.name}; lone digits redrawn outside {band} of the "
          f"canvas; share read right (the number read is the label)")
    print(f"{'set':>13} {'':>10} " + " ".join(f"{h:>13}" for h in heads))
    rows = []
    for name, path in DRAWN_SETS.items():
        if not path.is_file():
            continue
        drawings = load_drawings(path)[::args.every]
        for mode, lone_band in (("redrawn", band), ("as drawn", (0.0, float("inf")))):
            reading.LONE_BAND = lone_band
            try:
                shares = [share_right(recognizer, drawings, s) for s in sizes]
            finally:
                reading.LONE_BAND = band
            rows.append({"set": name, "mode": mode, "drawings": len(drawings),
                         "right": dict(zip(heads, shares))})
            print(f"{name:>13} {mode:>10} " + " ".join(f"{v * 100:>12.1f}%" for v in shares),
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "band": band,
                                         "checkpoint": str(args.checkpoint)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
