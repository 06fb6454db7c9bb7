"""Argument types and options shared by the commands: one clear line for a bad value."""

from __future__ import annotations

import argparse

from ..core.config import DEVICES

EXIT_ERROR = 1


def int_at_least(minimum: int):
    """An argparse type: a whole number >= ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be at least 1, got {value}" if minimum == 1 else
                f"must not be negative, got {value}" if minimum == 0 else
                f"must be at least {minimum}, got {value}")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def device(text: str) -> str:
    for name in DEVICES:
        if text.lower() == name.lower():
            return name
    raise argparse.ArgumentTypeError(f"choose one of {', '.join(DEVICES)}, got {text!r}")


def add_threads_argument(p: argparse.ArgumentParser, positive_int) -> None:
    p.add_argument("--threads", type=positive_int, metavar="N",
                   help="MindSpore CPU threads (default: MindSpore's choice; the window's "
                        "training process uses 1, which is as fast for LeNet5)")


def add_report_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", choices=("jsonl",),
                   help="jsonl: machine-readable progress on stdout, one JSON object per "
                        "line; 'stop' or 'abandon' on stdin stops (the window's training "
                        "process; docs/training-process.md)")
