"""The compare page's honest highlights, baseline, permalink, exports and errors, in headless
Chromium, against models with uncertain metrics (tests.compare_page_helpers)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)
from tests.compare_page_helpers import (  # noqa: F401 (fixtures)
    FIVE,
    MetricModels,
    compare_error,
    full_compare,
    metric_models_fixture,
    open_compare,
    wait_ready_with_baseline,
)
from tests.page_checks import assert_no_sideways_overflow
from tests.pages_helpers import visible_rows

pytestmark = pytest.mark.browser


def same_number(shown: str | None, value: float | None) -> bool:
    """A number as the page or CSV wrote it (JavaScript's shortest form) equals ``value``."""
    if value is None:
        return shown in (None, "")
    return shown is not None and shown != "" and float(shown) == value


def cell(page: WatchedPage, metric: str, model_id: str) -> Any:
    return page.page.locator(
        f'#metrics-table tr[data-metric="{metric}"] td[data-model-id="{model_id}"]'
    )


def assert_metrics_match(page: WatchedPage, data: dict[str, Any]) -> None:
    """Marks, deltas and badges of every metric cell are what compareModels says."""
    for row in data["metrics"]:
        tr = page.page.locator(f'#metrics-table tr[data-metric="{row["name"]}"]')
        assert tr.get_attribute("data-verdict") == row["verdict"]
        for c in row["cells"]:
            td = cell(page, row["name"], c["modelId"])
            if c["value"] is None:
                assert td.get_attribute("data-missing") == "true"
                continue
            assert td.get_attribute("data-best") == str(c["best"]).lower()
            assert td.get_attribute("data-within") == str(c["withinUncertainty"]).lower()
            assert td.locator(".best-mark").count() == int(c["best"]), (row["name"], c)
            within = c["withinUncertainty"] and not c["best"]
            assert td.locator(".within-mark").count() == int(within), (row["name"], c)
            highlighted = c["best"] or c["withinUncertainty"]
            badge = td.locator(".capped-badge")
            assert badge.count() == int(highlighted and c["capped"]), (row["name"], c)
            assert same_number(td.get_attribute("data-delta"), c["delta"]), (row["name"], c)
            rel = td.get_attribute("data-relative-delta")
            assert same_number(rel, c["relativeDelta"]), (row["name"], c)


def test_metrics_show_intervals_verdicts_and_capped_values(
    page: WatchedPage, live_server: LiveServer, metric_models: MetricModels
) -> None:
    m = metric_models
    data = full_compare(live_server, m.abc)
    rows = {r["name"]: r for r in data["metrics"]}
    assert rows["auc"]["verdict"] == "WITHIN_UNCERTAINTY"
    assert rows["rmse"]["verdict"] == "BEST" and rows["rmse"]["bestModelIds"] == [m.b]
    assert rows["only_a"]["verdict"] == "TOO_FEW_VALUES"
    assert rows["loss"]["bestModelIds"] == [m.c]
    open_compare(page, "ids=" + ",".join(m.abc), width=1366)
    assert_metrics_match(page, data)

    # auc: intervals, no best, A and B within uncertainty, said in words in the row.
    auc = page.page.locator('#metrics-table tr[data-metric="auc"]')
    assert auc.locator("td.best").count() == 0
    assert "no clear best" in auc.locator("th").inner_text()
    assert "± 0.01" in cell(page, "auc", m.a).inner_text()
    assert "[0.69, 0.71]" in cell(page, "auc", m.c).inner_text()
    assert sorted(
        auc.locator("td.within").evaluate_all("e => e.map(x => x.dataset.modelId)")
    ) == sorted(rows["auc"]["overlappingModelIds"])
    # A metric only one model reports: no mark at all.
    only = page.page.locator('#metrics-table tr[data-metric="only_a"]')
    assert only.locator("td.best, td.within").count() == 0
    assert "only one model reports it" in only.inner_text()
    # The capped model's best value carries the badge, which explains the warnings.
    badge = cell(page, "loss", m.c).locator(".capped-badge")
    assert "capped" in badge.inner_text()
    title = badge.get_attribute("title") or ""
    warnings = data["models"][2]["provenance"]["warnings"]
    assert warnings and all(w["code"] in title for w in warnings)
    # Relative delta against a baseline of 0: "—" with a title saying why.
    bias_b = cell(page, "bias", m.b)
    assert bias_b.locator(".rel-none").inner_text() == "—"
    assert "0" in (bias_b.locator(".rel-none").get_attribute("title") or "")
    rmse_b = cell(page, "rmse", m.b).locator(".delta").inner_text()
    assert rmse_b.startswith("-0.031 (-15.5%) vs A"), rmse_b

    # Charts: the capped leader is marked on its bar label, the raw value is in the table.
    loss_chart = page.page.locator('figure.metric-chart[data-metric="loss"]')
    assert "⚠ capped" in (loss_chart.locator("svg").text_content() or "")
    loss_chart.locator("details.chart-data summary").click()
    table = loss_chart.locator("details.chart-data table")
    assert "0.1" in table.inner_text() and "capped" in table.inner_text()
    save_screenshot(page, "compare-uncertain.png", full_page=True)
    page.assert_clean()


def test_chart_keyboard_walks_the_values(
    page: WatchedPage, live_server: LiveServer, metric_models: MetricModels
) -> None:
    m = metric_models
    open_compare(page, "ids=" + ",".join(m.abc), width=1366)
    plot = page.page.locator('figure.metric-chart[data-metric="rmse"] .chart-plot')
    assert plot.get_attribute("role") == "img"
    assert "longer bar is better" in (plot.get_attribute("aria-label") or "")
    plot.focus()
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    readout = page.page.locator('figure.metric-chart[data-metric="rmse"] .chart-readout')
    assert "B · v1" in readout.inner_text() and "0.169" in readout.inner_text()
    assert "best" in readout.inner_text()
    # Charts follow their box: a narrower window redraws them narrower.
    svg = page.page.locator('figure.metric-chart[data-metric="rmse"] .chart-plot svg')
    wide = float(svg.get_attribute("width") or 0)
    page.page.set_viewport_size({"width": 390, "height": 900})
    page.page.wait_for_function(
        "(w) => Number(document.querySelector("
        "'figure.metric-chart[data-metric=\"rmse\"] .chart-plot svg').getAttribute('width')) < w",
        arg=wide,
    )
    assert_no_sideways_overflow(page)
    page.page.set_viewport_size({"width": 1366, "height": 900})
    parallel = page.page.locator("#parallel-chart .chart-plot")
    parallel.focus()
    page.page.keyboard.press("ArrowDown")
    assert "B · v1" in page.page.locator("#parallel-chart .chart-readout").inner_text()
    page.assert_clean()


def test_baseline_picker_changes_deltas_and_the_url(
    page: WatchedPage, live_server: LiveServer, metric_models: MetricModels
) -> None:
    m = metric_models
    open_compare(page, "ids=" + ",".join(m.abc), width=1366)
    assert page.page.locator("#baseline-select").input_value() == m.a
    assert "baseline" in cell(page, "rmse", m.a).inner_text()
    old_plot = page.page.query_selector('figure.metric-chart[data-metric="rmse"] .chart-plot')
    assert old_plot is not None
    assert old_plot.evaluate("e => Boolean(window.echarts.getInstanceByDom(e))")
    page.page.select_option("#baseline-select", m.b)
    wait_ready_with_baseline(page, m.b)
    # The charts drawn for the old baseline left with their section and were disposed.
    assert old_plot.evaluate("e => !e.isConnected && !window.echarts.getInstanceByDom(e)")
    data = full_compare(live_server, m.abc, baseline=m.b)
    assert data["baselineModelId"] == m.b
    assert_metrics_match(page, data)
    assert "vs B" in cell(page, "rmse", m.a).inner_text()
    assert "baseline" in cell(page, "rmse", m.b).inner_text()
    # The cells that differ from the new baseline are the marked ones.
    for name, rows in (("config", data["trainingConfig"]), ("metadata", data["metadata"])):
        for row in rows:
            for c in row["cells"]:
                td = page.page.locator(
                    f'#{name}-table tr[data-key="{row["key"]}"] td[data-model-id="{c["modelId"]}"]'
                )
                assert (
                    td.get_attribute("data-differs-from-baseline")
                    == str(c["differsFromBaseline"]).lower()
                ), (name, row["key"], c)
    query = parse_qs(urlsplit(page.page.url).query)
    assert query["baseline"] == [m.b]
    assert page.page.locator("#baseline-select").input_value() == m.b
    page.assert_clean()


def test_permalink_restores_baseline_diff_only_and_sections(
    page: WatchedPage, live_server: LiveServer, metric_models: MetricModels
) -> None:
    m = metric_models
    ids = ["cv-model-a", "cv-model-b", "cv-model-c"]  # lineage ids: the permalink pins them
    open_compare(page, "ids=" + ",".join(ids), width=1366)
    page.page.select_option("#baseline-select", m.c)
    wait_ready_with_baseline(page, m.c)
    page.page.get_by_label("Show only differences").first.uncheck()  # configuration
    page.page.locator("#only-differences-metadata").check()
    page.page.locator("#show-charts").uncheck()
    assert page.page.locator("#charts").is_hidden()
    link = page.page.locator("#permalink").input_value()
    query = parse_qs(urlsplit(link).query)
    assert query["ids"] == [",".join(m.abc)]
    assert query["baseline"] == [m.c]
    assert query["diff"] == ["metadata"]
    assert "charts" not in query["sections"][0].split(",")
    # The browser's own URL keeps the same view (with the ids as asked).
    here = parse_qs(urlsplit(page.page.url).query)
    assert here["ids"] == [",".join(ids)] and here["baseline"] == ["cv-model-c"]

    data = full_compare(live_server, m.abc, baseline=m.c)
    page.goto(urlsplit(link).path + "?" + urlsplit(link).query)
    wait_ready_with_baseline(page, m.c)
    assert page.page.locator("#baseline-select").input_value() == m.c
    assert not page.page.locator("#only-differences").is_checked()
    assert page.page.locator("#only-differences-metadata").is_checked()
    assert not page.page.locator("#show-charts").is_checked()
    assert page.page.locator("#charts").is_hidden()
    assert page.page.locator("#metrics").is_visible()
    assert visible_rows(page, "#config-table") == [r["key"] for r in data["trainingConfig"]]
    assert visible_rows(page, "#metadata-table") == [
        r["key"] for r in data["metadata"] if r["differs"]
    ]
    assert_metrics_match(page, data)
    # Showing the charts again draws them.
    page.page.locator("#show-charts").check()
    page.page.wait_for_selector("#parallel-chart .chart[data-chart-state=drawn]")
    page.assert_clean()


def test_csv_carries_exact_deltas_warnings_and_training_data(
    page: WatchedPage, live_server: LiveServer, metric_models: MetricModels
) -> None:
    m = metric_models
    data = full_compare(live_server, m.abc)
    open_compare(page, "ids=" + ",".join(m.abc), width=1366)
    with page.page.expect_download() as download_info:
        page.page.click("#download-csv")
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(text)))
    metric = {(x["key"], x["model_id"]): x for x in lines if x["section"] == "metric"}
    for row in data["metrics"]:
        for c in row["cells"]:
            line = metric[(row["name"], c["modelId"])]
            assert same_number(line["delta"], c["delta"]), line
            assert same_number(line["relative_delta"], c["relativeDelta"]), line
            assert line["verdict"] == row["verdict"].lower()
            assert line["capped"] == str(c["capped"]).lower()
    assert metric[("rmse", m.b)]["delta"] == "-0.031"
    assert "0000000" not in text, "no float noise"
    trained = {(x["model_id"], x["key"]) for x in lines if x["section"] == "training_data"}
    assert trained == {
        (model_id, d["dataset"]["id"])
        for d in data["trainingData"]["datasets"]
        for model_id in d["modelIds"]
    }
    warned = [(x["model_id"], x["key"]) for x in lines if x["section"] == "provenance_warning"]
    assert warned == [
        (model["id"], w["code"])
        for model in data["models"]
        for w in model["provenance"]["warnings"]
    ]
    assert warned and all(model_id == m.c for model_id, _ in warned)
    page.assert_clean()


