"""Shared helpers for browser tests: a live server process, headless Chromium, offline pages.

Use from a test module by importing the three fixture functions (pytest registers them under
the names ``live_server``, ``browser`` and ``page``; ``page`` needs the other two in scope)::

    from tests.browser import (  # noqa: F401 (fixtures)
        browser_fixture,
        live_server_fixture,
        page_fixture,
    )

and mark the module ``pytestmark = pytest.mark.browser``.

- ``live_server`` (module scope): ``python -m app serve`` as a real process on a free port,
  with an embedded PostgreSQL in a temporary folder (so the demo catalog is loaded).
- ``browser`` (module scope): Debian's Chromium driven by Playwright's sync API. Missing
  Chromium fails the test when ``CI`` is set and skips it otherwise (``make browser``).
- ``page`` (function scope): a :class:`WatchedPage` in a fresh browser context whose
  requests to any other origin are aborted and recorded, together with console errors,
  page errors, failed requests and HTTP >= 400 responses; call ``assert_clean()``.
  A failing test leaves ``test-artifacts/screenshots/failed-<test>.png``.
- :func:`save_screenshot` writes ``test-artifacts/screenshots/<name>`` at the project root.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    ViewportSize,
    sync_playwright,
)

from app.settings import PROJECT_ROOT
from tests.processes import free_port, postgres_processes

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = PROJECT_ROOT / "test-artifacts" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1400, "height": 850}
# Environment variables of the developer's shell that would change what the server serves.
SERVER_ENV_DROP = ("DATABASE_URL", "REGISTRY_DEMO_DATA", "REGISTRY_REQUIRE_READ_AUTH", "HOST")


def chromium_path() -> str:
    """The Chromium binary browser tests drive (Debian's package, installed by `make browser`)."""
    return CHROMIUM


# --------------------------------------------------------------------------- live server


class LiveServer:
    """`python -m app serve` as a separate process with an embedded PostgreSQL in data_dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROP}
        env.update(PORT=str(self.port), HOST="127.0.0.1", REGISTRY_DATA_DIR=str(data_dir))
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
        """The base URL (origin), without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited before it was ready:\n" + self.log_text())
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("server did not become ready:\n" + self.log_text())

    def stop(self) -> None:
        """SIGTERM and wait; kill if it hangs; then kill postgres left running on data_dir."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for proc in postgres_processes(self.data_dir):
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module", name="live_server")
def live_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server process (demo catalog, embedded PostgreSQL) per test module."""
    server = LiveServer(tmp_path_factory.mktemp("live-server") / "pgdata")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Browser]:
    """Headless Chromium; fails in CI and skips elsewhere when it is not installed."""
    path = chromium_path()
    if not os.access(path, os.X_OK):
        message = f"Chromium not found at {path}; `make browser` installs it"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(message + " (browser tests must run in CI)", pytrace=False)
        pytest.skip(message)
    pw: Playwright = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@dataclass(eq=False)
class WatchedPage:
    """A page that only reaches ``origin`` and records everything that went wrong."""

    page: Page
    origin: str
    foreign: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        return url.startswith((self.origin + "/", "data:", "blob:"))

    def guard(self, route: Route) -> None:
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def on_console(self, message: ConsoleMessage) -> None:
        text = f"[{message.type}] {message.text}"
        self.console.append(text)
        if message.type == "error":
            self.console_errors.append(f"{text} at {message.location}")

    def on_request_failed(self, request: Request) -> None:
        self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.request.method} {response.url}: HTTP {response.status}")

    def goto(self, path: str) -> None:
        """Open ``path`` on the app's origin and wait until the network is idle."""
        response = self.page.goto(self.origin + path, wait_until="networkidle")
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"

    def problems(self) -> list[str]:
        found = []
        if self.foreign:
            found.append(f"requests to other origins (aborted): {self.foreign}")
        non_local = [r for r in self.requests if not self.is_local(r.split(" ", 1)[1])]
        if non_local:
            found.append(f"non-local requests: {non_local}")
        if self.console_errors:
            found.append(f"console errors: {self.console_errors}")
        if self.page_errors:
            found.append(f"page errors: {self.page_errors}")
        if self.failed:
            found.append(f"failed requests: {self.failed}")
        return found

    def assert_clean(self) -> None:
        """No foreign request, no console error, no page error, no failed request."""
        problems = self.problems()
        assert not problems, "\n".join(problems)


def watch_page(browser: Browser, origin: str) -> WatchedPage:
    """A new page in a fresh context (empty storage), guarded and watched (see WatchedPage)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watched = WatchedPage(page=page, origin=origin.rstrip("/"))
    context.route("**/*", watched.guard)
    page.on("console", watched.on_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("request", lambda request: watched.requests.append(f"{request.method} {request.url}"))
    page.on("requestfailed", watched.on_request_failed)
    page.on("response", watched.on_response)
    return watched


@pytest.fixture(name="page")
def page_fixture(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[WatchedPage]:
    """A guarded, watched page for the module's live server; closed after the test, with a
    screenshot of the whole page saved first when the test failed."""
    watched = watch_page(browser, live_server.url)
    try:
        yield watched
        report = getattr(request.node, "call_report", None)
        if report is not None and report.failed and not watched.page.is_closed():
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
            save_screenshot(watched, f"failed-{name}.png", full_page=True)
    finally:
        watched.page.context.close()


def save_screenshot(page: Page | WatchedPage, name: str, *, full_page: bool = False) -> Path:
    """Write a screenshot to test-artifacts/screenshots/<name> (git-ignored) and return it.

    ``full_page`` captures the whole scrollable page instead of the viewport.
    """
    target = page.page if isinstance(page, WatchedPage) else page
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / name
    target.screenshot(path=str(path), full_page=full_page)
    return path
