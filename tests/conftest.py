"""Shared test setup: offscreen Qt, private settings/data folders, data locations."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

# Before anything imports Qt or MindSpore.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_v", "4")
_HOME = tempfile.mkdtemp(prefix="lenet-gui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ.pop("LENET_GUI_DATA", None)

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SUBSET = TESTS / "data" / "mnist_subset"
DRAWN = TESTS / "data" / "drawn_digits.json"
SHARED_MNIST = ROOT.parent / "shared" / "MNIST"


@pytest.fixture(scope="session")
def subset_dir() -> Path:
    """A small, committed MNIST subset (2,000 train + 500 test) in the course layout."""
    return SUBSET


@pytest.fixture(scope="session")
def full_mnist_dir() -> Path:
    """The full MNIST from ../shared/MNIST; tests that need it skip without it."""
    if not (SHARED_MNIST / "train").is_dir():
        pytest.skip(f"full MNIST not available at {SHARED_MNIST}")
    return SHARED_MNIST


@pytest.fixture(scope="session")
def shipped_ckpt() -> Path:
    from lenet_gui.core.config import shipped_checkpoint

    path = shipped_checkpoint()
    assert path.is_file(), f"the shipped checkpoint is missing: {path}"
    return path


def pytest_report_header(config):
    return f"python {sys.version.split()[0]}; settings and data under {_HOME}"
