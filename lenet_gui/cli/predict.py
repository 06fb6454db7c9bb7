"""``lenet-gui predict IMAGE...``: read the digit or number in each picture."""

from __future__ import annotations

import argparse
import json
import sys

from ..core.errors import LenetGuiError

EXIT_ERROR = 1


def describe(reading) -> str:
    """One line for a person: the number, each digit's confidence, or why not."""
    if reading.message:
        return reading.message
    if reading.verdict == "not a digit" and len(reading.digits) == 1:
        return "not a digit"
    parts = []
    for d in reading.digits:
        if d.verdict == "not a digit":
            parts.append("? not a digit")
        elif d.verdict == "unsure":
            parts.append(f"{d.digit} ({d.confidence * 100:.0f}%, or {d.runner_up}: "
                         f"{d.probabilities[d.runner_up] * 100:.0f}%)")
        else:
            parts.append(f"{d.digit} ({d.confidence * 100:.1f}%)")
    if len(reading.digits) == 1:
        note = " (low confidence)" if reading.verdict == "unsure" else ""
        return parts[0] + note
    return f"{reading.text} [{reading.verdict}]: " + ", ".join(parts)


def cmd_predict(args: argparse.Namespace, recognizer) -> int:
    from ..core.preprocess import read_image_ink
    from ..core.reading import read_ink

    failures = 0
    for path in args.images:
        try:
            reading = read_ink(recognizer, read_image_ink(path))
            if reading is None:
                raise LenetGuiError(f"{path}: no digit found (the image is blank)")
        except LenetGuiError as exc:
            failures += 1
            if args.json:
                print(json.dumps({"image": str(path), "error": str(exc)}))
            else:
                print(f"lenet-gui: error: {exc}", file=sys.stderr)
            continue
        if args.json:
            single = reading.digits[0] if len(reading.digits) == 1 else None
            print(json.dumps({
                "image": str(path),
                # For one digit, as before; for a number, null (see "digits").
                "digit": single.digit if single else None,
                "probabilities": [round(p, 6) for p in single.probabilities] if single
                else None,
                **reading.to_dict()}))
        else:
            print(f"{path}: {describe(reading)}")
    return EXIT_ERROR if failures else 0
