"""render_strokes: the fast renderer paints the same raster as the plain reference.

``_render_strokes_reference`` is the renderer as it was before it was made fast
(every pixel of a stroke's box against every segment), copied verbatim; the library
keeps only the fast one. The full comparison on both drawn sets takes minutes
(the reference needs ~0.2-0.3 s a drawing): ``-m slow``.
"""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet_gui.core import strokes as strokes_module
from lenet_gui.core.strokes import CANVAS_SIZE, PEN_WIDTH, Stroke, load_drawings, render_strokes

from ..conftest import TESTS

DRAWN_SETS = [TESTS / "data" / "drawn_digits.json", TESTS / "data" / "drawn_digits_hard.json"]
TOL = 1e-3


def _render_strokes_reference(strokes, size=CANVAS_SIZE, pen_width=PEN_WIDTH):
    """The renderer before it was made fast (lenet_gui/core/strokes.py at 88b614f)."""
    img = np.zeros((size, size), dtype=np.float32)
    radius = pen_width * size / 2.0
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    for stroke in strokes:
        if not isinstance(stroke, Stroke):
            stroke = Stroke([tuple(p) for p in stroke])
        pts = np.asarray(stroke.points, dtype=np.float32).reshape(-1, 2) * size
        if len(pts) == 0:
            continue
        if len(pts) == 1:
            pts = np.vstack([pts, pts])
        # Only the pixels near this stroke need distances.
        lo = np.floor(pts.min(axis=0) - radius - 2).astype(int).clip(0, size)
        hi = np.ceil(pts.max(axis=0) + radius + 2).astype(int).clip(0, size)
        if hi[0] <= lo[0] or hi[1] <= lo[1]:
            continue
        px = xs[lo[1]:hi[1], lo[0]:hi[0]][..., None]
        py = ys[lo[1]:hi[1], lo[0]:hi[0]][..., None]
        dist = np.full(px.shape[:2], np.inf, dtype=np.float32)
        a, b = pts[:-1], pts[1:]
        for start in range(0, len(a), 256):  # bounded memory for long strokes
            sa, sb = a[start:start + 256], b[start:start + 256]
            d = sb - sa
            len2 = (d ** 2).sum(axis=1)
            len2[len2 == 0] = 1.0
            t = ((px - sa[:, 0]) * d[:, 0] + (py - sa[:, 1]) * d[:, 1]) / len2
            t = np.clip(t, 0.0, 1.0)
            cx = sa[:, 0] + t * d[:, 0]
            cy = sa[:, 1] + t * d[:, 1]
            dd = np.sqrt((px - cx) ** 2 + (py - cy) ** 2).min(axis=2)
            np.minimum(dist, dd, out=dist)
        cover = np.clip(radius + 0.5 - dist, 0.0, 1.0)
        region = img[lo[1]:hi[1], lo[0]:hi[0]]
        if stroke.erase:
            region *= 1.0 - cover
        else:
            np.maximum(region, cover, out=region)
    return img


