"""The one preprocessing function: MNIST-faithful, the course's transforms, robust."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from lenet_gui.core.data import load_split
from lenet_gui.core.preprocess import (BOX_SIZE, CENTRE, MEAN, STD, denormalise, image_to_ink,
                                  ink_box, mnist_style, normalise, preprocess_ink)
from lenet_gui.core.strokes import Stroke, render_strokes


def _com(img: np.ndarray) -> tuple[float, float]:
    total = img.sum()
    ys, xs = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    return float((ys * img).sum() / total), float((xs * img).sum() / total)


def test_normalise_matches_the_course_pipeline(subset_dir):
    """Same numbers as the course's MindSpore transforms (Resize, Rescale x2, HWC2CHW)."""
    import mindspore.dataset as ds
    import mindspore.dataset.vision as vision

    images = load_split(subset_dir, "test").images[:16]
    pipeline = ds.NumpySlicesDataset({"image": images[..., None]}, shuffle=False)
    pipeline = pipeline.map([vision.Resize((32, 32), vision.Inter.LINEAR),
                             vision.Rescale(1 / 255.0, 0.0),
                             vision.Rescale(1 / STD, -MEAN / STD),
                             vision.HWC2CHW()], input_columns="image")
    course = np.stack([row[0] for row in pipeline.create_tuple_iterator(output_numpy=True)])
    ours = normalise(images)
    assert ours.shape == course.shape == (16, 1, 32, 32)
    # OpenCV resizes uint8 with fixed-point weights and rounds; we keep floats: the two
    # differ by at most one grey level (another interpolation convention differs by tens).
    assert np.abs(ours - course).max() <= 1.0 / 255 / STD + 1e-5


def test_normalise_single_and_batch_agree(subset_dir):
    images = load_split(subset_dir, "test").images[:5]
    batch = normalise(images)
    for i in range(5):
        assert np.allclose(normalise(images[i]), batch[i], atol=1e-6)
    with pytest.raises(ValueError):
        normalise(np.zeros((27, 28)))


def test_denormalise_inverts_normalise():
    x = np.linspace(0, 255, 28 * 28).reshape(28, 28)
    back = denormalise(normalise(x))
    assert back.shape == (32, 32) and back.dtype == np.uint8
    assert abs(int(back.max()) - 255) <= 1 and int(back.min()) <= 1


def test_mnist_digits_are_fixed_points(subset_dir):
    """MNIST was made this way, so re-making an MNIST digit changes it little."""
    images = load_split(subset_dir, "test").images[:100].astype(np.float32)
    diffs = []
    for img in images:
        again = mnist_style(img)
        diffs.append(np.abs(again - img).mean() / 255)
    assert np.median(diffs) < 0.03


def test_drawn_digit_box_and_centre_of_mass():
    ink = render_strokes([Stroke([(0.1, 0.1), (0.3, 0.5), (0.2, 0.9)])])
    digit = mnist_style(ink)
    top, bottom, left, right = ink_box(digit)
    assert max(bottom - top, right - left) == BOX_SIZE
    cy, cx = _com(digit)
    assert abs(cy - CENTRE) <= 0.5 and abs(cx - CENTRE) <= 0.5
    assert digit.max() == pytest.approx(255.0)
    # Anti-aliased: grey levels between ink and background.
    assert ((digit > 10) & (digit < 245)).sum() > 10


def test_position_and_size_do_not_matter():
    seven = [(0.2, 0.2), (0.8, 0.2), (0.45, 0.9)]
    small = render_strokes([Stroke([(0.05 + x * 0.4, 0.05 + y * 0.4) for x, y in seven])])
    big = render_strokes([Stroke(seven)], pen_width=0.075 * 2.5)  # same pen, relatively
    a, b = preprocess_ink(small).ravel(), preprocess_ink(big).ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.85  # the same 7 after preprocessing
    one = preprocess_ink(render_strokes([Stroke([(0.5, 0.1), (0.5, 0.9)])])).ravel()
    assert np.corrcoef(a, one)[0, 1] < 0.5  # a 1 is not


def test_blank_is_none():
    assert mnist_style(np.zeros((50, 50))) is None
    assert preprocess_ink(np.zeros((280, 280))) is None
    assert mnist_style(np.full((10, 10), np.nan)) is None


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "P", "I;16", "CMYK", "LA"])
@pytest.mark.parametrize("dark_on_light", [True, False])
def test_image_modes_and_polarity(mode, dark_on_light):
    ink = render_strokes([Stroke([(0.3, 0.2), (0.6, 0.2), (0.45, 0.8)])], size=100)
    grey = (255 * (1 - ink) if dark_on_light else 255 * ink).astype(np.uint8)
    image = Image.fromarray(grey, "L")
    if mode == "I;16":
        image = Image.fromarray(grey.astype("<u2") * 257)
        assert image.mode == "I;16"
    else:
        image = image.convert(mode)
    got = image_to_ink(image)
    assert got.shape == (100, 100)
    # Ink where the strokes are, not where the background is.
    assert got[ink > 0.9].mean() > 0.8 and got[ink == 0].mean() < 0.05


def test_transparent_png_ink_is_opacity():
    ink = render_strokes([Stroke([(0.2, 0.5), (0.8, 0.5)])], size=64)
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., 3] = (ink * 255).astype(np.uint8)  # black ink on a transparent sheet
    got = image_to_ink(Image.fromarray(rgba, "RGBA"))
    assert got[ink > 0.9].mean() > 0.8 and got[ink == 0].max() == 0


def test_big_image_is_reduced_before_float_conversion():
    image = Image.new("L", (6000, 300), 255)
    got = image_to_ink(image)
    assert max(got.shape) <= 1024


# ------------------------------------------------------------- properties

points = st.tuples(st.floats(-0.5, 1.5, allow_nan=False), st.floats(-0.5, 1.5,
                                                                     allow_nan=False))
strokes = st.lists(st.builds(Stroke, st.lists(points, min_size=1, max_size=12),
                             st.booleans()), max_size=5)


@settings(max_examples=60, deadline=None)
@given(strokes)
def test_any_strokes_give_a_finite_input_or_empty(stroke_list):
    x = preprocess_ink(render_strokes(stroke_list, size=64))
    if x is None:
        return
    assert x.shape == (1, 32, 32) and x.dtype == np.float32
    assert np.isfinite(x).all()
    lo, hi = (0 - MEAN) / STD, (1 - MEAN) / STD
    assert x.min() >= lo - 1e-4 and x.max() <= hi + 1e-4


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.data())
def test_any_ink_image_gives_a_28x28_digit(h, w, data):
    # hypothesis.extra.numpy draws large arrays without the filtering that a list of
    # up to 3,600 floats needed (a flaky "filter_too_much" health check).
    from hypothesis.extra.numpy import arrays

    values = data.draw(arrays(np.float32, (h, w), elements=st.floats(
        allow_nan=True, allow_infinity=True, width=32)))
    out = mnist_style(values.astype(np.float64))
    if out is None:
        return
    assert out.shape == (28, 28) and np.isfinite(out).all()
    assert 0 <= out.min() and out.max() <= 255.0 + 1e-3
    top, bottom, left, right = ink_box(out)
    assert max(bottom - top, right - left) <= BOX_SIZE
