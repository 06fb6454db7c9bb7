"""Training as a plain function: loss falls, stop within a step, NaN, callbacks."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from lenet_gui.core.config import TrainConfig
from lenet_gui.core.data import load_split
from lenet_gui.core.errors import ConfigError, TrainingError
from lenet_gui.core.model import load_checkpoint, metadata_path
from lenet_gui.core.train import learning_rate_at, train


@pytest.fixture(scope="module")
def splits(subset_dir):
    return load_split(subset_dir, "train"), load_split(subset_dir, "test")


def test_short_run_learns(splits, tmp_path):
    train_split, test_split = splits
    progress, epochs, lines = [], [], []
    config = TrainConfig(epochs=3, lr=0.05, seed=3)
    result = train(config, tmp_path / "m.ckpt", train_split=train_split,
                   test_split=test_split, on_progress=progress.append,
                   on_epoch=epochs.append, on_log=lines.append)
    losses = [p.loss for p in progress]
    assert len(losses) == 3 * (2000 // 32)
    assert np.mean(losses[-20:]) < 0.6 * np.mean(losses[:20])  # the loss falls
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert result.best_accuracy > 0.8  # 2,000 images, 3 epochs: far above chance
    assert result.checkpoint.is_file() and metadata_path(result.checkpoint).is_file()
    _, info = load_checkpoint(result.checkpoint)
    assert info.test_accuracy == result.best_accuracy and info.test_samples == 500
    assert info.train_config["lr"] == 0.05
    last = progress[-1]
    assert last.global_step == last.total_steps and last.eta_s == pytest.approx(0, abs=1e-6)
    assert last.samples_per_s > 0 and "loss is" in last.log_line()
    assert any("epoch 3: mean loss" in line for line in lines)


def test_same_seed_same_result(splits, tmp_path):
    train_split, test_split = splits
    config = TrainConfig(epochs=1, limit=320, seed=7)
    runs = [[], []]
    for i in range(2):
        train(config, tmp_path / f"{i}.ckpt", train_split=train_split,
              test_split=test_split.head(100), on_progress=lambda p, i=i: runs[i].append(p.loss))
    assert np.allclose(runs[0], runs[1], rtol=1e-4)


def test_stop_within_one_step(splits, tmp_path):
    train_split, test_split = splits
    stop = threading.Event()
    seen = []

    def on_progress(p):
        seen.append(p.global_step)
        if p.global_step == 5:
            stop.set()

    result = train(TrainConfig(epochs=5), tmp_path / "m.ckpt", train_split=train_split,
                   test_split=test_split, on_progress=on_progress, stop=stop)
    assert result.stopped and result.steps_done == 5 and seen[-1] == 5
    assert result.checkpoint is not None  # the weights so far are kept
    assert result.best_epoch == pytest.approx(5 / 62)


def test_abandon_saves_nothing(splits, tmp_path):
    train_split, test_split = splits
    stop, abandon = threading.Event(), threading.Event()
    stop.set()
    abandon.set()
    result = train(TrainConfig(epochs=1), tmp_path / "m.ckpt", train_split=train_split,
                   test_split=test_split, stop=stop, abandon=abandon)
    assert result.stopped and result.steps_done == 0 and result.checkpoint is None
    assert not (tmp_path / "m.ckpt").exists()


def test_nan_loss_stops_and_writes_nothing(splits, tmp_path):
    train_split, test_split = splits
    old = tmp_path / "m.ckpt"
    with pytest.raises(TrainingError, match="diverged.*no checkpoint was written"):
        train(TrainConfig(epochs=1, lr=10.0, momentum=0.99), old, train_split=train_split,
              test_split=test_split)
    assert not old.exists()


def test_invalid_config_is_rejected_before_training(splits, tmp_path):
    train_split, _ = splits
    with pytest.raises(ConfigError, match="larger than the training data"):
        train(TrainConfig(batch_size=4000), tmp_path / "m.ckpt", train_split=train_split)
    with pytest.raises(ConfigError, match="leaves no training data"):
        train(TrainConfig(holdout=2000), tmp_path / "m.ckpt", train_split=train_split)
    assert not list(tmp_path.iterdir())


def test_holdout_chooses_the_epoch(splits, tmp_path):
    train_split, test_split = splits
    lines = []
    result = train(TrainConfig(epochs=2, lr=0.05, holdout=400), tmp_path / "m.ckpt",
                   train_split=train_split, test_split=test_split, on_log=lines.append)
    assert "on 1,600 images" in lines[0] and "400 held-out images" in lines[0]
    _, info = load_checkpoint(result.checkpoint)
    assert "validation" in info.notes


def test_robust_recipe_trains_with_augmentation(splits, tmp_path):
    train_split, test_split = splits
    config = TrainConfig.for_recipe("robust", epochs=1, limit=256, holdout=0)
    result = train(config, tmp_path / "r.ckpt", train_split=train_split,
                   test_split=test_split.head(100))
    assert result.checkpoint is not None and result.steps_done == 4


def test_learning_rate_schedules():
    course = TrainConfig()
    assert [learning_rate_at(course, e) for e in (1, 2, 3)] == [0.01] * 3
    robust = TrainConfig.for_recipe("robust")
    rates = [learning_rate_at(robust, e) for e in range(1, robust.epochs + 1)]
    assert rates[0] == robust.lr and rates[-1] < 0.05 * robust.lr
    assert all(a >= b for a, b in zip(rates, rates[1:]))


@pytest.mark.slow
def test_course_recipe_full_mnist(full_mnist_dir, tmp_path):
    """Issue 2: the course's recipe, 3 epochs, at least 98.5% (the course says 97%)."""
    result = train(TrainConfig(), tmp_path / "course.ckpt", full_mnist_dir)
    assert result.best_accuracy >= 0.985


