"""The compare page in headless Chromium: sections, exports and errors (tests.pages_helpers)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

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
    Built,
    built_fixture,
    compare_data,
    graphql,
    open_page,
    texts,
    visible_rows,
)

pytestmark = pytest.mark.browser

# --------------------------------------------------------------------------- compare page


def within(part: Any, whole: Any) -> bool:
    """``whole`` holds ``part``: the same lists and values, and at least the same keys."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            k in whole and within(v, whole[k]) for k, v in part.items()
        )
    if isinstance(part, list):
        return (
            isinstance(whole, list)
            and len(part) == len(whole)
            and all(within(p, w) for p, w in zip(part, whole, strict=True))
        )
    return bool(part == whole)


def test_compare_cards_and_metrics_match_compare_models(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    data = compare_data(live_server, built.abc)
    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    assert page.page.get_attribute("body", "data-state") == "ready"
    assert page.page.locator("h1").inner_text() == "Compare 3 models"

    # One card per model, in order, with title, lineage @version, family, score and a link.
    assert texts(page, "article.card", "data-model-id") == built.abc
    for model in data["models"]:
        card = page.page.locator(f'article.card[data-model-id="{model["id"]}"]')
        shown = card.inner_text()
        assert model["title"] in shown
        assert f"{model['lineageId']} @{model['versionNumber']}" in shown
        assert "Deep learning" in shown
        assert f"{model['qualityScore']:.2f}" in shown
        assert card.locator(f'a[href="/models/{model["id"]}"]').count() >= 1
        flag = card.locator('[data-flag="incomplete"]')
        if model["provenance"]["complete"]:
            assert flag.count() == 0, model["id"]
        else:
            assert flag.count() == 1, model["id"]
            assert "capped (raw 0.90)" in flag.inner_text()
            for warning in model["provenance"]["warnings"]:
                assert warning["message"] in shown
                assert warning["code"] in shown
    assert [m["provenance"]["complete"] for m in data["models"]] == [True, True, False]

    # Highlighted metric cells are exactly the best ones (a tie shares the highlight).
    metrics = {m["name"]: m for m in data["metrics"]}
    assert set(texts(page, "#metrics-table tbody tr", "data-metric")) == set(metrics)
    assert metrics["auc"]["bestModelIds"] == [built.b, built.c]
    for name, row in metrics.items():
        tr = f'#metrics-table tr[data-metric="{name}"]'
        assert texts(page, f"{tr} td.best", "data-model-id") == row["bestModelIds"], name
        assert page.page.locator(f"{tr} td.best .best-mark").count() == len(row["bestModelIds"])
        for cell in row["cells"]:
            td = page.page.locator(f'{tr} td[data-model-id="{cell["modelId"]}"]')
            shown = td.inner_text()
            if cell["value"] is None:
                assert shown.startswith("—"), (name, cell)
                assert td.get_attribute("data-missing") == "true"
            elif cell["modelId"] != built.a and cell["delta"] is not None:
                assert "vs A" in shown
        # A bar chart per metric that two or more models report.
        chart = page.page.locator(f'figure.metric-chart[data-metric="{name}"]')
        reported = sum(c["value"] is not None for c in row["cells"])
        assert chart.count() == int(reported >= 2), name
    loss_b = page.page.locator(
        f'#metrics-table tr[data-metric="loss"] td[data-model-id="{built.b}"]'
    )
    assert "—" in loss_b.inner_text()
    rmse_b = page.page.locator(
        f'#metrics-table tr[data-metric="rmse"] td[data-model-id="{built.b}"]'
    )
    assert "+0.05 (+25%) vs A" in rmse_b.inner_text()

    # Semantic tables: captions and scoped header cells.
    for table in ("#metrics-table", "#config-table", "#metadata-table"):
        assert page.page.locator(f"{table} caption").count() == 1
        heads = page.page.locator(f"{table} thead th[scope=col]").count()
        assert heads == 1 + len(built.abc)
        rows = page.page.locator(f"{table} tbody tr").count()
        assert page.page.locator(f"{table} tbody th[scope=row]").count() == rows

    save_screenshot(page, "compare.png", full_page=True)
    page.assert_clean()


def test_compare_config_differences_and_keyboard_toggle(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    data = compare_data(live_server, built.abc)
    config = {r["key"]: r for r in data["trainingConfig"]}
    differing = [r["key"] for r in data["trainingConfig"] if r["differs"]]
    same = [r["key"] for r in data["trainingConfig"] if not r["differs"]]
    assert differing == ["dropout", "optimizer.lr", "optimizer.name", "seed"] and same == ["epochs"]

    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    toggle = page.page.locator("#only-differences")
    assert toggle.get_attribute("type") == "checkbox"
    assert toggle.is_checked(), "show only differences is on by default"
    # One toggle per diff table, each named for its table.
    assert page.page.get_by_label("Show only differences").count() == 2
    assert (
        page.page.get_by_label("Show only differences in the training configuration").count() == 1
    )

    # Highlighted rows are exactly the differing ones; with the toggle on only they show.
    assert texts(page, "#config-table tbody tr", "data-key") == list(config)
    assert texts(page, "#config-table tbody tr.differs", "data-key") == differing
    assert visible_rows(page, "#config-table") == differing
    assert not page.page.locator('#config-table tr[data-key="epochs"]').is_visible()

    # Missing keys are shown as such, exactly where the model lacks the key.
    for row in data["trainingConfig"]:
        for cell in row["cells"]:
            td = f'#config-table tr[data-key="{row["key"]}"] td[data-model-id="{cell["modelId"]}"]'
            # The cell's shown text (without what it says to screen readers only).
            shown = page.page.eval_on_selector(
                td,
                "e => [...e.childNodes].filter(n => !n.classList?.contains('sr-only'))"
                " .map(n => n.textContent).join('').trim()",
            )
            if cell["present"]:
                assert shown != "(missing)", td
            else:
                assert shown == "(missing)", td
    assert config["dropout"]["cells"][0]["present"] is False

    # Keyboard: Tab focus and Space flip the real checkbox.
    toggle.focus()
    page.page.keyboard.press("Space")
    assert not toggle.is_checked()
    assert visible_rows(page, "#config-table") == list(config)
    assert page.page.locator('#config-table tr[data-key="epochs"]').is_visible()
    assert "Showing all 5 keys; 4 differ." in page.page.locator("#config-count").inner_text()
    page.page.keyboard.press("Space")
    assert toggle.is_checked()
    assert visible_rows(page, "#config-table") == differing
    # A click works too.
    page.page.get_by_label("Show only differences in the training configuration").click()
    assert visible_rows(page, "#config-table") == list(config)

    # Metadata rows: highlighted exactly where compareModels says they differ.
    meta_differs = [r["key"] for r in data["metadata"] if r["differs"]]
    assert texts(page, "#metadata-table tbody tr.differs", "data-key") == meta_differs
    assert "raw_quality_score" in meta_differs and "family" not in meta_differs
    page.assert_clean()


def test_compare_training_data_groups_match_the_data(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    data = compare_data(live_server, built.abc)["trainingData"]
    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    inputs = "#inputs"

    shared = texts(page, f'{inputs} [data-group="shared"] li', "data-dataset-id")
    assert shared == [d["id"] for d in data["sharedSameVersion"]] == ["pt-shared-v1"]

    splits = data["sameLineageDifferentVersions"]
    assert [s["lineageId"] for s in splits] == ["pt-atlas"]
    assert texts(page, f'{inputs} [data-group="split"] tbody tr', "data-lineage-id") == [
        s["lineageId"] for s in splits
    ]
    for split in splits:
        tr = f'{inputs} [data-group="split"] tr[data-lineage-id="{split["lineageId"]}"]'
        for model_id in built.abc:
            used = [u["dataset"]["id"] for u in split["uses"] if u["modelId"] == model_id]
            cell = f'{tr} td[data-model-id="{model_id}"]'
            assert texts(page, f"{cell} [data-dataset-id]", "data-dataset-id") == used
            if not used:
                assert page.page.locator(cell).inner_text() == "not used"
    shown_split = page.page.locator(f'{inputs} [data-group="split"] tbody').inner_text()
    assert "@1" in shown_split and "@2" in shown_split

    for unique in data["uniqueToModel"]:
        group = f'{inputs} [data-group="unique"] [data-model-id="{unique["modelId"]}"]'
        assert texts(page, f"{group} li", "data-dataset-id") == [
            d["id"] for d in unique["datasets"]
        ]
        if not unique["datasets"]:
            none = page.page.locator(f'{inputs} [data-group="unique"] .none-list')
            assert none.locator(f'[data-model-id="{unique["modelId"]}"]').count() == 1
            assert none.inner_text().startswith("None for ")
    assert {u["modelId"]: [d["id"] for d in u["datasets"]] for u in data["uniqueToModel"]} == {
        built.a: [],
        built.b: [],
        built.c: ["pt-only-c-v1"],
    }
    page.assert_clean()


def test_compare_permalink_and_exports(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    # Lineage ids resolve to the latest versions; the permalink pins them.
    ids = ["pt-model-a", "pt-model-b"]
    data = compare_data(live_server, ids)
    page.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.origin)
    open_page(page, "/models/compare?ids=" + ",".join(ids))
    pinned = page.origin + "/models/compare?ids=pt-model-a-v1,pt-model-b-v1"
    assert page.page.locator("#permalink").input_value() == pinned
    assert "Asked for the lineage" in page.page.locator("#models").inner_text()
    page.page.click("#copy-link")
    page.page.wait_for_function("() => document.querySelector('#export-status').textContent !== ''")
    assert page.page.locator("#export-status").inner_text() == "Link copied."
    assert page.page.evaluate("navigator.clipboard.readText()") == pinned

    # JSON: the raw compareModels result.
    with page.page.expect_download() as download_info:
        page.page.click("#download-json")
    download = download_info.value
    assert download.suggested_filename == "comparison-2-models.json"
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    for key in ("metrics", "metadata", "trainingConfig"):
        assert within(data[key], exported[key]), key
    assert [m["id"] for m in exported["models"]] == [m["id"] for m in data["models"]]
    for mine, theirs in zip(
        exported["provenance"]["dags"], data["provenance"]["dags"], strict=True
    ):
        assert mine["modelId"] == theirs["modelId"]
        assert mine["edges"] == theirs["edges"]
        assert [n["id"] for n in mine["nodes"]] == [n["id"] for n in theirs["nodes"]]

    # CSV: tidy, one line per (section, key, model); metrics carry value, delta and best.
    with page.page.expect_download() as download_info:
        page.page.click("#download-csv")
    lines = list(
        csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8")))
    )
    assert list(lines[0]) == [
        "section",
        "key",
        "model_id",
        "present",
        "value",
        "stderr",
        "lower",
        "upper",
        "delta",
        "relative_delta",
        "best",
        "within_uncertainty",
        "capped",
        "baseline",
        "verdict",
        "better",
        "differs",
        "differs_from_baseline",
        "sharing",
    ]
    metric_lines = [line for line in lines if line["section"] == "metric"]
    expected = [(row, cell) for row in data["metrics"] for cell in row["cells"]]
    assert len(metric_lines) == len(expected)
    for line, (row, cell) in zip(metric_lines, expected, strict=True):
        assert (line["key"], line["model_id"]) == (row["name"], cell["modelId"])
        assert line["best"] == str(cell["best"]).lower()
        assert line["better"] == row["better"].lower()
        if cell["value"] is None:
            assert line["value"] == "" and line["present"] == "false"
        else:
            assert float(line["value"]) == cell["value"]
    config_lines = [line for line in lines if line["section"] == "training_config"]
    assert len(config_lines) == sum(len(r["cells"]) for r in data["trainingConfig"])
    missing = [line for line in config_lines if line["present"] == "false"]
    assert [(m["key"], m["model_id"]) for m in missing] == [
        (r["key"], c["modelId"])
        for r in data["trainingConfig"]
        for c in r["cells"]
        if not c["present"]
    ]
    warned = any(m["provenance"]["warnings"] for m in data["models"])
    assert {line["section"] for line in lines} == {
        "metric",
        "training_config",
        "metadata",
        "training_data",
        "provenance",
    } | ({"provenance_warning"} if warned else set())
    page.assert_clean()


# --------------------------------------------------------------------------- compare errors


def test_compare_with_fewer_than_two_ids_explains(page: WatchedPage, built: Built) -> None:
    open_page(page, "/models/compare?ids=one")
    error = page.page.locator("#error")
    assert error.is_visible()
    shown = error.inner_text()
    assert "Choose at least two models to compare" in shown
    assert "Only one model was given: one" in shown
    assert error.locator('a[href="/models"]').count() == 1
    assert page.page.locator("#content").is_hidden()
    assert not any(r.endswith("/graphql") for r in page.requests), "nothing to ask the API"
    assert page.page.locator("#ids-input").input_value() == "one"

    open_page(page, "/models/compare")
    assert "No model ids were given" in page.page.locator("#error").inner_text()

    open_page(page, "/models/compare?ids=" + ",".join(f"m{i}" for i in range(11)))
    assert "Compare at most 10 models at once; 11 were given" in page.page.inner_text("#error")
    page.assert_clean()


def test_compare_with_an_unknown_id_names_it(page: WatchedPage, built: Built) -> None:
    open_page(page, f"/models/compare?ids={built.a},no-such-model")
    error = page.page.locator("#error")
    assert error.is_visible()
    assert "Unknown model id" in error.inner_text()
    assert texts(page, "#error code.missing-id") == ["no-such-model"]
    assert page.page.locator("#content").is_hidden()

    open_page(page, f"/models/compare?ids={built.a},{built.b},no-such-model")
    link = page.page.locator("#error a", has_text="Compare the 2 that exist")
    assert link.get_attribute("href") == f"/models/compare?ids={built.a},{built.b}"
    page.assert_clean()


def test_compare_server_error_shows_a_message(page: WatchedPage, built: Built) -> None:
    page.page.route(
        "**/graphql",
        lambda route: route.fulfill(
            status=500, content_type="text/plain", body="Internal Server Error"
        ),
    )
    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    error = page.page.locator("#error")
    assert error.is_visible()
    shown = error.inner_text()
    assert "The server could not answer" in shown
    assert "HTTP 500" in shown
    assert error.get_by_role("button", name="Try again").count() == 1
    assert page.page.locator("#content").is_hidden()
    save_screenshot(page, "compare-server-error.png")
    # The only problems are the 500 itself and Chromium's note about it.
    assert page.failed == [f"POST {page.origin}/graphql: HTTP 500"]
    assert all("500" in message for message in page.console_errors)
    assert not page.foreign and not page.page_errors
