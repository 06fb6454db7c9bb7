"""Drawn-digit evaluation: replay stroke files through the canvas's path."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .errors import LenetGuiError
from .predict import EvalResult, Recognizer, score
from .preprocess import INPUT_SIZE, normalise
from .reading import lone_digit_image
from .strokes import Drawing, render_strokes


def drawings_to_inputs(drawings: Sequence[Drawing]) -> np.ndarray:
    """Each drawing as the Draw tab reads a lone digit (the canvas pen; redrawn at the
    usual size if drawn much smaller or bigger), preprocessed: (N, 1, 32, 32)."""
    inputs = np.zeros((len(drawings), 1, INPUT_SIZE, INPUT_SIZE), dtype=np.float32)
    for i, drawing in enumerate(drawings):
        digit = lone_digit_image(drawing.strokes)
        if digit is None:
            raise LenetGuiError(f"drawing {i} (label {drawing.label}) has no ink")
        inputs[i] = normalise(digit)
    return inputs


def evaluate_drawings(recognizer: Recognizer, drawings: Sequence[Drawing]) -> EvalResult:
    unlabelled = [i for i, d in enumerate(drawings) if d.label is None]
    if unlabelled:
        raise LenetGuiError(f"drawing {unlabelled[0]} has no label; evaluation needs labels")
    if not drawings:
        raise LenetGuiError("the stroke file has no drawings")
    probs = recognizer.probabilities(drawings_to_inputs(drawings))
    return score(np.array([d.label for d in drawings]), probs)


def worst_mistakes(result: EvalResult, n: int = 10) -> list[int]:
    """Indices of the ``n`` most confident wrong answers, most confident first."""
    wrong = [i for i, (y, p) in enumerate(zip(result.labels, result.predictions)) if y != p]
    return sorted(wrong, key=lambda i: -result.confidences[i])[:n]


def mistakes_picture(drawings: Sequence[Drawing], result: EvalResult, path,
                     n: int = 10) -> int:
    """Save the worst ``n`` mistakes: the drawing, what the model saw, the verdict.

    Returns how many mistakes were drawn (0: nothing written).
    """
    from PIL import Image, ImageDraw

    from .preprocess import denormalise

    picks = worst_mistakes(result, n)
    if not picks:
        return 0
    cell, seen, pad, text_h = 140, 70, 6, 30
    width = len(picks) * (cell + pad) + pad
    sheet = Image.new("L", (width, cell + seen + text_h + 3 * pad), 255)
    draw = ImageDraw.Draw(sheet)
    for k, i in enumerate(picks):
        x0 = pad + k * (cell + pad)
        ink = render_strokes(drawings[i].strokes, size=cell)
        sheet.paste(Image.fromarray((255 - ink * 230).astype(np.uint8)), (x0, pad))
        draw.rectangle([x0, pad, x0 + cell - 1, pad + cell - 1], outline=180)
        model_input = drawings_to_inputs([drawings[i]])[0]
        small = Image.fromarray(denormalise(model_input)).resize(
            (seen, seen), Image.Resampling.NEAREST)
        sheet.paste(small, (x0 + (cell - seen) // 2, 2 * pad + cell))
        verdict = (f"{drawings[i].label} read as {result.predictions[i]}\n"
                   f"{result.confidences[i] * 100:.0f}% sure")
        draw.multiline_text((x0 + 4, 3 * pad + cell + seen - 4), verdict, fill=0)
    sheet.save(path)
    return len(picks)
