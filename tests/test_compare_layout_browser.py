"""The compare page of 2, 5 and 10 demo models at phone and laptop widths, in headless Chromium:
no sideways scroll, graphs fitted, charts drawn, every input grouped (tests.compare_page_helpers).
"""

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
from tests.compare_page_helpers import FIVE, SETS, full_compare, letters_of, open_compare
from tests.page_checks import (
    assert_charts_drawn,
    assert_graphs_fit,
    assert_no_sideways_overflow,
)
from tests.pages_helpers import texts

pytestmark = pytest.mark.browser

STICKY = """(table) => {
  const box = table.closest('.compare-scroll');
  const head = table.tHead.rows[0].cells[1];
  const first = table.tBodies[0].rows[table.tBodies[0].rows.length - 1].cells[0];
  box.scrollTop = box.scrollHeight;
  box.scrollLeft = box.scrollWidth;
  const inner = box.getBoundingClientRect();
  const offsets = [
    head.getBoundingClientRect().top - inner.top - box.clientTop,
    first.getBoundingClientRect().left - inner.left - box.clientLeft,
  ];
  const scrolled = [box.scrollTop, box.scrollLeft];
  box.scrollTop = 0;
  box.scrollLeft = 0;
  return { offsets, scrolled };
}"""


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("count", [2, 5, 10])
def test_compare_fits_every_screen(
    page: WatchedPage, live_server: LiveServer, count: int, width: int
) -> None:
    ids = SETS[count]
    data = full_compare(live_server, ids)
    open_compare(page, "ids=" + ",".join(ids), width=width)
    assert page.page.get_attribute("body", "data-state") == "ready"
    assert_no_sideways_overflow(page)
    # The per-model graphs and the merged one open fitted to their boxes.
    figures = page.page.locator("figure.dag")
    assert figures.count() == count + 1
    assert page.page.locator("figure.dag-merged").count() == 1
    assert_graphs_fit(page, "figure.dag .dag-scroll")
    merged_ids = texts(page, "figure.dag-merged [data-node-id]", "data-node-id")
    assert sorted(merged_ids) == sorted(n["id"] for n in data["provenance"]["merged"]["nodes"])
    # One bar chart per metric two or more models report, and the parallel view.
    charted = [m["name"] for m in data["metrics"] if m["reportedCount"] >= 2]
    assert texts(page, "figure.metric-chart", "data-metric") == charted
    assert_charts_drawn(page, "figure.metric-chart .chart", at_least=len(charted))
    if len(charted) >= 2:
        assert_charts_drawn(page, "#parallel-chart .chart")
    # Column heads tell the models apart however their titles are cut.
    heads = page.page.locator("#metrics-table thead th.model-col .col-tag").all_inner_texts()
    assert [h.replace("\n", " ").split(" baseline")[0].strip() for h in heads] == [
        f"{chr(65 + i)} · v{m['versionNumber']}" for i, m in enumerate(data["models"])
    ]
    # Wide tables scroll in their own box, keeping the header row and first column in view.
    for table in ("#metrics-table", "#datasets-table"):
        found = page.page.locator(table).evaluate(STICKY)
        for axis in (0, 1):  # scrolled down: the header row on top; right: the first column
            if found["scrolled"][axis] > 0:
                assert abs(found["offsets"][axis]) < 2, (table, found)
    save_screenshot(page, f"compare-{count}-models-{width}.png", full_page=True)
    page.assert_clean()


