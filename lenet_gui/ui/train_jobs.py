"""The Train tab's jobs, each a worker-thread function that runs a child process and
relays its reports: a recipe's training (``lenet-gui train``) and "Learn my
handwriting", the personal recipe (``lenet-gui finetune``).

Both report through the same ``TrainingSignals`` as a training run (losses,
progress, epochs, log lines), so the tab's plot, progress bar and log serve both.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from ..core.finetune import FinetuneConfig, FinetuneResult
from ..core.strokes import Drawing
from .worker import ProgressRelay, TrainingSignals, Worker

CHILD_ERROR_LINES = 12  # of a dead training process's stderr, shown in the log


def _child_job(signals: TrainingSignals, run):
    """A worker function around ``run(worker, relay)``, which runs one child process:
    its reports go through one ProgressRelay, and a child that died leaves its last
    error lines in the log before its one-line error."""

    def job(worker: Worker):
        from ..core.train_process import ChildDied

        relay = ProgressRelay(signals)
        try:
            return run(worker, relay)
        except ChildDied as exc:
            for line in exc.stderr_tail[-CHILD_ERROR_LINES:]:
                signals.log_reported.emit(line)
            raise
        finally:
            relay.flush()

    return job


def make_training_job(config, out: Path, data_dir: Path, signals: TrainingSignals,
                      loading: dict, abandon: threading.Event,
                      on_start: Callable | None = None,
                      standby=None) -> Callable[[Worker], object]:
    """A worker function that trains ``config`` into ``out`` (train.TrainResult)."""

    def run(worker: Worker, relay: ProgressRelay):
        from ..core.training_job import train_in_child

        def on_progress(p) -> None:
            relay.progress(p)
            if p.step % 100 == 0:
                signals.log_reported.emit(p.log_line())

        return train_in_child(config, out, data_dir, on_progress=on_progress,
                              on_epoch=relay.epoch, on_log=signals.log_reported.emit,
                              on_loaded=lambda: loading.update(done=True),
                              on_start=on_start, stop=worker.stop_event, abandon=abandon,
                              standby=standby)

    return _child_job(signals, run)


def make_personal_job(base: Path, drawings: list[Drawing], data_dir: Path,
                      config: FinetuneConfig, signals: TrainingSignals, out: Path,
                      loading: dict, abandon: threading.Event,
                      on_start: Callable | None = None,
                      standby=None) -> Callable[[Worker], FinetuneResult]:
    """A worker function that fine-tunes ``base`` on ``drawings`` mixed with MNIST.

    ``loading["done"]`` tells the tab whether the child got as far as reading the data.
    """

    def run(worker: Worker, relay: ProgressRelay) -> FinetuneResult:
        from ..core.training_job import finetune_in_child

        return finetune_in_child(base, drawings, data_dir, out, config,
                                 on_progress=relay.progress, on_epoch=relay.epoch,
                                 on_log=signals.log_reported.emit,
                                 on_loaded=lambda: loading.update(done=True),
                                 on_start=on_start, stop=worker.stop_event,
                                 abandon=abandon, standby=standby)

    return _child_job(signals, run)


def personal_banner(result: FinetuneResult) -> tuple[str, str]:
    """The banner's kind and text after a personal run: a warning when the new model
    may be worse to use than its base (``FinetuneResult.caution``)."""
    if result.checkpoint is None:
        return "info", "Stopped before anything was learned; nothing was saved."
    verb = "Stopped early" if result.stopped else "Learned your handwriting"
    caution = result.caution()
    but = f" Careful: {caution}." if caution else ""
    return ("warning" if caution else "success",
            f"{verb}: {result.summary()}.{but} Saved to {result.checkpoint}.")
