"""Training as a plain function: progress and epoch callbacks, a stop event, no Qt.

The CLI, the tests and the GUI's worker thread all call ``train``. Batches come
from MNIST held in memory and go through ``preprocess.normalise`` (the one
preprocessing function); the step itself is MindSpore (see ``train_step``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ._mindspore import import_mindspore
from .config import TrainConfig, default_checkpoint_path
from .data import Split, load_split
from .errors import TrainingError
from .model import CheckpointInfo, build_lenet5, save_checkpoint
from .predict import EvalResult, evaluate_arrays, make_forward, softmax
from .predict import score as score_probabilities
from .preprocess import normalise
from .train_batches import BatchMaker
from .verdict import choose_reject


@dataclass
class Progress:
    epoch: int  # 1-based
    epochs: int
    step: int  # 1-based, within the epoch
    steps_per_epoch: int
    global_step: int
    total_steps: int
    loss: float
    samples_per_s: float
    elapsed_s: float
    eta_s: float
    lr: float

    def log_line(self) -> str:
        """The course's LossMonitor line."""
        return f"epoch: {self.epoch} step: {self.step}, loss is {self.loss:.6f}"


@dataclass
class EpochResult:
    epoch: int
    mean_loss: float
    test_accuracy: float
    test_samples: int
    lr: float
    elapsed_s: float
    saved: bool  # this epoch's weights are the best so far and were saved

    def summary(self) -> str:
        return (f"epoch {self.epoch}: mean loss {self.mean_loss:.4f}, test accuracy "
                f"{self.test_accuracy * 100:.2f}% ({self.test_samples:,} digits)"
                f"{', saved' if self.saved else ''} [{self.elapsed_s:.1f} s]")


@dataclass
class TrainResult:
    checkpoint: Path | None  # the best weights; None when nothing was saved
    best_accuracy: float | None
    best_epoch: int | None
    epochs: list[EpochResult] = field(default_factory=list)
    stopped: bool = False
    steps_done: int = 0
    elapsed_s: float = 0.0
    config: TrainConfig | None = None
    evaluation: EvalResult | None = None
    peak_memory_mb: float | None = None  # the training process's peak RSS, when known


ProgressFn = Callable[[Progress], None]
EpochFn = Callable[[EpochResult], None]
LogFn = Callable[[str], None]


OUTLIER_VAL = 1000  # generated validation non-digits that help choose the best epoch
# With outlier exposure the best epoch maximises accuracy + this x the share of
# validation non-digits refused: 7 points more refused weigh as much as 0.35 points
# of accuracy.
OUTLIER_WEIGHT = 0.05


def learning_rate_at(config: TrainConfig, epoch: int) -> float:
    """The course keeps lr constant; the robust recipe decays it (cosine, per epoch)."""
    if config.recipe != "robust" or config.epochs == 1:
        return config.lr
    progress = (epoch - 1) / (config.epochs - 1)
    return config.lr * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * progress)))


class _RateMeter:
    """Steps per second over the last ``window`` steps, for a steady ETA."""

    def __init__(self, window: int = 50) -> None:
        self._times: deque[float] = deque(maxlen=window)

    def tick(self) -> float:
        self._times.append(time.perf_counter())
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0


