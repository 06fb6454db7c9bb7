"""Make the number-reading screenshots from the real window (offscreen).

    python docs/screenshots_reading.py [--size 1100x720] [--out docs] [--checkpoint C]

Draws a number composed from tests/data/drawn_digits.json, a scribble from
tests/data/nondigits.json and a small digit in a corner onto the canvas with real
mouse events, and saves the Draw tab reading each: docs/screenshot-number.png,
docs/screenshot-not-a-digit.png and docs/screenshot-small.png.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
