"""Learn a user's handwriting: fine-tune a checkpoint on their drawings mixed with MNIST.

The ``personal`` recipe. It starts from the model in use, holds out a part of the
user's digits to measure on (stratified by digit), and trains on augmented
variants of the rest (``stroke_augment``), each batch half personal and half
MNIST so that what the network knows about MNIST does not collapse (the MNIST half
is trained to the base model's own answers, ``distill``), plus a few generated
non-digits so that it still refuses scribbles (it keeps the base's "not a digit"
threshold). It reports
accuracy on the held-out personal digits and on MNIST test, before and after,
and saves a new checkpoint, never over the shipped one. No Qt; the CLI and the
Train tab call ``finetune``.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from .config import DEVICES, default_checkpoint_dir, shipped_checkpoint
from .errors import ConfigError, TrainingError
from .strokes import Drawing

if TYPE_CHECKING:  # the window imports this module for its config: keep it light
    from .data import Split
    from .train import EpochResult, Progress

#: Fewer than this many labelled drawings cannot both teach and measure anything.
MIN_PERSONAL_DIGITS = 20
#: An MNIST test drop above this (a share) is worth a word before the model is used:
#: the simulated users lose at most 0.24 points (benchmarks/bench_personal.py).
MNIST_CAUTION = 0.01
OUTLIER_POOL = 1000  # generated non-digits per fine-tune (about 2 s), re-augmented per batch


@dataclass
class FinetuneConfig:
    """Hyperparameters of the personal recipe (the defaults are the recipe)."""

    epochs: int = 4
    lr: float = 0.003  # 0.005 until 2026-12-02: it forgot more MNIST for the same gain
    momentum: float = 0.9
    weight_decay: float = 1e-4
    batch_size: int = 32
    personal_share: float = 0.5  # of each batch; the rest is MNIST
    copies: int = 8  # augmented variants of each personal drawing per epoch
    holdout_share: float = 0.2  # of each digit's drawings, kept to measure on
    seed: int = 1
    device: str = "CPU"
    eval_limit: int | None = None  # MNIST test images evaluated before and after
    average_epochs: int = 1  # the mean of the last N epochs' weights is saved (1: the last)
    # Generated non-digits added to each batch (a share of batch_size), with the uniform
    # target, as the robust recipe trains (outlier exposure). Without them a personal
    # model forgot to refuse scribbles: 93.8% of the non-digit set refused -> 77-83%.
    nondigits: float = 0.15
    # Share of the MNIST rows' target that is the base model's own answer (the rest is
    # the label): the rehearsal keeps what the base does, not just what it should do.
    distill: float = 1.0

    def validate(self) -> None:
        def bad(msg: str) -> None:
            raise ConfigError(msg)

        for name in ("epochs", "batch_size", "copies", "seed", "average_epochs"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                bad(f"{name} must be a whole number, got {v!r}")
        if not 1 <= self.epochs <= 100:
            bad(f"epochs must be in 1..100, got {self.epochs}")
        if not 2 <= self.batch_size <= 1024:
            bad(f"batch size must be in 2..1024, got {self.batch_size}")
        if not 1 <= self.average_epochs <= self.epochs:
            bad(f"average_epochs must be in 1..epochs ({self.epochs}), got {self.average_epochs}")
        if not 1 <= self.copies <= 100:
            bad(f"copies must be in 1..100, got {self.copies}")
        for name, lo, hi in (("lr", 0.0, 1.0), ("momentum", 0.0, 0.999),
                             ("weight_decay", 0.0, 0.1), ("personal_share", 0.05, 0.95),
                             ("holdout_share", 0.0, 0.5), ("nondigits", 0.0, 0.4),
                             ("distill", 0.0, 1.0)):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                bad(f"{name} must be a number in [{lo}, {hi}], got {v!r}")
        if self.lr <= 0:
            bad(f"learning rate must be positive, got {self.lr}")
        if self.device not in DEVICES:
            bad(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")


@dataclass
class FinetuneResult:
    checkpoint: Path | None
    personal_total: int
    personal_trained: int
    personal_heldout: int
    personal_before: float | None  # accuracy on the held-out personal digits
    personal_after: float | None
    mnist_before: float | None  # MNIST test accuracy
    mnist_after: float | None
    mnist_samples: int
    steps: int
    elapsed_s: float
    stopped: bool = False

    def summary(self) -> str:
        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v * 100:.1f}%"

        mine = (f"your held-out digits ({self.personal_heldout}): {pct(self.personal_before)}"
                f" -> {pct(self.personal_after)}" if self.personal_heldout
                else "no held-out digits to measure on")
        mnist = (f"MNIST test ({self.mnist_samples:,}): {pct(self.mnist_before)} -> "
                 f"{pct(self.mnist_after)}" if self.mnist_samples else "MNIST test not measured")
        return f"{mine}; {mnist}"

    def caution(self) -> str | None:
        """Why the new model may be worse to use than the one it started from, or None.

        A fine-tune on a few digits can move others across a line (a flagged 1 taught
        beside hurried 7s); the user should hear it before pressing "Use this model".
        """
        if self.checkpoint is None:
            return None
        if self.personal_heldout and None not in (self.personal_before, self.personal_after) \
                and self.personal_after < self.personal_before:
            return (f"it reads your held-out digits worse than the model it started from "
                    f"({self.personal_before * 100:.1f}% -> {self.personal_after * 100:.1f}%): "
                    "keep the model in use, or teach more of your digits and learn again")
        if self.mnist_samples and None not in (self.mnist_before, self.mnist_after) \
                and self.mnist_before - self.mnist_after > MNIST_CAUTION:
            drop = (self.mnist_before - self.mnist_after) * 100
            return (f"MNIST test dropped {drop:.1f} points: it may read other people's "
                    "digits worse than the model it started from")
        return None


def check_enough(drawings: list[Drawing]) -> str | None:
    """Why these drawings are not enough to learn from, or None when they are."""
    labelled = [d for d in drawings if d.label is not None]
    if len(labelled) < MIN_PERSONAL_DIGITS:
        return (f"needs at least {MIN_PERSONAL_DIGITS} of your digits; you have "
                f"{len(labelled)} (teach {MIN_PERSONAL_DIGITS - len(labelled)} more)")
    return None


def split_personal(drawings: list[Drawing], share: float,
                   rng: np.random.Generator) -> tuple[list[Drawing], list[Drawing]]:
    """(train, held out): ``share`` of each digit's drawings held out, one at least
    for a digit with two or more, none for a digit with one."""
    train, held = [], []
    for digit in range(10):
        mine = [d for d in drawings if d.label == digit]
        order = rng.permutation(len(mine))
        k = 0 if len(mine) < 2 or share <= 0 else max(1, int(round(len(mine) * share)))
        held += [mine[i] for i in order[:k]]
        train += [mine[i] for i in order[k:]]
    return train, held


def default_personal_path() -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return default_checkpoint_dir() / f"lenet5-personal-{stamp}.ckpt"


def finetune(base: Path, drawings: list[Drawing], mnist_train: "Split",
             mnist_test: "Split | None" = None, out: Path | None = None,
             config: FinetuneConfig | None = None, *,
             on_progress: "Callable[[Progress], None] | None" = None,
             on_epoch: "Callable[[EpochResult], None] | None" = None,
             on_log: Callable[[str], None] | None = None,
             stop: threading.Event | None = None) -> FinetuneResult:
    """Fine-tune ``base`` on the user's ``drawings`` mixed with MNIST; save to ``out``."""
    config = config or FinetuneConfig()
    config.validate()
    log = on_log or (lambda _line: None)
    drawings = [d for d in drawings if d.label is not None]
    reason = check_enough(drawings)
    if reason:
        raise TrainingError(f"cannot learn your handwriting yet: {reason}")
    if len(mnist_train) < config.batch_size:
        raise TrainingError("fine-tuning mixes in MNIST training images, and too few were "
                            f"found ({len(mnist_train)})")
    out = Path(out) if out is not None else default_personal_path()
    if out.with_suffix(".ckpt").resolve() == shipped_checkpoint().resolve():
        raise TrainingError(f"{out}: that is the shipped checkpoint; save the personal model "
                            "under another name")
    if mnist_test is not None and config.eval_limit:
        mnist_test = mnist_test.head(config.eval_limit)

    from .devices import use_device

    use_device(config.device)
    from ._mindspore import import_mindspore

    ms = import_mindspore()
    ms.set_seed(config.seed)
    from .augment import Augmenter
    from .distill import Teacher
    from .evaluation import drawings_to_inputs
    from .model import CheckpointInfo, load_checkpoint, save_checkpoint
    from .predict import evaluate_arrays, make_forward, score, softmax
    from .preprocess import normalise
    from .stroke_augment import drawing_variants
    from .train import EpochResult, Progress
    from .train_step import make_train_step
    from .weight_average import WeightAverage

    t0 = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    train_set, held = split_personal(drawings, config.holdout_share, rng)
    net, base_info = load_checkpoint(base)
    forward = make_forward(net, largest=256)
    held_inputs = drawings_to_inputs(held) if held else None
    held_labels = np.array([d.label for d in held])

    def measure() -> tuple[float | None, float | None]:
        mine = score(held_labels, softmax(forward(held_inputs))).accuracy \
            if held_inputs is not None else None
        mnist = evaluate_arrays(forward, mnist_test.images, mnist_test.labels).accuracy \
            if mnist_test is not None and len(mnist_test) else None
        return mine, mnist

    personal_before, mnist_before = measure()
    log(f"fine-tuning {base.name} on {len(train_set)} of your digits "
        f"({len(held)} held out to measure on), mixed with MNIST; {config.epochs} epochs")
    mnist_aug = Augmenter(seed=config.seed + 1)
    per_batch = max(1, int(round(config.batch_size * config.personal_share)))
    n_out = int(round(config.batch_size * config.nondigits))
    outliers = None
    if n_out > 0:
        from .nondigits import nondigit_images

        log(f"generating {OUTLIER_POOL:,} non-digits, so that the new model still "
            "refuses scribbles")
        outliers = nondigit_images(OUTLIER_POOL, np.random.default_rng([config.seed, 7]))
    teacher = None
    if config.distill > 0:
        teacher = Teacher.load([base], batch=config.batch_size - per_batch)
    soft = outliers is not None or teacher is not None
    step_fn = make_train_step(net, learning_rate=config.lr, momentum=config.momentum,
                              weight_decay=config.weight_decay, soft_labels=soft)
    steps_per_epoch = max(1, math.ceil(len(train_set) * config.copies / per_batch))
    total = steps_per_epoch * config.epochs
    done, stopped = 0, False
    average = WeightAverage()
    for epoch in range(1, config.epochs + 1):
        # Cosine decay over the run: big steps first, then settle.
        lr = config.lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / config.epochs))
        step_fn.set_lr(lr)
        images, labels = drawing_variants(train_set, config.copies, rng)
        order = rng.permutation(len(images))
        epoch_start, losses = time.perf_counter(), []
        for s in range(steps_per_epoch):
            if stop is not None and stop.is_set():
                stopped = True
                break
            pick = order[(s * per_batch) % len(order):][:per_batch]
            if len(pick) < per_batch:
                pick = np.concatenate([pick, rng.choice(len(images), per_batch - len(pick))])
            m = rng.choice(len(mnist_train), config.batch_size - per_batch, replace=False)
            xm = mnist_aug(mnist_train.images[m], mnist_train.labels[m])
            x = normalise(np.concatenate([images[pick], xm]))
            y = np.concatenate([labels[pick], mnist_train.labels[m]]).astype(np.int32)
            if soft:
                y = np.eye(10, dtype=np.float32)[y]
            if teacher is not None:  # the MNIST rows: part label, part the base's answer
                y = teacher.soften(x, y, config.distill, rows=slice(per_batch, None))
            if outliers is not None:  # added after the MNIST part: non-digits, uniform target
                extra = mnist_aug(outliers[rng.integers(0, len(outliers), n_out)])
                x = np.concatenate([x, normalise(extra)])
                y = np.concatenate([y, np.full((n_out, 10), 0.1, dtype=np.float32)])
            loss = float(step_fn(x, y))
            if not math.isfinite(loss):
                raise TrainingError(f"the loss became {loss} at step {done + 1}: fine-tuning "
                                    f"diverged (learning rate {config.lr} too high?); "
                                    "nothing was saved")
            done += 1
            losses.append(loss)
            if on_progress is not None:
                elapsed = time.perf_counter() - t0
                rate = done / elapsed if elapsed > 0 else 0.0
                on_progress(Progress(epoch, config.epochs, s + 1, steps_per_epoch, done, total,
                                     loss, rate * config.batch_size, elapsed,
                                     (total - done) / rate if rate else math.inf, lr))
        if stopped:
            break
        line = EpochResult(epoch, float(np.mean(losses)), math.nan, 0, lr,
                           time.perf_counter() - epoch_start, False)
        log(f"epoch {epoch}: mean loss {line.mean_loss:.4f} [{line.elapsed_s:.1f} s]")
        if on_epoch is not None:
            on_epoch(line)
        if epoch > config.epochs - config.average_epochs:
            average.add(net)
    if average.count > 1 and not stopped:
        average.apply(net)
        log(f"the mean of the last {average.count} epochs' weights is kept")
    personal_after, mnist_after = measure()
    result = FinetuneResult(None, len(drawings), len(train_set), len(held), personal_before,
                            personal_after, mnist_before, mnist_after,
                            len(mnist_test) if mnist_test is not None else 0, done,
                            0.0, stopped)
    if done:
        info = CheckpointInfo(
            train_config={"recipe": "personal", "base_checkpoint": str(base),
                          "base_name": base_info.name, **asdict(config)},
            test_accuracy=mnist_after, test_samples=result.mnist_samples or None,
            epochs_done=done / steps_per_epoch, personal_digits=len(train_set),
            # The base's "not a digit" threshold, chosen on its validation data (none
            # is held out here); without it the personal model fell back to the default.
            reject_threshold=base_info.reject_threshold,
            notes=f"fine-tuned on {len(train_set)} personal digits; " + result.summary())
        result.checkpoint = save_checkpoint(net, out, info)
        log(f"saved {result.checkpoint}")
    result.elapsed_s = time.perf_counter() - t0
    log(result.summary())
    return result


__all__ = ["finetune", "FinetuneConfig", "FinetuneResult",
           "check_enough", "split_personal", "MIN_PERSONAL_DIGITS", "default_personal_path"]
