"""The model page says where a model's bytes are, in headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)
from tests.pages_helpers import graphql, open_page, write_token

pytestmark = pytest.mark.browser

SHA = "sha256:" + "5e" * 32
REGISTER = """mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }"""


def test_the_model_page_shows_uri_digest_and_size(page: WatchedPage, live_server: LiveServer):
    token = write_token(live_server, "locations-test")
    model = {
        "lineageId": "pt-stored",
        "title": "A stored model",
        "family": "STATISTICAL",
        "rawQualityScore": 0.5,
        "uri": "s3://models/pt-stored/1/model.pkl",
        "digest": SHA,
        "sizeBytes": 123456,
    }
    graphql(live_server, REGISTER, {"input": model}, token)
    open_page(page, "/models/pt-stored-v1")
    assert page.page.locator("#model-uri").inner_text() == "s3://models/pt-stored/1/model.pkl"
    assert page.page.locator("#model-digest").inner_text() == SHA
    assert "bytes" in page.page.locator(".model-facts").inner_text()
    save_screenshot(page, "model-locations.png", full_page=True)
    page.assert_clean()
