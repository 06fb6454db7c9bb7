"""Digit, unsure, or not a digit: one verdict per drawing or segment.

LeNet5 keeps the course's ten outputs; trained with outlier exposure (generated
non-digits with the uniform distribution as their target, ``train --nondigits``) its
softmax stays flat for ink that is not a digit. The score is the largest
probability. Below ``reject`` the ink is "not a digit"; below ``unsure`` the
answer is given with its runner-up. ``reject`` is chosen on validation data
(``choose_reject``) and stored in the checkpoint's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

DIGIT, UNSURE, NOT_A_DIGIT = "digit", "unsure", "not a digit"
VERDICTS = (DIGIT, UNSURE, NOT_A_DIGIT)
#: A checkpoint trained without outlier exposure has no chosen threshold: refuse
#: only near-uniform answers.
DEFAULT_REJECT = 0.3
UNSURE_BELOW = 0.6  # the answer is given, with the runner-up, below this probability


@dataclass(frozen=True)
class Thresholds:
    reject: float = DEFAULT_REJECT
    unsure: float = UNSURE_BELOW

    def verdict(self, probabilities: Sequence[float]) -> str:
        top = float(np.max(probabilities))
        if top < self.reject:
            return NOT_A_DIGIT
        return UNSURE if top < max(self.unsure, self.reject) else DIGIT


def choose_reject(digit_score_sets: Sequence[tuple[np.ndarray, float]]) -> float:
    """The highest threshold that refuses at most the allowed share of each set.

    ``digit_score_sets``: (scores of real digits, share that may be refused), e.g.
    (held-out MNIST, 0.005) and (drawn digits, 0.01).
    """
    limits = []
    for scores, share in digit_score_sets:
        scores = np.sort(np.asarray(scores, dtype=np.float64))
        if len(scores) == 0:
            continue
        k = int(np.floor(share * len(scores)))  # this many may fall below
        limits.append(float(scores[k]) if k < len(scores) else 1.0)
    if not limits:
        return DEFAULT_REJECT
    # Strictly "below" refuses: a threshold equal to the k-th score refuses k scores.
    return float(min(limits))


__all__ = ["Thresholds", "choose_reject", "VERDICTS", "DIGIT", "UNSURE",
           "NOT_A_DIGIT", "DEFAULT_REJECT", "UNSURE_BELOW"]
