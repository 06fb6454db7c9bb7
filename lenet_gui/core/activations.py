"""Every layer's output of LeNet5 for one input, computed by the network itself.

The Network view shows what each layer makes of the current drawing. The values
come from the same MindSpore ``LeNet5`` instance the Recognizer uses: a small Cell
borrows its layers (same Parameters, so a reloaded or retrained net shows at once)
and returns every intermediate, compiled once with ``mindspore.jit`` and run
under ``_mindspore.LOCK`` like ``predict.make_forward``. MindSpore is imported when
the first callable is made, not when this module is.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Callable

import numpy as np

from ._mindspore import LOCK, import_mindspore
from .preprocess import INPUT_SIZE


@dataclass(frozen=True)
class Layer:
    """How a layer is named and shaped in the course's LeNet figure."""

    key: str  # the Activations field
    label: str  # "C1 6@28x28"
    shape: tuple[int, ...]  # one image's output, without the batch axis
    what: str  # a few words for the hover line


LAYERS: tuple[Layer, ...] = (
    Layer("input", "input 32x32", (32, 32), "the 32x32 input, normalised like MNIST"),
    Layer("c1", "C1 6@28x28", (6, 28, 28), "conv1 5x5 + ReLU"),
    Layer("s2", "S2 6@14x14", (6, 14, 14), "max pool 2x2"),
    Layer("c3", "C3 16@10x10", (16, 10, 10), "conv2 5x5 + ReLU"),
    Layer("s4", "S4 16@5x5", (16, 5, 5), "max pool 2x2"),
    Layer("f5", "F5 120", (120,), "fc1 400->120 + ReLU"),
    Layer("f6", "F6 84", (84,), "fc2 120->84 + ReLU"),
    Layer("output", "output 10", (10,), "fc3 84->10: logits"),
)
FILTERS_LABEL = "conv1 filters 6@5x5"


@dataclass
class Activations:
    """One input's outputs, layer by layer, as float32 numpy arrays (no batch axis)."""

    input: np.ndarray  # (32, 32)
    c1: np.ndarray  # (6, 28, 28) conv1 after ReLU
    s2: np.ndarray  # (6, 14, 14)
    c3: np.ndarray  # (16, 10, 10) conv2 after ReLU
    s4: np.ndarray  # (16, 5, 5)
    f5: np.ndarray  # (120,) after ReLU
    f6: np.ndarray  # (84,) after ReLU
    output: np.ndarray  # (10,) logits, as Recognizer.forward gives them

    def layer(self, key: str) -> np.ndarray:
        return getattr(self, key)

    @property
    def probabilities(self) -> np.ndarray:
        z = self.output.astype(np.float64) - self.output.max()
        e = np.exp(z)
        return e / e.sum()

    @property
    def digit(self) -> int:
        return int(np.argmax(self.output))


@lru_cache(maxsize=1)
def _cell_class():
    """The Cell, defined on first use so that importing this module stays MindSpore-free."""
    from mindspore import nn

    class LeNet5Intermediates(nn.Cell):
        """LeNet5.construct step by step, returning what every layer made."""

        def __init__(self, net) -> None:
            super().__init__(auto_prefix=False)  # keep the net's parameter names
            self.conv1, self.conv2 = net.conv1, net.conv2
            self.fc1, self.fc2, self.fc3 = net.fc1, net.fc2, net.fc3
            self.relu, self.max_pool2d, self.flatten = net.relu, net.max_pool2d, net.flatten

        def construct(self, x):
            c1 = self.relu(self.conv1(x))
            s2 = self.max_pool2d(c1)
            c3 = self.relu(self.conv2(s2))
            s4 = self.max_pool2d(c3)
            f5 = self.relu(self.fc1(self.flatten(s4)))
            f6 = self.relu(self.fc2(f5))
            return c1, s2, c3, s4, f5, f6, self.fc3(f6)

    return LeNet5Intermediates


def make_activations(net) -> Callable[[np.ndarray], Activations]:
    """``(1, 1, 32, 32)`` (or ``(1, 32, 32)``) input -> ``Activations`` with ``net``'s weights.

    Compiled on the first call (~0.2 s), then a few milliseconds; each call holds
    MindSpore's process lock, as recognition does, so it can run beside training.
    """
    ms = import_mindspore()
    # No set_train: it would flip the shared layers' flag (and recompile a training graph).
    cell = _cell_class()(net)

    @ms.jit
    def _all(x):
        return cell(x)

    def activations(model_input: np.ndarray) -> Activations:
        x = np.ascontiguousarray(model_input, dtype=np.float32)
        if x.size != INPUT_SIZE * INPUT_SIZE:
            raise ValueError(f"expected one (1, 1, 32, 32) input, got {np.shape(model_input)}")
        x = x.reshape(1, 1, INPUT_SIZE, INPUT_SIZE)
        with LOCK:
            outs = [t.asnumpy()[0] for t in _all(ms.Tensor(x))]
        return Activations(x[0, 0].copy(), *outs)

    activations.cell = cell  # the wrapper, sharing ``net``'s layers (for tests and tools)
    return activations


