"""Issue 4: a drawn digit after preprocessing looks like an MNIST digit."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from lenet_gui.core.data import load_split
from lenet_gui.core.preprocess import mnist_style
from lenet_gui.core.strokes import PEN_WIDTH, load_drawings, render_strokes

from ..conftest import DRAWN, ROOT


@pytest.fixture(scope="module")
def fidelity():
    spec = importlib.util.spec_from_file_location("fidelity", ROOT / "benchmarks/fidelity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mnist_stats(fidelity, subset_dir):
    return fidelity.stats(load_split(subset_dir, "test").images.astype(np.float32))


def _drawn_stats(fidelity, pen_width):
    drawings = load_drawings(DRAWN)[::3]
    return fidelity.stats([mnist_style(render_strokes(d.strokes, pen_width=pen_width))
                           for d in drawings])


def test_drawn_digits_match_mnist_statistics(fidelity, mnist_stats):
    got = _drawn_stats(fidelity, PEN_WIDTH)
    ref = mnist_stats
    assert got["ink box, longer side (px)"] == ref["ink box, longer side (px)"] == 20
    for key in ("centre of mass, row", "centre of mass, column"):
        assert abs(got[key] - 14.0) < 0.2 and abs(ref[key] - 14.0) < 0.2
    assert got["stroke width (px)"] == pytest.approx(ref["stroke width (px)"], rel=0.12)
    assert got["ink coverage (full pixels)"] == pytest.approx(
        ref["ink coverage (full pixels)"], rel=0.12)
    assert got["grey share of inked pixels"] == pytest.approx(
        ref["grey share of inked pixels"], abs=0.08)


def test_the_statistics_can_tell_a_wrong_pen(fidelity, mnist_stats):
    """A pen half as wide gives visibly thinner digits: the check above has teeth."""
    thin = _drawn_stats(fidelity, PEN_WIDTH / 2)
    assert thin["stroke width (px)"] < 0.75 * mnist_stats["stroke width (px)"]
