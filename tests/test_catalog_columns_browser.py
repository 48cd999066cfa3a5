"""The catalog's metric columns and sorts, refused filters, the search box and the layout in
headless Chromium, each checked against GET /api/models for the same query string."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
)
from tests.catalog_search_helpers import (  # noqa: F401 (a fixture)
    SHOTS,
    expect_400,
    page_query,
    rest,
    rest_ids,
    searchable_fixture,
    url_params,
)
from tests.page_checks import assert_no_sideways_overflow
from tests.pages_helpers import (  # noqa: F401 (a fixture)
    TIMEOUT_MS,
    Built,
    built_fixture,
    catalog_rows,
    open_page,
    texts,
    wait_catalog,
)

pytestmark = pytest.mark.browser


def metric_cells(page: WatchedPage, name: str) -> list[str | None]:
    values = page.page.eval_on_selector_all(
        f'#models-table tbody td[data-metric="{name}"]',
        "cells => cells.map(c => c.hasAttribute('data-missing') ? null : c.dataset.value)",
    )
    assert isinstance(values, list)
    return values


def test_the_column_chooser_adds_a_metric_column_kept_in_the_url(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models?limit=100")
    assert page.page.locator('#models-table th[data-column="metric:auc"]').count() == 0
    page.page.click("#column-chooser summary")
    page.page.fill("#col-find", "au")
    assert page.page.is_hidden('#column-choices [data-column="metric:rmse"]')
    page.page.check('#column-choices input[value="metric:auc"]')
    page.page.uncheck('#column-choices input[value="trained_on"]')
    assert page.page.locator('#models-table th[data-column="metric:auc"]').count() == 1
    assert page.page.locator('#models-table th[data-column="trained_on"]').count() == 0
    assert url_params(page)["columns"] == [
        "version,family,quality_score,parameter_count,created_at,metric:auc"
    ]

    models = rest(live_server, "limit=100")["models"]
    assert [m["id"] for m in models] == catalog_rows(page)
    want = [m["evaluation_metrics"].get("auc") for m in models]
    got = metric_cells(page, "auc")
    assert [None if v is None else float(v) for v in got] == want
    assert None in want, "a model without the metric shows an empty cell"
    assert set(texts(page, "#models-table td[data-metric=auc][data-missing]")) == {""}
    a_cell = page.page.locator(f'tr[data-model-id="{built.a}"] td[data-metric=auc]')
    assert a_cell.inner_text() == "0.9"

    # The choice survives a reload of the URL.
    open_page(page, "/models?" + page_query(page))
    assert page.page.locator('#models-table th[data-column="metric:auc"]').count() == 1
    assert page.page.is_checked('#column-choices input[value="metric:auc"]')
    page.assert_clean()


def test_a_metric_header_sorts_by_it_best_first_then_flips_with_missing_last(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models?limit=100&columns=family,quality_score,metric:rmse")
    header = page.page.locator('#models-table th[data-column="metric:rmse"]')
    assert header.get_attribute("aria-sort") is None
    # By keyboard: the header is a button.
    header.locator("button").focus()
    page.page.keyboard.press("Enter")
    wait_catalog(page)
    assert url_params(page)["sort"] == ["metric:rmse"]
    assert "order" not in url_params(page), "the first click asks for the best order"
    header = page.page.locator('#models-table th[data-column="metric:rmse"]')
    assert header.get_attribute("aria-sort") == "ascending", "lower rmse is better"
    values = metric_cells(page, "rmse")
    present = [float(v) for v in values if v is not None]
    assert present == sorted(present) and len(present) > 3
    assert values[len(present) :] == [None] * (len(values) - len(present)), "missing last"
    assert built.big in catalog_rows(page)[len(present) :]
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))

    header.locator("button").click()
    wait_catalog(page)
    assert url_params(page)["order"] == ["desc"]
    header = page.page.locator('#models-table th[data-column="metric:rmse"]')
    assert header.get_attribute("aria-sort") == "descending"
    values = metric_cells(page, "rmse")
    present = [float(v) for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert values[len(present) :] == [None] * (len(values) - len(present)), "still last"
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))
    assert page.page.input_value("#f-sort") == "metric:rmse"
    assert page.page.input_value("#f-order") == "desc"

    # A built-in column sorts too; one sorted column at a time.
    page.page.click('#models-table th[data-column="quality_score"] button')
    wait_catalog(page)
    assert url_params(page)["sort"] == ["quality_score"]
    assert page.page.locator("#models-table th[aria-sort]").count() == 1
    quality = page.page.locator('#models-table th[data-column="quality_score"]')
    assert quality.get_attribute("aria-sort") == "descending"
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))
    page.assert_clean()


# --------------------------------------------------------------------------- refusals


def test_bad_filter_text_shows_the_coded_error_at_its_position_and_changes_nothing(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models?family=deep_learning&sort=metric:rmse")
    before_rows = catalog_rows(page)
    before_url = page.page.url
    bad = "metrics.rmse < 0.3 AND famly = 'x'"
    page.page.fill("#f-filter", bad)
    page.page.press("#f-filter", "Control+Enter")
    page.page.wait_for_selector("#filter-error:not([hidden])", timeout=TIMEOUT_MS)

    refused = httpx.get(f"{live_server.url}/api/models", params={"filter": bad}).json()["error"]
    assert refused["code"] == "BAD_FILTER" and refused["position"] == bad.index("famly")
    box = page.page.locator("#filter-error")
    assert box.get_attribute("data-code") == "BAD_FILTER"
    assert refused["message"] in box.inner_text()
    caret = box.locator(".filter-caret")
    assert caret.get_attribute("data-position") == str(refused["position"])
    line, marker = caret.inner_text().split("\n")
    assert line == bad and marker == " " * bad.index("famly") + "^"
    assert page.page.get_attribute("#f-filter", "aria-invalid") == "true"
    # The cursor sits where the error is.
    selection = page.page.evaluate("document.activeElement.selectionStart")
    assert selection == refused["position"]
    # Nothing else changed: rows, address, other controls; no alert panel.
    assert catalog_rows(page) == before_rows
    assert page.page.url == before_url
    assert page.page.input_value("#f-family") == "deep_learning"
    assert page.page.is_hidden("#error")

    # Too many conditions: FILTER_TOO_COMPLEX, shown the same way.
    many = " OR ".join(f"metrics.m{i} > 0" for i in range(21))
    page.page.fill("#f-filter", many)
    page.page.press("#f-filter", "Control+Enter")
    page.page.wait_for_selector("#filter-error[data-code=FILTER_TOO_COMPLEX]", timeout=TIMEOUT_MS)
    position = many.index("metrics.m20")
    caret = page.page.locator("#filter-error .filter-caret")
    assert caret.get_attribute("data-position") == str(position)
    assert catalog_rows(page) == before_rows and page.page.url == before_url

    # Fixing it applies and clears the error.
    page.page.fill("#f-filter", "metrics.rmse < 0.3")
    page.page.press("#f-filter", "Control+Enter")
    page.page.wait_for_selector("#filter-error[hidden]", state="attached", timeout=TIMEOUT_MS)
    wait_catalog(page)
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))
    assert page.page.get_attribute("#f-filter", "aria-invalid") is None
    expect_400(page, 2)
    page.assert_clean()


def test_a_url_with_a_bad_filter_shows_the_error_and_no_rows(
    page: WatchedPage, live_server: LiveServer
) -> None:
    open_page(page, "/models?" + urlencode({"filter": "metrics.rmse <"}))
    page.page.wait_for_selector("#filter-error:not([hidden])", timeout=TIMEOUT_MS)
    assert page.page.get_attribute("#filter-error", "data-code") == "BAD_FILTER"
    assert catalog_rows(page) == []
    assert page.page.input_value("#f-filter") == "metrics.rmse <"
    expect_400(page, 1)
    page.assert_clean()


# --------------------------------------------------------------------------- the search box


@pytest.mark.parametrize(("word", "model"), [("zebrafish", "described"), ("glia-lab", "tagged")])
def test_the_search_box_finds_a_model_by_a_description_word_or_a_tag_value(
    page: WatchedPage,
    live_server: LiveServer,
    searchable: dict[str, str],
    word: str,
    model: str,
) -> None:
    open_page(page, "/models")
    page.page.fill("#f-text", word)
    page.page.press("#f-text", "Enter")
    wait_catalog(page)
    assert url_params(page)["filter"] == [f"text CONTAINS '{word}'"]
    assert catalog_rows(page) == [searchable[model]]
    assert catalog_rows(page) == rest_ids(live_server, page_query(page))
    # The title-only search REST's `q` means finds neither.
    assert rest_ids(live_server, urlencode({"q": word})) == []
    open_page(page, "/models?" + page_query(page))
    assert page.page.input_value("#f-text") == word
    page.assert_clean()


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("width", [390, 1366])
def test_the_catalog_fits_the_width_with_builder_rows_columns_and_an_error(
    page: WatchedPage, live_server: LiveServer, searchable: dict[str, str], width: int
) -> None:
    page.page.set_viewport_size({"width": width, "height": 900})
    query = urlencode(
        {
            "filter": "metrics.rmse < 0.3 AND tags.team = 'neuro' AND provenance_complete = true",
            "sort": "metric:rmse",
            "columns": "version,family,quality_score,metric:rmse,metric:auc",
        }
    )
    open_page(page, "/models?" + query)
    page.page.click("#column-chooser summary")
    assert page.page.locator(".fb-row").count() == 3
    assert catalog_rows(page) == rest_ids(live_server, query) != []
    assert_no_sideways_overflow(page)
    page.page.screenshot(path=f"{SHOTS}/catalog-{width}.png", full_page=True)

    page.page.fill("#f-filter", "metrics.rmse < 0.3 AND tags.team = 'neuro' AND (famly = 'x'")
    page.page.press("#f-filter", "Control+Enter")
    page.page.wait_for_selector("#filter-error:not([hidden])", timeout=TIMEOUT_MS)
    assert_no_sideways_overflow(page)
    page.page.locator("#filters").screenshot(path=f"{SHOTS}/catalog-error-{width}.png")
    expect_400(page, 1)
    page.assert_clean()
