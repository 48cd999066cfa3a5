"""The catalog page in headless Chromium, on data built for the test (tests.pages_helpers)."""

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
    api_page,
    built_fixture,
    catalog_rows,
    open_page,
    texts,
    wait_catalog,
)

pytestmark = pytest.mark.browser

# --------------------------------------------------------------------------- catalog


def test_catalog_family_filter_is_in_the_url(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models")
    all_models = api_page(live_server, limit=20)
    assert catalog_rows(page) == [m["id"] for m in all_models["items"]]
    assert f"of {all_models['total']} models" in page.page.locator("#result-summary").inner_text()
    save_screenshot(page, "catalog.png", full_page=True)

    page.page.select_option("#f-family", "statistical")
    wait_catalog(page)
    assert page.page.url.endswith("/models?family=statistical")
    expected = api_page(live_server, filter={"family": "STATISTICAL"})
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    assert set(texts(page, "#models-table td[data-family]", "data-family")) == {"STATISTICAL"}
    summary = page.page.locator("#result-summary").inner_text()
    assert f"of {expected['total']} models · family: Statistical" in summary

    # The URL is shareable: opening it again restores the filter and the rows.
    open_page(page, "/models?family=STATISTICAL")
    assert page.page.locator("#f-family").input_value() == "statistical"
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    # Back goes to the unfiltered list.
    page.page.select_option("#f-family", "biophysical")
    wait_catalog(page)
    page.page.go_back()
    wait_catalog(page)
    assert page.page.locator("#f-family").input_value() == "statistical"
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    page.assert_clean()


def test_catalog_sorting_matches_the_api(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models")
    page.page.select_option("#f-sort", "quality_score")
    wait_catalog(page)
    desc = api_page(live_server, sort={"field": "QUALITY_SCORE", "direction": "DESC"})
    assert catalog_rows(page) == [m["id"] for m in desc["items"]]
    page.page.select_option("#f-order", "asc")
    wait_catalog(page)
    asc = api_page(live_server, sort={"field": "QUALITY_SCORE", "direction": "ASC"})
    assert catalog_rows(page) == [m["id"] for m in asc["items"]]
    assert page.page.url.endswith("/models?sort=quality_score&order=asc")
    scores = [float(s) for s in texts(page, "#models-table td.quality", "data-score")]
    assert scores == sorted(scores)
    assert catalog_rows(page) != [m["id"] for m in desc["items"]]
    page.assert_clean()


def test_catalog_paging_shows_the_next_rows_and_the_total(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models?limit=10")
    first = api_page(live_server, limit=10, offset=0)
    second = api_page(live_server, limit=10, offset=10)
    total = first["total"]
    assert total > 20, "demo catalog plus the models registered here"
    assert catalog_rows(page) == [m["id"] for m in first["items"]]
    assert (
        f"Showing 1\N{EN DASH}10 of {total} models"
        in page.page.locator("#result-summary").inner_text()
    )
    assert page.page.locator("#prev-page").is_disabled()

    page.page.click("#next-page")
    wait_catalog(page)
    assert catalog_rows(page) == [m["id"] for m in second["items"]]
    assert not set(catalog_rows(page)) & {m["id"] for m in first["items"]}
    assert (
        f"Showing 11\N{EN DASH}20 of {total} models"
        in page.page.locator("#result-summary").inner_text()
    )
    assert "offset=10" in page.page.url
    pages = -(-total // 10)
    assert page.page.locator("#page-info").inner_text() == f"Page 2 of {pages}"

    # The last page disables Next.
    open_page(page, f"/models?limit=10&offset={(pages - 1) * 10}")
    assert page.page.locator("#next-page").is_disabled()
    assert len(catalog_rows(page)) == total - (pages - 1) * 10
    page.page.click("#prev-page")
    wait_catalog(page)
    assert f"offset={(pages - 2) * 10}" in page.page.url or pages == 2
    page.assert_clean()


def test_catalog_dataset_and_hypothesis_filters_and_capped_flags(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models?dataset=pt-atlas")
    assert sorted(catalog_rows(page)) == [built.a, built.b]
    assert page.page.locator("#f-dataset").input_value() == "pt-atlas"

    page.page.fill("#f-dataset", "")
    page.page.fill("#f-hypothesis", "pt-hyp-v1")
    page.page.press("#f-hypothesis", "Enter")
    wait_catalog(page)
    expected = api_page(live_server, filter={"testsHypothesis": "pt-hyp-v1"})
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    assert sorted(catalog_rows(page)) == built.abc
    assert page.page.url.endswith("/models?hypothesis=pt-hyp-v1")

    # The warning flag sits beside exactly the scores whose provenance is incomplete.
    open_page(page, "/models?limit=100")
    everything = api_page(live_server, limit=100)
    flagged = texts(
        page, "#models-table tr:has(td.quality [data-flag=incomplete])", "data-model-id"
    )
    assert flagged == [m["id"] for m in everything["items"] if not m["provenance"]["complete"]]
    assert built.c in flagged and built.a not in flagged
    row_c = page.page.locator(f'#models-table tr[data-model-id="{built.c}"] td.quality')
    assert "0.30" in row_c.inner_text() and "capped (raw 0.90)" in row_c.inner_text()
    page.assert_clean()


def test_catalog_compare_selected_opens_the_comparison(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models?hypothesis=pt-hyp")
    button = page.page.locator("#compare-selected")
    assert button.is_disabled()
    page.page.check(f'#models-table input[name="select"][value="{built.a}"]')
    assert button.is_disabled(), "one model is not a comparison"
    page.page.check(f'#models-table input[name="select"][value="{built.c}"]')
    assert button.is_enabled()
    assert button.inner_text() == "Compare selected (2)"
    assert texts(page, "#selection-chips .chip", "data-model-id") == [built.a, built.c]
    save_screenshot(page, "catalog-selection.png")
    page.assert_clean()

    with page.page.expect_navigation():
        button.click()
    page.page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)
    assert page.page.url == f"{page.origin}/models/compare?ids={built.a},{built.c}"
    assert texts(page, "article.card", "data-model-id") == [built.a, built.c]
    # One provenance graph per model, and the merged graph of both.
    assert page.page.locator("figure.dag:not(.dag-merged) svg.dag-svg").count() == 2
    assert page.page.locator("figure.dag-merged svg.dag-svg").count() == 1
    page.assert_clean()