def conv1_filters(net) -> np.ndarray:
    """The six 5x5 kernels of conv1, ``(6, 5, 5)`` float32 (a copy)."""
    with LOCK:
        weight = net.conv1.weight.asnumpy()
    return np.array(weight[:, 0], dtype=np.float32)


# One compiled callable per Recognizer, made when its activations are first asked for.
_BY_RECOGNIZER: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def activations_of(recognizer, model_input: np.ndarray) -> Activations:
    """``make_activations(recognizer.net)``, built once per Recognizer, applied to one input."""
    fn = _BY_RECOGNIZER.get(recognizer)
    if fn is None:
        fn = _BY_RECOGNIZER[recognizer] = make_activations(recognizer.net)
    return fn(model_input)


def describe_value(acts: Activations | None, filters: np.ndarray | None, key: str,
                   index: int, row: int, col: int) -> str:
    """One line about one value (the Network view's hover line): where, what, how much.

    ``key`` is an ``Activations`` field or ``"filters"``; ``index`` the map or filter
    (ignored for the input and the dense layers, where ``col`` is the unit).
    """
    if key == "filters":
        if filters is None:
            return f"{FILTERS_LABEL}: the model is not loaded yet"
        return (f"conv1 filter {index + 1}, row {row + 1}, column {col + 1}: "
                f"weight {filters[index, row, col]:+.4f}")
    layer = next(layer for layer in LAYERS if layer.key == key)
    name = layer.label.split(" ")[0]
    if len(layer.shape) == 1:
        where = f"output {col}" if key == "output" else f"{name} unit {col + 1} of {layer.shape[0]}"
        if acts is None:
            return f"{where} ({layer.what}): nothing drawn"
        value = float(acts.layer(key)[col])
        if key == "output":
            return f"{where}: logit {value:.3f}, probability {acts.probabilities[col] * 100:.2f}%"
        return f"{where} ({layer.what}): {value:.3f}"
    where = (f"input, row {row + 1}, column {col + 1}" if key == "input" else
             f"{name} map {index + 1}, row {row + 1}, column {col + 1}")
    if acts is None:
        return f"{where}: nothing drawn"
    data = acts.layer(key)
    value = float(data[row, col] if key == "input" else data[index, row, col])
    return f"{where} ({layer.what}): {value:.3f}"


def layer_levels(samples: list[Activations],
                 percentile: float = 99.5) -> dict[str, tuple[float, float]]:
    """Fixed display levels per layer, from typical inputs: ``{key: (low, high)}``.

    One pair for a whole layer (not per map), so maps of a layer compare, and fixed
    while drawing, so a growing stroke shows as a growing response. ReLU layers
    start at 0; the input uses its exact normalised range; logits are symmetric.
    """
    from .preprocess import MEAN, STD

    out: dict[str, tuple[float, float]] = {"input": (-MEAN / STD, (1.0 - MEAN) / STD)}
    for f in fields(Activations):
        if f.name == "input":
            continue
        values = np.concatenate([np.ravel(a.layer(f.name)) for a in samples]) if samples \
            else np.ones(1, np.float32)
        if f.name == "output":
            hi = float(np.max(np.abs(values))) or 1.0
            out[f.name] = (-hi, hi)
        else:
            hi = float(np.percentile(values, percentile)) if values.size else 1.0
            out[f.name] = (0.0, hi if hi > 1e-6 else 1.0)
    return out


def sample_inputs() -> np.ndarray:
    """The bundled sample digits (``resources/samples``) as model inputs, ``(N, 1, 32, 32)``."""
    from .config import resource_path
    from .preprocess import preprocess_ink, read_image_ink

    inputs = []
    for path in sorted(resource_path("samples").glob("digit-*.png")):
        try:
            x = preprocess_ink(read_image_ink(path))
        except Exception:  # noqa: BLE001 - a damaged sample only costs calibration
            continue
        if x is not None:
            inputs.append(x)
    if not inputs:
        return np.zeros((0, 1, INPUT_SIZE, INPUT_SIZE), np.float32)
    return np.stack(inputs).astype(np.float32)


__all__ = ["Activations", "LAYERS", "Layer", "FILTERS_LABEL", "make_activations",
           "conv1_filters", "activations_of", "describe_value", "layer_levels",
           "sample_inputs"]
