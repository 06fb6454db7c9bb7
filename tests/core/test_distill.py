"""Knowledge distillation: a digit's target is part label, part the teachers' answer."""

from __future__ import annotations

import numpy as np
import pytest

from lenet_gui.cli.main import main
from lenet_gui.core.config import TrainConfig
from lenet_gui.core.data import load_split
from lenet_gui.core.distill import Teacher
from lenet_gui.core.errors import ConfigError
from lenet_gui.core.train import train


def _fixed(logits):
    """A fake network that answers ``logits`` for every input."""
    row = np.asarray(logits, dtype=np.float32)
    return lambda x: np.tile(row, (len(x), 1))


def test_the_teachers_mean_answer_is_mixed_into_the_chosen_rows():
    sure_3 = [0.0] * 10
    sure_3[3] = 50.0
    sure_5 = [0.0] * 10
    sure_5[5] = 50.0
    teacher = Teacher([_fixed(sure_3), _fixed(sure_5)])
    x = np.zeros((4, 1, 32, 32), dtype=np.float32)
    y = teacher.soften(x, np.array([1, 1, 1, 1]), 0.4, rows=slice(0, 2))
    assert y.shape == (4, 10) and y.dtype == np.float32
    # Rows 0-1: 0.6 of the label, 0.4 of the mean of "surely 3" and "surely 5".
    assert y[0, 1] == pytest.approx(0.6) and y[0, 3] == pytest.approx(0.2)
    assert y[0, 5] == pytest.approx(0.2) and y[0].sum() == pytest.approx(1.0)
    # Rows 2-3 keep their label.
    assert np.array_equal(y[2:], np.eye(10, dtype=np.float32)[[1, 1]])
    # Soft targets in (a non-digit's uniform row) are kept where not chosen.
    soft = np.full((2, 10), 0.1, dtype=np.float32)
    assert np.allclose(teacher.soften(x[:2], soft, 1.0, rows=slice(0, 1))[1], 0.1)
    with pytest.raises(ValueError):
        Teacher([])


def test_distillation_needs_a_teacher_and_a_weight_in_range():
    with pytest.raises(ConfigError, match="teacher"):
        TrainConfig(distill=0.5).validate()
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        TrainConfig(teachers=("t.ckpt",), distill=1.5).validate()
    with pytest.raises(ConfigError, match="--distill"):
        TrainConfig(teachers=("t.ckpt",)).validate()
    TrainConfig(teachers=("t.ckpt",), distill=0.5).validate()


def test_a_student_learns_what_its_teacher_answers(subset_dir, shipped_ckpt, tmp_path):
    """A teacher that reads every digit as the next one (the shipped model with its
    output rows rotated): trained to its answers alone (distill=1), the student reads
    the next digit too; with half the target the label, it reads the label."""
    from lenet_gui.core._mindspore import import_mindspore
    from lenet_gui.core.model import CheckpointInfo, load_checkpoint, save_checkpoint
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.preprocess import normalise

    ms = import_mindspore()  # with the runtime settings (a bare import runs 10-40x slower)
    net, _ = load_checkpoint(shipped_ckpt)
    for param in (net.fc3.weight, net.fc3.bias):  # output d is the shipped model's d - 1
        param.set_data(ms.Tensor(np.roll(param.asnumpy(), 1, axis=0)))
    shifted = save_checkpoint(net, tmp_path / "next.ckpt", CheckpointInfo())
    train_split, test_split = load_split(subset_dir, "train"), load_split(subset_dir, "test")
    images, labels = normalise(test_split.images), test_split.labels
    assert (Recognizer(shifted).probabilities(images).argmax(1) == (labels + 1) % 10).mean() > 0.9

    def answers(distill: float) -> np.ndarray:
        config = TrainConfig(epochs=3, lr=0.05, seed=3, teachers=(str(shifted),),
                             distill=distill)
        result = train(config, tmp_path / f"d{distill}.ckpt", train_split=train_split)
        return Recognizer(result.checkpoint).probabilities(images).argmax(1)

    student = answers(1.0)
    assert (student == (labels + 1) % 10).mean() > 0.7
    assert (answers(0.3) == labels).mean() > 0.7


def test_a_missing_teacher_is_one_line_and_nothing_is_written(subset_dir, tmp_path, capsys):
    out = tmp_path / "m.ckpt"
    code = main(["train", "--data-dir", str(subset_dir), "--epochs", "1", "--quiet",
                 "--teachers", str(tmp_path / "gone.ckpt"), "--distill", "0.5", "--out",
                 str(out)])
    err = capsys.readouterr().err
    assert code != 0 and "gone.ckpt" in err and "Traceback" not in err
    assert not out.exists()


def test_teachers_without_a_weight_are_refused_in_one_line(subset_dir, shipped_ckpt, tmp_path,
                                                           capsys):
    out = tmp_path / "m.ckpt"
    code = main(["train", "--data-dir", str(subset_dir), "--epochs", "1", "--quiet",
                 "--teachers", str(shipped_ckpt), "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and "--distill" in err and "Traceback" not in err
    assert not out.exists()