def test_the_best_epoch_counts_every_image_once():
    from lenet_gui.core.predict import EvalResult
    from lenet_gui.core.train import selection_score

    def ev(acc, n):
        return EvalResult(acc, [], [], n)

    # Stage 1 of the shipped recipe, epochs 19 and 38: the mean of the two accuracies
    # preferred 19 (one more drawing right); pooled, 38 wins (five more images right).
    e19 = selection_score(ev(0.9936, 5000), ev(0.999, 1000))
    e38 = selection_score(ev(0.9946, 5000), ev(0.997, 1000))
    assert e38 > e19
    assert selection_score(ev(0.5, 10), None) == 0.5
    assert selection_score(None, None) is None
    assert selection_score(ev(0.9, 0)) is None


def test_weight_average_is_the_mean_of_the_snapshots():
    from lenet_gui.core._mindspore import import_mindspore
    from lenet_gui.core.model import build_lenet5
    from lenet_gui.core.weight_average import WeightAverage

    ms = import_mindspore()
    net = build_lenet5()
    params = net.trainable_params()
    first = [p.asnumpy().copy() for p in params]
    average = WeightAverage()
    average.add(net)
    for p in params:
        ms.ops.assign(p, ms.Tensor(p.asnumpy() + 1.0))
    average.add(net)
    average.apply(net)
    for p, w in zip(params, first):
        assert np.allclose(p.asnumpy(), w + 0.5, atol=1e-6)
    with pytest.raises(ValueError):
        WeightAverage().apply(net)


def test_averaged_weights_are_judged_like_an_epoch(splits, tmp_path):
    train_split, test_split = splits
    lines = []
    result = train(TrainConfig(epochs=3, lr=0.05, holdout=400, average_epochs=2),
                   tmp_path / "m.ckpt", train_split=train_split,
                   test_split=test_split.head(200), on_log=lines.append)
    line = next(t for t in lines if t.startswith("weights averaged over epochs 2-3"))
    _, info = load_checkpoint(result.checkpoint)
    if line.endswith("saved"):
        assert result.best_epoch == 3 and info.epochs_done == 3
    else:
        assert line.endswith(f"kept epoch {result.best_epoch:g}")
    with pytest.raises(ConfigError, match="epochs to average"):
        TrainConfig(average_epochs=-1).validate()


def test_with_nothing_to_judge_the_latest_weights_are_kept(splits, tmp_path):
    """No test set, no holdout, no drawings: every epoch is saved over the last (the
    first epoch's weights used to stay, as if the later ones had been judged worse)."""
    train_split, _ = splits
    saved = []
    result = train(TrainConfig(epochs=2, lr=0.05, limit=640), tmp_path / "m.ckpt",
                   train_split=train_split, on_checkpoint=lambda path, epoch: saved.append(epoch))
    assert saved == [1, 2] and result.best_epoch == 2
    _, info = load_checkpoint(result.checkpoint)
    assert info.epochs_done == 2
