"""The committed drawn-digit sets (tests/data/README.md): counts, labels, coordinates,
and that the generator still makes the normal set byte for byte. No Qt, no model."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.core.strokes import load_drawings

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

# Styles of the normal and hard sets, per 50 of each class.
STYLES_50 = {
    "0-oval": 24, "0-round": 12, "0-pointed-top": 11, "0-slashed": 3,
    "1-plain": 20, "1-flag": 18, "1-flag-base": 12,
    "2-plain": 22, "2-loop": 14, "2-swan": 14,
    "3-round": 26, "3-flat-top": 14, "3-loop-middle": 10,
    "4-open": 20, "4-closed": 18, "4-open-three-strokes": 12,
    "5-two-strokes": 26, "5-one-stroke": 14, "5-rounded-knee": 10,
    "6-curved": 22, "6-straight-stem": 16, "6-small-loop": 12,
    "7-plain": 22, "7-bar": 16, "7-hook": 12,
    "8-continuous": 30, "8-two-loops": 20,
    "9-straight-stem": 22, "9-curved-stem": 16, "9-two-strokes": 12,
}
# The same styles split over 15 digits a class (the holdout set's normal and hard parts).
STYLES_15 = {
    "0-oval": 7, "0-round": 4, "0-pointed-top": 3, "0-slashed": 1,
    "1-plain": 6, "1-flag": 5, "1-flag-base": 4,
    "2-plain": 7, "2-loop": 4, "2-swan": 4,
    "3-round": 8, "3-flat-top": 4, "3-loop-middle": 3,
    "4-open": 6, "4-closed": 5, "4-open-three-strokes": 4,
    "5-two-strokes": 8, "5-one-stroke": 4, "5-rounded-knee": 3,
    "6-curved": 7, "6-straight-stem": 5, "6-small-loop": 3,
    "7-plain": 7, "7-bar": 5, "7-hook": 3,
    "8-continuous": 9, "8-two-loops": 6,
    "9-straight-stem": 7, "9-curved-stem": 5, "9-two-strokes": 3,
}
INTL = ["0-slashed-long", "0-slashed-inside", "0-slashed-one-stroke",
        "1-continental", "1-continental-base", "2-looped",
        "4-open-vertical", "4-checkmark", "4-closed-one-stroke", "6-tiny-loop",
        "7-crossed", "7-crossed-hook", "9-straight-tail", "9-tiny-loop"]

EXPECTED = {
    "drawn_digits.json": STYLES_50,
    "drawn_digits_hard.json": STYLES_50,
    "drawn_digits_intl.json": {s: 50 for s in INTL},
    "drawn_digits_holdout.json": {**STYLES_15, **{f"{s}/hard": n for s, n in STYLES_15.items()},
                                  **{s: 20 for s in INTL}},
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def drawn_set(request):
    return request.param, load_drawings(DATA / request.param)


def test_counts_per_style_and_class(drawn_set):
    name, drawings = drawn_set
    expected = EXPECTED[name]
    assert Counter(d.style for d in drawings) == expected
    per_class = Counter()
    for style, n in expected.items():
        per_class[int(style[0])] += n
    assert Counter(d.label for d in drawings) == per_class


def test_labels_styles_and_coordinates(drawn_set):
    _, drawings = drawn_set
    for d in drawings:
        assert d.label in range(10)
        assert d.style.startswith(f"{d.label}-")
        assert d.strokes and all(len(s.points) >= 2 and not s.erase for s in d.strokes)
        pts = np.vstack([np.asarray(s.points) for s in d.strokes])
        assert pts.min() >= 0.02 and pts.max() <= 0.98, d.style


def test_file_sizes():
    for name in EXPECTED:
        assert (DATA / name).stat().st_size < 2_000_000, name


def test_generator_reproduces_the_normal_set(tmp_path):
    out = tmp_path / "drawn_digits.json"
    subprocess.run([sys.executable, str(DATA / "make_drawn_digits.py"), "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert out.read_bytes() == (DATA / "drawn_digits.json").read_bytes()
