"""The home and model pages in headless Chromium, on data built in tests.pages_helpers."""

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
from tests.pages_helpers import (  # noqa: F401 (fixtures)
    TIMEOUT_MS,
    Built,
    built_fixture,
    graphql,
    open_page,
    texts,
    write_token,
)

pytestmark = pytest.mark.browser

# --------------------------------------------------------------------------- home


def test_home_page_leads_to_catalog_compare_and_graphiql(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/")
    assert page.page.locator("h1").inner_text() == "Model registry"
    hrefs = texts(page, "main a", "href")
    assert "/models" in hrefs
    assert "/graphql" in hrefs
    assert "/models/compare" in hrefs
    examples = texts(page, "a.example", "href")
    assert "/models/compare?ids=model-biophys-microglia-v2,model-biophys-microglia-v3" in examples
    # The catalog's size comes from the API.
    totals = graphql(live_server, "{ models(limit: 1) { total } datasets(limit: 1) { total } }")
    stats = page.page.locator("#stats").inner_text()
    assert f"{totals['models']['total']}\nmodel versions" in stats
    assert f"{totals['datasets']['total']}\ndataset versions" in stats
    save_screenshot(page, "home.png", full_page=True)
    page.assert_clean()

    # Every example comparison opens and renders.
    for href in examples:
        with page.page.expect_navigation():
            page.page.click(f'a.example[href="{href}"]')
        page.page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)
        ids = href.split("ids=", 1)[1].split(",")
        assert texts(page, "#models article.card", "data-model-id") == ids
        page.page.go_back(wait_until="networkidle")
    page.assert_clean()


# --------------------------------------------------------------------------- model page


def test_model_page_shows_scores_links_and_versions(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, f"/models/{built.c}")
    assert page.page.locator("h1").inner_text() == "Test model C"
    score = page.page.locator("#score-panel").inner_text()
    assert "0.30" in score and "capped (raw 0.90)" in score and "UNPINNED_INPUTS" in score
    assert texts(page, "#metrics-table tbody tr", "data-metric") == ["auc", "loss", "rmse"]
    assert "optimizer.name" in texts(page, "#config-table tbody tr", "data-key")
    assert page.page.locator('#trained-on a[href="/models?dataset=pt-shared-v1"]').count() == 1
    assert page.page.locator('#hypotheses a[href="/models?hypothesis=pt-hyp-v1"]').count() == 1
    assert "pt-fit @1" in page.page.locator("#produced-by").inner_text()
    assert texts(page, "#versions-table tbody tr", "data-model-id") == [built.c]
    save_screenshot(page, "model.png", full_page=True)
    page.assert_clean()

    # A lineage id shows its latest version and says so; a demo model with versions links them.
    open_page(page, "/models/model-biophys-microglia")
    assert "You opened the lineage" in page.page.locator("#content").inner_text()
    versions = texts(page, "#versions-table tbody tr", "data-model-id")
    assert versions == [f"model-biophys-microglia-v{i}" for i in (1, 2, 3)]
    assert texts(page, "#versions-table tr[aria-current=true]", "data-model-id") == [versions[-1]]
    link = page.page.locator("#compare-previous").get_attribute("href")
    assert link == "/models/compare?ids=model-biophys-microglia-v2,model-biophys-microglia-v3"

    open_page(page, "/models/no-such-model")
    assert "No model has the id no-such-model" in page.page.locator("#error").inner_text()
    page.assert_clean()


def test_archived_badge_and_tag_chips_render_on_the_model_page_and_catalog(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    token = write_token(live_server, "pages-archive-test")
    old = "model-biophys-microglia-v1"
    graphql(
        live_server,
        'mutation($id: ID!) { setTags(id: $id, tags: [{key: "stage", value: "retired"}, '
        '{key: "team", value: ""}]) { id } archiveVersion(id: $id, reason: "superseded by v3") '
        "{ id } }",
        {"id": old},
        token,
    )
    open_page(page, f"/models/{old}")
    assert "superseded by v3" in page.page.locator("#model-archived").inner_text()
    assert texts(page, "#model-tags .tag-chip", "data-tag") == ["stage", "team"]
    assert page.page.locator("#model-tags").inner_text().split() == ["stage=retired", "team"]
    archived_rows = f'#versions-table tr[data-model-id="{old}"] .archived-badge'
    assert page.page.locator(archived_rows).count() == 1
    page.assert_clean()

    open_page(page, "/models?search=microglia&limit=100")
    row = page.page.locator(f'tr[data-model-id="{old}"]')
    assert row.locator(".archived-badge").get_attribute("title") == "superseded by v3"
    assert row.locator(".tag-chip").count() == 2
    page.assert_clean()
