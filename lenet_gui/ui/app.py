"""Start the desktop app: QApplication identity, settings, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

# numpy before Qt: PySide6 inspects the source of every module imported after it
# (shibokensupport's feature check), 30-50 ms for numpy's modules at start-up.
import numpy  # noqa: F401
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..core.config import APP_NAME, ORGANISATION
from . import feature_check

# Before the rest of the app and MindSpore are imported: PySide6 inspects each of them.
feature_check.install()


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    return app


def run_app(checkpoint: Path | None = None, device: str | None = None) -> int:
    """Open the window; the last checkpoint used is reopened unless one is given."""
    app = make_application()
    from .main_window import MainWindow, app_icon

    app.setWindowIcon(app_icon())
    settings = QSettings(ORGANISATION, APP_NAME)
    if checkpoint is None:
        last = settings.value("model/checkpoint")
        if isinstance(last, str) and last and Path(last).is_file():
            checkpoint = Path(last)
    window = MainWindow(checkpoint=checkpoint, device=device, settings=settings)
    window.show()
    return app.exec()


def main() -> int:
    """The ``lenet-gui-window`` GUI script: the window only, no command line parsing.
    Checks the X11 libraries first, as ``lenet-gui`` does: Qt would abort without
    naming them."""
    from .xcb_check import missing_libraries_message, missing_xcb_libraries, \
        xcb_platform_expected

    if xcb_platform_expected() and (missing := missing_xcb_libraries()):
        print(f"lenet-gui: error: {missing_libraries_message(missing)}", file=sys.stderr)
        return 1
    return run_app()