def _exact(strokes, size, pen_width):
    """Float64 brute force of the same definition (for coordinates where the float32
    reference itself loses precision)."""
    reach = pen_width * size / 2.0 + 0.5
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    img = np.zeros((size, size))
    for s in strokes:
        p = np.asarray(s, dtype=np.float64).reshape(-1, 2) * size
        p = np.vstack([p, p]) if len(p) == 1 else p
        dist = np.full((size, size), np.inf)
        for a, b in zip(p[:-1], p[1:]):
            d = b - a
            len2 = d @ d
            t = np.clip(((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / len2, 0, 1) if len2 else 0
            dist = np.minimum(dist, np.hypot(xs - a[0] - t * d[0], ys - a[1] - t * d[1]))
        img = np.maximum(img, np.clip(reach - dist, 0, 1))
    return img


def _diff(strokes, **kw) -> float:
    new = render_strokes(strokes, **kw)
    ref = _render_strokes_reference(strokes, **kw)
    assert new.dtype == np.float32 and new.shape == ref.shape
    return float(np.abs(new - ref).max())


@pytest.fixture(scope="module")
def drawn():
    return {path.name: load_drawings(path) for path in DRAWN_SETS}


@pytest.mark.parametrize("name", [p.name for p in DRAWN_SETS])
def test_drawn_digits_sample_matches_the_reference(drawn, name):
    """Every 50th drawing of each set (all styles, 1-3 strokes), at the canvas size."""
    drawings = drawn[name][::50]
    assert len(drawings) == 10
    worst = max(_diff(d.strokes) for d in drawings)
    assert worst <= TOL


@pytest.mark.parametrize("size", [28, 112, 140])
def test_drawn_digits_at_other_sizes_match_the_reference(drawn, size):
    drawings = drawn["drawn_digits.json"][7::100] + drawn["drawn_digits_hard.json"][3::100]
    assert max(_diff(d.strokes, size=size) for d in drawings) <= TOL


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in DRAWN_SETS])
def test_every_drawn_digit_matches_the_reference(drawn, name):
    worst = max(_diff(d.strokes) for d in drawn[name])
    assert worst <= TOL


EDGE_CASES = {
    "dot": [[(0.5, 0.5)]],
    "dot in a corner": [[(0.0, 0.0)], [(1.0, 1.0)]],
    "dot outside, pen reaching in": [[(-0.02, 0.5)], [(0.5, 1.03)]],
    "zero-length segments": [[(0.3, 0.3), (0.3, 0.3), (0.6, 0.4), (0.6, 0.4), (0.6, 0.4)]],
    "out and back": [[(0.5, 0.3), (0.5, -0.4), (0.5, 0.8)]],
    "crossing the box": [[(-3, -3), (4, 5)], [(-1, 0.5), (2, 0.5)], [(0.5, -2), (0.5, 3)]],
    "wholly outside": [[(5, 5)], [(-2, 0.5), (-1, 0.5)], [(1.5, -1), (3, 2)]],
    "erase": [Stroke([(0.2, 0.2), (0.8, 0.8)]), Stroke([(0.2, 0.8), (0.8, 0.2)], True),
              Stroke([(0.5, 0.1), (0.5, 0.9)]), Stroke([(0.1, 0.5), (0.9, 0.5)], True),
              Stroke([(0.1, 0.55), (0.9, 0.55)], True), Stroke([(0.5, 0.5)], True)],
    "erase first, then ink": [Stroke([(0.4, 0.4)], True), Stroke([(0.3, 0.3), (0.6, 0.6)])],
    "empty strokes": [[], Stroke([]), [(0.4, 0.4), (0.6, 0.6)], Stroke([], True), []],
    "only empty": [[], Stroke([], True)],
    "long segments": [[(0.05, 0.05), (0.95, 0.9), (0.1, 0.95), (0.9, 0.06)]],
    "raw tuples and arrays": [((0.2, 0.3), (0.7, 0.4)), np.array([[0.3, 0.8], [0.6, 0.2]])],
}


@pytest.mark.parametrize("size", [CANVAS_SIZE, 28, 112, 140, 64, 7, 1])
@pytest.mark.parametrize("pen_width", [PEN_WIDTH, 0.1875, 0.01, 0.0])
@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_match_the_reference(case, size, pen_width):
    assert _diff(EDGE_CASES[case], size=size, pen_width=pen_width) <= TOL


def test_edge_cases_are_not_blank():
    """The cases above draw something (or, for the ones that must not, nothing)."""
    for case, strokes in EDGE_CASES.items():
        ink = render_strokes(strokes)
        if case in ("wholly outside", "only empty"):
            assert ink.max() == 0, case
        else:
            assert ink.max() > 0.9, case
    assert render_strokes([]).shape == (CANVAS_SIZE, CANVAS_SIZE)
    erased = render_strokes([Stroke([(0.1, 0.5), (0.9, 0.5)]),
                             Stroke([(0.5, 0.3), (0.5, 0.7)], True)])
    assert erased[140, 140] == 0 and erased[140, 60] == 1


