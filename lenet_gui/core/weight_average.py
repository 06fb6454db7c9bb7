"""Averaging the weights of a run's last epochs (stochastic weight averaging).

The last epochs of a cosine schedule wander around a minimum; their mean sits nearer
its centre and generalises a little better than any one of them (Izmailov et al.,
2018). LeNet5 has no batch normalisation, so the mean needs no statistics pass. The
averaged weights are judged like an epoch, on the held-out images and drawings, and
kept only if they beat the best epoch.
"""

from __future__ import annotations

import numpy as np

from ._mindspore import import_mindspore


class WeightAverage:
    """The running sum of a network's parameters, one snapshot per epoch."""

    def __init__(self) -> None:
        self._sum: list[np.ndarray] | None = None
        self.count = 0

    def add(self, net) -> None:
        values = [p.asnumpy().astype(np.float64) for p in net.trainable_params()]
        if self._sum is None:
            self._sum = values
        else:
            for total, value in zip(self._sum, values):
                total += value
        self.count += 1

    def apply(self, net) -> None:
        """Write the mean into ``net``'s parameters, in place: a compiled graph keeps
        reading a parameter's memory, which ``set_data`` would replace."""
        if not self.count:
            raise ValueError("no weights were added")
        ms = import_mindspore()
        for param, total in zip(net.trainable_params(), self._sum):
            ms.ops.assign(param, ms.Tensor((total / self.count).astype(np.float32)))


__all__ = ["WeightAverage"]
