"""Style synthesis adds the strokes MNIST lacks, where they belong, and nothing else."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from lenet_gui.core.augment import AugmentConfig, Augmenter
from lenet_gui.core.styles import FLAG_LENGTH, StyleConfig, add_styles, big_loop_six, cross_seven, \
    flag_one, hook_six, slash_zero, stroke_width


def _image(draw_fn) -> np.ndarray:
    img = Image.new("L", (28, 28), 0)
    draw_fn(ImageDraw.Draw(img))
    return np.asarray(img, dtype=np.float32)


ONE = _image(lambda d: d.line([(14, 4), (14, 23)], fill=255, width=2))
ZERO = _image(lambda d: d.ellipse([7, 4, 20, 23], outline=255, width=2))
SEVEN = _image(lambda d: d.line([(8, 4), (20, 4), (13, 23)], fill=255, width=2))
SIX = _image(lambda d: (d.line([(13, 4), (9, 14)], fill=255, width=2),
                        d.ellipse([8, 13, 19, 23], outline=255, width=2)))
EIGHT = _image(lambda d: (d.ellipse([9, 4, 18, 13], outline=255, width=2),
                          d.ellipse([8, 13, 19, 23], outline=255, width=2)))
ALWAYS = StyleConfig(slashed_zero=1.0, flagged_one=1.0, based_one=1.0, crossed_seven=1.0,
                     hooked_six=1.0)


def test_stroke_width_of_a_two_pixel_line():
    assert 1.5 <= stroke_width(ONE) <= 2.6
    thick = _image(lambda d: d.line([(14, 4), (14, 23)], fill=255, width=4))
    assert stroke_width(thick) > stroke_width(ONE) + 1


def test_slash_crosses_the_hole_of_the_zero():
    rng = np.random.default_rng(0)
    out = slash_zero(ZERO, rng, 2.0)
    assert ZERO[12:16, 12:16].max() == 0
    assert out[11:17, 11:17].max() > 128  # the slash goes through the middle
    assert (out >= ZERO).all()


def test_flag_goes_left_and_down_from_the_top_and_base_sits_at_the_bottom():
    rng = np.random.default_rng(1)
    flagged = flag_one(ONE, rng, 2.0, flag=True, base=False)
    added = flagged - ONE
    ys, xs = np.nonzero(added > 60)
    assert len(xs) > 5
    assert xs.min() < 11 and ys.max() < 18  # to the left of the stem, in its upper part
    based = flag_one(ONE, rng, 2.0, flag=False, base=True)
    ys, xs = np.nonzero(based - ONE > 60)
    assert ys.min() >= 21 and xs.min() < 12 and xs.max() > 16  # across the foot


def test_flags_come_short_as_a_hurried_writer_makes_them_and_long():
    """The hard set's short-flagged 1s were read as 7 while every flag was >= 0.25 of
    the height: the range reaches down to 0.15, and ``length`` is honoured."""
    assert FLAG_LENGTH[0] <= 0.15 and FLAG_LENGTH[1] >= 0.6

    def reach(length):
        added = flag_one(ONE, np.random.default_rng(3), 2.0, flag=True, base=False,
                         length=length) - ONE
        ys, xs = np.nonzero(added > 60)
        return 14 - xs.min()  # how far left of the stem the flag ends

    short, long = reach((0.15, 0.15)), reach((0.7, 0.7))
    assert 1 <= short <= 4 < long


def test_crossbar_goes_through_the_middle_of_the_stem():
    out = cross_seven(SEVEN, np.random.default_rng(2), 2.0)
    ys, xs = np.nonzero(out - SEVEN > 60)
    assert len(xs) > 4
    assert 9 <= ys.mean() <= 18 and xs.max() - xs.min() >= 4


def test_hook_arches_right_from_the_top_of_the_six():
    for seed in range(5):
        out = hook_six(SIX, np.random.default_rng(seed), 2.0)
        ys, xs = np.nonzero(out - SIX > 60)
        assert len(xs) > 4
        assert xs.min() >= 12 and xs.max() >= 17  # from the stem's top end, to the right
        assert ys.max() <= 9  # over the top, well above the loop
        assert (out >= SIX).all()


def _loop_top(image: np.ndarray) -> int:
    """The first row where the ink spans the loop's width (the loop's top)."""
    for y, row in enumerate(image > 100):
        cols = np.flatnonzero(row)
        if len(cols) and cols[-1] - cols[0] >= 8:
            return y
    raise AssertionError("no loop")


def test_big_loop_keeps_the_digit_box_and_raises_the_loop():
    ys = np.flatnonzero((SIX > 100).any(axis=1))
    for seed in range(5):
        out = big_loop_six(SIX, np.random.default_rng(seed))
        out_ys = np.flatnonzero((out > 100).any(axis=1))
        assert (out_ys[0], out_ys[-1]) == (ys[0], ys[-1])  # same top and bottom
        assert _loop_top(out) <= _loop_top(SIX) - 2  # the loop takes more of the height
        assert (out[:ys[0]] == 0).all() and (out[ys[-1] + 1:] == 0).all()


def test_only_zeros_ones_sixes_and_sevens_change():
    images = np.stack([ZERO, ONE, SEVEN, SIX, EIGHT])
    labels = np.array([0, 1, 7, 6, 8])
    out = add_styles(images, labels, np.random.default_rng(3), ALWAYS)
    changed = (np.abs(out - images) > 1).any(axis=(1, 2))
    assert changed.tolist() == [True, True, True, True, False]
    none = StyleConfig(0, 0, 0, 0, 0, 0, 0)
    same = add_styles(images, labels, np.random.default_rng(3), none)
    assert np.array_equal(same, images)


def test_augmenter_applies_styles_only_with_labels():
    images = np.repeat(ZERO[None], 8, axis=0).astype(np.uint8)
    cfg = AugmentConfig(p=0.0, styles=ALWAYS)  # no geometric augmentation: styles only
    with_labels = Augmenter(seed=0, config=cfg)(images, np.zeros(8, dtype=int))
    without = Augmenter(seed=0, config=cfg)(images)
    assert np.array_equal(without, images.astype(np.float32))
    assert (with_labels[:, 12:16, 12:16].max(axis=(1, 2)) > 100).all()
