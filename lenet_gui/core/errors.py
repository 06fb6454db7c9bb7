"""Errors the app reports to the user as one line (CLI) or a message (window)."""

from __future__ import annotations


def first_line(exc: BaseException | object, default: str | None = None) -> str:
    """The first meaningful line of an error's text (MindSpore's run several lines,
    with "----" separators); ``default`` (the type's name if None) when it has none."""
    for line in str(exc).splitlines():
        line = line.strip()
        if line and not line.startswith("-"):
            return line
    return type(exc).__name__ if default is None else default


class LenetGuiError(Exception):
    """Base: the message is written for the user, not for a developer."""


class DataError(LenetGuiError):
    """MNIST files missing, truncated, corrupt or inconsistent."""


class DownloadError(LenetGuiError):
    """No mirror delivered a correct file."""


class CheckpointError(LenetGuiError):
    """A checkpoint that cannot be used: missing, corrupt, another network."""


class ConfigError(LenetGuiError):
    """A hyperparameter or option outside what training accepts."""


class TrainingError(LenetGuiError):
    """Training failed (diverged, device failure); no checkpoint was written."""


class DeviceError(LenetGuiError):
    """The chosen device target is not usable in this process."""


class ImageError(LenetGuiError):
    """An image file that cannot be read as a digit."""


class StopRequested(LenetGuiError):
    """A long job was asked to stop; not a failure."""