def test_duplicate_ids_and_a_dataset_id_show_the_servers_message(
    page: WatchedPage, live_server: LiveServer
) -> None:
    # A model named twice is compared once, and the page says so.
    ids = [FIVE[0], FIVE[1], FIVE[0], "model-gwas-susie-finemap"]
    data = full_compare(live_server, ids)
    assert [m["id"] for m in data["models"]] == [FIVE[0], FIVE[1], "model-gwas-susie-finemap-v3"]
    assert data["duplicates"] == [{"id": FIVE[0], "modelId": FIVE[0]}]
    open_compare(page, "ids=" + ",".join(ids), width=390)
    assert page.page.get_attribute("body", "data-state") == "ready"
    note = page.page.locator("#duplicates")
    assert note.is_visible()
    assert f"Given more than once: {FIVE[0]}" in note.inner_text()
    assert page.page.locator("article.card").count() == 3
    # Only one model, named twice; a dataset: the server's message, nothing else.
    for ids, code in (
        ([FIVE[0], FIVE[0]], "BAD_USER_INPUT"),
        ([FIVE[0], "dataset-ld-reference-eur-v1"], "WRONG_KIND"),
    ):
        error = compare_error(live_server, ids)
        assert error["extensions"]["code"] == code
        open_compare(page, "ids=" + ",".join(ids), width=390)
        assert page.page.get_attribute("body", "data-state") == "error"
        box = page.page.locator("#error")
        assert box.is_visible()
        assert error["message"] in box.inner_text()
        assert box.get_attribute("data-code") == code
        assert page.page.locator("#content").is_hidden()
        assert page.page.locator("#duplicates").is_hidden()
    assert FIVE[0] in compare_error(live_server, [FIVE[0], FIVE[0]])["message"]
    assert "dataset" in error["message"]
    page.assert_clean()
