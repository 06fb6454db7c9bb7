"""Make the Network view screenshot from the real widget (offscreen).

    python docs/screenshots_network.py [--index 7] [--out docs/screenshot-network.png]

Shows one drawing of tests/data/drawn_digits.json (rendered and preprocessed as the
canvas does) in a standalone Network view with the shipped checkpoint, and saves it
at 1100x650 to ``--out`` and at 800x550 (and empty, at 1100x650) into ``--check-dir``,
to look at how it lays out when smaller.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_v", "4")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=int, default=7, help="which drawing of drawn_digits.json")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-network.png")
    ap.add_argument("--check-dir", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--checkpoint", type=Path)
    args = ap.parse_args(argv)

    from lenet_gui.core.config import shipped_checkpoint
    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.strokes import load_drawings
    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.network_view import NetworkView

    app = make_application()
    drawing = load_drawings(ROOT / "tests" / "data" / "drawn_digits.json")[args.index]
    model_input = drawings_to_inputs([drawing])[0]
    view = NetworkView()
    view.setWindowTitle("lenet-gui: Network")
    view.set_recognizer(Recognizer(args.checkpoint or shipped_checkpoint()))
    view.show()

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(size: tuple[int, int], path: Path, model_input) -> None:
        view.resize(*size)
        view.show_input(model_input)
        pump()
        view.grab().save(str(path))
        print(f"{path} ({size[0]}x{size[1]}): {view.caption.text()}")

    shot((1100, 650), args.out, model_input)
    shot((800, 550), args.check_dir / "screenshot-network-800x550.png", model_input)
    shot((1100, 650), args.check_dir / "screenshot-network-empty.png", None)
    print(f"drawing {args.index}: label {drawing.label}")
    view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
