"""The training child's side of ``--report jsonl``: one JSON object per line, and stop
requests read from stdin.

A training job (``lenet-gui train`` or ``finetune`` with ``--report jsonl``) writes
its progress, epoch results, log lines, saved checkpoints and then its final
``result`` or ``error`` to stdout, one ``{"event": ...}`` object per line; the
window's worker thread (``train_process``) reads them back with ``json``. Anything
else a library prints goes to stderr: the report stream is a private copy of the
original stdout. Stdin carries requests: ``stop`` (keep the best weights, as Stop
does), ``abandon`` (the window is closing: stop, save nothing more); end of file
means the parent is gone and is treated as ``abandon``, so a child never outlives
its window.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable, TextIO

PROTOCOL = 1  # the first line, {"event": "hello", "protocol": 1}, says which
STOP = "stop"
ABANDON = "abandon"


def _plain(value: Any) -> Any:
    """JSON has no NaN or infinity: they travel as null (``decode_float`` restores them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def encode(event: str, **fields: Any) -> str:
    """One report line (no newline), strict JSON."""
    return json.dumps({"event": event, **_plain(fields)}, allow_nan=False)


def decode_float(value: Any, missing: float = math.nan) -> float:
    return missing if value is None else float(value)


def as_fields(obj: Any) -> dict:
    """A dataclass's fields for a report line."""
    return dataclasses.asdict(obj)


class ReportWriter:
    """Writes report lines to a stream, whole lines only, from any thread."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.broken = False  # the parent stopped reading

    def send(self, event: str, **fields: Any) -> None:
        line = encode(event, **fields) + "\n"
        with self._lock:
            if self.broken:
                return
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True

    # The callbacks train() and finetune() take.
    def progress(self, p) -> None:
        self.send("progress", **as_fields(p))

    def epoch(self, e) -> None:
        self.send("epoch", **as_fields(e))

    def log(self, line: str) -> None:
        self.send("log", line=line)

    def checkpoint(self, path: Path, epoch: float) -> None:
        self.send("checkpoint", path=str(path), epoch=epoch)


def private_stdout() -> TextIO:
    """The report stream: a copy of stdout; fd 1 itself then points at stderr, so a
    library's stray print cannot corrupt a report line."""
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(fd, "w", encoding="utf-8", buffering=1)


class StopListener:
    """Reads stop requests from stdin (and SIGTERM) into the job's events."""

    def __init__(self, stop: threading.Event, abandon: threading.Event,
                 stream: TextIO | None = None) -> None:
        self.stop, self.abandon = stop, abandon
        self._stream = stream if stream is not None else sys.stdin
        self._thread = threading.Thread(target=self._listen, name="lenet-stop-listener",
                                        daemon=True)

    def start(self) -> "StopListener":
        self._thread.start()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
            # Ctrl-C in the window's terminal reaches the whole process group: the
            # window decides (its end of stdin closes when it goes).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return self

    def _listen(self) -> None:
        try:
            for line in self._stream:
                request = line.strip()
                if request == ABANDON:
                    self.abandon.set()
                    self.stop.set()
                elif request == STOP:
                    self.stop.set()
        except (OSError, ValueError):
            pass
        # End of file: the window closed its end or died.
        self.abandon.set()
        self.stop.set()


def die_with_parent() -> None:
    """Linux: SIGTERM (a graceful stop) when the window's process dies, even by kill -9.

    Stdin's end of file does the same everywhere; this covers a child blocked
    before it reads stdin. Best effort: never raises.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        expected = os.environ.get("LENET_GUI_PARENT_PID")
        if expected and os.getppid() != int(expected):  # the parent died before prctl
            os.kill(os.getpid(), signal.SIGTERM)
    except (OSError, AttributeError, ValueError):
        pass


def peak_memory_mb() -> float | None:
    """This process's peak resident memory (Linux VmHWM), or None where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def run_standby(main: Callable[[list[str]], int], warm: Callable[[], None]) -> int:
    """A standby training process: warm up (import MindSpore), then run the one
    command line that arrives on stdin as a JSON list; end of input first: exit 0."""
    die_with_parent()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        warm()
    except Exception:  # noqa: BLE001 - the job itself reports what is wrong, in one line
        pass
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    try:
        argv = json.loads(line)
    except ValueError:
        argv = None
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        print("lenet-gui: error: the training standby got no command line", file=sys.stderr)
        return 2
    return main(argv)


def _exit_now(code: int) -> None:
    """End the process once its last report line is out: MindSpore's teardown at a
    normal exit takes 0.7-0.9 s here, which Stop would otherwise wait for. Every
    file the job wrote is already complete (checkpoints are written atomically)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def run_reported(work: Callable[[ReportWriter, threading.Event, threading.Event], dict],
                 describe_error: Callable[[BaseException], str]) -> int:
    """Run ``work(writer, stop, abandon)`` with reports on stdout; its dict is the
    ``result`` line. Any failure becomes one ``error`` line and exit status 1. The
    process then ends at once (``_exit_now``): this runs only in a training process."""
    writer = ReportWriter(private_stdout())
    writer.send("hello", protocol=PROTOCOL, pid=os.getpid())
    stop, abandon = threading.Event(), threading.Event()
    die_with_parent()
    StopListener(stop, abandon).start()
    try:
        result = work(writer, stop, abandon)
    except BaseException as exc:  # noqa: BLE001 - every failure reaches the window
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        writer.send("error", message=describe_error(exc), kind=type(exc).__name__)
        _exit_now(1)
    writer.send("result", **result, peak_memory_mb=peak_memory_mb())
    _exit_now(0)
    return 0  # not reached


__all__ = ["ABANDON", "PROTOCOL", "STOP", "ReportWriter", "StopListener", "decode_float",
           "encode", "run_reported", "run_standby"]
