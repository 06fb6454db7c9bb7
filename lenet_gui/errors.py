"""Errors the app reports to the user as one line (CLI) or a message (window)."""

from __future__ import annotations


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
