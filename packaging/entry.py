"""The frozen app's entry point: the same as the ``lenet-gui`` console script."""

import multiprocessing
import os
import sys


def _frozen_environment() -> None:
    # MindSpore's jit treats functions from modules that live beside the Python
    # standard library as "third-party" and will not compile them. In the frozen app
    # the standard library and lenet_gui share one folder (_internal), so say that
    # lenet_gui is to be compiled (MindSpore's documented MS_JIT_MODULES switch).
    modules = [m for m in os.environ.get("MS_JIT_MODULES", "").split(",") if m]
    if "lenet_gui" not in modules:
        os.environ["MS_JIT_MODULES"] = ",".join(modules + ["lenet_gui"])
    # Started with no locale at all (env -i, some service managers): use UTF-8, as
    # Qt would anyway, without its three-line warning.
    if not any(os.environ.get(v) for v in ("LC_ALL", "LC_CTYPE", "LANG")):
        os.environ["LC_CTYPE"] = "C.UTF-8"


if __name__ == "__main__":
    # MindSpore's dataset pipeline may start worker processes: in a frozen app they
    # must not re-run the command line.
    multiprocessing.freeze_support()
    _frozen_environment()
    from lenet_gui.cli.main import main

    sys.exit(main())
