"""Run a training job in a child process: the window's side of ``--report jsonl``.

MindSpore's device is per process, a graph compile holds the GIL, and a native
crash takes its process down: so the window trains in a child running the app's
own ``lenet-gui train`` (or ``finetune``) command. ``run_child`` starts it, turns
its report lines (``job_report``) back into the callbacks ``train.train`` takes,
asks it to stop through stdin, kills it if it does not exit in time, and turns a
death (signal, bad exit status, no result) into one line with its last stderr.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import LenetGuiError, TrainingError
from .job_report import ABANDON, STOP, decode_float

STOP_GRACE_S = 3.0  # after a stop request, how long the child may take before a kill
ABANDON_GRACE_S = 1.5  # the window is closing: less patience
# The lowest priority: the window draws and recognizes first (measured: training no
# slower, recognition during training as fast as idle).
CHILD_NICE = 19
STDERR_LINES = 40  # kept for the message when the child dies
# A training process started ahead of Start waits, MindSpore imported, for its
# command line (one JSON list on stdin): the first loss comes ~2 s sooner.
STANDBY_FLAG = "--training-standby"


class ChildDied(TrainingError):
    """The training process ended without a result (signal, crash, bad exit status)."""

    def __init__(self, message: str, stderr_tail: list[str]) -> None:
        super().__init__(message)
        self.stderr_tail = stderr_tail


def child_command(args: Sequence[str]) -> list[str]:
    """This app's own command line with ``args``; the frozen executable is its own child."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "lenet_gui", *args]


def describe_exit(returncode: int) -> str:
    """'killed by signal 9 (SIGKILL)' or 'exit status 3'."""
    if returncode < 0:
        try:
            name = f" ({signal.Signals(-returncode).name})"
        except ValueError:
            name = ""
        return f"killed by signal {-returncode}{name}"
    return f"exit status {returncode}"


@dataclass
class ChildOutcome:
    """What a child reported: its result line (None if it never sent one) and more."""

    result: dict | None
    checkpoints: list[tuple[Path, float]] = field(default_factory=list)
    returncode: int | None = None
    killed_after_stop: bool = False
    stderr_tail: list[str] = field(default_factory=list)


