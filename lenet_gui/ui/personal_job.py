"""The Train tab's "Learn my handwriting" job: the personal recipe in a worker thread.

It reports through the same ``TrainingSignals`` as a training run (losses,
progress, epochs, log lines), so the tab's plot, progress bar and log serve both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..finetune import FinetuneConfig, FinetuneResult
from ..strokes import Drawing
from .worker import ProgressRelay, TrainingSignals, Worker


def make_personal_job(base: Path, drawings: list[Drawing], data_dir: Path, splits,
                      config: FinetuneConfig, signals: TrainingSignals, out: Path,
                      loading: dict) -> Callable[[Worker], FinetuneResult]:
    """A worker function that fine-tunes ``base`` on ``drawings`` mixed with MNIST.

    ``splits`` is (train, test) from the folder check's cache, or None to read them
    in the worker; ``loading["done"]`` tells the tab whether data reading got done.
    """

    def job(worker: Worker) -> FinetuneResult:
        from ..data import load_split
        from ..finetune import finetune

        train_split, test_split = splits if splits is not None else (
            load_split(data_dir, "train"), load_split(data_dir, "test"))
        loading["done"] = True
        relay = ProgressRelay(signals)
        try:
            return finetune(base, drawings, train_split, test_split, out, config,
                            on_progress=relay.progress, on_epoch=relay.epoch,
                            on_log=signals.log_reported.emit, stop=worker.stop_event)
        finally:
            relay.flush()

    return job


def personal_summary(result: FinetuneResult) -> str:
    """The banner's text after a personal run."""
    if result.checkpoint is None:
        return "Stopped before anything was learned; nothing was saved."
    verb = "Stopped early" if result.stopped else "Learned your handwriting"
    return f"{verb}: {result.summary()}. Saved to {result.checkpoint}."
