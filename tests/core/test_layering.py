"""The layering, from the folder listing down: the core (``lenet_gui/core``) never
imports Qt, the window, the command line or the app glue; the command line and the
glue import no Qt up front; the window module does not import MindSpore up front."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "lenet_gui"
# Every module found in each layer is checked: a new module is covered at once.
LAYERS = {layer: sorted(f"lenet_gui.{layer}.{p.stem}" for p in (PACKAGE / layer).glob("*.py")
                        if p.stem != "__init__")
          for layer in ("core", "cli", "integration", "ui")}
CORE = LAYERS["core"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                          "print('\\n'.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120)
    return set(out.stdout.split())


def test_the_folder_listing_shows_the_layers():
    entries = sorted(p.name for p in PACKAGE.iterdir()
                     if p.name not in ("__pycache__", "_data"))
    assert entries == ["__init__.py", "__main__.py", "cli", "core", "integration", "ui"]
    assert {"lenet_gui.core.reading", "lenet_gui.core.train", "lenet_gui.core.training_job",
            "lenet_gui.core.predict"} <= set(CORE)
    assert "lenet_gui.cli.main" in LAYERS["cli"]
    assert "lenet_gui.integration.selftest" in LAYERS["integration"]


def test_core_never_imports_qt_the_window_or_the_command_line():
    loaded = _modules_after("\n".join(f"import {m}" for m in CORE))
    assert "mindspore" in loaded  # network/train_step import it: the check is real
    outside = sorted(m for m in loaded if m.startswith((
        "PySide6", "shiboken6", "pyqtgraph", "lenet_gui.ui", "lenet_gui.cli",
        "lenet_gui.integration")))
    assert outside == []


def test_command_line_and_glue_import_no_qt():
    loaded = _modules_after("\n".join(f"import {m}" for m in
                                      LAYERS["cli"] + LAYERS["integration"]) +
                            "\nfrom lenet_gui.cli.main import build_parser; build_parser()")
    qt = sorted(m for m in loaded if m.startswith(("PySide6", "shiboken6", "pyqtgraph",
                                                    "lenet_gui.ui")))
    assert qt == []


def test_window_module_does_not_import_mindspore():
    loaded = _modules_after("import lenet_gui.ui.main_window\nimport lenet_gui.ui.app")
    assert "PySide6.QtWidgets" in loaded
    assert not any(m == "mindspore" or m.startswith("mindspore.") for m in loaded)
    assert "pyqtgraph" not in loaded  # imported when the plot is first shown