def train(config: TrainConfig, out: Path | None = None, data_dir: Path | None = None, *,
          train_split: Split | None = None, test_split: Split | None = None,
          on_progress: ProgressFn | None = None, on_epoch: EpochFn | None = None,
          on_log: LogFn | None = None,
          on_checkpoint: Callable[[Path, float], None] | None = None,
          stop: threading.Event | None = None,
          abandon: threading.Event | None = None) -> TrainResult:
    """Train LeNet5 and save the best weights to ``out``.

    "Best" is judged on the held-out validation images when the config holds
    some out (``holdout``), else on the test set, as the course does. Stops
    within one step when ``stop`` is set, after saving the current weights if
    they are better than what was saved (unless ``abandon`` is set too: the
    window is closing and nothing more is evaluated). ``on_checkpoint(path,
    epoch)`` follows every save. A NaN or infinite loss
    raises TrainingError and saves nothing from the diverged weights.
    """
    log = on_log or (lambda _line: None)
    if train_split is None:
        if data_dir is None:
            raise TrainingError("no training data: pass data_dir or train_split")
        train_split = load_split(data_dir, "train")
    if test_split is None and data_dir is not None:
        test_split = load_split(data_dir, "test")
    config.validate(len(train_split))
    val_split = None
    if config.holdout:
        cut = len(train_split) - config.holdout
        val_split = Split(train_split.images[cut:], train_split.labels[cut:])
        train_split = Split(train_split.images[:cut], train_split.labels[:cut])
    train_split = train_split.head(config.limit)
    if test_split is not None:
        test_split = test_split.head(config.eval_limit)
    out = Path(out) if out is not None else default_checkpoint_path(config)

    from .distributed import init_data_parallel, shard, worker_batch_size

    # (0, 1) outside msrun; under msrun, joins the cluster (cmd_train did already).
    rank, workers = init_data_parallel(config.device)
    batch = worker_batch_size(config.batch_size, workers)
    ms = import_mindspore()
    ms.set_seed(config.seed)
    from .train_step import make_train_step

    if config.init_checkpoint:
        from .model import load_checkpoint

        net, _ = load_checkpoint(Path(config.init_checkpoint))
        log(f"starting from the weights of {config.init_checkpoint}")
    else:
        net = build_lenet5()
    outliers = config.nondigits > 0
    make_batch = BatchMaker(config, train_split, rank, workers, log)
    step_fn = make_train_step(net, learning_rate=config.lr, momentum=config.momentum,
                              weight_decay=config.weight_decay,
                              soft_labels=make_batch.soft_targets)
    # Small evaluation batches: each holds MindSpore's lock, which the window's
    # recognizer waits for.
    forward = make_forward(net, largest=256)
    drawn = _load_selection_drawings(config.select_strokes, log)
    if outliers:
        from .nondigits import nondigit_images

        # Validation non-digits, from another random stream than the training pool.
        outlier_val = normalise(nondigit_images(OUTLIER_VAL, np.random.default_rng(
            [config.seed, 11])))

    def evaluate(split: Split | None) -> EvalResult | None:
        return None if split is None else evaluate_arrays(forward, split.images, split.labels)

    average = None
    if config.average_epochs > 1:
        from .weight_average import WeightAverage

        average = WeightAverage()
    n = len(train_split)
    steps_per_epoch = n // config.batch_size
    total_steps = steps_per_epoch * config.epochs
    judge = "validation" if val_split is not None else "test"
    result = TrainResult(None, None, None, config=config)
    best_score: float | None = None
    rng = np.random.default_rng(config.seed)
    meter = _RateMeter()
    t0 = time.perf_counter()
    log(f"training LeNet5 ({config.recipe} recipe) on {n:,} images, "
        f"{config.epochs} epochs of {steps_per_epoch} steps, batch {config.batch_size}, "
        f"lr {config.lr}, momentum {config.momentum}, device {config.device}"
        + (f"; best epoch chosen on {len(val_split):,} held-out images" if val_split else ""))

    def keep_if_best(epoch: float) -> tuple[bool, EvalResult | None]:
        """Evaluate; save the weights when they beat the best so far."""
        nonlocal best_score
        test_ev = evaluate(test_split)
        judge_ev = evaluate(val_split) if val_split is not None else test_ev
        drawn_ev = None
        if drawn is not None:
            drawn_ev = score_inputs(forward, *drawn)
            log(f"  drawn digits ({len(drawn[1]):,}): {drawn_ev.accuracy * 100:.2f}%"
                + (f", {judge}: {judge_ev.accuracy * 100:.2f}%" if judge_ev else ""))
        score = selection_score(judge_ev, drawn_ev)
        reject = None
        if outliers:
            reject = _reject_threshold(judge_ev, drawn_ev)
            refused = float((softmax(forward(outlier_val)).max(axis=1) < reject).mean())
            log(f"  validation non-digits refused: {refused * 100:.1f}% (threshold "
                f"{reject:.3f})")
            if score is not None:
                score += OUTLIER_WEIGHT * refused
        # A tie goes to the later weights: as well judged, and trained longer (the
        # mean of the last epochs tied epoch 28 of 40 on 6,000 images). With nothing
        # to judge on, the latest weights are kept.
        if result.checkpoint is not None and score is not None and best_score is not None \
                and score < best_score:
            return False, test_ev
        info = CheckpointInfo(
            train_config=config.to_dict(), epochs_done=epoch,
            test_accuracy=test_ev.accuracy if test_ev else None,
            test_samples=test_ev.samples if test_ev else None,
            reject_threshold=reject,
            notes=(f"best epoch chosen on the {judge} set"
                   + (" and drawn digits" if drawn is not None else "")) if score is not None
            else "")
        # Every worker evaluates (they must stay in step); rank 0 alone writes.
        result.checkpoint = save_checkpoint(net, out, info) if rank == 0 else out
        if on_checkpoint is not None:
            on_checkpoint(result.checkpoint, epoch)
        best_score = score
        result.best_epoch, result.evaluation = epoch, test_ev
        result.best_accuracy = test_ev.accuracy if test_ev else None
        return True, test_ev

    # Augmentation (numpy/scipy) for the next batch runs beside the MindSpore step,
    # which releases the GIL: on 2 cores the two overlap.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lenet-batches") as prefetch:
        for epoch in range(1, config.epochs + 1):
            lr = learning_rate_at(config, epoch)
            step_fn.set_lr(lr)
            # Worker r takes every size-th image of the same order from r: one step of
            # all workers together is one process's batch_size batch.
            order = shard(rng.permutation(n), rank, workers)
            batches = [order[i * batch:(i + 1) * batch] for i in range(steps_per_epoch)]
            epoch_start = time.perf_counter()
            losses: list[float] = []
            upcoming = prefetch.submit(make_batch, batches[0])
            for step, idx in enumerate(batches, start=1):
                if stop is not None and stop.is_set():
                    result.stopped = True
                    break
                x, y = upcoming.result()
                if step < steps_per_epoch:
                    upcoming = prefetch.submit(make_batch, batches[step])
                loss = float(step_fn(x, y))
                if not math.isfinite(loss):
                    raise TrainingError(_diverged_message(loss, epoch, step, config, result))
                losses.append(loss)
                result.steps_done += 1
                rate = meter.tick() or result.steps_done / max(time.perf_counter() - t0, 1e-9)
                if on_progress is not None:
                    on_progress(Progress(
                        epoch, config.epochs, step, steps_per_epoch, result.steps_done,
                        total_steps, loss, rate * config.batch_size,
                        time.perf_counter() - t0,
                        (total_steps - result.steps_done) / rate if rate > 0 else math.inf,
                        lr))
            if result.stopped:
                if losses and not (abandon is not None and abandon.is_set()):
                    saved, ev = keep_if_best(epoch - 1 + len(losses) / steps_per_epoch)
                    if saved:
                        log(f"stopped in epoch {epoch}; weights saved to {out} "
                            f"({_acc_text(ev)})")
                log("training stopped")
                break
            saved, ev = keep_if_best(epoch)
            epoch_result = EpochResult(epoch, float(np.mean(losses)),
                                       ev.accuracy if ev else math.nan,
                                       ev.samples if ev else 0, lr,
                                       time.perf_counter() - epoch_start, saved)
            result.epochs.append(epoch_result)
            log(epoch_result.summary())
            if on_epoch is not None:
                on_epoch(epoch_result)
            if average is not None and epoch > config.epochs - config.average_epochs:
                average.add(net)
        if average is not None and average.count > 1 and not result.stopped:
            average.apply(net)
            first = config.epochs - average.count + 1
            saved, ev = keep_if_best(float(config.epochs))
            log(f"weights averaged over epochs {first}-{config.epochs}: {_acc_text(ev)}, "
                + ("saved" if saved else f"kept epoch {result.best_epoch:g}"))
    result.elapsed_s = time.perf_counter() - t0
    return result


