"""Memory under request floods that used to fill the process's caches.

    .venv/bin/python -m bench.soak [--app-dir DIR]

Starts the registry from DIR (default: this checkout) on an embedded PostgreSQL and sends
two floods, measuring the server's RSS before and after each: 700 `{ __typename }` queries
whose variables carry a distinct 1 MB `pad` (the compiled-statement cache was keyed by the
serialised variables), then 400 queries each with a distinct 1 MB comment (the document
caches were keyed by the query text). Run it on two checkouts to compare them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

from app.db.embedded import EmbeddedPostgres
from tests.processes import free_port

PAD = 1_000_000  # under the 1 MiB body limit with the rest of the request


def _rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def _wait_ready(client: httpx.Client) -> None:
    for _ in range(300):
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not become ready")


def _flood(client: httpx.Client, bodies: object, count: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for i in range(count):
        r = client.post("/graphql", json=bodies(i))  # type: ignore[operator]
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    return statuses


@contextlib.contextmanager
def served(app_dir: Path) -> Iterator[tuple[httpx.Client, int]]:
    """The registry from ``app_dir`` with the demo catalog on its own embedded PostgreSQL:
    a client to it and the server's process id."""
    root = Path(tempfile.mkdtemp(prefix="registry-soak-"))
    pg = EmbeddedPostgres(root / "pg")
    dsn = pg.start("soak")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "PORT": str(port),
        "ACCESS_LOG": "0",
        "REGISTRY_DEMO_DATA": "1",
        "PYTHONPATH": str(app_dir),
    }
    server = subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=app_dir, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _wait_ready(client)
            yield client, server.pid
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # a server stuck in CPU-bound work
            server.kill()
            server.wait()
        pg.stop()


def soak(app_dir: Path) -> None:
    with served(app_dir) as (client, pid):
        client.post("/graphql", json={"query": "{ models { total } }"})
        print(f"{app_dir}: RSS at start {_rss_mb(pid):.0f} MB")
        started = time.perf_counter()
        statuses = _flood(
            client,
            lambda i: {"query": "{ __typename }", "variables": {"pad": f"{i}" + "x" * PAD}},
            700,
        )
        print(
            f"  after 700 queries with 1 MB variables: {_rss_mb(pid):.0f} MB "
            f"({time.perf_counter() - started:.0f} s, statuses {statuses})"
        )
        started = time.perf_counter()
        statuses = _flood(client, lambda i: {"query": "{ __typename } #" + f"{i}" + "x" * PAD}, 400)
        print(
            f"  after 400 queries with 1 MB comments: {_rss_mb(pid):.0f} MB "
            f"({time.perf_counter() - started:.0f} s, statuses {statuses})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=Path(__file__).resolve().parent.parent)
    soak(parser.parse_args().app_dir.resolve())


if __name__ == "__main__":
    main()
