"""Generated non-digits (lenet_gui/core/nondigits.py) and the non-digit evaluation set."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from lenet_gui.core import nondigits
from lenet_gui.core.hand import MIN_STEP, mouse_strokes
from lenet_gui.core.nondigits import (EXCLUDED, KINDS, SEED, generate_nondigit, generate_nondigits,
                                 nondigit_images)
from lenet_gui.core.scribbles import digit_like_holes
from lenet_gui.core.strokes import CANVAS_SIZE, load_drawings

from ..conftest import DRAWN, ROOT

DATA = ROOT / "tests" / "data"
EVAL = DATA / "nondigits.json"


@pytest.fixture(scope="module")
def maker():
    """tests/data/make_nondigits.py as a module."""
    spec = importlib.util.spec_from_file_location("make_nondigits", DATA / "make_nondigits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def eval_set():
    return load_drawings(EVAL)


def _gaps_px(stroke) -> np.ndarray:
    p = np.asarray(stroke.points, float)
    return np.hypot(*np.diff(p, axis=0).T) * CANVAS_SIZE


# ----------------------------------------------------------------------------
# The generators

def test_kinds_cover_the_brief_and_leave_out_digit_lookalikes():
    assert len(KINDS) >= 40
    for name in ("scribble", "tangle", "zigzag", "hatching", "spiral", "blob", "triangle",
                 "rectangle", "star", "plus", "x_cross", "arrow", "heart", "circle_cross",
                 "checkmark", "wavy_line", "long_lines", "dots", "letter_A", "hash", "at"):
        assert name in KINDS
    letters = [k.removeprefix("letter_") for k in KINDS if k.startswith("letter_")]
    assert letters and not set(letters) & set(EXCLUDED)
    assert {"O", "I", "Z", "S", "B", "G", "g", "q", "T", "L"} <= set(EXCLUDED)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_draws_mouse_strokes_in_the_unit_box(kind):
    gaps = []
    for i in range(6):
        strokes = generate_nondigit(np.random.default_rng([1, i]), kind)
        assert strokes and all(s.points for s in strokes)
        pts = np.vstack([np.asarray(s.points, float) for s in strokes])
        assert np.isfinite(pts).all()
        assert pts.min() >= 0.0 and pts.max() <= 1.0
        assert np.ptp(pts, axis=0).max() > 0.1  # drawn at a visible size
        for s in strokes:
            if len(s.points) > 1:
                g = _gaps_px(s)
                # mouse events: at least MIN_STEP apart, at most 8 px (+ quantisation)
                assert g.min() >= MIN_STEP - 1e-6 and g.max() < 12.0, kind
                gaps.append(g)
    if gaps:
        assert 1.0 <= np.median(np.concatenate(gaps)) <= 8.0


def test_a_kind_is_reproducible_and_varies():
    a = generate_nondigit(np.random.default_rng(3), "letter_A")
    b = generate_nondigit(np.random.default_rng(3), "letter_A")
    c = generate_nondigit(np.random.default_rng(4), "letter_A")
    assert a == b and a != c


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown non-digit kind 'O'"):
        generate_nondigit(np.random.default_rng(0), "O")


def test_generate_nondigits_cycles_kinds_with_label_none():
    kinds = ["star", "dots", "letter_K"]
    drawings = generate_nondigits(7, seed=5, kinds=kinds)
    assert [d.style for d in drawings] == kinds * 2 + kinds[:1]
    assert all(d.label is None for d in drawings)
    assert drawings == generate_nondigits(7, seed=5, kinds=kinds)
    assert drawings[:3] == generate_nondigits(3, seed=5, kinds=kinds)  # extendable
    assert drawings != generate_nondigits(7, seed=6, kinds=kinds)


def test_mouse_strokes_keeps_a_click_a_dot():
    strokes = mouse_strokes(np.random.default_rng(0), [np.array([[0.0, 0.0]]),
                                                       np.array([[1.0, 1.0]])])
    assert len(strokes) == 2 and all(1 <= len(s.points) <= 3 for s in strokes)


def test_hole_check_flags_loop_digits_and_passes_the_rest():
    by_label = {}
    for d in load_drawings(DRAWN):
        by_label.setdefault(d.label, []).append(d)
    for label, expected in ((0, True), (6, True), (8, True), (9, True), (1, False),
                            (2, False), (7, False)):
        flagged = [digit_like_holes(d.strokes) for d in by_label[label][:15]]
        assert all(f == expected for f in flagged), label


def test_scribbles_have_no_digit_like_holes_once_drawn():
    flagged = 0
    for i in range(20):
        for kind in ("scribble", "tangle"):
            strokes = generate_nondigit(np.random.default_rng([2, i]), kind)
            flagged += digit_like_holes(strokes)
    assert flagged <= 4  # checked on the template; the hand may open or close a hole


# ----------------------------------------------------------------------------
# Training images

def test_nondigit_images_are_mnist_style():
    x = nondigit_images(24, np.random.default_rng(0))
    assert x.shape == (24, 28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 255.0
    assert (x.reshape(24, -1).max(axis=1) == 255.0).all()  # no blanks, full ink
    assert len({img.tobytes() for img in x}) == 24


def test_nondigit_images_are_deterministic_with_a_seed():
    a = nondigit_images(10, np.random.default_rng(7))
    b = nondigit_images(10, np.random.default_rng(7))
    c = nondigit_images(10, np.random.default_rng(8))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_nondigit_images_can_use_some_kinds():
    ink = {kind: (nondigit_images(5, np.random.default_rng(0), kinds=[kind]) > 127).sum(axis=(1, 2))
           for kind in ("blob", "dots")}
    assert ink["blob"].min() > 150 > ink["dots"].max()  # filled areas against clicks


def test_core_module_does_not_import_qt():
    code = ("import lenet_gui.core.nondigits, sys; print(sorted(m for m in sys.modules "
            "if m.startswith(('PySide6', 'mindspore', 'lenet_gui.ui'))))")
    out = subprocess.run([sys.executable, "-c", code],
                         capture_output=True, text=True, check=True, timeout=120, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------
# The evaluation set

def test_evaluation_set_loads_with_documented_counts(eval_set, maker):
    assert len(eval_set) == len(KINDS) * maker.PER_KIND + len(maker.HELD_OUT) * maker.PER_HELD_OUT
    assert len(eval_set) == 600
    assert all(d.label is None for d in eval_set)
    counts = Counter(d.style for d in eval_set)
    assert counts == {**dict.fromkeys(KINDS, maker.PER_KIND),
                      **dict.fromkeys(maker.HELD_OUT, maker.PER_HELD_OUT)}
    for d in eval_set:
        pts = np.vstack([np.asarray(s.points) for s in d.strokes])
        assert np.isfinite(pts).all() and pts.min() >= 0.0 and pts.max() <= 1.0


def test_held_out_kinds_exist_only_in_the_test_generator(maker):
    assert len(maker.HELD_OUT) >= 3
    assert not set(maker.HELD_OUT) & set(KINDS)
    source = (ROOT / "lenet_gui" / "core" / "nondigits.py").read_text()
    for kind in maker.HELD_OUT:
        assert f'"{kind}"' not in source


def test_evaluation_set_has_its_own_seed(maker):
    meta = json.loads(EVAL.read_text())
    assert meta["seed"] == maker.EVAL_SEED != SEED
    assert meta["held_out_kinds"] == list(maker.HELD_OUT)


def test_evaluation_set_is_not_what_training_generates(eval_set):
    def key(d):
        return tuple(tuple(round(c, 3) for xy in s.points for c in xy) for s in d.strokes)
    train = {key(d) for d in generate_nondigits(len(eval_set), SEED)}
    assert not train & {key(d) for d in eval_set}
    # nor the same kind drawn from the same generator streams
    core = [d for d in eval_set if d.style in KINDS]
    same = generate_nondigits(len(KINDS), SEED)
    first = {d.style: d for d in reversed(core)}
    assert all(key(first[d.style]) != key(d) for d in same)


def test_generator_reproduces_the_evaluation_set(tmp_path):
    out = tmp_path / "nondigits.json"
    subprocess.run([sys.executable, str(DATA / "make_nondigits.py"), "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert out.read_bytes() == EVAL.read_bytes()


def test_module_has_no_mutable_registry():
    with pytest.raises(TypeError):
        nondigits.KINDS["new"] = None
