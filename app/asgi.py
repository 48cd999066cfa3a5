"""An ASGI factory for running under any server with several workers.

``python -m app serve`` with ``REGISTRY_WORKERS`` runs it this way; by hand,
``uvicorn --factory app.asgi:create --workers 4 --http app.http.connections:from_env`` — needs
``DATABASE_URL`` (and ``PROMETHEUS_MULTIPROC_DIR``, an empty folder, for metrics summed over the
workers); each worker opens its own pool. Without that ``--http``, uvicorn's own
protocol serves: no request-head timeout and no connection caps (app/http/connections.py).
"""

from __future__ import annotations

from starlette.applications import Starlette

from app.http.observability import configure_logging
from app.main import create_app
from app.server import tune_collector
from app.settings import SettingError, Settings


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
    app = create_app(settings, settings.database_url, load_demo=bool(settings.load_demo))
    tune_collector()
    return app
