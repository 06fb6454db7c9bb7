"""The personal recipe: fine-tuning on the user's drawings (issue 10, part 2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.cli.main import main
from lenet_gui.core.data import load_split
from lenet_gui.core.errors import ConfigError, TrainingError
from lenet_gui.core.finetune import (MIN_PERSONAL_DIGITS, FinetuneConfig, FinetuneResult,
                                    check_enough, finetune, split_personal)
from lenet_gui.core.model import read_info
from lenet_gui.core.strokes import Drawing, load_drawings, save_drawings
from lenet_gui.core.stroke_augment import augment_strokes, drawing_variants

from ..conftest import DRAWN, SUBSET


@pytest.fixture(scope="module")
def drawn():
    return load_drawings(DRAWN)


@pytest.fixture(scope="module")
def mnist():
    return load_split(SUBSET, "train"), load_split(SUBSET, "test")


def _per_digit(drawings, k):
    return [d for digit in range(10) for d in [x for x in drawings if x.label == digit][:k]]


def test_too_few_digits_says_how_many_are_needed(drawn, mnist, shipped_ckpt, tmp_path):
    few = drawn[:MIN_PERSONAL_DIGITS - 1]
    reason = check_enough(few)
    assert reason and str(MIN_PERSONAL_DIGITS) in reason and "1 more" in reason
    assert check_enough(drawn[:MIN_PERSONAL_DIGITS]) is None
    with pytest.raises(TrainingError, match="at least 20"):
        finetune(shipped_ckpt, few, mnist[0], mnist[1], tmp_path / "p.ckpt")
    assert not (tmp_path / "p.ckpt").exists()


def _result(**kw) -> FinetuneResult:
    fields = dict(checkpoint=Path("mine.ckpt"), personal_total=50, personal_trained=40,
                  personal_heldout=10, personal_before=0.8, personal_after=0.9,
                  mnist_before=0.9944, mnist_after=0.993, mnist_samples=10000, steps=100,
                  elapsed_s=10.0)
    return FinetuneResult(**{**fields, **kw})


def test_caution_when_the_new_model_reads_worse_than_its_base():
    assert _result().caution() is None  # better on the user's digits, MNIST down 0.14
    worse = _result(personal_after=0.7).caution()
    assert worse and "held-out digits worse" in worse and "80.0% -> 70.0%" in worse
    assert "2.4 points" in _result(mnist_after=0.97).caution()
    assert _result(personal_after=0.8).caution() is None  # the same is not worse
    assert _result(personal_heldout=0, personal_before=None, personal_after=None).caution() \
        is None
    assert _result(checkpoint=None, personal_after=0.1).caution() is None  # nothing saved


def test_split_is_stratified_and_keeps_single_digits_for_training(drawn):
    mine = _per_digit(drawn, 5) + [d for d in drawn if d.label == 3][5:6]
    train, held = split_personal(mine, 0.2, np.random.default_rng(0))
    assert len(train) + len(held) == len(mine)
    assert sorted(d.label for d in held) == list(range(10))  # one held out per digit
    lonely = [Drawing(drawn[0].strokes, 4)]
    train, held = split_personal(lonely, 0.2, np.random.default_rng(0))
    assert held == [] and len(train) == 1


def test_stroke_augmentation_varies_shape_but_not_structure(drawn):
    d = drawn[60]
    rng = np.random.default_rng(0)
    strokes, pen = augment_strokes(d.strokes, rng)
    assert [len(s.points) for s in strokes] == [len(s.points) for s in d.strokes]
    moved = np.abs(np.array(strokes[0].points) - np.array(d.strokes[0].points)).max()
    assert 0.001 < moved < 0.2
    assert 0.085 * 0.8 <= pen <= 0.085 * 1.3
    images, labels = drawing_variants(drawn[:3], 4, rng)
    assert images.shape == (12, 28, 28) and labels.tolist() == [drawn[0].label] * 4 + [
        drawn[1].label] * 4 + [drawn[2].label] * 4
    assert not np.array_equal(images[0], images[1])  # each copy is another variant
    assert 200 < images[0].max() <= 255


def test_bad_config_is_refused_in_one_line():
    for field, value in (("epochs", 0), ("lr", float("nan")), ("personal_share", 1.5),
                         ("device", "TPU"), ("copies", True), ("average_epochs", 0),
                         ("average_epochs", 5), ("nondigits", 0.5), ("nondigits", -0.1),
                         ("distill", 1.5), ("distill", float("inf"))):
        cfg = FinetuneConfig(**{field: value})
        with pytest.raises(ConfigError) as err:
            cfg.validate()
        assert "\n" not in str(err.value)


def test_refuses_to_overwrite_the_shipped_checkpoint(drawn, mnist, shipped_ckpt):
    with pytest.raises(TrainingError, match="shipped checkpoint"):
        finetune(shipped_ckpt, _per_digit(drawn, 3), mnist[0], mnist[1], shipped_ckpt)


def test_learns_a_users_own_way_of_writing(drawn, mnist, shipped_ckpt, tmp_path):
    """A user whose 7s mean 1: after fine-tuning the held-out '7-shaped 1s' read as 1."""
    mine = []
    for d in _per_digit(drawn, 6):
        mine.append(Drawing(d.strokes, 1 if d.label == 7 else d.label, d.style))
    mine = [d for d in mine if d.label != 1 or d.style.startswith("7")]  # 1 = a 7's shape
    cfg = FinetuneConfig(epochs=3, holdout_share=0.34, eval_limit=200)
    result = finetune(shipped_ckpt, mine, mnist[0], mnist[1], tmp_path / "mine.ckpt", cfg)
    assert result.checkpoint == tmp_path / "mine.ckpt" and result.checkpoint.is_file()
    assert result.personal_heldout >= 9 and result.personal_after > result.personal_before
    # Its 7s now mean 1, so MNIST's 7s suffer; the rest of MNIST must not collapse.
    assert result.mnist_after >= 0.85
    info = read_info(result.checkpoint)
    assert info.personal_digits == result.personal_trained == len(mine) - result.personal_heldout
    assert info.train_config["recipe"] == "personal"
    assert info.test_accuracy == result.mnist_after


def test_averaging_the_last_epochs_keeps_nearer_the_base(drawn, mnist, shipped_ckpt, tmp_path):
    """average_epochs=2 saves the mean of the last two epochs' weights: not the last
    epoch's, and (the run drifting away from the base) nearer the base's."""
    from lenet_gui.core.model import load_checkpoint

    def weights(path):
        return np.concatenate([p.asnumpy().ravel() for p in load_checkpoint(path)[0]
                               .trainable_params()])

    mine, logs = _per_digit(drawn, 3), []
    last = finetune(shipped_ckpt, mine, mnist[0], None, tmp_path / "last.ckpt",
                    FinetuneConfig(epochs=2, holdout_share=0.0)).checkpoint
    mean = finetune(shipped_ckpt, mine, mnist[0], None, tmp_path / "mean.ckpt",
                    FinetuneConfig(epochs=2, holdout_share=0.0, average_epochs=2),
                    on_log=logs.append).checkpoint
    base, a, b = weights(shipped_ckpt), weights(last), weights(mean)
    assert not np.allclose(a, b)
    assert np.linalg.norm(b - base) < np.linalg.norm(a - base)
    assert any("mean of the last 2 epochs" in line for line in logs)


def test_a_personal_model_still_refuses_scribbles(drawn, mnist, shipped_ckpt, tmp_path):
    """The personal recipe mixes generated non-digits into its batches, as the robust
    recipe trains, and keeps its base's "not a digit" threshold: without either, the
    personal model refused far fewer scribbles than the model it started from."""
    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.verdict import NOT_A_DIGIT

    scribbles = drawings_to_inputs(load_drawings(DRAWN.parent / "nondigits.json")[:400])

    def refused(ckpt) -> float:
        r = Recognizer(ckpt)
        return float(np.mean([r.thresholds.verdict(p) == NOT_A_DIGIT
                              for p in r.probabilities(scribbles)]))

    mine = _per_digit(drawn, 5)
    # (nondigits, distill): neither, the non-digits alone, the default (both)
    variants = ((0.0, 0.0), (FinetuneConfig().nondigits, 0.0),
                (FinetuneConfig().nondigits, FinetuneConfig().distill))
    runs = {v: finetune(shipped_ckpt, mine, mnist[0], None, tmp_path / f"nd{v[0]}-{v[1]}.ckpt",
                        FinetuneConfig(epochs=3, holdout_share=0.0, nondigits=v[0],
                                       distill=v[1]))
            for v in variants}
    assert FinetuneConfig().nondigits > 0
    base_reject = read_info(shipped_ckpt).reject_threshold
    assert base_reject is not None
    for result in runs.values():
        assert read_info(result.checkpoint).reject_threshold == base_reject
    before = refused(shipped_ckpt)
    neither, nondigits, default = (refused(runs[v].checkpoint) for v in variants)
    assert nondigits > neither + 0.02, (before, neither, nondigits, default)
    assert default >= before - 0.03, (before, neither, nondigits, default)


def test_rehearsal_on_the_bases_answers_keeps_nearer_the_base(drawn, mnist, shipped_ckpt,
                                                              tmp_path):
    """distill=1 trains the MNIST part of each batch to the base model's own answers
    (its probabilities), not to the labels: on MNIST the personal model then answers
    more like its base, which is what kept the hard family's borderline drawings."""
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.preprocess import normalise

    images = normalise(mnist[1].images[:500])
    base = Recognizer(shipped_ckpt).probabilities(images)

    def drift(distill: float) -> float:
        result = finetune(shipped_ckpt, _per_digit(drawn, 5), mnist[0], None,
                          tmp_path / f"d{distill}.ckpt",
                          FinetuneConfig(epochs=3, holdout_share=0.0, distill=distill))
        new = Recognizer(result.checkpoint).probabilities(images)
        return float(np.mean(np.sum(base * (np.log(base + 1e-9) - np.log(new + 1e-9)), 1)))

    assert FinetuneConfig().distill == 1.0
    labels_only, distilled = drift(0.0), drift(1.0)
    assert distilled < 0.5 * labels_only, (labels_only, distilled)


