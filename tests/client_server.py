"""A registry served by a real process, for tests that speak HTTP to it as a client would."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.settings import PROJECT_ROOT
from tests.processes import free_port


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serving(dsn: str, log: Path, **env: str) -> Iterator[Served]:
    """``python -m app serve`` on a free port against ``dsn``, ready; stopped afterwards."""
    port = free_port()
    environment = {
        **os.environ,
        "REGISTRY_DEMO_DATA": "0",
        "ACCESS_LOG": "0",
        **env,
        "DATABASE_URL": dsn,
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "serve"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(proc, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, served.log_tail()
            assert time.monotonic() < deadline, "the registry did not start:\n" + served.log_tail()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(served.url + "/readyz", timeout=2, trust_env=False).is_success:
                    break
            time.sleep(0.1)
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
