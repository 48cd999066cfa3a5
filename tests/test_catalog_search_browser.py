"""The catalog's search in headless Chromium: the filter builder and filter text, catalog URLs
and cursors, each checked against GET /api/models for the same query string (the page's URL
is a REST query)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
)
from tests.catalog_search_helpers import (  # noqa: F401 (a fixture)
    add_row,
    apply,
    page_query,
    rest,
    rest_ids,
    searchable_fixture,
    url_params,
)
from tests.pages_helpers import (  # noqa: F401 (a fixture)
    Built,
    built_fixture,
    catalog_rows,
    open_page,
    wait_catalog,
)

pytestmark = pytest.mark.browser


def test_builder_rows_write_the_filter_text_and_the_rows_are_rests_answer(
    page: WatchedPage, live_server: LiveServer, built: Built, searchable: dict[str, str]
) -> None:
    open_page(page, "/models?limit=100")
    metric = add_row(page, "metric")
    metric.locator(".fb-metric").fill("rmse")
    metric.locator("select").nth(1).select_option("<=")
    metric.locator(".fb-value").fill("0.25")
    tag = add_row(page, "tag")
    tag.locator(".fb-key").fill("team")
    tag.locator(".fb-value").fill("neuro")
    expected_text = "metrics.rmse <= 0.25 AND tags.team = 'neuro'"
    assert page.page.input_value("#f-filter") == expected_text
    apply(page)

    assert url_params(page)["filter"] == [expected_text]
    assert sorted(catalog_rows(page)) == [built.a, built.b]
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))

    # "Any of" joins the same rows with OR.
    page.page.check("#fb-join-or")
    assert page.page.input_value("#f-filter") == expected_text.replace(" AND ", " OR ")
    apply(page)
    either = rest_ids(live_server, page_query(page))
    assert catalog_rows(page) == either and len(either) > 2

    # Reloading the URL restores the rows, the connective and the text.
    open_page(page, "/models?" + page_query(page))
    rows = page.page.locator(".fb-row")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-kind") == "metric"
    assert rows.nth(0).locator(".fb-metric").input_value() == "rmse"
    assert rows.nth(0).locator("select").nth(1).input_value() == "<="
    assert rows.nth(0).locator(".fb-value").input_value() == "0.25"
    assert rows.nth(1).locator(".fb-key").input_value() == "team"
    assert page.page.is_checked("#fb-join-or")
    assert page.page.input_value("#f-filter") == expected_text.replace(" AND ", " OR ")
    assert catalog_rows(page) == either
    page.assert_clean()


def test_alias_and_provenance_rows_and_text_the_rows_cannot_show(
    page: WatchedPage, live_server: LiveServer, built: Built, searchable: dict[str, str]
) -> None:
    open_page(page, "/models?limit=100")
    add_row(page, "alias").locator(".fb-value").fill("production")
    add_row(page, "provenance").locator("select").nth(1).select_option("complete")
    apply(page)
    assert url_params(page)["filter"] == ["alias = 'production' AND provenance_complete = true"]
    ids = rest_ids(live_server, page_query(page))
    assert ids and catalog_rows(page) == ids
    assert all(
        page.page.locator(f'tr[data-model-id="{i}"] .alias-badge[data-alias=production]').count()
        for i in ids
    )

    # A warning code is a provenance row too.
    open_page(page, "/models?" + urlencode({"filter": "warning = 'UNPINNED_INPUTS'"}))
    assert page.page.locator(".fb-row select").nth(1).input_value() == "UNPINNED_INPUTS"
    assert built.c in catalog_rows(page) and built.a not in catalog_rows(page)

    # NOT and parentheses are kept as text: no rows, the text as it was, the same models.
    text = "NOT (family = 'statistical' OR metrics.rmse > 0.2)"
    query = urlencode({"filter": text, "limit": 100})
    open_page(page, "/models?" + query)
    assert page.page.locator(".fb-row").count() == 0
    assert page.page.is_visible("#builder-custom")
    assert page.page.input_value("#f-filter") == text
    assert catalog_rows(page) == rest_ids(live_server, query)

    # The search box still ANDs its text with such a filter, which the URL then carries.
    page.page.fill("#f-text", "microglia")
    assert page.page.input_value("#f-filter") == f"text CONTAINS 'microglia' AND {text}"
    apply(page)
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))
    page.assert_clean()


# --------------------------------------------------------------------------- URLs are REST


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "metric:rmse", "limit": 100},
        {"sort": "metric:rmse", "order": "desc", "limit": 100},
        {"filter": "(family = 'biophysical' AND metrics.rmse < 0.1) OR family = 'deep_learning'"},
        {"family": "deep_learning", "latest": "true", "sort": "quality_score", "order": "asc"},
        {"dataset": "pt-atlas", "filter": "metrics.auc >= 0.9"},
        {"filter": "text CONTAINS 'neuro'", "sort": "parameter_count", "limit": 5, "offset": 1},
        # The names other pages link with, which REST accepts as aliases.
        {"latestOnly": "true", "direction": "ASC", "search": "model"},
    ],
)
def test_a_catalog_url_lists_what_rest_lists_for_the_same_query_string(
    page: WatchedPage,
    live_server: LiveServer,
    built: Built,
    searchable: dict[str, str],
    query: dict[str, Any],
) -> None:
    qs = urlencode(query)
    open_page(page, "/models?" + qs)
    expected = rest(live_server, qs)
    assert expected["models"], "a query that lists nothing proves little"
    assert catalog_rows(page) == [m["id"] for m in expected["models"]]
    assert page.page.locator("#result-summary").get_attribute("data-total") == str(
        expected["total"]
    )
    page.assert_clean()


def test_next_page_after_a_cursor_follows_rests_next_cursor(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    first = rest(live_server, "sort=metric:rmse&limit=5")
    qs = urlencode({"sort": "metric:rmse", "limit": 5, "cursor": first["next_cursor"]})
    open_page(page, "/models?" + qs)
    second = rest(live_server, qs)
    assert catalog_rows(page) == [m["id"] for m in second["models"]]
    page.page.click("#next-page")
    wait_catalog(page)
    third = rest(live_server, page_query(page))
    assert url_params(page)["cursor"] == [second["next_cursor"]]
    assert catalog_rows(page) == [m["id"] for m in third["models"]]
    page.page.click("#prev-page")
    wait_catalog(page)
    assert catalog_rows(page) == [m["id"] for m in first["models"]]
    page.assert_clean()


# --------------------------------------------------------------------------- columns, sorts
