"""Every layer's output, from the Recognizer's own MindSpore network (the Network view's data)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lenet_gui.core.activations import (LAYERS, Activations, activations_of, conv1_filters,
                                   layer_levels, make_activations, sample_inputs)
from lenet_gui.core.evaluation import drawings_to_inputs
from lenet_gui.core.predict import Recognizer
from lenet_gui.core.strokes import load_drawings

from ..conftest import DRAWN


@pytest.fixture(scope="module")
def recognizer(shipped_ckpt):
    return Recognizer(shipped_ckpt)


@pytest.fixture(scope="module")
def inputs():
    return drawings_to_inputs(load_drawings(DRAWN)[:6])


def _conv_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(H, W) image, (O, k, k) kernels -> (O, H-k+1, W-k+1), cross-correlation like MindSpore."""
    k = w.shape[-1]
    cols = np.lib.stride_tricks.sliding_window_view(x, (k, k))
    return np.einsum("hwij,oij->ohw", cols, w)


def test_every_layer_has_the_figure_shape(recognizer, inputs):
    acts = activations_of(recognizer, inputs[0])
    assert isinstance(acts, Activations)
    for layer in LAYERS:
        value = acts.layer(layer.key)
        assert value.shape == layer.shape, layer.key
        assert value.dtype == np.float32 and np.isfinite(value).all()
    assert [layer.label for layer in LAYERS] == [
        "input 32x32", "C1 6@28x28", "S2 6@14x14", "C3 16@10x10", "S4 16@5x5", "F5 120",
        "F6 84", "output 10"]
    for key in ("c1", "s2", "c3", "s4", "f5", "f6"):  # after ReLU
        assert acts.layer(key).min() >= 0, key


def test_output_is_the_recognizers_forward(recognizer, inputs):
    logits = recognizer.forward(inputs)
    for x, expected in zip(inputs, logits):
        acts = activations_of(recognizer, x)
        assert np.abs(acts.output - expected).max() < 1e-5
        assert acts.digit == int(np.argmax(expected))
        assert np.allclose(acts.probabilities, recognizer.probabilities(x), atol=1e-6)
    # (1, 1, 32, 32) and (1, 32, 32) are the same input
    assert np.array_equal(activations_of(recognizer, inputs[:1]).output,
                          activations_of(recognizer, inputs[0]).output)


def test_conv1_and_pooling_match_numpy(recognizer, inputs):
    """A test-only NumPy recomputation: conv1 + ReLU from the weights, then 2x2 max pooling."""
    params = {p.name: p.asnumpy().astype(np.float64) for p in recognizer.net.get_parameters()}
    assert "conv1.bias" not in params  # nn.Conv2d has no bias by default
    w = params["conv1.weight"][:, 0]
    for x in inputs[:3]:
        acts = activations_of(recognizer, x)
        c1 = np.maximum(_conv_valid(x[0].astype(np.float64), w), 0)
        assert np.abs(acts.c1 - c1).max() < 1e-4
        assert np.array_equal(acts.s2, acts.c1.reshape(6, 14, 2, 14, 2).max(axis=(2, 4)))
        assert np.array_equal(acts.s4, acts.c3.reshape(16, 5, 2, 5, 2).max(axis=(2, 4)))
        f5 = np.maximum(acts.s4.reshape(-1).astype(np.float64) @ params["fc1.weight"].T
                        + params["fc1.bias"], 0)
        assert np.abs(acts.f5 - f5).max() < 1e-3


def test_it_is_the_same_network_not_a_copy(shipped_ckpt, inputs):
    rec = Recognizer(shipped_ckpt)  # its own: this test changes the weights
    names = [p.name for p in rec.net.get_parameters()]
    from lenet_gui.core._mindspore import import_mindspore

    ms = import_mindspore()
    weight = rec.net.conv1.weight
    flipped = -weight.asnumpy()
    weight.set_data(ms.Tensor(flipped))  # before anything is compiled for this net
    forward = make_activations(rec.net)
    assert forward.cell.conv1 is rec.net.conv1 and forward.cell.fc3 is rec.net.fc3
    assert forward.cell.conv1.weight is weight  # the very Parameter, not a copy
    acts = forward(inputs[0])
    assert [p.name for p in rec.net.get_parameters()] == names  # wrapping renames nothing
    c1 = np.maximum(_conv_valid(inputs[0, 0].astype(np.float64), flipped[:, 0, :, :]), 0)
    assert np.abs(acts.c1 - c1).max() < 1e-4
    assert np.abs(acts.output - rec.forward(inputs[:1])[0]).max() < 1e-5
    assert np.array_equal(conv1_filters(rec.net), flipped[:, 0])


def test_conv1_filters(recognizer):
    f = conv1_filters(recognizer.net)
    assert f.shape == (6, 5, 5) and f.dtype == np.float32
    assert np.array_equal(f, recognizer.net.conv1.weight.asnumpy()[:, 0])
    f[:] = 0  # a copy: the network is untouched
    assert np.abs(recognizer.net.conv1.weight.asnumpy()).max() > 0


def test_a_wrong_input_is_refused(recognizer):
    forward = make_activations(recognizer.net)
    with pytest.raises(ValueError):
        forward(np.zeros((2, 1, 32, 32), np.float32))
    with pytest.raises(ValueError):
        forward(np.zeros((28, 28), np.float32))


def test_levels_from_the_sample_digits(recognizer):
    samples = sample_inputs()
    assert samples.shape == (10, 1, 32, 32)
    levels = layer_levels([activations_of(recognizer, x) for x in samples])
    assert set(levels) == {layer.key for layer in LAYERS}
    for key in ("c1", "s2", "c3", "s4", "f5", "f6"):
        low, high = levels[key]
        assert low == 0 and high > 0.5, key
    low, high = levels["output"]
    assert low == -high and high > 5
    assert levels["input"][0] < 0 < levels["input"][1]
    assert layer_levels([])["c1"] == (0.0, 1.0)  # no samples: still usable levels


def test_importing_it_does_not_import_mindspore():
    code = "import sys, lenet_gui.core.activations; print('mindspore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False"


def test_the_hover_line_names_the_place_and_the_value(recognizer, inputs):
    from lenet_gui.core.activations import describe_value

    acts = activations_of(recognizer, inputs[0])
    w = conv1_filters(recognizer.net)
    assert describe_value(acts, w, "c1", 2, 9, 4) == \
        f"C1 map 3, row 10, column 5 (conv1 5x5 + ReLU): {acts.c1[2, 9, 4]:.3f}"
    assert describe_value(acts, w, "input", 0, 0, 31).startswith("input, row 1, column 32")
    assert describe_value(acts, w, "f6", -1, 0, 83) == \
        f"F6 unit 84 of 84 (fc2 120->84 + ReLU): {acts.f6[83]:.3f}"
    assert describe_value(acts, w, "output", -1, 0, 3) == (
        f"output 3: logit {acts.output[3]:.3f}, probability {acts.probabilities[3] * 100:.2f}%")
    assert describe_value(acts, w, "filters", 5, 4, 4) == \
        f"conv1 filter 6, row 5, column 5: weight {w[5, 4, 4]:+.4f}"
    assert describe_value(None, w, "s4", 0, 0, 0).endswith("nothing drawn")
    assert describe_value(None, None, "filters", 0, 0, 0).endswith("not loaded yet")
