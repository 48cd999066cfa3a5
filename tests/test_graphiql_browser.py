"""GET /graphql in headless Chromium: the vendored GraphiQL renders and runs queries, offline."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser import (  # noqa: F401 (fixtures)
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)
from tests.page_checks import assert_no_sideways_overflow

pytestmark = pytest.mark.browser

QUERY = """{
  models(limit: 5, sort: {field: QUALITY_SCORE, direction: DESC}) {
    total
    items { id title qualityScore }
  }
}
"""
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT_EDITOR = ".graphiql-response .CodeMirror"
EXPLORER_BUTTON = (
    'button[aria-label="Show GraphiQL Explorer"], button[aria-label="Hide GraphiQL Explorer"]'
)
TIMEOUT_MS = 15_000


def open_graphiql(page: WatchedPage) -> None:
    """Open GraphiQL and wait for its schema: a test that leaves the page while the
    introspection POST is in flight would see it aborted."""
    with page.page.expect_response(
        lambda r: r.url == page.origin + "/graphql" and r.request.method == "POST",
        timeout=TIMEOUT_MS,
    ) as introspection:
        page.goto("/graphql")
    introspection.value.finished()
    try:
        page.page.wait_for_selector(".graphiql-container", timeout=TIMEOUT_MS)
        page.page.wait_for_selector(QUERY_EDITOR, timeout=TIMEOUT_MS)
    except PlaywrightTimeoutError:
        shown = page.page.locator("body").inner_text()
        pytest.fail(
            f"GraphiQL did not render; the page shows {shown!r}; " + "; ".join(page.problems())
        )


def editor_value(page: WatchedPage, selector: str) -> str:
    value = page.page.evaluate(
        "(selector) => document.querySelector(selector).CodeMirror.getValue()", selector
    )
    assert isinstance(value, str)
    return value


def test_graphql_page_renders_graphiql_with_the_explorer_plugin(page: WatchedPage) -> None:
    open_graphiql(page)

    assert "models(limit: 5" in editor_value(page, QUERY_EDITOR), "the default query is shown"
    assert page.page.locator(".graphiql-execute-button").is_visible()
    assert page.page.locator(EXPLORER_BUTTON).count() == 1, "explorer plugin button"
    # The explorer panel is open on load and lists the schema's root fields once
    # introspection (POST /graphql) has answered.
    explorer = page.page.locator(".graphiql-explorer-root")
    explorer.wait_for(timeout=TIMEOUT_MS)
    assert "models" in explorer.inner_text()
    page.assert_clean()


def test_running_a_query_through_the_ui_shows_the_result(page: WatchedPage) -> None:
    open_graphiql(page)
    page.page.evaluate(
        "([selector, query]) => document.querySelector(selector).CodeMirror.setValue(query)",
        [QUERY_EDITOR, QUERY],
    )
    assert editor_value(page, QUERY_EDITOR) == QUERY

    with page.page.expect_response(
        lambda r: (
            r.url == page.origin + "/graphql"
            and r.request.method == "POST"
            and "QUALITY_SCORE" in (r.request.post_data or "")
        )
    ) as response_info:
        page.page.click(".graphiql-execute-button")
    assert response_info.value.ok

    page.page.wait_for_function(
        "(selector) => (document.querySelector(selector)?.CodeMirror.getValue() ?? '')"
        ".includes('model-celltype-classifier-v4')",
        arg=RESULT_EDITOR,
        timeout=TIMEOUT_MS,
    )
    shown = editor_value(page, RESULT_EDITOR)
    assert '"total": 18' in shown
    result = json.loads(shown)
    assert "errors" not in result
    models = result["data"]["models"]
    assert models["total"] == 18
    assert len(models["items"]) == 5
    assert models["items"][0]["id"] == "model-celltype-classifier-v4"
    # The rendered pane (not only the editor model) shows it too.
    assert "model-celltype-classifier-v4" in page.page.locator(".graphiql-response").inner_text()

    path = save_screenshot(page, "graphiql.png")
    assert path.stat().st_size > 0
    page.assert_clean()


# The whole GraphiQL box below the site's bar, inside the window: nothing pushed out of sight,
# and its query editor inside it.
_LAYOUT_JS = """() => {
  const bar = document.querySelector('header.site-bar').getBoundingClientRect();
  const box = document.querySelector('.graphiql-container').getBoundingClientRect();
  const editors = document.querySelector('.graphiql-editors').getBoundingClientRect();
  return {barBottom: bar.bottom, top: box.top, bottom: box.bottom, right: box.right,
          editorsRight: editors.right, editorsWidth: editors.width,
          height: window.innerHeight, width: document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize(
    ("width", "link", "path"), [(390, "Home", "/"), (1366, "Catalog", "/models")]
)
def test_graphiql_links_back_to_the_site_and_fits_the_screen(
    page: WatchedPage, width: int, link: str, path: str
) -> None:
    page.page.set_viewport_size({"width": width, "height": 800})
    open_graphiql(page)
    nav = page.page.get_by_role("navigation", name="Site")
    for name in ("Home", "Catalog", "Compare", "REST API"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert_no_sideways_overflow(page)
    layout = page.page.evaluate(_LAYOUT_JS)
    assert layout["top"] >= layout["barBottom"] - 1, layout
    assert layout["bottom"] <= layout["height"] + 1, layout
    assert layout["right"] <= layout["width"] + 1, layout
    # The query editor is whole on screen, not cut off by GraphiQL's own box.
    assert layout["editorsRight"] <= layout["width"] + 1, layout
    assert layout["editorsWidth"] >= min(width * 0.6, 400), layout
    save_screenshot(page, f"graphiql-{width}.png")
    page.assert_clean()

    nav.get_by_role("link", name=link, exact=True).click()
    page.page.wait_for_url(page.origin + path)
    page.page.wait_for_load_state("networkidle")
    assert page.page.locator("header.site-header").is_visible()
    page.assert_clean()
