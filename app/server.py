"""Run the registry: pick or start a database, serve until Ctrl-C or SIGTERM, clean up."""

from __future__ import annotations

import gc
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from types import FrameType

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.db.embedded import EmbeddedPostgres
from app.http.connections import bounded_http
from app.http.feed_socket import ws_options
from app.http.observability import MULTIPROCESS_DIR
from app.main import create_app
from app.settings import Settings

log = logging.getLogger(__name__)


# Two versions of one demo lineage: the compare page's own example.
DEMO_COMPARE = ("model-biophys-microglia-v2", "model-biophys-microglia-v3")
_WILDCARDS = ("0.0.0.0", "::", "")


def _stop_by_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def base_url(host: str, port: int) -> str:
    """The URL a browser on this machine opens for a server bound to ``host``:``port``."""
    if host in _WILDCARDS:
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def where_to_go(base: str, *, demo: bool) -> str:
    """The lines printed once the server listens: each page and API, by its whole URL."""
    compare = "/models/compare" + ("?ids=" + ",".join(DEMO_COMPARE) if demo else "")
    places = [
        ("Home", "/"),
        ("Catalog", "/models"),
        ("Compare", compare),
        ("GraphiQL", "/graphql"),
        ("REST API", "/api/models"),
        ("OpenAPI", "/api/openapi.json"),
    ]
    lines = [f"The model registry is ready at {base}/"]
    lines += [f"  {name:<9} {base}{path}" for name, path in places]
    lines.append("Stop it with Ctrl-C.")
    return "\n".join(lines) + "\n"


class _Server(uvicorn.Server):
    """uvicorn's server, which says where to go once its socket listens."""

    def __init__(self, config: uvicorn.Config, *, demo: bool) -> None:
        super().__init__(config)
        self.demo = demo

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        bound = self.servers[0].sockets[0].getsockname()
        host = self.config.host if self.config.host in _WILDCARDS else bound[0]
        sys.stdout.write(where_to_go(base_url(host, bound[1]), demo=self.demo))
        sys.stdout.flush()


def tune_collector() -> None:
    """Long-lived objects made at import and startup need no rescans by the cyclic collector;
    a higher first threshold keeps it off the per-request hot path."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


class _Workers(Multiprocess):
    """uvicorn's supervisor, which says where to go once every worker serves."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], *, demo: bool):
        super().__init__(config, sockets)
        self.demo = demo

    def init_processes(self) -> None:
        super().init_processes()
        deadline = self.config.timeout_worker_healthcheck * 6
        if all(p.wait_until_ready(deadline, self.should_exit) for p in self.processes):
            host, port = self.sockets[0].getsockname()[:2]
            shown = self.config.host if self.config.host in _WILDCARDS else host
            sys.stdout.write(where_to_go(base_url(shown, port), demo=self.demo))
            sys.stdout.flush()


def _serve_workers(settings: Settings, dsn: str, load_demo: bool) -> None:
    """Run ``settings.workers`` processes on one socket, each building the app from the
    environment (app.asgi), which carries what this process decided."""
    metrics_dir = tempfile.mkdtemp(prefix="registry-metrics-")
    os.environ.update(
        {
            "DATABASE_URL": dsn,
            "REGISTRY_DEMO_DATA": "1" if load_demo else "0",
            MULTIPROCESS_DIR: metrics_dir,
        }
    )
    try:
        config = uvicorn.Config(
            "app.asgi:create",
            factory=True,
            workers=settings.workers,
            host=settings.host,
            port=settings.port,
            http="app.http.connections:from_env",
            timeout_keep_alive=settings.keepalive_timeout_s,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=settings.shutdown_grace_s,
            proxy_headers=False,
            **ws_options(settings),
        )
        _Workers(config, [config.bind_socket()], demo=load_demo).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def serve(settings: Settings | None = None) -> None:
    """Serve on HOST:PORT; an embedded server is started and stopped when DATABASE_URL is unset."""
    settings = settings or Settings.from_env()
    embedded: EmbeddedPostgres | None = None
    dsn = settings.database_url
    if dsn is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        log.info("starting embedded PostgreSQL in %s", settings.data_dir)
        dsn = embedded.start()
    load_demo = settings.load_demo if settings.load_demo is not None else embedded is not None
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal against the
    # handlers it found; ours turn that into a normal exit so the database is stopped below.
    signal.signal(signal.SIGTERM, _stop_by_signal)
    signal.signal(signal.SIGINT, _stop_by_signal)
    try:
        if settings.workers > 1:
            _serve_workers(settings, dsn, load_demo)
            return
        app = create_app(settings, dsn, load_demo=load_demo)
        tune_collector()
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            # httptools with bounds on request heads and on open connections.
            http=bounded_http(settings),
            timeout_keep_alive=settings.keepalive_timeout_s,
            log_config=None,  # our JSON logging, configured by the caller
            access_log=False,  # RequestObserver writes one line per request instead
            timeout_graceful_shutdown=settings.shutdown_grace_s,
            proxy_headers=False,
            **ws_options(settings),
        )
        server = _Server(config, demo=load_demo)
        server.run()
        if not server.started:
            raise SystemExit(3)  # as uvicorn.run exits when it cannot start
    finally:
        if embedded is not None:
            log.info("stopping embedded PostgreSQL")
            embedded.stop()
