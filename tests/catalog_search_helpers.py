"""What the catalog search's browser tests share: a catalog with searchable models, the REST
answer for a query string, and steps on the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browser import LiveServer, WatchedPage
from tests.pages_helpers import Built, graphql, wait_catalog, write_token

SHOTS = "/tmp/shots-page"
SET_TAGS = """mutation($id: ID!, $tags: [TagInput!]!) { setTags(id: $id, tags: $tags) { id } }"""
REGISTER = """mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }"""


@pytest.fixture(scope="module", name="searchable")
def searchable_fixture(live_server: LiveServer, built: Built) -> dict[str, str]:
    """Two models found only by a description word or a tag value, and tags on built ones."""
    token = write_token(live_server, "catalog-search")
    ids = {}
    for key, payload in {
        "described": {
            "lineageId": "cs-described",
            "title": "Plain title one",
            "description": "Fitted on zebrafish larvae recordings.",
            "family": "STATISTICAL",
            "rawQualityScore": 0.4,
            "evaluationMetrics": {"rmse": 0.5},
        },
        "tagged": {
            "lineageId": "cs-tagged",
            "title": "Plain title two",
            "family": "STATISTICAL",
            "rawQualityScore": 0.45,
        },
    }.items():
        data = graphql(live_server, REGISTER, {"input": payload}, token)
        ids[key] = data["registerModel"]["id"]
    tags = {
        ids["tagged"]: [{"key": "team", "value": "glia-lab"}],
        built.a: [{"key": "team", "value": "neuro"}],
        built.b: [{"key": "team", "value": "neuro"}, {"key": "stage", "value": "eval"}],
    }
    for model, pairs in tags.items():
        graphql(live_server, SET_TAGS, {"id": model, "tags": pairs}, token)
    return ids


def rest(server: LiveServer, query: str) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/api/models?{query}", timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def rest_ids(server: LiveServer, query: str) -> list[str]:
    return [m["id"] for m in rest(server, query)["models"]]


def page_query(page: WatchedPage) -> str:
    return urlsplit(page.page.url).query


def url_params(page: WatchedPage) -> dict[str, list[str]]:
    return parse_qs(page_query(page))


def apply(page: WatchedPage) -> None:
    page.page.click("#filters button[type=submit]")
    wait_catalog(page)


def add_row(page: WatchedPage, kind: str) -> Any:
    page.page.click("#fb-add")
    row = page.page.locator(".fb-row").last
    row.locator("select").first.select_option(kind)
    return page.page.locator(".fb-row").last


def expect_400(page: WatchedPage, count: int) -> None:
    """The refused filters' 400s were the point: drop exactly those from what the page saw."""
    refused = [f for f in page.failed if "/api/models?" in f and f.endswith("HTTP 400")]
    assert len(refused) == count, page.failed
    page.failed = [f for f in page.failed if f not in refused]
    assert all("400" in message for message in page.console_errors), page.console_errors
    page.console_errors.clear()


# --------------------------------------------------------------------------- the builder