def test_stop_before_the_first_step_saves_nothing(drawn, mnist, shipped_ckpt, tmp_path):
    import threading

    stop = threading.Event()
    stop.set()
    result = finetune(shipped_ckpt, _per_digit(drawn, 3), mnist[0], None,
                      tmp_path / "x.ckpt", FinetuneConfig(epochs=1), stop=stop)
    assert result.stopped and result.steps == 0 and result.checkpoint is None
    assert not (tmp_path / "x.ckpt").exists()


def test_cli_finetune_then_eval(drawn, tmp_path, capsys):
    strokes = tmp_path / "mine.json"
    save_drawings(strokes, _per_digit(drawn, 3))
    out = tmp_path / "personal.ckpt"
    code = main(["finetune", "--drawings", str(strokes), "--out", str(out), "--data-dir",
                 str(SUBSET), "--epochs", "1", "--eval-limit", "100", "--quiet", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert Path(report["checkpoint"]) == out and report["personal_total"] == 30
    assert report["personal_heldout"] == 10 and report["mnist_samples"] == 100
    worse = report["personal_after"] < report["personal_before"]
    assert (report["caution"] is not None) == worse or \
        report["mnist_before"] - report["mnist_after"] > 0.01
    assert main(["eval", "--checkpoint", str(out), "--strokes", str(strokes), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 30


def test_cli_finetune_bad_input_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code = main(["finetune", "--drawings", str(bad), "--out", str(tmp_path / "o.ckpt"),
                 "--data-dir", str(SUBSET), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("lenet-gui: error:") and "\n" not in err
