"""One LeNet5 training step in MindSpore, fast on CPU.

Imported lazily (it imports MindSpore). ``make_train_step(net, ...)`` returns a
callable ``step(x, y) -> float`` that runs forward, backward and a Momentum SGD
update (``nn.Momentum`` semantics) on ``net``'s own parameters, in place, so the
network can be saved or used for inference at any time (``predict.make_forward``).

Why it is fast: the runtime settings in ``_mindspore.RUNTIME_ENV`` (oneDNN's
ISA cap, blocking host runs), set before MindSpore's first operation; see
benchmarks/TRAINING_SPEED.md. ``make_train_step`` warns (RuntimeWarning) when
MindSpore ran before they were set: steps then take 100-260 ms instead of ~6 ms.

Parameters: in PyNative mode a jit graph that has run keeps reading its
parameters' old memory after ``Parameter.set_data`` (and so after
``load_param_into_net``). ``set_lr`` therefore uses ``ops.assign``; load a
checkpoint into ``net`` before building its train step.

Styles (``style=``):

* ``"cell"``: the course's ``nn.TrainOneStepCell(nn.WithLossCell(net, loss),
  nn.Momentum(...))``. Run as a graph: directly in GRAPH mode, through
  ``mindspore.jit`` in PyNative mode.
* ``"fast"``: one jit-compiled Cell: ``value_and_grad`` + weight decay +
  ``ops.ApplyMomentum`` per parameter, the learning rate a Parameter. Same
  mathematics and kernels as ``cell``; no global-step counter, no optimizer
  sub-graph. Needs no global state: works in PyNative (default) and GRAPH mode.
* ``"auto"``: ``"fast"``.

The loss is returned as a Python float (the step is synchronous anyway).
Threads: everything may be called from a non-main thread, but MindSpore 2.10's
graph compiler is not thread-safe: a jit graph compiling in one thread while
another thread compiles or runs one fails ("Nested execution during JIT
execution ... is not supported", or "Illegal AnfNode for evaluating"). So every
MindSpore call made here holds ``_mindspore.LOCK`` for one step or one inference
batch, as the recognizer does.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from ._mindspore import LOCK as MS_LOCK
from ._mindspore import import_mindspore

ms = import_mindspore()

from mindspore import Parameter, ParameterTuple, Tensor, nn, ops  # noqa: E402
from mindspore import dtype as mstype  # noqa: E402

STYLES = ("auto", "fast", "cell")


def _thread_running(name: str) -> bool:
    """Whether this process has a thread called ``name`` (Linux /proc; False elsewhere)."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/comm", encoding="utf-8") as fh:
                if fh.read().strip() == name:
                    return True
        except OSError:
            continue
    return False


def _graph_mode() -> bool:
    return ms.get_context("mode") == ms.GRAPH_MODE


class _FastStep(nn.Cell):
    """value_and_grad + nn.Momentum's update (weight decay, ApplyMomentum) in one graph."""

    def __init__(self, net, learning_rate: float, momentum: float, weight_decay: float,
                 soft_labels: bool = False):
        super().__init__(auto_prefix=False)
        self.net = net
        self.loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=not soft_labels,
                                                        reduction="mean")
        self.params = ParameterTuple(net.trainable_params())
        from .distributed import grad_reducer

        # Data parallel (msrun): average the gradients over the workers. None alone.
        self.grad_reducer = grad_reducer(self.params)
        self.moments = self.params.clone(prefix="moments", init="zeros")
        self.learning_rate = Parameter(Tensor(learning_rate, mstype.float32),
                                       name="learning_rate", requires_grad=False)
        self.momentum = Parameter(Tensor(momentum, mstype.float32), name="momentum",
                                  requires_grad=False)
        self.weight_decay = float(weight_decay)
        self.apply_momentum = ops.ApplyMomentum()
        self.grad_fn = ms.value_and_grad(self.forward_loss, None, self.params)

    def forward_loss(self, x, y):
        return self.loss_fn(self.net(x), y)

    @ms.jit
    def construct(self, x, y):
        loss, grads = self.grad_fn(x, y)
        if self.grad_reducer is not None:
            grads = self.grad_reducer(grads)
        done = ()
        for param, moment, grad in zip(self.params, self.moments, grads):
            if self.weight_decay > 0.0:
                # nn.Momentum: g + wd * w for every parameter whose name has no beta/gamma
                grad = grad + param * self.weight_decay
            done = done + (self.apply_momentum(param, moment, self.learning_rate, grad,
                                               self.momentum),)
        return ops.depend(loss, done)


