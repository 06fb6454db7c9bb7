"""A training job, one path for the CLI and the window: the command line that runs it,
the child's reporting side, and the window's side that runs it in a child process.

``lenet-gui train ... --report jsonl`` (``report_train``) and ``lenet-gui finetune
... --report jsonl`` (``report_finetune``) call the same ``train.train`` and
``finetune.finetune`` as the plain commands; ``train_in_child`` and
``finetune_in_child`` run those commands from the window's worker thread and
return the same ``TrainResult`` and ``FinetuneResult`` the functions return.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from pathlib import Path
from typing import Callable

from .config import TrainConfig
from .errors import ConfigError, LenetGuiError, first_line
from .job_report import ReportWriter, as_fields, decode_float, run_reported
from .train_process import ChildProcess, events_to_callbacks, run_child


def _describe(exc: BaseException) -> str:
    if isinstance(exc, LenetGuiError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"unexpected error: {type(exc).__name__}: {first_line(exc, '')}"


def warm_up_training() -> None:
    """What every training job imports, for a standby process to load ahead."""
    from ._mindspore import import_mindspore

    import_mindspore()
    from . import augment, data, finetune, model, train, train_step  # noqa: F401


# ----------------------------------------------------------------- command lines

def train_args(config: TrainConfig, out: Path, data_dir: Path,
               threads: int | None = None) -> list[str]:
    """``train`` arguments that rebuild ``config`` exactly (``TrainConfig.for_recipe``
    plus these options); ConfigError for a field the command line cannot carry."""
    args = ["train", "--recipe", config.recipe, "--data-dir", str(data_dir), "--out",
            str(out), "--epochs", str(config.epochs), "--lr", repr(float(config.lr)),
            "--momentum", repr(float(config.momentum)), "--batch-size",
            str(config.batch_size), "--device", config.device, "--seed", str(config.seed),
            "--holdout", str(config.holdout), "--nondigits", repr(float(config.nondigits))]
    if config.limit:
        args += ["--limit", str(config.limit)]
    if config.eval_limit:
        args += ["--eval-limit", str(config.eval_limit)]
    if config.init_checkpoint:
        args += ["--init-checkpoint", str(config.init_checkpoint)]
    if config.average_epochs:
        args += ["--average-epochs", str(config.average_epochs)]
    if config.canvas_pen:
        args += ["--canvas-pen", repr(float(config.canvas_pen))]
    if config.select_strokes:
        args += ["--select-strokes", *map(str, config.select_strokes)]
    if config.teachers:
        args += ["--teachers", *map(str, config.teachers), "--distill",
                 repr(float(config.distill))]
    if threads:
        args += ["--threads", str(threads)]
    base = TrainConfig.for_recipe(config.recipe)
    for name in ("weight_decay", "augment", "styles"):
        if getattr(config, name) != getattr(base, name):
            raise ConfigError(f"{name} = {getattr(config, name)!r} is not the {config.recipe} "
                              f"recipe's; the train command cannot carry it")
    return args


def command_text(args: list[str]) -> str:
    """The job as a user would type it (for the log pane)."""
    import shlex

    return "lenet-gui " + " ".join(shlex.quote(a) for a in args)


# ------------------------------------------------------------ results as fields

def train_result_fields(result) -> dict:
    return {"checkpoint": result.checkpoint, "best_accuracy": result.best_accuracy,
            "best_epoch": result.best_epoch,
            "epochs": [as_fields(e) for e in result.epochs], "stopped": result.stopped,
            "steps_done": result.steps_done, "elapsed_s": result.elapsed_s,
            "config": result.config.to_dict() if result.config else None,
            "evaluation": result.evaluation.to_dict() if result.evaluation else None}


def train_result_from(fields: dict, config: TrainConfig):
    from .predict import EvalResult
    from .train import EpochResult, TrainResult

    epochs = [EpochResult(**{**e, "test_accuracy": decode_float(e["test_accuracy"])})
              for e in fields.get("epochs") or ()]
    ev = fields.get("evaluation")
    evaluation = EvalResult(ev["accuracy"], [decode_float(v) for v in ev["per_class"]],
                            ev["confusion"], ev["samples"]) if ev else None
    return TrainResult(
        Path(fields["checkpoint"]) if fields.get("checkpoint") else None,
        fields.get("best_accuracy"), fields.get("best_epoch"), epochs,
        bool(fields.get("stopped")), int(fields.get("steps_done") or 0),
        float(fields.get("elapsed_s") or 0.0), config, evaluation,
        fields.get("peak_memory_mb"))


def finetune_result_from(fields: dict):
    from .finetune import FinetuneResult

    names = {f.name for f in dataclasses.fields(FinetuneResult)}  # peak memory: not kept
    values = {k: fields.get(k) for k in names}
    values["checkpoint"] = Path(values["checkpoint"]) if values["checkpoint"] else None
    values["stopped"] = bool(values["stopped"])
    return FinetuneResult(**values)


# ------------------------------------------------------------- the child's side

TRAIN_THREADS = 1  # MindSpore CPU threads of the window's training process


def report_train(prepare: Callable[[], tuple[TrainConfig, Path]], data_dir: Path,
                 threads: int | None = None) -> int:
    """``lenet-gui train --report jsonl``: train with every report on stdout.

    ``prepare`` builds the (config, out) pair, so a bad option is an error line too.
    """
    from .data import load_split
    from .train import train

    def work(writer: ReportWriter, stop: threading.Event, abandon: threading.Event) -> dict:
        config, out = prepare()
        config.validate()
        from ._mindspore import set_cpu_threads
        from .devices import use_device

        # MindSpore's import (most of the time to the first step) beside the reading
        # of the data.
        importer = threading.Thread(target=set_cpu_threads, args=(threads,),
                                    name="lenet-import")
        importer.start()
        try:
            train_split = load_split(data_dir, "train")
            test_split = load_split(data_dir, "test")
        finally:
            importer.join()
        use_device(config.device)  # before the first report: a bad device cannot start
        config.validate(len(train_split))
        writer.send("loaded", train=len(train_split), test=len(test_split))
        result = train(config, out, train_split=train_split, test_split=test_split,
                       on_progress=writer.progress, on_epoch=writer.epoch,
                       on_log=writer.log, on_checkpoint=writer.checkpoint, stop=stop,
                       abandon=abandon)
        return train_result_fields(result)

    return run_reported(work, _describe)


def report_finetune(base: Path, drawing_files: list[Path], data_dir: Path, out: Path,
                    config, threads: int | None = None) -> int:
    """``lenet-gui finetune --report jsonl``."""
    from .data import load_split
    from .finetune import finetune
    from .strokes import load_drawings

    def work(writer: ReportWriter, stop: threading.Event, abandon: threading.Event) -> dict:
        from ._mindspore import set_cpu_threads
        from .devices import use_device

        config.validate()
        set_cpu_threads(threads)
        use_device(config.device)
        drawings = [d for path in drawing_files for d in load_drawings(path)]
        train_split = load_split(data_dir, "train")
        test_split = load_split(data_dir, "test")
        writer.send("loaded", train=len(train_split), test=len(test_split),
                    drawings=len(drawings))
        result = finetune(base, drawings, train_split, test_split, out, config,
                          on_progress=writer.progress, on_epoch=writer.epoch,
                          on_log=writer.log, stop=stop)
        return as_fields(result)

    return run_reported(work, _describe)


# ------------------------------------------------------------ the window's side

def train_in_child(config: TrainConfig, out: Path, data_dir: Path, *, on_progress=None,
                   on_epoch=None, on_log: Callable[[str], None] | None = None,
                   on_loaded: Callable[[], None] | None = None,
                   on_start: Callable[[ChildProcess], None] | None = None,
                   stop: threading.Event | None = None,
                   abandon: threading.Event | None = None,
                   standby: ChildProcess | None = None):
    """``train.train``'s result, computed by a ``lenet-gui train`` child process
    (``standby``, when given and still waiting).

    If the child had to be killed after a stop request, the result is the last
    checkpoint it reported saving (stopped=True).
    """
    from .train import TrainResult

    handle = events_to_callbacks(on_progress, on_epoch, on_log, on_loaded)
    outcome = run_child(train_args(config, out, data_dir, TRAIN_THREADS), handle, stop,
                        abandon,
                        on_start=on_start, standby=standby)
    if outcome.result is not None:
        return train_result_from(outcome.result, config)
    last = outcome.checkpoints[-1] if outcome.checkpoints else (None, None)
    return TrainResult(last[0], None, last[1], stopped=True, config=config)


def finetune_args(base: Path, drawings_file: Path, data_dir: Path, out: Path,
                  config) -> list[str]:
    """``finetune`` arguments for ``config``; ConfigError for a field they cannot carry."""
    from .finetune import FinetuneConfig

    base_config = FinetuneConfig()
    for name in ("momentum", "weight_decay", "batch_size", "personal_share", "copies"):
        if getattr(config, name) != getattr(base_config, name):
            raise ConfigError(f"{name} = {getattr(config, name)!r} is not the personal "
                              "recipe's; the finetune command cannot carry it")
    return ["finetune", "--drawings", str(drawings_file), "--checkpoint", str(base),
            "--out", str(out), "--data-dir", str(data_dir), "--epochs", str(config.epochs),
            "--lr", repr(float(config.lr)), "--holdout-share",
            repr(float(config.holdout_share)), "--device", config.device, "--seed",
            str(config.seed), "--quiet", "--threads", str(TRAIN_THREADS),
            *(["--eval-limit", str(config.eval_limit)] if config.eval_limit else [])]


def finetune_in_child(base: Path, drawings: list, data_dir: Path, out: Path, config, *,
                      on_progress=None, on_epoch=None,
                      on_log: Callable[[str], None] | None = None,
                      on_loaded: Callable[[], None] | None = None,
                      on_start: Callable[[ChildProcess], None] | None = None,
                      stop: threading.Event | None = None,
                      abandon: threading.Event | None = None,
                      standby: ChildProcess | None = None):
    """``finetune.finetune``'s result from a ``lenet-gui finetune`` child; the
    drawings travel in a temporary stroke file."""
    from .finetune import FinetuneResult
    from .strokes import save_drawings

    handle = events_to_callbacks(on_progress, on_epoch, on_log, on_loaded)
    with tempfile.TemporaryDirectory(prefix="lenet-gui-personal-") as tmp:
        drawings_file = Path(tmp) / "my_digits.json"
        save_drawings(drawings_file, drawings)
        outcome = run_child(finetune_args(base, drawings_file, data_dir, out, config),
                            handle, stop, abandon, on_start=on_start, standby=standby)
    if outcome.result is not None:
        return finetune_result_from(outcome.result)
    return FinetuneResult(None, len(drawings), 0, 0, None, None, None, None, 0, 0, 0.0,
                          stopped=True)


__all__ = ["command_text", "finetune_in_child", "report_finetune", "report_train",
           "train_args", "train_in_child"]
