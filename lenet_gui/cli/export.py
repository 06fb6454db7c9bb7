"""``lenet-gui export``: a checkpoint as an ONNX or MindIR model, with a JSON describing its
input (preprocessing) and output, for use outside this app."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> None:
    """Register the ``export`` command on the top-level subparsers."""
    p = sub.add_parser(
        "export", help="export a checkpoint as an ONNX or MindIR model",
        description="Export a checkpoint as a standalone ONNX or MindIR model (input "
                    "1x1x32x32 float32, output 10 logits). A JSON beside it (MODEL.onnx.json "
                    "or MODEL.mindir.json) describes the preprocessing, the output and the "
                    "checkpoint it came from. Both files are written atomically.")
    p.add_argument("--checkpoint", type=Path, help="default: the shipped checkpoint")
    p.add_argument("--format", dest="fmt", metavar="mindir|onnx", type=str.lower,
                   help="model format (default: from the --out suffix)")
    p.add_argument("--out", type=Path, required=True,
                   help="model file to write (.onnx or .mindir; added when missing)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from ..core.config import shipped_checkpoint
    from ..core.export import export_model

    result = export_model(args.checkpoint or shipped_checkpoint(), args.fmt, args.out)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"exported {result.format} model: {result.model} ({result.bytes:,} bytes); "
              f"described in {result.metadata}")
    return 0
