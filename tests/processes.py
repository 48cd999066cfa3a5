"""Helpers for tests that start servers as separate processes."""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    """The postgres processes running on ``data_dir``."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir.resolve()) in cmdline:
            found.append(proc)
    return found


@contextlib.contextmanager
def data_folder(prefix: str) -> Iterator[Path]:
    """A folder for an embedded server's data, removed afterwards with any postgres left on it.

    Outside pytest's tmp tree: any pytest session that starts meanwhile resets
    /tmp/pytest-of-<user> to 0700, and the server's own system user (when we are root) could no
    longer reach it.
    """
    root = Path(tempfile.mkdtemp(prefix=prefix))
    d = root / "pgdata"
    try:
        yield d
    finally:
        for proc in postgres_processes(d):
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)
