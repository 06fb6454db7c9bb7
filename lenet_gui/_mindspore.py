"""The one place MindSpore is imported, lazily and quietly."""

from __future__ import annotations

import os
import sys


def import_mindspore():
    """Import MindSpore with its log level at ERROR+ unless the user chose one.

    MindSpore logs plugin-probe warnings (no CUDA, no Ascend) to stderr at import;
    the app reports device availability itself, in one line.
    """
    if "mindspore" not in sys.modules:
        os.environ.setdefault("GLOG_v", "4")
    import mindspore

    return mindspore