class ChildProcess:
    """One training child: its pipes, a reader thread per output, stop and kill.

    ``args`` None starts a standby child (``STANDBY_FLAG``): ``give`` hands it a job.
    """

    def __init__(self, args: Sequence[str] | None, env: dict | None = None) -> None:
        self.standby = args is None
        self.command = child_command([STANDBY_FLAG] if args is None else args)
        self._events: queue.Queue = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_LINES)
        child_env = dict(os.environ if env is None else env)
        child_env["LENET_GUI_PARENT_PID"] = str(os.getpid())
        child_env.setdefault("PYTHONUNBUFFERED", "1")
        try:
            self.proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=child_env, text=True, encoding="utf-8",
                errors="replace", bufsize=1)
        except OSError as exc:
            raise TrainingError(f"cannot start the training process: {exc}") from None
        if hasattr(os, "setpriority"):
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, CHILD_NICE)
            except OSError:
                pass
        self._readers = [
            threading.Thread(target=self._read_stdout, name="lenet-child-stdout", daemon=True),
            threading.Thread(target=self._read_stderr, name="lenet-child-stderr", daemon=True)]
        for t in self._readers:
            t.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def give(self, args: Sequence[str]) -> None:
        """A standby child's job: its command line, as one JSON line."""
        self.request(json.dumps(list(args)))
        self.standby = False

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = None
            if not isinstance(event, dict) or "event" not in event:
                event = {"event": "log", "line": line}  # not a report line: show it
            self._events.put(event)
        self._events.put(None)  # end of the reports

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            line = line.rstrip()
            if line:
                self.stderr_tail.append(line)

    def next_event(self, timeout: float) -> dict | None | bool:
        """The next report, None at the end of the reports, False if none came in time."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return False

    def request(self, what: str) -> None:
        """Send ``stop`` or ``abandon``; a child that is gone is not an error."""
        try:
            self.proc.stdin.write(what + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()

    def finish(self, timeout: float = 5.0) -> int:
        """Close our end, wait for the child (killing it if it lingers) and the readers."""
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for t in self._readers:
            t.join(2.0)
        return code


def spawn_standby(env: dict | None = None) -> ChildProcess:
    """A training process that imports MindSpore now and waits for a job."""
    return ChildProcess(None, env=env)


EventFn = Callable[[dict], None]


def run_child(args: Sequence[str], on_event: EventFn, stop: threading.Event | None = None,
              abandon: threading.Event | None = None, *,
              on_start: Callable[[ChildProcess], None] | None = None,
              env: dict | None = None,
              standby: ChildProcess | None = None) -> ChildOutcome:
    """Run ``lenet-gui ARGS --report jsonl`` to its end; every report goes to ``on_event``.

    ``stop`` sends a stop request, ``abandon`` (set with ``stop``) an abandon
    request; a child still running ``STOP_GRACE_S`` (``ABANDON_GRACE_S``) later is
    killed. Raises the child's own error (its one line) as TrainingError, and
    ChildDied when it ended without a result for another reason. ``standby``: a
    waiting child (``spawn_standby``) to run the job in, if it is still alive.
    """
    full = [*args, "--report", "jsonl"]
    if standby is not None and standby.standby and standby.alive():
        child = standby
        child.give(full)
    else:
        if standby is not None:
            standby.finish(1.0)  # died while waiting: reap it, start afresh
        child = ChildProcess(full, env=env)
    if on_start is not None:
        on_start(child)
    outcome = ChildOutcome(None)
    error: dict | None = None
    deadline: float | None = None
    try:
        while True:
            if stop is not None and stop.is_set() and deadline is None:
                abandoning = abandon is not None and abandon.is_set()
                child.request(ABANDON if abandoning else STOP)
                deadline = time.monotonic() + (ABANDON_GRACE_S if abandoning else STOP_GRACE_S)
            if deadline is not None and time.monotonic() > deadline and child.proc.poll() is None:
                child.kill()
                outcome.killed_after_stop = True
            event = child.next_event(0.05)
            if event is False:
                continue
            if event is None:
                break
            kind = event.get("event")
            if kind == "result":
                outcome.result = event
            elif kind == "error":
                error = event
            elif kind == "checkpoint":
                outcome.checkpoints.append((Path(event["path"]), float(event["epoch"])))
            on_event(event)
    finally:
        outcome.returncode = child.finish()
        outcome.stderr_tail = list(child.stderr_tail)
    if error is not None:
        raise TrainingError(str(error.get("message") or "the training process failed"))
    if outcome.result is None and not outcome.killed_after_stop:
        how = describe_exit(outcome.returncode)
        raise ChildDied(f"training process ended unexpectedly: {how}", outcome.stderr_tail)
    return outcome


def events_to_callbacks(on_progress=None, on_epoch=None, on_log=None,
                        on_loaded: Callable[[], None] | None = None) -> EventFn:
    """Report lines -> train.train's callbacks, with the same dataclasses."""
    from .train import EpochResult, Progress

    def handle(event: dict) -> None:
        kind = event["event"]
        if kind == "progress" and on_progress is not None:
            fields = _fields(event, Progress)
            fields["eta_s"] = decode_float(fields.get("eta_s"), float("inf"))
            on_progress(Progress(**fields))
        elif kind == "epoch" and on_epoch is not None:
            fields = _fields(event, EpochResult)
            fields["test_accuracy"] = decode_float(fields.get("test_accuracy"))
            on_epoch(EpochResult(**fields))
        elif kind == "log" and on_log is not None:
            on_log(str(event.get("line", "")))
        elif kind == "loaded" and on_loaded is not None:
            on_loaded()

    return handle


def _fields(event: dict, cls) -> dict[str, Any]:
    names = set(cls.__dataclass_fields__)
    missing = names - set(event)
    if missing:
        raise LenetGuiError(f"the training process sent a {event['event']} report without "
                            f"{', '.join(sorted(missing))}")
    return {k: event[k] for k in names}


__all__ = ["ChildDied", "ChildOutcome", "ChildProcess", "STANDBY_FLAG", "child_command",
           "describe_exit", "events_to_callbacks", "run_child", "spawn_standby"]
