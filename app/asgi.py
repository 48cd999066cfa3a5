"""An ASGI factory for running under any server with several workers.

``python -m app serve`` with ``REGISTRY_WORKERS`` runs it this way; by hand,
``uvicorn --factory app.asgi:create --workers 4 --http app.http.connections:from_env`` — needs
``DATABASE_URL`` (and ``PROMETHEUS_MULTIPROC_DIR``, an empty folder, for metrics summed over the
workers); each worker opens its own pool. Without that ``--http``, uvicorn's own
protocol serves: no request-head timeout and no connection caps (app/http/connections.py).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys

from starlette.applications import Starlette

from app.http.observability import configure_logging
from app.main import create_app
from app.server import tune_collector
from app.settings import SettingError, Settings

log = logging.getLogger(__name__)
# prctl's option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def die_with_supervisor() -> None:
    """A worker stops when its supervisor dies, however it died.

    uvicorn's supervisor stops its workers on SIGTERM and SIGINT; killed (SIGKILL, the OOM
    killer), it cannot, and its workers would go on serving the port with no one to restart
    or stop them. The kernel sends this worker SIGTERM instead, and uvicorn shuts it down
    gracefully. Only for a worker (a multiprocessing child) on Linux: a single server started
    from a shell must not end with the shell.
    """
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        log.warning("cannot ask to stop with the supervisor (errno %d)", ctypes.get_errno())
        return
    if os.getppid() != parent.pid:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def create() -> Starlette:
    """Build the app from the environment."""
    try:
        settings = Settings.from_env()
    except SettingError as exc:
        # One line and exit, as `python -m app serve` does, instead of uvicorn's traceback.
        raise SystemExit(f"error: {exc}") from None
    if not settings.database_url:
        raise SystemExit("DATABASE_URL must be set to run app.asgi:create")
    configure_logging()
    die_with_supervisor()
    app = create_app(settings, settings.database_url, load_demo=bool(settings.load_demo))
    tune_collector()
    return app
