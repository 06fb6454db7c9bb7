"""The core never imports Qt; the window module does not import MindSpore up front."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

# Every module of the package outside ui/ is core: new modules are checked too.
PACKAGE = Path(__file__).resolve().parents[2] / "lenet_gui"
CORE = sorted(f"lenet_gui.{p.stem}" for p in PACKAGE.glob("*.py")
              if p.stem not in ("__init__", "__main__"))


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                          "print('\\n'.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120)
    return set(out.stdout.split())


def test_core_never_imports_qt():
    assert {"lenet_gui.reading", "lenet_gui.segment", "lenet_gui.my_digits",
            "lenet_gui.finetune", "lenet_gui.cli"} <= set(CORE)
    loaded = _modules_after("\n".join(f"import {m}" for m in CORE) +
                            "\nfrom lenet_gui.cli import build_parser; build_parser()")
    assert "mindspore" in loaded  # network/train_step import it: the check is real
    qt = sorted(m for m in loaded if m.startswith(("PySide6", "shiboken6", "pyqtgraph",
                                                    "lenet_gui.ui")))
    assert qt == []


def test_window_module_does_not_import_mindspore():
    loaded = _modules_after("import lenet_gui.ui.main_window\nimport lenet_gui.ui.app")
    assert "PySide6.QtWidgets" in loaded
    assert not any(m == "mindspore" or m.startswith("mindspore.") for m in loaded)
    assert "pyqtgraph" not in loaded  # imported when the plot is first shown
