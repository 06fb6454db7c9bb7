"""The ``lenet-gui`` command line: a thin layer over the core (``main`` parses and
dispatches; ``export``, ``finetune`` and ``predict`` hold those commands)."""

from .main import main

__all__ = ["main"]
