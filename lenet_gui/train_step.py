"""One LeNet5 training step in MindSpore, fast on CPU.

Imported lazily (it imports MindSpore). ``make_train_step(net, ...)`` returns a
callable ``step(x, y) -> float`` that runs forward, backward and a Momentum SGD
update (``nn.Momentum`` semantics) on ``net``'s own parameters, in place, so the
network can be saved or used for inference at any time. ``make_eval_fn(net)``
returns ``logits(x) -> numpy``.

Why it is fast (see benchmarks/TRAINING_SPEED.md for the measurements):

* ``ONEDNN_MAX_CPU_ISA=AVX2``. On AVX-512 CPUs the oneDNN 3.10 bundled with
  MindSpore 2.10 runs MindSpore's plain-layout (NCHW) convolutions as
  ``jit_uni_ncsp:conv+ref:any``, a *reference* kernel: 12-16 ms per LeNet5
  convolution at batch 32. Capped at AVX2 it picks ``x64:gemm:jit`` (im2col + jit
  GEMM), 0.3-0.5 ms, for forward, backward-data and backward-weights alike. The
  variable is read when oneDNN creates its first primitive, so it must be in the
  environment before the process's first convolution (or pooling, matmul ...).
* ``MS_DEV_HOST_BLOCKING_RUN=1``. In PyNative mode MindSpore hands every jit
  graph to a ``frontend_queue`` thread and the calling thread busy-waits for it
  (``AsyncRQueue::Wait`` is an empty spin loop); two more runtime threads spin on
  ``sched_yield``. On a 2-core machine that starves the kernels: a 5 ms step
  takes 40-90 ms. With the variable set the graph runs in the calling thread.
  MindSpore reads it once, at the first PyNative operation of the process.

Both variables are set here with ``os.environ.setdefault`` (a value the user
exported wins) before MindSpore is imported by this module; that only helps if
no MindSpore operation has run yet, so the application should call
``configure_runtime_env()`` (or set them) before its first MindSpore operation.
``runtime_env_ok()`` says whether they were set in time as far as this process
can tell.

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
MindSpore call made here holds ``MS_LOCK``, one re-entrant lock per process,
for the duration of one step or one inference batch; other code that runs
MindSpore concurrently (the recognizer) must hold the same lock. It is
``lenet_gui._mindspore.LOCK`` when that module defines one, else created here.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

import numpy as np

#: Environment that makes MindSpore 2.10 fast on CPU (see the module docstring).
RUNTIME_ENV = {"ONEDNN_MAX_CPU_ISA": "AVX2", "MS_DEV_HOST_BLOCKING_RUN": "1"}


def configure_runtime_env() -> dict[str, str]:
    """Put ``RUNTIME_ENV`` into ``os.environ`` unless the user chose other values.

    Call it before the process's first MindSpore operation (importing MindSpore
    is fine). Returns the values now in the environment.
    """
    for key, value in RUNTIME_ENV.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in RUNTIME_ENV}


configure_runtime_env()

from . import _mindspore  # noqa: E402
from ._mindspore import import_mindspore  # noqa: E402

ms = import_mindspore()

#: Held around every MindSpore compile/run in this module (see the module docstring).
MS_LOCK = getattr(_mindspore, "LOCK", None) or threading.RLock()

from mindspore import Parameter, ParameterTuple, Tensor, nn, ops  # noqa: E402
from mindspore import dtype as mstype  # noqa: E402

STYLES = ("auto", "fast", "cell")


def runtime_env_ok() -> dict[str, bool]:
    """Which of ``RUNTIME_ENV`` hold their recommended value in this process."""
    return {key: os.environ.get(key) == value for key, value in RUNTIME_ENV.items()}


def _graph_mode() -> bool:
    return ms.get_context("mode") == ms.GRAPH_MODE


class _FastStep(nn.Cell):
    """value_and_grad + nn.Momentum's update (weight decay, ApplyMomentum) in one graph."""

    def __init__(self, net, learning_rate: float, momentum: float, weight_decay: float):
        super().__init__(auto_prefix=False)
        self.net = net
        self.loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
        self.params = ParameterTuple(net.trainable_params())
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
                 style: str = "auto"):
        if style not in STYLES:
            raise ValueError(f"unknown training step style {style!r}; choose one of "
                             f"{', '.join(STYLES)}")
        self.style = "fast" if style == "auto" else style
        self.net = net
        self._lock = MS_LOCK
        with MS_LOCK:
            self._build(net, learning_rate, momentum, weight_decay)

    def _build(self, net, learning_rate, momentum, weight_decay) -> None:
        self._lr = float(learning_rate)
        if self.style == "fast":
            self._cell = _FastStep(net, learning_rate, momentum, weight_decay)
            self._lr_param = self._cell.learning_rate
            self._run = self._cell
        else:
            loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
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
        yt = Tensor(np.ascontiguousarray(y, dtype=np.int32))
        with self._lock:
            return float(self._run(xt, yt).asnumpy())


def make_train_step(net, learning_rate: float, momentum: float, weight_decay: float = 0.0,
                    style: str = "auto") -> TrainStep:
    """A ``TrainStep`` for ``net``: ``step(x (B,1,32,32) float32, y (B,) int32) -> float``.

    Updates ``net``'s parameters in place with ``nn.Momentum`` semantics
    (``g += weight_decay * w``; ``v = momentum * v + g``; ``w -= lr * v``).
    ``step.set_lr(value)`` changes the learning rate. The first call per batch
    shape compiles (about 0.5 s).
    """
    return TrainStep(net, learning_rate, momentum, weight_decay, style)


class _Logits(nn.Cell):
    def __init__(self, net):
        super().__init__(auto_prefix=False)
        self.net = net

    @ms.jit
    def construct(self, x):
        return self.net(x)


_EVAL_BUCKETS = (1, 16, 256, 1000)


def make_eval_fn(net) -> Callable[[np.ndarray], np.ndarray]:
    """``logits(x (N,1,32,32) float32) -> (N,10) numpy``, with ``net``'s current weights.

    Batches are padded up to a few fixed sizes so that at most four graphs are
    compiled. Does not touch ``net``'s train flag (the training graph stays compiled).
    """
    with MS_LOCK:
        cell = _Logits(net)
    lock = MS_LOCK

    def logits(x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        out = []
        biggest = _EVAL_BUCKETS[-1]
        for start in range(0, len(x), biggest):
            chunk = x[start:start + biggest]
            n = len(chunk)
            bucket = next(b for b in _EVAL_BUCKETS if b >= n)
            if bucket != n:
                chunk = np.concatenate([chunk, np.zeros((bucket - n,) + chunk.shape[1:],
                                                        dtype=np.float32)])
            with lock:
                out.append(cell(Tensor(chunk)).asnumpy()[:n])
        if not out:
            return np.zeros((0, 10), dtype=np.float32)
        return np.concatenate(out)

    return logits


__all__ = ["make_train_step", "make_eval_fn", "TrainStep", "STYLES", "RUNTIME_ENV", "MS_LOCK",
           "configure_runtime_env", "runtime_env_ok"]
