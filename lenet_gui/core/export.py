"""Export a checkpoint as a standalone model (ONNX or MindIR) plus a JSON that says how to
feed it.

An exported model is useless without the preprocessing it was trained with, so every
export writes ``MODEL.json`` beside it (e.g. ``lenet.onnx`` + ``lenet.onnx.json``: the
full file name plus ``.json``, so an ONNX and a MindIR export of one checkpoint never
share a description, and an export beside ``NAME.ckpt`` never overwrites the
checkpoint's own ``NAME.json``).

MindSpore's exporter is kept away from the user's folder: it refuses paths with spaces
or non-ASCII letters, appends its own suffix, creates missing folders, and leaves
owner-only files (MindIR) or even chmods the folder (``mindspore.export(..., "ONNX")``).
So it writes into a private staging folder; the result is copied into a temporary file
beside ``out`` and renamed into place. Nothing half-written is ever left behind.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ._mindspore import LOCK, import_mindspore
from .errors import LenetGuiError, first_line
from .model import ARCHITECTURE, CheckpointInfo, _remove, _stage, load_checkpoint
from .preprocess import BOX_SIZE, INPUT_SIZE, MEAN, MNIST_SIZE, PREPROCESSING_ID, STD

#: format name -> (suffix, what MindSpore calls it)
FORMATS = {"onnx": (".onnx", "ONNX"), "mindir": (".mindir", "MINDIR")}
INPUT_SHAPE = (1, 1, INPUT_SIZE, INPUT_SIZE)
#: Names given to the ONNX graph's input and output (MindIR keeps MindSpore's own).
ONNX_INPUT, ONNX_OUTPUT = "input", "logits"
# MindSpore's check_file_name_by_regular: the only paths its exporter accepts.
_MS_SAFE_PATH = re.compile(r"^[0-9a-zA-Z@_\-.:/\\]+$")
REJECT_MEANING = "below this top softmax probability: not a digit"


class ExportError(LenetGuiError):
    """An export that cannot be done; nothing was written."""


@dataclass
class ExportResult:
    """What an export wrote."""

    model: Path
    metadata: Path
    format: str  # "onnx" or "mindir"
    bytes: int  # size of the model file
    checkpoint: Path
    elapsed_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"model": str(self.model), "metadata": str(self.metadata),
                "format": self.format, "bytes": self.bytes,
                "checkpoint": str(self.checkpoint), "elapsed_s": round(self.elapsed_s, 3)}


def metadata_path_for(model: Path) -> Path:
    """``lenet.onnx`` -> ``lenet.onnx.json``."""
    model = Path(model)
    return model.with_name(model.name + ".json")


def format_for_path(path: Path) -> str | None:
    """The format a file name asks for by its suffix (``.onnx``/``.mindir``), else None."""
    suffix = Path(path).suffix.lower()
    return next((name for name, (ext, _) in FORMATS.items() if ext == suffix), None)


def resolve_target(fmt: str | None, out: Path) -> tuple[str, Path]:
    """Check the format (None: from ``out``'s suffix) and the destination before anything
    is loaded; return (format, model path with its suffix). Raises ExportError."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise ExportError(f"{out}: is a folder; give a file name such as {out / 'lenet.onnx'}")
    if fmt is None:
        fmt = format_for_path(out)
        if fmt is None:
            raise ExportError(f"{out}: say which format ({' or '.join(FORMATS)}), or end "
                              "the file name in .onnx or .mindir")
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of "
                          f"{', '.join(FORMATS)}")
    ext = FORMATS[name][0]
    if not out.suffix:
        out = out.with_name(out.name + ext)
    elif out.suffix.lower() != ext:
        raise ExportError(f"{out}: a {name} model is written to a {ext} file, not "
                          f"{out.suffix!r}")
    for path in (out, metadata_path_for(out)):
        if path.is_dir():
            raise ExportError(f"{path}: is a folder")
    parent = out.absolute().parent
    if not parent.exists():
        raise ExportError(f"{parent}: folder does not exist")
    if not parent.is_dir():
        raise ExportError(f"{parent}: not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"{parent}: no permission to write in this folder")
    return name, out.absolute()


def _staging_dir(parent: Path) -> Path:
    """A private folder whose path MindSpore's exporter accepts."""
    for root in (tempfile.gettempdir(), str(parent)):
        real = os.path.realpath(root)
        if _MS_SAFE_PATH.match(real) and os.access(real, os.W_OK | os.X_OK):
            return Path(tempfile.mkdtemp(prefix="lenet-gui-export-", dir=real))
    raise ExportError(f"MindSpore only writes to paths of letters, digits and _-.@: and "
                      f"neither {tempfile.gettempdir()} nor {parent} is one; set TMPDIR to "
                      f"such a folder")


def _run_exporter(ms, net, fmt: str, stage: Path) -> Path:
    """Run MindSpore's exporter into ``stage``; return the one file it wrote."""
    import numpy as np

    x = ms.Tensor(np.zeros(INPUT_SHAPE, dtype=np.float32))
    ext, ms_name = FORMATS[fmt]
    target = stage / f"model{ext}"
    if fmt == "onnx":
        # mindspore.onnx.export, not mindspore.export(..., "ONNX"): the latter is
        # deprecated, chmods the destination folder to 0700 and cannot name the
        # graph's input and output.
        import mindspore.onnx

        mindspore.onnx.export(net, x, file_name=str(target), input_names=[ONNX_INPUT],
                              output_names=[ONNX_OUTPUT])
    else:
        ms.export(net, x, file_name=str(stage / "model"), file_format=ms_name)
    written = sorted(p.name for p in stage.iterdir())
    # mindspore.onnx.export logs a failed write and returns: check what is there.
    if not target.is_file() or target.stat().st_size == 0:
        raise ExportError(f"MindSpore's {ms_name} exporter wrote no model file")
    if written != [target.name]:
        raise ExportError(f"MindSpore's {ms_name} exporter wrote several files "
                          f"({', '.join(written)}); expected one")
    return target


def _io_names(fmt: str, model: Path) -> tuple[str, str]:
    """The graph's input and output names as a runtime reports them."""
    if fmt == "onnx":
        return ONNX_INPUT, ONNX_OUTPUT
    try:  # MindIR: MindSpore names them "<graph>:x" and "<graph>:<node>"
        from mindspore.train.mind_ir_pb2 import ModelProto

        proto = ModelProto()
        proto.ParseFromString(model.read_bytes())
        return proto.graph.input[0].name, proto.graph.output[0].name
    except Exception:  # noqa: BLE001 - names are informative only
        return "x", ""


def describe(fmt: str, model_name: str, io_names: tuple[str, str], checkpoint: Path,
             info: CheckpointInfo, mindspore_version: str) -> dict[str, Any]:
    """The JSON written beside an exported model: everything needed to feed it."""
    source: dict[str, Any] = {
        "path": str(checkpoint), "name": info.name or checkpoint.stem,
        "recipe": (info.train_config or {}).get("recipe"),
        "test_accuracy": info.test_accuracy, "test_samples": info.test_samples,
        "created": info.created or None, "mindspore_version": info.mindspore_version or None,
    }
    if info.personal_digits:
        source["personal_digits"] = info.personal_digits
    if info.reject_threshold is not None:
        source["reject_threshold"] = info.reject_threshold
        source["reject_threshold_meaning"] = REJECT_MEANING
    return {
        "format": fmt,
        "file": model_name,
        "architecture": ARCHITECTURE,
        "input": {
            "name": io_names[0], "shape": list(INPUT_SHAPE), "dtype": "float32",
            "layout": "NCHW",
            "note": "one image per run (batch 1); pass several by running it once each",
        },
        "output": {
            "name": io_names[1], "shape": [1, 10], "dtype": "float32",
            "meaning": "10 logits; softmax gives the probabilities; class i is the digit i",
        },
        "preprocessing": {
            "id": PREPROCESSING_ID, "mean": MEAN, "std": STD, "ink": "white ink on black",
            "steps": [
                "make the image grey, ink bright (255) on a black (0) background",
                f"crop to the ink's bounding box and scale it to fit {BOX_SIZE}x{BOX_SIZE}, "
                "keeping the aspect ratio (area averaging), grey levels stretched to 0..255",
                f"paste it into a black {MNIST_SIZE}x{MNIST_SIZE} image so that its centre "
                "of mass lands on the centre (14, 14)",
                f"resize {MNIST_SIZE}x{MNIST_SIZE} -> {INPUT_SIZE}x{INPUT_SIZE}, bilinear "
                "(half-pixel centres, as OpenCV / mindspore.dataset.vision.Resize)",
                "divide by 255",
                f"subtract the mean {MEAN} and divide by the std {STD}: (x - mean) / std",
            ],
            "mnist_images": f"MNIST images are already the {MNIST_SIZE}x{MNIST_SIZE} of step "
                            "3: start at the resize",
        },
        "checkpoint": source,
        "mindspore_version": mindspore_version,
        "exported_by": f"lenet-gui {__version__}",
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def export_model(checkpoint: Path, fmt: str | None, out: Path) -> ExportResult:
    """Export ``checkpoint`` as ``fmt`` ("onnx", "mindir"; None: from ``out``'s suffix) to
    exactly ``out`` (suffix added when missing) plus ``out.json``; both atomically,
    nothing left behind on failure."""
    start = time.monotonic()
    fmt, out = resolve_target(fmt, out)
    checkpoint = Path(checkpoint).expanduser()
    meta = metadata_path_for(out)
    ms = import_mindspore()
    stage = staged_model = staged_meta = None
    model_replaced = False
    with LOCK:  # the exporter compiles a graph: never beside another one
        net, info = load_checkpoint(checkpoint)
        syntax_level = ms.get_context("jit_syntax_level")  # export sets it, and on
        try:                                                 # failure never restores it
            stage = _staging_dir(out.parent)
            produced = _run_exporter(ms, net, fmt, stage)
            names = _io_names(fmt, produced)
            text = json.dumps(describe(fmt, out.name, names, checkpoint.absolute(), info,
                                       ms.__version__), indent=2) + "\n"
            staged_model = _stage(out, lambda tmp: shutil.copyfile(produced, tmp))
            staged_meta = _stage(meta, lambda tmp: Path(tmp).write_text(text))
            os.replace(staged_model, out)
            staged_model, model_replaced = None, True
            os.replace(staged_meta, meta)
            staged_meta = None
        except OSError as exc:
            done = ("the model was written, its description was not" if model_replaced
                    else "nothing was written")
            raise ExportError(f"{out}: cannot write the model ({exc.strerror or exc}); "
                              f"{done}") from None
        except (RuntimeError, ValueError, TypeError) as exc:
            raise ExportError(f"MindSpore could not export the model as {fmt}: "
                              f"{first_line(exc)[:200]}") from None
        finally:
            _remove(staged_model)
            _remove(staged_meta)
            if stage is not None:
                shutil.rmtree(stage, ignore_errors=True)
            try:
                ms.set_context(jit_syntax_level=syntax_level)
            except (RuntimeError, ValueError, TypeError):
                pass
    return ExportResult(out, meta, fmt, out.stat().st_size, checkpoint,
                        time.monotonic() - start)


__all__ = ["ExportError", "ExportResult", "FORMATS", "export_model", "format_for_path",
           "metadata_path_for", "resolve_target", "describe"]