def test_far_away_points_are_exact():
    """Points thousands of canvases away: segments are clipped to the canvas first, so
    this costs no more than a short line and stays exact (the float32 reference loses
    precision at such coordinates: 1.0 off for the second case, so compare in float64)."""
    strokes = [[(-1000, -1000), (1000, 1000)], [(1e6, 0.5), (-1e6, 0.5)], [(0.5, -1e5)]]
    for size in (28, CANVAS_SIZE):
        assert np.abs(render_strokes(strokes, size=size) - _exact(strokes, size, PEN_WIDTH)
                      ).max() <= TOL


def _spiral(n: int) -> list[tuple[float, float]]:
    th = np.linspace(0.0, 12 * np.pi, n)
    r = 0.4 * th / th[-1]
    return list(zip(0.5 + r * np.cos(th), 0.5 + r * np.sin(th)))


def test_long_stroke_matches_and_memory_is_bounded():
    long = [Stroke(_spiral(2000))]
    assert _diff(long, size=64) <= TOL
    render_strokes(long)  # scratch buffers of this size already exist
    tracemalloc.start()
    try:
        ink = render_strokes(long)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ink.sum() > 1000
    assert peak < 4e6, peak  # the image (0.3 MB) and per-piece arrays; chunks bound the rest


def test_result_is_a_fresh_array():
    a = render_strokes([[(0.2, 0.2), (0.8, 0.8)]])
    b = render_strokes([[(0.2, 0.8), (0.8, 0.2)]])
    assert a is not b and not np.shares_memory(a, b)
    a[:] = 7
    assert np.array_equal(render_strokes([[(0.2, 0.8), (0.8, 0.2)]]), b)


def test_threads_render_the_same_as_one_thread(drawn):
    """Scratch buffers are per thread: concurrent calls (the training worker and the
    window) do not disturb each other."""
    drawings = drawn["drawn_digits.json"][:40]
    expected = [render_strokes(d.strokes, size=112) for d in drawings]
    results: dict[int, list] = {}

    def work(k):
        results[k] = [render_strokes(d.strokes, size=112) for d in drawings[k::2]]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for k in range(2):
        for got, want in zip(results[k], expected[k::2]):
            assert np.array_equal(got, want)


_coord = st.floats(-0.25, 1.25, allow_nan=False, width=32)
_stroke = st.builds(Stroke, st.lists(st.tuples(_coord, _coord), min_size=0, max_size=8),
                    st.booleans())


@settings(max_examples=150, deadline=None)
@given(strokes=st.lists(_stroke, min_size=1, max_size=4),
       size=st.sampled_from([1, 5, 16, 28, 40]),
       pen_width=st.floats(0.0, 0.4, allow_nan=False))
def test_random_strokes_match_the_reference(strokes, size, pen_width):
    assert _diff(strokes, size=size, pen_width=pen_width) <= TOL


@settings(max_examples=40, deadline=None)
@given(points=st.lists(st.tuples(_coord, _coord), min_size=1, max_size=40),
       jitter=st.floats(0.0, 0.02))
def test_random_dense_strokes_match_the_reference(points, jitter):
    """Pen-like traces: many short segments, at a medium size."""
    pts = np.cumsum(np.asarray(points) * jitter, axis=0) + 0.5
    assert _diff([pts.tolist()], size=56) <= TOL


def test_the_comparison_can_fail(monkeypatch):
    """A renderer whose windows are one pixel short of the pen is caught."""
    window = strokes_module._window.__wrapped__
    monkeypatch.setattr(strokes_module, "_window",
                        lambda half, reach: window(half, reach - 2.5))
    assert _diff(EDGE_CASES["long segments"]) > 0.5
