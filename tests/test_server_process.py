"""`make run`'s server command as a real process: ready, stops cleanly, survives kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import PROJECT_ROOT
from tests.processes import data_folder, free_port, postgres_processes

pytestmark = pytest.mark.process


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        env = dict(os.environ, PORT=str(self.port), REGISTRY_DATA_DIR=str(data_dir))
        env.pop("DATABASE_URL", None)
        self.log = data_dir.parent / f"server-{self.port}.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app", "serve"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> httpx.Response:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(self.log.read_text())
            try:
                r = httpx.get(self.url + "/readyz", timeout=2)
                if r.status_code == 200:
                    return r
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("server did not become ready:\n" + self.log.read_text())


@pytest.fixture
def data_dir() -> Iterator[Path]:
    with data_folder("registry-serve-") as d:
        yield d


def test_server_serves_probes_and_stops_its_database_on_sigterm(data_dir):
    server = Server(data_dir)
    try:
        assert server.wait_ready().json() == {"status": "ok", "database": "ok"}
        assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
        assert postgres_processes(data_dir), "the embedded server should be running"
    finally:
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=30) == 0
    assert postgres_processes(data_dir) == []


def test_server_recovers_after_being_killed_with_sigkill(data_dir):
    first = Server(data_dir)
    first.wait_ready()
    first.proc.kill()
    first.proc.wait(timeout=10)
    assert postgres_processes(data_dir), "postgres outlives a kill -9 of the app"

    second = Server(data_dir)
    try:
        second.wait_ready()
    finally:
        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(timeout=30) == 0
    assert postgres_processes(data_dir) == []


def test_stale_pid_file_of_a_dead_server_does_not_block_start(data_dir):
    first = Server(data_dir)
    first.wait_ready()
    first.proc.kill()
    first.proc.wait(timeout=10)
    for proc in postgres_processes(data_dir):
        proc.kill()
        proc.wait(timeout=10)
    # The PID file now names a process that no longer exists (or, later, an unrelated one).
    assert (data_dir / "postmaster.pid").exists()
    pid_file = data_dir / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    lines[0] = str(os.getpid())  # a live process that is not postgres
    pid_file.write_text("\n".join(lines) + "\n")

    second = Server(data_dir)
    try:
        second.wait_ready()
    finally:
        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(timeout=30) == 0
    assert postgres_processes(data_dir) == []
