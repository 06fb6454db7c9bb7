"""A local HTTP server for download tests: 127.0.0.1 only, Range requests, faults."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class ServerState:
    root: Path
    drop_after: dict[str, int] = field(default_factory=dict)  # name -> cut after N bytes, once
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range)
    support_range: bool = True


def _handler(state: ServerState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            name = self.path.lstrip("/").split("/")[-1]
            state.requests.append((self.path, self.headers.get("Range")))
            path = state.root / name
            if not path.is_file():
                self.send_error(404, "Not Found")
                return
            data = path.read_bytes()
            start = 0
            rng = self.headers.get("Range")
            if rng and state.support_range and rng.startswith("bytes="):
                start = int(rng[6:].split("-")[0])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = state.drop_after.pop(name, None)
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


class LocalServer:
    """``with LocalServer(folder) as srv: srv.url`` serves ``folder`` on 127.0.0.1."""

    def __init__(self, root: Path) -> None:
        self.state = ServerState(Path(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_subset(subset_dir: Path, tmp_path: Path) -> tuple[Path, list]:
    """The subset's .gz files in one folder to serve flat, and their expected
    checksums (of the raw content) for ``download(files=...)``."""
    import gzip
    import hashlib
    import shutil

    from lenet_gui.core.data import FILES, MnistFile

    root = tmp_path / "www"
    root.mkdir()
    files = []
    for f in FILES:
        src = subset_dir / f.split / (f.name + ".gz")
        raw = gzip.decompress(src.read_bytes())
        shutil.copy(src, root / src.name)
        files.append(MnistFile(f.split, f.name, f.kind, 0, len(raw),
                               hashlib.md5(raw).hexdigest()))
    return root, files
