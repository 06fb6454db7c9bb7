"""Knowledge distillation: part of each training digit's target is other networks' answer.

Several LeNet5s trained from different seeds disagree on MNIST's hardest digits, and
the mean of their probabilities is right more often than any one of them. Trained to
that mean (Hinton et al. 2015, "Distilling the knowledge in a neural network"), one
LeNet5 keeps part of the ensemble's gain: the architecture the app ships stays the
course's. The personal recipe uses the same rule with its base model as the teacher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .predict import softmax


class Teacher:
    """The mean of one or more checkpoints' probabilities for network inputs."""

    def __init__(self, forwards: Sequence[Callable[[np.ndarray], np.ndarray]]) -> None:
        if not forwards:
            raise ValueError("a teacher needs at least one network")
        self._forwards = list(forwards)

    @classmethod
    def load(cls, checkpoints: Sequence[str | Path], batch: int | None = None) -> "Teacher":
        """Load each checkpoint (a missing or corrupt one raises ``CheckpointError``);
        ``batch``: the size of the batches it will answer, compiled as it is."""
        from .model import load_checkpoint
        from .predict import make_forward

        sizes = (batch,) if batch else ()
        return cls([make_forward(load_checkpoint(Path(c))[0], largest=256, sizes=sizes)
                    for c in checkpoints])

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 1, 32, 32) -> (N, 10): the teachers' mean answer."""
        return np.mean([softmax(f(inputs)) for f in self._forwards], axis=0,
                       dtype=np.float64).astype(np.float32)

    def soften(self, inputs: np.ndarray, targets: np.ndarray, weight: float,
               rows: slice | np.ndarray = slice(None)) -> np.ndarray:
        """``(1 - weight) * target + weight * teacher`` for ``rows``; others unchanged.

        ``targets`` are labels (N,) or distributions (N, 10); the result is (N, 10).
        """
        y = np.asarray(targets)
        if y.ndim == 1:
            y = np.eye(10, dtype=np.float32)[y]
        else:
            y = y.astype(np.float32, copy=True)
        y[rows] = (1.0 - weight) * y[rows] + weight * self.probabilities(inputs[rows])
        return y


__all__ = ["Teacher"]
