"""Drawn-digit evaluation: replay stroke files through the canvas's path."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .errors import LenetGuiError
from .predict import EvalResult, Recognizer, score
from .preprocess import INPUT_SIZE, preprocess_ink
from .strokes import Drawing, render_strokes


def drawings_to_inputs(drawings: Sequence[Drawing]) -> np.ndarray:
    """Render each drawing with the canvas pen and preprocess it: (N, 1, 32, 32)."""
    inputs = np.zeros((len(drawings), 1, INPUT_SIZE, INPUT_SIZE), dtype=np.float32)
    for i, drawing in enumerate(drawings):
        x = preprocess_ink(render_strokes(drawing.strokes))
        if x is None:
            raise LenetGuiError(f"drawing {i} (label {drawing.label}) has no ink")
        inputs[i] = x
    return inputs


def evaluate_drawings(recognizer: Recognizer, drawings: Sequence[Drawing]) -> EvalResult:
    unlabelled = [i for i, d in enumerate(drawings) if d.label is None]
    if unlabelled:
        raise LenetGuiError(f"drawing {unlabelled[0]} has no label; evaluation needs labels")
    if not drawings:
        raise LenetGuiError("the stroke file has no drawings")
    probs = recognizer.probabilities(drawings_to_inputs(drawings))
    return score(np.array([d.label for d in drawings]), probs)
