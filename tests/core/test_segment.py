"""segment: drawings and ink images cut into digits, to read a whole number.

The property that matters most: a drawing of one digit comes back as one segment
whose ink is the whole drawing, so single digits read exactly as before (every
drawing of every drawn set, multi-stroke ones included). Then numbers composed
from the drawn sets (tests/data/compose_numbers.py) must come out with the right
count in the right order, specks must be dropped, touching digits parted.
Timings are printed (``-s`` shows them), never asserted.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet_gui.core.preprocess import preprocess_ink
from lenet_gui.core.segment import MAX_DIGITS, segment_ink, segment_strokes
from lenet_gui.core.strokes import CANVAS_SIZE, Stroke, load_drawings, render_strokes

from ..conftest import SUBSET, TESTS
from ..data.compose_numbers import compose_number, compose_numbers

DRAWN_SETS = sorted((TESTS / "data").glob("drawn_digits*.json"))
MULTI_STROKE = ("4-open", "5-two-strokes", "7-bar", "0-slashed", "1-flag-base", "8-two-loops")


@pytest.fixture(scope="module")
def drawn() -> list:
    return [d for path in DRAWN_SETS[:2] for d in load_drawings(path)]


def _ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 90.0,
             turn: float = 360.0, n: int = 60) -> list[tuple[float, float]]:
    a = np.radians(start + np.linspace(0.0, turn, n))
    return list(zip(cx + rx * np.cos(a), cy + ry * np.sin(a)))


def _one(x: float, top: float = 0.3, bottom: float = 0.7) -> Stroke:
    return Stroke([(x, top), (x, bottom)])


def _moved(drawing, scale: float, dx: float, dy: float) -> list[Stroke]:
    return [Stroke([(x * scale + dx, y * scale + dy) for x, y in s.points], s.erase)
            for s in drawing.strokes]


def _centre_x(segment) -> float:
    return (segment.box[2] + segment.box[3]) / 2 / CANVAS_SIZE


def _outside(seg) -> float:
    """The most ink a segment has outside its region (which preprocessing looks at)."""
    t, b, l, r = seg.region
    rest = seg.ink.copy()
    rest[t:b, l:r] = 0
    return float(rest.max())


def test_drawn_sets_are_there():
    names = [p.name for p in DRAWN_SETS]
    assert "drawn_digits.json" in names and "drawn_digits_hard.json" in names


@pytest.mark.parametrize("path", DRAWN_SETS, ids=lambda p: p.stem)
def test_a_single_digit_is_the_whole_drawing(path):
    """Each drawing: one segment, no noise, and its ink *is* the drawing's ink (so the
    network's input is today's, bit for bit), from the strokes and from the image."""
    for i, d in enumerate(load_drawings(path)):
        ink = render_strokes(d.strokes)
        result = segment_strokes(d.strokes, ink=ink)
        assert (result.count, result.noise) == (1, 0), f"{path.name}[{i}] {d.style}"
        seg = result.segments[0]
        assert seg.ink is ink and not seg.cut, f"{path.name}[{i}] {d.style}"
        assert seg.stroke_indices == list(range(len(d.strokes)))
        assert _outside(seg) == 0, f"{path.name}[{i}] {d.style}"  # preprocessing looks there
        by_ink = segment_ink(ink)
        assert (by_ink.count, by_ink.noise) == (1, 0), f"{path.name}[{i}] {d.style} (ink)"
        assert by_ink.segments[0].ink is ink and by_ink.segments[0].region is None


def test_a_single_digit_reads_as_before(drawn):
    """The same, as the caller will use it: strokes in, preprocessed segment out."""
    for d in drawn[::10]:
        (seg,) = segment_strokes(d.strokes).segments
        t, b, l, r = seg.region
        assert np.array_equal(preprocess_ink(seg.ink[t:b, l:r]),
                              preprocess_ink(render_strokes(d.strokes)))


def test_multi_stroke_digits_are_in_the_sets(drawn):
    """The identity test above covers the multi-stroke styles only if they are there."""
    styles = {d.style for d in drawn if len(d.strokes) > 1}
    for name in MULTI_STROKE:
        assert any(s.startswith(name) for s in styles), name


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float,
         n: int = 30) -> list[tuple[float, float]]:
    a = np.radians(np.linspace(a0, a1, n))
    return list(zip(cx + rx * np.cos(a), cy + ry * np.sin(a)))


@pytest.mark.parametrize("name", ["0 in two arcs", "5 with a floating bar", "4 traced"])
def test_digits_in_side_by_side_pieces_are_one(name):
    """Pieces nearly as tall as the digit and side by side, which touch as the parts
    of one digit do (a loop's halves meeting twice; a bar ending on a stem) or float
    as a 5's bar does. The 4 is as MNIST writers' 4s trace (mnist_strokes): the upper
    stem apart from the L and the lower stem, meeting it in a corner at mid-height."""
    strokes = {
        "0 in two arcs": [Stroke(_arc(0.5, 0.5, 0.17, 0.3, -90, -270)),
                          Stroke(_arc(0.5, 0.5, 0.17, 0.3, -90, 90))],
        "5 with a floating bar": [
            Stroke([(0.34, 0.24), (0.32, 0.5)] + _arc(0.42, 0.65, 0.13, 0.16, -140, 150)),
            Stroke([(0.5, 0.08), (0.8, 0.06)])],
        "4 traced": [Stroke([(0.78, 0.14), (0.55, 0.55)]),
                     Stroke([(0.42, 0.27), (0.36, 0.56), (0.55, 0.55), (0.47, 0.86)])],
    }[name]
    result = segment_strokes(strokes)
    assert result.count == 1 and result.segments[0].stroke_indices == [0, 1]


def test_a_mark_beside_a_digit_joins_it():
    """A stray tick a third of the digit's height, beside it (MNIST writers have them):
    too big for a speck, too small for a digit of the same number."""
    strokes = [Stroke([(0.2, 0.2), (0.5, 0.2), (0.35, 0.8)]),
               Stroke([(0.68, 0.4), (0.69, 0.55)])]
    assert [s.stroke_indices for s in segment_strokes(strokes).segments] == [[0, 1]]
    far = [strokes[0], Stroke([(0.95, 0.4), (0.96, 0.55)])]  # beyond reach: its own
    assert segment_strokes(far).count == 2


def test_where_lines_meet_is_not_searched_in_hatching(monkeypatch):
    """The search costs the product of two lines' lengths per pair: handwriting gets it
    (a 4 in pieces), a page of hatching (200 tall lines side by side) does not."""
    from lenet_gui.core import segment

    calls = []
    real = segment._meeting
    monkeypatch.setattr(segment, "_meeting", lambda *a: calls.append(a) or real(*a))
    four = [Stroke([(0.78, 0.14), (0.55, 0.55)]),
            Stroke([(0.42, 0.27), (0.36, 0.56), (0.55, 0.55), (0.47, 0.86)])]
    assert segment_strokes(four).count == 1 and calls
    calls.clear()
    hatching = [Stroke([(0.05 + 0.0045 * k, 0.1), (0.06 + 0.0045 * k, 0.9)]) for k in range(200)]
    assert segment_strokes(hatching).count >= 1 and not calls


def test_side_by_side_digits_meeting_at_their_tops_are_two():
    """Two 1s leaning together until their tops touch (a corner at the top of both)."""
    ones = [Stroke([(0.42, 0.2), (0.3, 0.8)]), Stroke([(0.42, 0.2), (0.56, 0.8)])]
    assert [s.stroke_indices for s in segment_strokes(ones).segments] == [[0], [1]]


def test_real_writers_digits_are_one_segment():
    """MNIST training digits of the subset traced into strokes as a pen would draw them
    (mnist_strokes): at least 99% stay one segment (98.25% did before strokes that meet
    as one digit's parts were kept together)."""
    from lenet_gui.core.data import load_split
    from lenet_gui.core.mnist_strokes import mnist_to_strokes

    split = load_split(SUBSET, "train")
    drawings = [s for s in mnist_to_strokes(split.images) if s]
    split_up = sum(segment_strokes(s).count != 1 for s in drawings)
    assert split_up <= 0.01 * len(drawings), f"{split_up} of {len(drawings)}"


def test_composed_numbers_are_counted_and_ordered(drawn):
    numbers = compose_numbers(drawn, 300, seed=20240611)
    right, times, gaps_seen = 0, [], min(min(n.gaps) for n in numbers)
    for n in numbers:
        ink = render_strokes(n.strokes)
        t = time.perf_counter()
        result = segment_strokes(n.strokes, ink=ink)
        times.append((time.perf_counter() - t) * 1e3)
        assert all(_outside(seg) == 0 for seg in result.segments), n.text
        if result.count != len(n.text):
            continue
        # Left to right, each segment on its digit.
        centres = [_centre_x(s) for s in result.segments]
        assert centres == sorted(centres)
        right += all(b[2] < c < b[3] for c, b in zip(centres, n.boxes))
    assert gaps_seen < 0  # the set has overlapping boxes, not only easy gaps
    assert right >= 0.99 * len(numbers), f"{right} of {len(numbers)} right"
    four = [t for t, n in zip(times, numbers) if len(n.text) == 4]
    print(f"\nsegment_strokes, {len(four)} numbers of 4 digits: median "
          f"{np.median(four):.2f} ms, p95 {np.percentile(four, 95):.2f} ms (rendering not counted)")


def test_segment_ink_agrees_with_strokes(drawn):
    numbers = compose_numbers(drawn, 200, seed=7)
    agree, clear, times = 0, 0, []
    for n in numbers:
        ink = render_strokes(n.strokes)
        t = time.perf_counter()
        by_ink = segment_ink(ink)
        times.append((time.perf_counter() - t) * 1e3)
        same = by_ink.count == segment_strokes(n.strokes, ink=ink).count
        agree += same
        if min(n.gaps) >= 0.08:  # ink that does not touch: nothing to cut
            clear += 1
            assert same, n.text
    assert clear >= 100  # and the rest touch or overlap
    assert agree >= 0.95 * len(numbers), f"{agree} of {len(numbers)}"
    print(f"\nsegment_ink: median {np.median(times):.2f} ms, p95 {np.percentile(times, 95):.2f} ms")


def test_each_stroke_in_one_segment(drawn):
    for n in compose_numbers(drawn, 40, seed=3):
        result = segment_strokes(n.strokes)
        owned = [i for s in result.segments for i in s.stroke_indices]
        assert sorted(set(owned)) == list(range(len(n.strokes))), n.text
        shared = {i for i in owned if owned.count(i) > 1}  # only a cut stroke is shared
        assert all(s.cut for s in result.segments if shared & set(s.stroke_indices))
        for s in result.segments:  # a segment's ink lies in its box
            t, b, l, r = s.box
            outside = s.ink.copy()
            outside[t:b, l:r] = 0
            assert outside.max() <= 0.5


def test_far_speck_is_noise(drawn):
    digit = _moved(drawn[0], 0.6, 0.0, 0.2)
    speck = Stroke([(0.93, 0.08)])
    result = segment_strokes(digit + [speck])
    assert (result.count, result.noise) == (1, 1)
    # With the speck cut away, the digit reads as if it had been drawn alone.
    alone = preprocess_ink(render_strokes(digit))
    assert np.array_equal(preprocess_ink(result.segments[0].ink), alone)
    assert len(digit) not in result.segments[0].stroke_indices
    by_ink = segment_ink(render_strokes(digit + [speck]))
    assert (by_ink.count, by_ink.noise) == (1, 1)


@pytest.mark.parametrize("dot", [(0.56, 0.28), (0.5, 0.18), (0.6, 0.62)],
                         ids=["touching", "above, apart", "beside, apart"])
def test_dot_next_to_a_digit_is_part_of_it(dot):
    strokes = [_one(0.5), Stroke([dot])]
    result = segment_strokes(strokes)
    assert (result.count, result.noise) == (1, 0)
    assert result.segments[0].stroke_indices == [0, 1]
    by_ink = segment_ink(render_strokes(strokes))
    assert (by_ink.count, by_ink.noise) == (1, 0)


def test_small_tick_on_a_digit_joins_it():
    strokes = [_one(0.5), Stroke([(0.47, 0.33), (0.5, 0.3)])]  # a flag drawn apart
    assert segment_strokes(strokes).count == 1


def test_cursive_00_in_one_stroke_is_cut():
    """Two 0s drawn without lifting the pen: around the first, across, around the second."""
    first = _ellipse(0.3, 0.5, 0.14, 0.22, start=0.0)
    second = _ellipse(0.68, 0.5, 0.14, 0.22, start=180.0)
    result = segment_strokes([Stroke(first + second)])
    assert result.count == 2 and all(s.cut for s in result.segments)
    assert result.segments[0].box[3] <= result.segments[1].box[2] + 2
    assert result.segments[0].stroke_indices == result.segments[1].stroke_indices == [0]
    assert segment_ink(render_strokes([Stroke(first + second)])).count == 2
    three = [Stroke(_ellipse(0.2, 0.5, 0.1, 0.16, start=0.0) + _ellipse(0.5, 0.5, 0.1, 0.16)
                    + _ellipse(0.8, 0.5, 0.1, 0.16, start=180.0))]
    assert segment_strokes(three).count == segment_ink(render_strokes(three)).count == 3


def test_touching_digits_are_two():
    """Two 0s whose ink touches, and two 1s with bases that run into each other."""
    zeros = [Stroke(_ellipse(0.32, 0.5, 0.13, 0.22)),  # centre lines a pen apart
             Stroke(_ellipse(0.32 + 0.26 + 0.085, 0.5, 0.13, 0.22))]
    assert segment_strokes(zeros).count == 2
    assert segment_ink(render_strokes(zeros)).count == 2
    ones = [_one(0.35, 0.25, 0.7), Stroke([(0.25, 0.7), (0.45, 0.7)]),
            _one(0.55, 0.25, 0.7), Stroke([(0.45, 0.7), (0.65, 0.7)])]
    result = segment_strokes(ones)
    assert result.count == 2
    assert [s.stroke_indices for s in result.segments] == [[0, 1], [2, 3]]


def test_nine_digits_are_too_many(drawn):
    ones = [_one(0.06 + 0.11 * k) for k in range(9)]
    result = segment_strokes(ones)
    assert result.count == 9 and result.too_many
    assert not segment_strokes(ones[:MAX_DIGITS]).too_many
    number = compose_number(drawn, np.random.default_rng(5), 9)
    assert segment_strokes(number.strokes).too_many


def test_nothing_drawn():
    for strokes in ([], [Stroke([])], [Stroke([(0.5, 0.5), (0.6, 0.6)], erase=True)],
                    [Stroke([(3.0, 3.0), (4.0, 3.5)])]):
        result = segment_strokes(strokes)
        assert result.segments == [] and result.count == 0 and not result.too_many
    assert segment_ink(np.zeros((50, 80))).count == 0
    assert segment_ink(np.full((20, 20), np.nan)).count == 0


def test_erased_digit_is_gone(drawn):
    left, right = _moved(drawn[0], 0.45, 0.0, 0.25), _moved(drawn[100], 0.45, 0.5, 0.25)
    both = left + right
    assert segment_strokes(both).count == 2
    pts = np.concatenate([np.asarray(s.points) for s in right])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    wipe = Stroke([(x, y) for y in np.arange(y0 - 0.03, y1 + 0.06, 0.04)
                   for x in (x0 - 0.03, x1 + 0.03)], erase=True)
    strokes = both + [wipe]
    result = segment_strokes(strokes)
    assert result.count == 1
    assert result.segments[0].stroke_indices == list(range(len(left)))
    assert np.array_equal(preprocess_ink(result.segments[0].ink),
                          preprocess_ink(render_strokes(strokes)))


def test_erasing_the_link_parts_joined_digits():
    """"11" drawn as one U-shaped stroke is one piece (as narrow as a digit); erasing
    the bottom of the U leaves two."""
    joined = [Stroke([(0.38, 0.3), (0.38, 0.7), (0.58, 0.7), (0.58, 0.3)])]
    assert segment_strokes(joined).count == 1
    erased = joined + [Stroke([(0.48, 0.6), (0.48, 0.8)], erase=True)]
    result = segment_strokes(erased)
    assert result.count == 2
    assert [s.stroke_indices for s in result.segments] == [[0], [0]]


def test_digits_on_top_of_each_other_do_not_break_it(drawn):
    top, bottom = _moved(drawn[0], 0.4, 0.3, 0.0), _moved(drawn[260], 0.4, 0.3, 0.5)
    for result in (segment_strokes(top + bottom), segment_ink(render_strokes(top + bottom))):
        assert 1 <= result.count <= 2
        for s in result.segments:
            assert s.ink.shape == (CANVAS_SIZE, CANVAS_SIZE) and s.ink.max() > 0


def test_segment_ink_any_image_size_and_scale():
    """A photo-like image: bigger, ink as 0..255, the digits thinner than the canvas pen."""
    ink = render_strokes([_one(0.2), Stroke(_ellipse(0.6, 0.5, 0.12, 0.2))], size=600,
                         pen_width=0.02) * 255
    result = segment_ink(ink.astype(np.uint8))
    assert result.count == 2 and result.segments[0].ink.dtype == np.uint8
    assert _centre_x(result.segments[0]) < _centre_x(result.segments[1])


_point = st.tuples(st.floats(-0.2, 1.2), st.floats(-0.2, 1.2))
_stroke = st.builds(Stroke, st.lists(_point, min_size=1, max_size=12),
                    st.sampled_from([False] * 9 + [True]))


@settings(max_examples=60, deadline=None)
@given(st.lists(_stroke, max_size=10))
def test_any_drawing_gives_disjoint_parts_of_its_ink(strokes):
    ink = render_strokes(strokes)
    for result in (segment_strokes(strokes, ink=ink), segment_ink(ink)):
        total = np.zeros_like(ink)
        for s in result.segments:
            assert s.ink.shape == ink.shape and ((s.ink == 0) | (s.ink == ink)).all()
            t, b, l, r = s.box
            assert 0 <= t < b <= CANVAS_SIZE and 0 <= l < r <= CANVAS_SIZE
            total += s.ink
        assert (total <= ink + 1e-6).all()  # no pixel in two segments
        if ink.max() > 0.5:
            assert result.count + result.noise >= 1


def test_wrong_input_is_refused():
    with pytest.raises(ValueError):
        segment_ink(np.zeros((3, 4, 5)))
    with pytest.raises(ValueError):
        segment_strokes([_one(0.5)], ink=np.zeros((10, 10), dtype=np.float32))
