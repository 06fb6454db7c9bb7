"""Outlier exposure: soft-label steps, non-digits in batches, starting from a checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from lenet_gui.core.config import TrainConfig
from lenet_gui.core.data import load_split
from lenet_gui.core.errors import ConfigError
from lenet_gui.core.model import build_lenet5, load_checkpoint, read_info
from lenet_gui.core.predict import make_forward, softmax
from lenet_gui.core.train import train


@pytest.fixture(scope="module")
def splits(subset_dir):
    return load_split(subset_dir, "train"), load_split(subset_dir, "test")


def test_soft_one_hot_labels_give_the_sparse_loss():
    from lenet_gui.core._mindspore import import_mindspore
    from lenet_gui.core.train_step import make_train_step

    ms = import_mindspore()
    ms.set_seed(0)
    net = build_lenet5()
    twin = build_lenet5()
    ms.load_param_into_net(twin, dict(net.parameters_dict()))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 1, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    sparse = make_train_step(net, 0.0, 0.0)(x, y.astype(np.int32))
    soft_step = make_train_step(twin, 0.0, 0.0, soft_labels=True)
    soft = soft_step(x, np.eye(10, dtype=np.float32)[y])
    assert soft == pytest.approx(sparse, rel=1e-5)
    uniform = soft_step(x, np.full((8, 10), 0.1, dtype=np.float32))
    assert uniform != pytest.approx(sparse, rel=1e-3)


def test_nondigit_share_is_validated():
    for bad in (-0.1, 0.6, "x"):
        with pytest.raises(ConfigError, match="non-digit share"):
            TrainConfig(nondigits=bad).validate()
    TrainConfig(nondigits=0.1).validate()


def test_outlier_exposure_flattens_the_answer_for_non_digits(splits, shipped_ckpt, tmp_path):
    """Fine-tuned with non-digits from the course weights (trained without any),
    scribbles get less sure."""
    course = shipped_ckpt.with_name("lenet5_course.ckpt")
    from lenet_gui.core.nondigits import nondigit_images
    from lenet_gui.core.preprocess import normalise

    scribbles = normalise(nondigit_images(200, np.random.default_rng(123)))
    base, _ = load_checkpoint(course)
    before = softmax(make_forward(base)(scribbles)).max(axis=1)
    config = TrainConfig.for_recipe("robust", epochs=2, lr=0.005, holdout=300,
                                    nondigits=0.25, init_checkpoint=str(course))
    result = train(config, tmp_path / "oe.ckpt", train_split=splits[0],
                   test_split=splits[1])
    net, _ = load_checkpoint(result.checkpoint)
    after = softmax(make_forward(net)(scribbles)).max(axis=1)
    assert np.median(after) < np.median(before) - 0.15
    assert result.best_accuracy > 0.97  # the digits are still read
    info = read_info(result.checkpoint)
    assert info.train_config["nondigits"] == 0.25
    assert info.train_config["init_checkpoint"] == str(course)
    assert 0 < info.reject_threshold < 1
