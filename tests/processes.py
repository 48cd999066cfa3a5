"""Helpers for tests that start servers as separate processes."""

from __future__ import annotations

import socket
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