def selection_score(*evaluations: EvalResult | None) -> float | None:
    """The accuracy that chooses the best epoch: every held-out image and selection
    drawing counts once. (The mean of the two accuracies let 1,000 drawings outweigh
    5,000 held-out images: one drawing more right picked an epoch 0.25 points worse
    on MNIST.)"""
    done = [e for e in evaluations if e is not None and e.samples]
    if not done:
        return None
    return sum(e.accuracy * e.samples for e in done) / sum(e.samples for e in done)


def _load_selection_drawings(paths, log: LogFn):
    """Stroke files that help choose the best epoch -> (inputs, labels), or None."""
    if not paths:
        return None
    from .evaluation import drawings_to_inputs
    from .strokes import load_drawings

    drawings = [d for p in paths for d in load_drawings(Path(p)) if d.label is not None]
    if not drawings:
        raise TrainingError("the selection stroke files hold no labelled drawings")
    log(f"best epoch also judged on {len(drawings):,} drawn digits from "
        f"{', '.join(Path(p).name for p in paths)}")
    return drawings_to_inputs(drawings), np.array([d.label for d in drawings])


def _reject_threshold(judge_ev: EvalResult | None, drawn_ev: EvalResult | None) -> float:
    """Not a digit below this score. The targets are at most 0.5% of MNIST and 1% of
    drawn digits refused; with a margin, 0.3% of the held-out images and 0.6% of the
    selection drawings may fall below it."""
    sets = [(np.array(ev.confidences), share) for ev, share in ((judge_ev, 0.003),
                                                                (drawn_ev, 0.006)) if ev]
    return choose_reject(sets)


def score_inputs(forward, inputs: np.ndarray, labels: np.ndarray) -> EvalResult:
    """Accuracy of ``forward`` on ready network inputs."""
    return score_probabilities(labels, softmax(forward(inputs)))


def _diverged_message(loss: float, epoch: int, step: int, config: TrainConfig,
                      result: TrainResult) -> str:
    kept = "; no checkpoint was written"
    if result.checkpoint is not None:
        kept = (f"; the checkpoint saved before (epoch {result.best_epoch:g}) is kept at "
                f"{result.checkpoint}")
    return (f"the loss became {loss} at epoch {epoch} step {step}: training diverged "
            f"(learning rate {config.lr} too high?){kept}")


def _acc_text(ev: EvalResult | None) -> str:
    return f"test accuracy {ev.accuracy * 100:.2f}%" if ev else "not evaluated"


__all__ = ["train", "Progress", "EpochResult", "TrainResult", "learning_rate_at",
           "selection_score", "default_checkpoint_path"]
