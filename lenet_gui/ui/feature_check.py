"""PySide6's check of every later import, made cheap.

PySide6 replaces ``__import__`` so that ``from __feature__ import snake_case`` can
switch one module's Qt names. To know which modules may switch, it looks for the
text "PySide6" in the source of every module imported after Qt, with
``inspect.getsource``, and that walks all of ``sys.modules`` on each call: the cost
grows with the square of the modules loaded. MindSpore's ~1,600 modules, imported
after Qt by the window's model loader, took 0.75-1.0 s longer than on their own
(``benchmarks/bench_import_after_qt.py``). Reading the module's file gives the same answer
(a module without a ``.py`` file has no source for either), so the window installs
this before it imports the rest of the app.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Callable

FEATURE_MODULE = "shibokensupport.feature"  # PySide6's own name for it


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module``'s source file contains "PySide6" (PySide6's own test)."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def install() -> Callable[[ModuleType], bool] | None:
    """Put ``uses_pyside`` in PySide6's place; returns PySide6's own check, or None
    where there is nothing to replace (Qt not imported yet, another PySide6)."""
    feature = sys.modules.get(FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or not callable(original):
        return None
    if original is uses_pyside:
        return getattr(feature, "_lenet_gui_original", None)
    feature._lenet_gui_original = original
    feature._mod_uses_pyside = uses_pyside
    return original


__all__ = ["install", "uses_pyside", "FEATURE_MODULE"]
