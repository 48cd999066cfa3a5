"""Every /api path answers JSON, found or not; pages outside /api keep their HTML 404."""

from __future__ import annotations

import pytest

NOT_FOUND_PATHS = [
    "/api/models/",
    "/api/models/a%2Fb",
    "/api/models/a/b",
    "/api/nothing",
    "/api/",
    "/api",
    "/api/models/compare/",
    "/api/openapi.json/x",
    "/graphql/",
]


@pytest.mark.parametrize("path", NOT_FOUND_PATHS)
async def test_unknown_api_paths_are_json_404(api, path):
    r = await api.client.get(path)
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == "NOT_FOUND"
    assert error["message"].startswith("no route GET /")
    assert "/api/openapi.json" in error["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/models"),
        ("DELETE", "/api/models/model-hh-interneuron"),
        ("PUT", "/api/models/compare"),
        ("POST", "/api/openapi.json"),
    ],
)
async def test_wrong_methods_on_api_paths_are_json_405(api, method, path):
    r = await api.client.request(method, path)
    assert r.status_code == 405, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == "METHOD_NOT_ALLOWED"
    assert error["message"].startswith(f"{method} is not allowed on {path}; use ")
    assert "GET" in r.headers["allow"]


@pytest.mark.parametrize("path", ["/nothing", "/models/compare/x", "/static/nothing.js"])
async def test_pages_outside_api_keep_an_html_404(api, path):
    r = await api.client.get(path, headers={"accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert '<a href="/models">catalog</a>' in r.text and '<a href="/">Home</a>' in r.text


async def test_the_html_404_escapes_the_path(api):
    r = await api.client.get("/%3Cscript%3Ex%3C/script%3E")
    assert r.status_code == 404
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text
