"""PySide6's check of later imports: our file read answers as PySide6's own check does."""

from __future__ import annotations

import sys
import types

import pytest

PySide6 = pytest.importorskip("PySide6.QtCore")

from lenet_gui.ui import feature_check  # noqa: E402


def test_the_app_start_installs_it():
    import lenet_gui.ui.app  # noqa: F401 - importing it installs the check

    feature = sys.modules[feature_check.FEATURE_MODULE]
    assert feature._mod_uses_pyside is feature_check.uses_pyside
    # Installing again keeps PySide6's own function, not ours, as the original.
    original = feature_check.install()
    assert original is not None and original is not feature_check.uses_pyside
    assert original.__name__ == "_mod_uses_pyside"


def test_same_answers_as_pysides_own_check():
    import lenet_gui.ui.canvas  # noqa: F401 - imports PySide6
    import lenet_gui.core.verdict  # noqa: F401 - does not

    original = feature_check.install()
    modules = [sys.modules[name] for name in (
        "lenet_gui.ui.canvas", "lenet_gui.core.verdict", "sys", "json", "PySide6",
        "numpy.core._multiarray_umath")]
    modules += [m for name, m in sorted(sys.modules.items())
                if name.startswith(("lenet_gui.", "numpy.lib", "json"))][:80]
    answers = [feature_check.uses_pyside(m) for m in modules]
    assert answers == [original(m) for m in modules]
    assert answers[0] is True and answers[1] is False  # both kinds were compared


def test_a_module_without_a_readable_file_does_not_use_pyside(tmp_path):
    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")  # never written
    assert feature_check.uses_pyside(gone) is False
    source = tmp_path / "mine.py"
    source.write_text("from PySide6.QtCore import Qt\n")
    mine = types.ModuleType("mine")
    mine.__file__ = str(source)
    assert feature_check.uses_pyside(mine) is True