class TrainStep:
    """``step(x, y) -> float loss``: one Momentum-SGD step on ``net``, in place."""

    def __init__(self, net, learning_rate: float, momentum: float, weight_decay: float = 0.0,
                 style: str = "auto", soft_labels: bool = False):
        if style not in STYLES:
            raise ValueError(f"unknown training step style {style!r}; choose one of "
                             f"{', '.join(STYLES)}")
        self.style = "fast" if style == "auto" else style
        self.net = net
        self.soft_labels = soft_labels
        self._lock = MS_LOCK
        with MS_LOCK:
            self._build(net, learning_rate, momentum, weight_decay)
        if not _graph_mode() and _thread_running("frontend_queue"):
            warnings.warn("MindSpore ran PyNative operations before MS_DEV_HOST_BLOCKING_RUN=1 "
                          "and ONEDNN_MAX_CPU_ISA=AVX2 were set, so training will be 10-40x "
                          "slower; import MindSpore through "
                          "lenet_gui.core._mindspore.import_mindspore() before the first "
                          "MindSpore operation", RuntimeWarning, stacklevel=3)

    def _build(self, net, learning_rate, momentum, weight_decay) -> None:
        self._lr = float(learning_rate)
        if self.style == "fast":
            self._cell = _FastStep(net, learning_rate, momentum, weight_decay,
                                   self.soft_labels)
            self._lr_param = self._cell.learning_rate
            self._run = self._cell
        else:
            loss = nn.SoftmaxCrossEntropyWithLogits(sparse=not self.soft_labels,
                                                    reduction="mean")
            opt = nn.Momentum(net.trainable_params(), float(learning_rate), float(momentum),
                              weight_decay=float(weight_decay))
            self._cell = nn.TrainOneStepCell(nn.WithLossCell(net, loss), opt)
            self._lr_param = opt.learning_rate
            if _graph_mode():
                self._run = self._cell
            else:
                cell = self._cell

                @ms.jit
                def _run(x, y):
                    return cell(x, y)

                self._run = _run
        self._cell.set_train()

    @property
    def learning_rate(self) -> float:
        return self._lr

    def set_lr(self, value: float) -> None:
        """Change the learning rate for the following steps (e.g. between epochs)."""
        with self._lock:
            self._lr = float(value)
            # Not Parameter.set_data: once the graph has run, set_data rebinds the Python
            # object but the compiled graph keeps reading the old memory (measured).
            ops.assign(self._lr_param, Tensor(self._lr, mstype.float32))

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        xt = Tensor(np.ascontiguousarray(x, dtype=np.float32))
        # Soft labels: (B, 10) target distributions (outlier exposure gives a
        # non-digit the uniform one); else (B,) class indices.
        yt = Tensor(np.ascontiguousarray(y, dtype=np.float32 if self.soft_labels else np.int32))
        with self._lock:
            return float(self._run(xt, yt).asnumpy())


def make_train_step(net, learning_rate: float, momentum: float, weight_decay: float = 0.0,
                    style: str = "auto", soft_labels: bool = False) -> TrainStep:
    """A ``TrainStep`` for ``net``: ``step(x (B,1,32,32) float32, y (B,) int32) -> float``.

    Updates ``net``'s parameters in place with ``nn.Momentum`` semantics
    (``g += weight_decay * w``; ``v = momentum * v + g``; ``w -= lr * v``).
    ``step.set_lr(value)`` changes the learning rate. The first call per batch
    shape compiles (about 0.3-0.5 s). Load any checkpoint into ``net`` first (see
    the module docstring). ``soft_labels=True``: ``y`` is (B, 10) float32 target
    distributions instead of class indices.
    """
    return TrainStep(net, learning_rate, momentum, weight_decay, style, soft_labels)


__all__ = ["make_train_step", "TrainStep", "STYLES"]
