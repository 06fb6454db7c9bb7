"""Downloading MNIST: the usual mirrors in turn, resumable, checksummed before use.

A file lands under its real name only once its checksum is right, so an interrupted
or wrong download never leaves a broken file where ``data.load_split`` looks.
"""

from __future__ import annotations

import gzip
import os
import socket
import threading
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Callable, Iterable

from .data import FILES, MnistFile, check_file, md5
from .errors import DownloadError, StopRequested, first_line

# The usual public mirrors, tried in turn; each serves the original .gz files.
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

ProgressFn = Callable[[str, int, int | None], None]  # file name, bytes so far, total


def download(data_dir: Path, mirrors: Iterable[str] = MIRRORS,
             progress: ProgressFn | None = None, stop: threading.Event | None = None,
             timeout: float = 20.0, retries: int = 2,
             files: Iterable[MnistFile] = FILES) -> list[Path]:
    """Fetch the four MNIST files into ``data_dir`` (course layout, gzipped).

    Files already present and correct are skipped. ``files`` names the expected
    files and checksums (tests serve a subset with its own). Each download goes to a
    ``.part`` file that is resumed with an HTTP Range request after a cut-off
    connection and renamed into place only once its checksum is right, so an
    interrupted download never leaves a broken file under the real name.
    """
    data_dir = Path(data_dir)
    mirrors = list(mirrors)
    done = []
    for f in files:
        status = check_file(data_dir, f)
        if status.ok:
            done.append(status.path)
            continue
        target = data_dir / f.split / (f.name + ".gz")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DownloadError(f"{target.parent}: cannot create folder "
                                f"({first_line(exc)})") from None
        errors = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + f.name + ".gz"
            try:
                _fetch(url, target, f, progress, stop, timeout, retries)
                done.append(target)
                break
            except StopRequested:
                raise
            except DownloadError as exc:
                errors.append(str(exc))
        else:
            offline = all("offline" in e or "cannot connect" in e for e in errors)
            hint = ("you seem to be offline; connect to the internet or copy the four "
                    "MNIST files into " + str(data_dir)) if offline else "; ".join(errors)
            raise DownloadError(f"{f.name}.gz: no mirror worked: {hint}")
    return done


def _fetch(url: str, target: Path, f: MnistFile, progress: ProgressFn | None,
           stop: threading.Event | None, timeout: float, retries: int) -> None:
    part = target.with_name(target.name + ".part")
    attempts = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        request = urllib.request.Request(url, headers={"User-Agent": "lenet-gui"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                status = getattr(resp, "status", 200)
                if have and status != 206:
                    have = 0  # server ignored the Range header: start over
                length = resp.headers.get("Content-Length")
                total = have + int(length) if length and length.isdigit() else None
                with open(part, "ab" if have else "wb") as out:
                    got = have
                    while True:
                        if stop is not None and stop.is_set():
                            raise StopRequested("download cancelled")
                        chunk = resp.read(64 * 1024)
                        if not chunk:
                            break
                        out.write(chunk)
                        got += len(chunk)
                        if progress is not None:
                            progress(f.name, got, total)
                if total is not None and got < total:
                    raise ConnectionError(f"connection closed at {got} of {total} bytes")
        except StopRequested:
            raise
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and have:  # range beyond the end: the part is complete or wrong
                pass
            else:
                raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.gaierror, ConnectionRefusedError)):
                raise DownloadError(f"{url}: cannot connect ({first_line(reason)}); "
                                    "offline?") from None
            attempts += 1
            if attempts > retries:
                raise DownloadError(f"{url}: {first_line(reason)}") from None
            continue
        except (ConnectionError, TimeoutError, socket.timeout, OSError) as exc:
            attempts += 1
            if attempts > retries:
                raise DownloadError(f"{url}: interrupted ({first_line(exc)}) after {retries} "
                                    "retries; run download again to resume") from None
            continue
        break
    try:
        data = gzip.decompress(part.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: not a valid gzip file ({first_line(exc)})") from None
    if len(data) != f.raw_size or md5(data) != f.raw_md5:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: checksum mismatch; the mirror served a wrong file")
    os.replace(part, target)


__all__ = ["MIRRORS", "download"]
