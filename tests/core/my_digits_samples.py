"""Drawings and fixtures the My digits tests share."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.core.strokes import Stroke

SEVEN = [Stroke([(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)])]
ONE = [Stroke([(0.5, 0.15), (0.52, 0.5), (0.52, 0.85)])]
ZERO = [Stroke([(0.5 + 0.2 * math.sin(a), 0.5 - 0.3 * math.cos(a))
                for a in np.linspace(0, 6.3, 40)])]


@pytest.fixture()
def path(tmp_path) -> Path:
    return tmp_path / "my_digits.json"


def aside(path: Path, tag: str = "corrupt") -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.{tag}-*"))
