"""Make the number-reading screenshots from the real window (offscreen).

    python docs/screenshots_reading.py [--size 1100x720] [--out docs] [--checkpoint C]

Draws a number composed from tests/data/drawn_digits.json, a scribble from
tests/data/nondigits.json and a small digit in a corner onto the canvas with real
mouse events, and saves the Draw tab reading each: docs/screenshot-number.png,
docs/screenshot-not-a-digit.png and docs/screenshot-small.png; then a number whose
digits are drawn in side-by-side pieces (a 4 as an L and a leaning stem, a 5 with its
bar floating, a 0 in two arcs): docs/screenshot-pieces.png.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pieces() -> list:
    """4, 5, 0 drawn in pieces that stand side by side, as real writers draw them."""
    import numpy as np

    from lenet_gui.core.strokes import Stroke

    def arc(cx, cy, rx, ry, a0, a1, n=30):
        a = np.radians(np.linspace(a0, a1, n))
        return list(zip(cx + rx * np.cos(a), cy + ry * np.sin(a)))

    def placed(points, dx):
        return Stroke([(float(x) * 0.55 + dx, float(y) * 0.55 + 0.2) for x, y in points])

    return [placed([(0.78, 0.14), (0.55, 0.55)], -0.12),
            placed([(0.42, 0.27), (0.36, 0.56), (0.55, 0.55), (0.47, 0.86)], -0.12),
            placed([(0.34, 0.24), (0.32, 0.5)] + arc(0.42, 0.65, 0.13, 0.16, -140, 150), 0.2),
            placed([(0.5, 0.08), (0.8, 0.06)], 0.2),
            placed(arc(0.5, 0.5, 0.17, 0.3, -90, -270), 0.46),
            placed(arc(0.5, 0.5, 0.17, 0.3, -90, 90), 0.46)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1100x720")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--checkpoint", type=Path)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--scribble", default="scribble", help="non-digit kind to draw")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    import _window as shots

    from lenet_gui.core.my_digits import MyDigits
    from lenet_gui.core.strokes import load_drawings
    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.main_window import MainWindow, app_icon
    from tests.data.compose_numbers import at_size, compose_numbers

    app = make_application()
    app.setWindowIcon(app_icon())
    window = MainWindow(checkpoint=args.checkpoint, my_digits=MyDigits(None))
    window.resize(width, height)
    window.show()

    def pump(seconds: float) -> None:
        shots.pump(app, seconds)

    shots.wait_for_model(app, window)
    canvas = window.draw_tab.canvas

    def draw(strokes) -> None:
        canvas.clear()
        shots.drag_strokes(canvas, strokes)
        pump(0.3)

    number = next(n for n in compose_numbers(load_drawings(ROOT / "tests/data/drawn_digits.json"),
                                             50, seed=args.seed, digits=(4, 4))
                  if n.gaps and min(n.gaps) > 0.1)
    draw(number.strokes)
    window.grab().save(str(args.out / "screenshot-number.png"))
    print(f"number {number.text}: read as {window.draw_tab.last_reading.text!r}")
    scribble = next(d for d in load_drawings(ROOT / "tests/data/nondigits.json")
                    if d.style == args.scribble)
    draw(scribble.strokes)
    window.grab().save(str(args.out / "screenshot-not-a-digit.png"))
    print(f"scribble ({args.scribble}): {window.draw_tab.last_reading.verdict}")
    eight = next(d for d in load_drawings(ROOT / "tests/data/drawn_digits.json") if d.label == 8)
    draw(at_size(eight.strokes, 0.16, centre=(0.22, 0.22)))  # written small in a corner
    window.grab().save(str(args.out / "screenshot-small.png"))
    print(f"small 8: read as {window.draw_tab.last_reading.text!r}")
    draw(pieces())
    window.grab().save(str(args.out / "screenshot-pieces.png"))
    print(f"4, 5, 0 in pieces: read as {window.draw_tab.last_reading.text!r}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
