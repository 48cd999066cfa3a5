"""The pages take `lineage@alias` in their URLs: the model page and the compare page."""

from __future__ import annotations

import pytest

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
)
from tests.page_checks import assert_no_sideways_overflow
from tests.pages_helpers import graphql, open_page, write_token

pytestmark = pytest.mark.browser

# The demo protects production; an unprotected alias needs only the write scope.
SET = """mutation { setAlias(lineageId: "model-biophys-microglia", alias: "reviewed",
  versionId: "model-biophys-microglia-v2", reason: "browser test") { id } }"""


@pytest.fixture(scope="module")
def production(live_server: LiveServer) -> str:
    graphql(live_server, SET, token=write_token(live_server, name="alias-pages"))
    return "model-biophys-microglia@reviewed"


def test_the_model_page_opens_the_version_an_alias_names(
    page: WatchedPage, production: str
) -> None:
    open_page(page, f"/models/{production}")
    assert page.page.get_attribute("body", "data-state") == "ready"
    assert page.page.text_content("#page-title") == "Microglial Activation ODE v2"
    assert_no_sideways_overflow(page)
    page.assert_clean()


def test_the_compare_page_takes_aliases_among_its_ids(page: WatchedPage, production: str) -> None:
    open_page(page, f"/models/compare?ids={production},model-biophys-microglia-v3")
    cards = page.page.locator("article.card").evaluate_all(
        "els => els.map(e => e.getAttribute('data-model-id'))"
    )
    assert cards == ["model-biophys-microglia-v2", "model-biophys-microglia-v3"]
    page.assert_clean()
