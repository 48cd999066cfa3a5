"""HTML pages: static files that call /graphql from the browser. No server-side rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from app.settings import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"


def _page(filename: str) -> Callable[[Request], Awaitable[FileResponse]]:
    path = STATIC / filename

    async def serve(request: Request) -> FileResponse:
        return FileResponse(path, media_type="text/html; charset=utf-8")

    return serve


def routes() -> list[Route]:
    """The home page, the catalog, the compare page and a model's page."""
    return [
        Route("/", _page("index.html")),
        Route("/models", _page("catalog.html")),
        Route("/models/compare", _page("compare.html")),
        Route("/models/{id}", _page("model.html")),
    ]
