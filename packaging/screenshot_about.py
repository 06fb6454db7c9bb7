"""Save a picture of the About box (docs/about.png), drawn offscreen.

    python packaging/screenshot_about.py [--out docs/about.png]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "about.png")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QThread

    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.main_window import MainWindow, app_icon

    app = make_application()
    app.setWindowIcon(app_icon())
    window = MainWindow(settings=None)
    window.show()
    box = window.show_about()
    for _ in range(20):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    box.adjustSize()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not box.grab().save(str(args.out), "PNG"):
        raise SystemExit(f"cannot write {args.out}")
    print(f"{args.out} ({box.width()}x{box.height()})")
    box.close()
    # Let the window's background jobs end before it closes.
    while any(t.isRunning() for t in window.findChildren(QThread)):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
