"""The model page's own links, metric trend and versions pager in headless Chromium.

A lineage of 600 versions (registered through the API, 15 per request) shows the even sample of
500 versions in its trend and a pager over its versions; the models of tests.pages_helpers show
which of their own links float.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)
from tests.page_checks import assert_charts_drawn, assert_no_sideways_overflow
from tests.pages_helpers import (  # noqa: F401 (fixtures)
    Built,
    built_fixture,
    graphql,
    open_page,
    texts,
    write_token,
)

pytestmark = pytest.mark.browser

MANY = 600
PER_REQUEST = 15  # the server's alias limit


def auc(n: int) -> float:
    """A slow upward trend with a wobble, so a chart of it is not a flat line."""
    return round(0.6 + 0.3 * n / MANY + 0.02 * ((n * 7) % 5 - 2) / 2, 6)


LINKED = {
    "family": "STATISTICAL",
    "trainedOn": ["pt-shared-v1"],
    "producedBy": "pt-fit-v1",
    "testsHypotheses": ["pt-hyp-v1"],
}


def register_models(server: LiveServer, token: str, inputs: list[dict[str, object]]) -> None:
    """registerModel for each input, in order, PER_REQUEST aliased mutations per request."""
    for start in range(0, len(inputs), PER_REQUEST):
        chunk = inputs[start : start + PER_REQUEST]
        params = ", ".join(f"$i{k}: RegisterModelInput!" for k in range(len(chunk)))
        fields = " ".join(f"m{k}: registerModel(input: $i{k}) {{ id }}" for k in range(len(chunk)))
        variables = {f"i{k}": v for k, v in enumerate(chunk)}
        graphql(server, f"mutation({params}) {{ {fields} }}", variables, token)


@pytest.fixture(scope="module", name="many")
def many_fixture(live_server: LiveServer, built: Built) -> str:
    """The lineage pt-many: 600 versions reporting auc and loss."""
    register_models(
        live_server,
        write_token(live_server, "pages-test-many"),
        [
            {
                **LINKED,
                "lineageId": "pt-many",
                "title": f"Many versions, number {n}",
                "rawQualityScore": 0.5,
                "evaluationMetrics": {"auc": auc(n), "loss": round(1 - auc(n), 6)},
                "metricDirections": {"loss": "lower"},
            }
            for n in range(1, MANY + 1)
        ],
    )
    return "pt-many"


@pytest.fixture(scope="module", name="with_intervals")
def with_intervals_fixture(live_server: LiveServer, built: Built) -> str:
    """The lineage pt-ci: 3 versions whose metrics carry a standard error or an interval."""
    register_models(
        live_server,
        write_token(live_server, "pages-test-intervals"),
        [
            {
                **LINKED,
                "lineageId": "pt-ci",
                "title": f"With intervals {n}",
                "rawQualityScore": 0.7,
                "evaluationMetrics": {
                    "auc": {"value": value, "stderr": stderr},
                    "f1": {"value": value - 0.1, "lower": value - 0.15, "upper": value - 0.05},
                },
            }
            for n, (value, stderr) in enumerate([(0.80, 0.02), (0.84, 0.01), (0.83, 0.03)], 1)
        ],
    )
    return "pt-ci"


# --------------------------------------------------------------------------- own links


def test_model_page_says_which_own_links_float_as_its_warning_does(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    # Model C is trained on the lineage pt-only-c (floating) and on pt-shared-v1 (pinned).
    open_page(page, f"/models/{built.c}")
    floating = page.page.locator('#trained-on li[data-id="pt-only-c-v1"]')
    assert floating.get_attribute("data-pin") == "floating"
    assert "floats: follows the latest version, now @1" in floating.inner_text()
    pinned = page.page.locator('#trained-on li[data-id="pt-shared-v1"]')
    assert pinned.get_attribute("data-pin") == "pinned"
    assert "@1 pinned" in pinned.inner_text()
    summary = page.page.locator("#pin-summary")
    assert summary.get_attribute("data-floating") == "1"
    assert "pt-only-c" in summary.inner_text()
    warning = page.page.locator('#score-panel li[data-code="UNPINNED_INPUTS"]').inner_text()
    assert "pt-only-c" in warning
    page.assert_clean()

    # A demo model whose producing-analysis link floats: the warning and "Produced by" agree.
    open_page(page, "/models/model-celltype-classifier-v2")
    warning = page.page.locator('#score-panel li[data-code="UNPINNED_INPUTS"]').inner_text()
    assert "analysis-celltype-classifier-training" in warning
    produced = page.page.locator("#produced-by-link li")
    assert produced.get_attribute("data-pin") == "floating"
    text = produced.inner_text()
    assert "analysis-celltype-classifier-training @1" in text
    assert "floats: follows the latest version, now @1" in text and "pinned" not in text
    assert "@1 pinned" in page.page.locator("#trained-on li").inner_text()

    # A model with every link pinned says so.
    open_page(page, f"/models/{built.a}")
    assert page.page.locator("#pin-summary").get_attribute("data-floating") == "0"
    assert page.page.locator('#own-links li[data-pin="floating"]').count() == 0
    assert "pt-fit @1" in page.page.locator("#produced-by").inner_text()
    page.assert_clean()


# --------------------------------------------------------------------------- trend and pager

FOCUS_POINT = """(box) => ({
  index: Number(box.dataset.pointIndex),
  live: box.parentElement.querySelector('.trend-point').textContent,
  tip: [...box.querySelectorAll('div')].map((d) => d.textContent).join(' '),
})"""


@pytest.mark.parametrize("width", [390, 1366])
def test_model_page_draws_an_even_sample_of_a_long_lineage_and_pages_its_versions(
    page: WatchedPage, live_server: LiveServer, many: str, width: int
) -> None:
    page.page.set_viewport_size({"width": width, "height": 900})
    open_page(page, f"/models/{many}")
    assert page.page.locator("h1").inner_text() == f"Many versions, number {MANY}"
    note = page.page.locator("#trend-sampling")
    assert note.get_attribute("data-sampling") == "EVEN"
    assert "an even sample of 500 of 600 versions" in note.inner_text()
    assert texts(page, "figure.trend", "data-metric") == ["auc", "loss"]
    assert_charts_drawn(page, ".trend-chart", at_least=2)
    assert_no_sideways_overflow(page)
    chart = page.page.locator('.trend-chart[data-metric="auc"]')
    # The version shown is marked on the chart.
    figure = page.page.locator('figure.trend[data-metric="auc"]')
    assert f"this version, @{MANY}" in figure.inner_text()
    assert chart.locator("svg text", has_text=f"@{MANY}").count() >= 1
    # The fallback table lists every point drawn, the first and the latest included.
    rows = texts(page, 'figure.trend[data-metric="auc"] .trend-data tbody tr', "data-version")
    assert len(rows) == 500 and rows[0] == "1" and rows[-1] == str(MANY)

    # The keyboard walks the points and shows each value.
    chart.focus()
    page.page.keyboard.press("Home")
    first = chart.evaluate(FOCUS_POINT)
    assert first["index"] == 0 and first["live"].startswith("@1 ")
    assert f"auc {auc(1):g}"[:8] in first["live"]
    assert "@1 " in first["tip"]
    page.page.keyboard.press("ArrowRight")
    second = chart.evaluate(FOCUS_POINT)
    assert second["index"] == 1 and re.match(r"@\d+ ", second["live"])
    page.page.keyboard.press("End")
    assert chart.evaluate(FOCUS_POINT)["live"].startswith(f"@{MANY} ")
    save_screenshot(page, f"model-many-{width}.png", full_page=True)

    # The latest 500 instead of the even sample.
    page.page.select_option("#trend-sampling-choice", "LATEST")
    page.page.wait_for_selector('#trend-sampling[data-sampling="LATEST"]')
    assert "the latest 500 of 600 versions" in page.page.locator("#trend-sampling").inner_text()
    rows = texts(page, 'figure.trend[data-metric="auc"] .trend-data tbody tr', "data-version")
    assert rows[0] == str(MANY - 499) and rows[-1] == str(MANY)
    assert_charts_drawn(page, ".trend-chart", at_least=2)

    # Versions: the page holding this version, then older pages, the first, a jump, the latest.
    def shown() -> list[int]:
        ids = texts(page, "#versions-table tbody tr", "data-model-id")
        return [int(i.rsplit("-v", 1)[1]) for i in ids]

    def wait_versions() -> None:
        page.page.wait_for_selector("#versions-slot:not([aria-busy])")

    assert shown() == list(range(MANY - 19, MANY + 1))
    caption = page.page.locator("#versions-table caption").inner_text()
    assert "Versions 581\u2013600 of 600" in caption
    assert texts(page, "#versions-table tr[aria-current=true]", "data-model-id") == [
        f"pt-many-v{MANY}"
    ]
    page.page.click('[data-page="previous"]')
    wait_versions()
    assert shown() == list(range(561, 581))
    page.page.click('[data-page="first"]')
    wait_versions()
    assert shown() == list(range(1, 21))
    assert page.page.locator('[data-page="previous"]').is_disabled()
    page.page.fill("#version-jump", "250")
    page.page.keyboard.press("Enter")
    wait_versions()
    assert shown() == list(range(241, 261))
    page.page.click('[data-page="last"]')
    wait_versions()
    assert shown() == list(range(581, 601))
    assert page.page.locator('[data-page="next"]').is_disabled()
    assert_no_sideways_overflow(page)
    # Compare shortcuts come from the neighbouring versions, not from a list of all.
    assert page.page.locator("#compare-previous").get_attribute("href") == (
        f"/models/compare?ids=pt-many-v{MANY - 1},pt-many-v{MANY}"
    )
    page.assert_clean()


def test_model_page_older_version_opens_on_its_own_page_of_versions(
    page: WatchedPage, live_server: LiveServer, many: str
) -> None:
    open_page(page, "/models/pt-many-v37")
    ids = texts(page, "#versions-table tbody tr", "data-model-id")
    assert ids[0] == "pt-many-v21" and ids[-1] == "pt-many-v40"
    assert texts(page, "#versions-table tr[aria-current=true]", "data-model-id") == ["pt-many-v37"]
    assert "this version, @37" in page.page.locator('figure.trend[data-metric="auc"]').inner_text()
    page.assert_clean()


def test_model_page_shows_metric_intervals_in_its_table_and_chart(
    page: WatchedPage, live_server: LiveServer, with_intervals: str
) -> None:
    open_page(page, f"/models/{with_intervals}")
    note = page.page.locator("#trend-sampling").inner_text()
    assert "all 3 versions" in note
    value = page.page.locator('#metrics-table tr[data-metric="auc"] td.num').inner_text()
    assert "0.83" in value and "± 0.03" in value and "[0.7712, 0.8888]" in value
    f1 = page.page.locator('#metrics-table tr[data-metric="f1"] td.num').inner_text()
    assert "[0.68, 0.78]" in f1
    table = 'figure.trend[data-metric="auc"] .trend-data tbody tr'
    assert texts(page, table, "data-version") == ["1", "2", "3"]
    cells = page.page.locator(f"{table} td.num").all_text_contents()
    assert cells[:2] == ["0.8", "0.7608 \u2013 0.8392"]
    assert_charts_drawn(page, ".trend-chart", at_least=2)
    page.assert_clean()