def test_compare_five_shows_every_dataset_grouped_by_who_shares_it(
    page: WatchedPage, live_server: LiveServer
) -> None:
    data = full_compare(live_server, FIVE)
    order = [m["id"] for m in data["models"]]
    td = data["trainingData"]
    every = {d["dataset"]["id"] for d in td["datasets"]}
    assert "dataset-ld-reference-eur-v1" in every
    open_compare(page, "ids=" + ",".join(FIVE), width=1366)

    # The LD reference panel: shared by the three GWAS models, A, B and C.
    ld = td["sharedBySome"]
    ld_share = next(s for s in ld if s["dataset"]["id"] == "dataset-ld-reference-eur-v1")
    assert ld_share["modelIds"] == FIVE[:3] and ld_share["sharing"] == "SOME"
    item = page.page.locator(
        '#inputs [data-group="some"] li[data-dataset-id="dataset-ld-reference-eur-v1"]'
    )
    assert item.count() == 1
    assert "shared by A, B and C" in item.inner_text()
    assert texts(page, '#inputs [data-group="some"] li .model-chip', "data-model-id") == [
        m for s in ld for m in s["modelIds"]
    ]
    assert item.locator(".model-chip").first.get_attribute("title") is not None

    # Each trained-on version is in exactly one group, as the server groups them.
    grouped = {
        "shared": [d["id"] for d in td["sharedSameVersion"]],
        "some": [s["dataset"]["id"] for s in td["sharedBySome"]],
        "split": [
            u["dataset"]["id"] for s in td["sameLineageDifferentVersions"] for u in s["uses"]
        ],
        "unique": [d["id"] for u in td["uniqueToModel"] for d in u["datasets"]],
    }
    for name, expected in grouped.items():
        shown = texts(page, f'#inputs [data-group="{name}"] [data-dataset-id]', "data-dataset-id")
        assert sorted(set(shown)) == sorted(set(expected)), name
    assert set().union(*map(set, grouped.values())) == every

    # The table of every version: one row each, a mark exactly under the models using it.
    rows = texts(page, "#datasets-table tbody tr", "data-dataset-id")
    assert sorted(rows) == sorted(every)
    for share in td["datasets"]:
        tr = page.page.locator(f'#datasets-table tr[data-dataset-id="{share["dataset"]["id"]}"]')
        used = tr.locator("td.used").evaluate_all("els => els.map(e => e.dataset.modelId)")
        assert used == share["modelIds"], share

    # Pairwise similarity as two matrices, one cell per ordered pair, the server's values.
    for measure in ("versions", "lineages"):
        for pair in td["similarity"]:
            a, b = pair["modelIds"]
            for row, col in ((a, b), (b, a)):
                cell = page.page.locator(
                    f'#similarity-{measure} tr[data-model-id="{row}"] td[data-model-id="{col}"]'
                )
                value = pair[measure]["value"]
                shown_value = cell.get_attribute("data-value")
                if value is None:
                    assert shown_value == ""
                else:
                    assert shown_value is not None and float(shown_value) == value
                shown = cell.inner_text()
                assert shown == ("—" if value is None else f"{value:.2f}"), (measure, row, col)
    assert letters_of(FIVE[:3], order) == ["A", "B", "C"]

    # Provenance: ancestors shared by all, by some (which models) and by one.
    ancestors = data["provenance"]["ancestors"]
    for sharing, group in (("ALL", "shared"), ("SOME", "some"), ("ONE", "unique")):
        expected = sorted(a["id"] for a in ancestors if a["sharing"] == sharing)
        shown = texts(
            page, f'#ancestor-groups [data-group="{group}"] [data-ancestor-id]', "data-ancestor-id"
        )
        assert sorted(shown) == expected, sharing
    for a in (a for a in ancestors if a["sharing"] == "SOME"):
        li = page.page.locator(f'#ancestor-groups li[data-ancestor-id="{a["id"]}"]')
        assert li.get_attribute("data-model-ids") == " ".join(a["modelIds"])

    # The merged graph: sharing drawn per node, the compared models highlighted.
    for node in data["provenance"]["merged"]["nodes"]:
        g = page.page.locator(f'figure.dag-merged g[data-node-id="{node["id"]}"]')
        assert g.get_attribute("data-sharing") == node["sharing"].lower(), node
        highlighted = "dag-node--highlight" in (g.get_attribute("class") or "")
        assert highlighted == node["compared"], node
    save_screenshot(page, "compare-5-inputs.png", full_page=True)
    page.assert_clean()
