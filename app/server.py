"""Run the registry: pick or start a database, serve until Ctrl-C or SIGTERM, clean up."""

from __future__ import annotations

import gc
import logging
import signal
from types import FrameType

import uvicorn

from app.db.embedded import EmbeddedPostgres
from app.http.connections import bounded_http
from app.main import create_app
from app.settings import Settings

log = logging.getLogger(__name__)


def _stop_by_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


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
        app = create_app(settings, dsn, load_demo=load_demo)
        # Long-lived objects made at import and startup need no rescans by the cyclic
        # collector; a higher first threshold keeps it off the per-request hot path.
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        uvicorn.run(
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
        )
    finally:
        if embedded is not None:
            log.info("stopping embedded PostgreSQL")
            embedded.stop()
