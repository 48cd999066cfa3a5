"""Home, catalog and model pages fit 390 px phones and 1366 px laptops (headless Chromium)."""

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
from tests.page_checks import (
    assert_charts_drawn,
    assert_graphs_fit,
    assert_no_sideways_overflow,
)
from tests.pages_helpers import (  # noqa: F401 (fixtures)
    Built,
    built_fixture,
    open_page,
    wait_catalog,
)

pytestmark = pytest.mark.browser

WIDTHS = [390, 1366]
MODEL_PAGES = [
    "model-celltype-classifier-v4",  # trained on dataset-abc-atlas-merfish: long labels
    "model-celltype-classifier-v2",  # its producing analysis link floats
    "model-gwas-susie-finemap-v3",
    "pt-model-c-v1",
]


@pytest.mark.parametrize("width", WIDTHS)
def test_home_and_catalog_do_not_scroll_sideways(
    page: WatchedPage, live_server: LiveServer, built: Built, width: int
) -> None:
    page.page.set_viewport_size({"width": width, "height": 900})
    open_page(page, "/")
    assert_no_sideways_overflow(page)
    save_screenshot(page, f"home-{width}.png", full_page=True)
    open_page(page, "/models")
    wait_catalog(page)
    assert_no_sideways_overflow(page)
    save_screenshot(page, f"catalog-{width}.png", full_page=True)
    page.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("model_id", MODEL_PAGES)
def test_model_page_fits_and_its_graph_opens_fitted(
    page: WatchedPage, live_server: LiveServer, built: Built, width: int, model_id: str
) -> None:
    page.page.set_viewport_size({"width": width, "height": 900})
    open_page(page, f"/models/{model_id}")
    assert page.page.locator("body").get_attribute("data-state") == "ready"
    assert_no_sideways_overflow(page)
    assert_graphs_fit(page, "#lineage-graph .dag-scroll")
    if model_id.startswith("pt-"):  # one version: no trend to draw yet
        assert "one version so far" in page.page.locator("#trend-empty").inner_text()
    else:
        assert_charts_drawn(page, ".trend-chart", at_least=1)
    save_screenshot(page, f"model-{model_id}-{width}.png", full_page=True)
    page.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_model_page_graph_taller_than_its_box_scrolls_inside_it(
    page: WatchedPage, live_server: LiveServer, built: Built, width: int
) -> None:
    page.page.set_viewport_size({"width": width, "height": 900})
    open_page(page, f"/models/{built.big}")
    assert_no_sideways_overflow(page)
    scroll = page.page.locator("#lineage-graph .dag-scroll")
    # 50 nodes: fitted to the width, then taller than the box, which scrolls by itself.
    sizes = scroll.evaluate(
        "e => ({sh: e.scrollHeight, ch: e.clientHeight, sw: e.scrollWidth, cw: e.clientWidth})"
    )
    assert sizes["sh"] > sizes["ch"] and sizes["sw"] <= sizes["cw"], sizes
    assert page.page.locator("#lineage-graph g[data-node-id]").count() == 50

    # Tab reaches the graph at the model; arrow keys walk the recordings, each scrolled into view.
    page.page.locator("#lineage-graph .zoom button").last.focus()
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.dataset.nodeId") == built.big
    across = page.page.locator("#lineage-graph svg.dag-svg").get_attribute("data-layout") == "LR"
    page.page.keyboard.press("ArrowLeft" if across else "ArrowUp")
    assert page.page.evaluate("document.activeElement.dataset.nodeId") == "pt-bulk-fit-v1"
    page.page.keyboard.press("Home")
    for _ in range(12):
        page.page.keyboard.press("ArrowDown" if across else "ArrowRight")
        seen = scroll.evaluate(FOCUSED_INSIDE)
        assert seen["id"].startswith("pt-bulk-") and seen["inside"], seen
    assert scroll.evaluate("e => e.scrollTop + e.scrollLeft") > 0
    page.assert_clean()


FOCUSED_INSIDE = """(scroll) => {
  const r = document.activeElement.getBoundingClientRect();
  const box = scroll.getBoundingClientRect();
  return {
    id: document.activeElement.dataset.nodeId || '',
    inside: r.left >= box.left - 1 && r.right <= box.left + scroll.clientWidth + 1 &&
      r.top >= box.top - 1 && r.bottom <= box.top + scroll.clientHeight + 1,
  };
}"""
