"""Hyperparameters are checked before training starts, with the reason."""

from __future__ import annotations

import math

import pytest

from lenet_gui.core.config import TrainConfig
from lenet_gui.core.errors import ConfigError


def test_course_recipe_is_the_default():
    c = TrainConfig()
    assert (c.epochs, c.lr, c.momentum, c.batch_size, c.recipe) == (3, 0.01, 0.9, 32, "course")
    c.validate(60000)


@pytest.mark.parametrize("changes, message", [
    ({"lr": 0.0}, "learning rate must be in"),
    ({"lr": -0.1}, "learning rate must be in"),
    ({"lr": math.nan}, "lr must be a finite number"),
    ({"lr": math.inf}, "lr must be a finite number"),
    ({"lr": 1e4}, "learning rate must be in"),
    ({"lr": "fast"}, "lr must be a number"),
    ({"epochs": 0}, "epochs must be at least 1"),
    ({"epochs": -3}, "epochs must be at least 1"),
    ({"epochs": 2.5}, "epochs must be a whole number"),
    ({"batch_size": 0}, "batch size must be at least 1"),
    ({"momentum": 1.5}, "momentum must be in"),
    ({"limit": 10}, r"limit \(10\) is smaller than one batch \(32\)"),
    ({"limit": 0}, "limit must be a positive whole number"),
    ({"device": "TPU"}, "device must be one of CPU, GPU, Ascend"),
    ({"recipe": "magic"}, "recipe must be one of course, robust"),
    ({"seed": -1}, "seed must not be negative"),
    ({"canvas_pen": 1.5}, r"canvas-pen share must be in \[0, 1\]"),
    ({"canvas_pen": -0.1}, r"canvas-pen share must be in \[0, 1\]"),
    ({"canvas_pen": True}, r"canvas-pen share must be in \[0, 1\]"),
])
def test_bad_values_are_rejected(changes, message):
    c = TrainConfig(**changes)
    with pytest.raises(ConfigError, match=message):
        c.validate()


def test_batch_larger_than_the_data():
    with pytest.raises(ConfigError, match=r"batch size \(64\) is larger than the training "
                                          r"data \(50 samples\)"):
        TrainConfig(batch_size=64).validate(50)
    with pytest.raises(ConfigError, match=r"limit \(100\) is smaller than one batch"):
        TrainConfig(batch_size=200, limit=100).validate()
    TrainConfig(batch_size=32, limit=100).validate(60000)


def test_recipes():
    robust = TrainConfig.for_recipe("robust", seed=5)
    assert robust.recipe == "robust" and robust.augment and robust.seed == 5
    robust.validate()
    assert TrainConfig.for_recipe("course", epochs=1).epochs == 1
    with pytest.raises(ConfigError):
        TrainConfig.for_recipe("nope")
