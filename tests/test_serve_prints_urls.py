"""`make run` says where to go once it serves: every URL it prints answers, on its real port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.server import base_url, where_to_go
from app.settings import PROJECT_ROOT
from tests.processes import data_folder, free_port

pytestmark = pytest.mark.process

URL_LINE = re.compile(r"^  (\S+(?: \S+)?) +(http://\S+)$", re.MULTILINE)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    with data_folder("registry-urls-") as d:
        yield d


def printed_urls(proc: subprocess.Popen[str], timeout: float = 90) -> tuple[str, dict[str, str]]:
    """The server's stdout up to its last URL line, and the URLs by name."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the server stopped before saying where to go:\n" + "".join(seen))
        seen.append(line)
        if line.startswith("Stop it with"):
            text = "".join(seen)
            return text, dict(URL_LINE.findall(text))
    raise AssertionError("no URLs printed in time:\n" + "".join(seen))


def test_serve_prints_where_to_go_once_ready_and_every_url_answers(data_dir):
    port = free_port()
    env = dict(os.environ, PORT=str(port), REGISTRY_DATA_DIR=str(data_dir))
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        text, urls = printed_urls(proc)
        base = f"http://127.0.0.1:{port}"
        assert f"The model registry is ready at {base}/" in text
        assert set(urls) == {"Home", "Catalog", "Compare", "GraphiQL", "REST API", "OpenAPI"}
        assert all(url.startswith(base + "/") for url in urls.values()), urls
        # Printed only once it listens: every URL answers at once, no retry needed.
        for name, url in urls.items():
            r = httpx.get(url, headers={"accept": "text/html,*/*"}, timeout=10)
            assert r.status_code == 200, (name, url, r.status_code)
        assert urls["Home"] == base + "/"
        assert urls["Catalog"] == base + "/models"
        assert urls["GraphiQL"] == base + "/graphql"
        assert "GraphiQL" in httpx.get(urls["GraphiQL"], headers={"accept": "text/html"}).text
        assert 'id="next-page"' in httpx.get(urls["Catalog"]).text
        assert httpx.get(urls["OpenAPI"]).json()["openapi"] == "3.1.0"
        assert httpx.get(urls["REST API"]).json()["total"] > 0
        # The compare URL names two demo models that exist: REST compares the same ids.
        ids = urls["Compare"].split("?ids=")[1]
        r = httpx.get(base + "/api/models/compare", params={"ids": ids})
        assert r.status_code == 200 and len(r.json()["models"]) == 2
        # A real server, real paths: /api's 404s are JSON, the encoded slash included.
        for path in ("/api/models/", "/api/models/a%2Fb", "/api/nothing"):
            r = httpx.get(base + path)
            assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", path
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()
    assert code == 0


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("::1", 8000, "http://[::1]:8000"),
        ("registry.internal", 80, "http://registry.internal:80"),
    ],
)
def test_the_printed_base_url_is_one_a_browser_here_opens(host, port, expected):
    assert base_url(host, port) == expected


def test_without_the_demo_the_compare_url_is_the_page_itself():
    text = where_to_go("http://h:1", demo=False)
    assert "  Compare   http://h:1/models/compare\n" in text
    assert "?ids=" not in text
