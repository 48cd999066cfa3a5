"""The home, catalog, compare and model pages in headless Chromium, on data built for the test.

The module's live server holds the demo catalog plus a small catalog registered here through
the GraphQL API with a write token from the CLI (prefix ``pt-``). Every assertion about what a
page shows is checked against what ``/graphql`` answers for the same question.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import PROJECT_ROOT
from tests.browser import (  # noqa: F401 (fixtures)
    SERVER_ENV_DROP,
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
BULK = 48  # datasets of the large model: with the model and its analysis, a 50-node DAG

COMPARE = """
query($ids: [ID!]!) {
  compareModels(ids: $ids) {
    models { id lineageId versionNumber title family qualityScore rawQualityScore
             provenance { complete warnings { code message } } }
    metrics { name better bestModelIds cells { modelId value delta best } }
    metadata { key differs cells { modelId present value } }
    trainingConfig { key differs cells { modelId present value } }
    trainingData {
      sharedSameVersion { id }
      sameLineageDifferentVersions { lineageId uses { modelId dataset { id } } }
      uniqueToModel { modelId datasets { id } }
    }
    provenance {
      dags {
        modelId
        nodes { id sharedByAll artifact { id kind lineageId versionNumber title } }
        edges { source target type pinned }
      }
      sharedAncestorIds
    }
  }
}
"""

MODELS = """
query($filter: ModelFilter, $sort: ModelSort, $limit: Int!, $offset: Int!) {
  models(filter: $filter, sort: $sort, limit: $limit, offset: $offset) {
    total
    items { id family qualityScore provenance { complete } }
  }
}
"""

# --------------------------------------------------------------------------- data for the test


def graphql(
    server: LiveServer, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    """POST /graphql like the pages do; fail on any error."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        server.url + "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data = body["data"]
    assert isinstance(data, dict)
    return data


def write_token(server: LiveServer) -> str:
    """`python -m app tokens create --scope write` against the live server's data folder."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROP}
    env["REGISTRY_DATA_DIR"] = str(server.data_dir)
    command = ["tokens", "create", "--scope", "write", "--name", "pages-test"]
    done = subprocess.run(
        [sys.executable, "-m", "app", *command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[0]


@dataclass(frozen=True)
class Built:
    """Ids of the catalog registered for this module."""

    a: str = "pt-model-a-v1"
    b: str = "pt-model-b-v1"
    c: str = "pt-model-c-v1"
    big: str = "pt-model-big-v1"

    @property
    def abc(self) -> list[str]:
        return [self.a, self.b, self.c]


@pytest.fixture(scope="module")
def built(live_server: LiveServer) -> Built:
    """Three comparable models (one capped) and one with a 50-node provenance graph."""
    token = write_token(live_server)

    def register(kind: str, payload: dict[str, Any]) -> str:
        field = f"register{kind}"
        data = graphql(
            live_server,
            f"mutation($input: Register{kind}Input!) {{ {field}(input: $input) {{ id }} }}",
            {"input": payload},
            token,
        )
        return str(data[field]["id"])

    def dataset(lineage: str, title: str) -> str:
        return register("Dataset", {"lineageId": lineage, "title": title})

    shared = dataset("pt-shared", "Shared reference panel")
    atlas1 = dataset("pt-atlas", "Test atlas")
    atlas2 = dataset("pt-atlas", "Test atlas (re-annotated)")
    dataset("pt-only-c", "Data only model C uses")
    hyp = register("Hypothesis", {"lineageId": "pt-hyp", "title": "A hypothesis for the test"})
    fit = register(
        "Analysis",
        {
            "lineageId": "pt-fit",
            "title": "Fit for the test",
            "inputs": [shared, atlas1],
            "addresses": [hyp],
        },
    )
    common = {"producedBy": fit, "testsHypotheses": [hyp], "family": "DEEP_LEARNING"}
    register(
        "Model",
        {
            **common,
            "lineageId": "pt-model-a",
            "title": "Test model A",
            "rawQualityScore": 0.8,
            "trainedOn": [shared, atlas1],
            "evaluationMetrics": {"auc": 0.9, "rmse": 0.2, "loss": 0.5},
            "trainingConfig": {"optimizer": {"name": "adam", "lr": 0.001}, "epochs": 10, "seed": 1},
        },
    )
    register(
        "Model",
        {
            **common,
            "lineageId": "pt-model-b",
            "title": "Test model B",
            "rawQualityScore": 0.85,
            "trainedOn": [shared, atlas2],
            "evaluationMetrics": {"auc": 0.92, "rmse": 0.25},
            "trainingConfig": {"optimizer": {"name": "adam", "lr": 0.01}, "epochs": 10},
            "metadata": {"note": "b"},
        },
    )
    register(
        "Model",
        {
            **common,
            "lineageId": "pt-model-c",
            "title": "Test model C",
            "rawQualityScore": 0.9,
            # A lineage id floats: UNPINNED_INPUTS caps the score at 0.3.
            "trainedOn": [shared, "pt-only-c"],
            "evaluationMetrics": {"auc": 0.92, "rmse": 0.3, "loss": 0.4},
            "trainingConfig": {
                "optimizer": {"name": "sgd", "lr": 0.001},
                "epochs": 10,
                "seed": 1,
                "dropout": 0.1,
            },
        },
    )
    bulk = [dataset(f"pt-bulk-{i:02d}", f"Bulk recording {i}") for i in range(BULK)]
    bulk_fit = register(
        "Analysis", {"lineageId": "pt-bulk-fit", "title": "Fit on every recording", "inputs": bulk}
    )
    register(
        "Model",
        {
            "lineageId": "pt-model-big",
            "title": "Test model trained on 48 recordings",
            "family": "STATISTICAL",
            "rawQualityScore": 0.6,
            "trainedOn": bulk,
            "producedBy": bulk_fit,
            "evaluationMetrics": {"auc": 0.7},
        },
    )
    return Built()


def compare_data(server: LiveServer, ids: list[str]) -> dict[str, Any]:
    result = graphql(server, COMPARE, {"ids": ids})["compareModels"]
    assert isinstance(result, dict)
    return result


# --------------------------------------------------------------------------- page helpers


def open_page(page: WatchedPage, path: str) -> None:
    """Open a page and wait until its script has rendered data or an error."""
    page.goto(path)
    page.page.wait_for_selector("body[data-state]", state="attached", timeout=TIMEOUT_MS)


def texts(page: WatchedPage, selector: str, attribute: str | None = None) -> list[str]:
    """Inner texts (or an attribute) of every element matching ``selector``."""
    values = page.page.eval_on_selector_all(
        selector,
        "(els, attr) => els.map(e => attr ? e.getAttribute(attr) : e.innerText.trim())",
        attribute,
    )
    assert isinstance(values, list)
    return [str(v) for v in values]


def visible_rows(page: WatchedPage, table: str) -> list[str]:
    return texts(page, f"{table} tbody tr:not([hidden])", "data-key")


def catalog_rows(page: WatchedPage) -> list[str]:
    return texts(page, "#models-table tbody tr", "data-model-id")


def wait_catalog(page: WatchedPage) -> None:
    page.page.wait_for_function(
        "() => !document.querySelector('#models-table').hasAttribute('aria-busy')"
        " && !document.querySelector('#result-summary').textContent.startsWith('Loading')",
        timeout=TIMEOUT_MS,
    )


def api_page(server: LiveServer, **kw: Any) -> dict[str, Any]:
    variables = {"filter": None, "sort": None, "limit": 20, "offset": 0} | kw
    page = graphql(server, MODELS, variables)["models"]
    assert isinstance(page, dict)
    return page


def hex_to_rgb(color: str) -> str:
    n = int(color.lstrip("#"), 16)
    return f"rgb({n >> 16 & 255}, {n >> 8 & 255}, {n & 255})"


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


# --------------------------------------------------------------------------- compare page


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
        # A dot chart per metric, one dot group per distinct value shown.
        assert page.page.locator(f"{tr} svg.dotplot circle").count() >= 1
    loss_b = page.page.locator(
        f'#metrics-table tr[data-metric="loss"] td[data-model-id="{built.b}"]'
    )
    assert "—" in loss_b.inner_text()
    rmse_b = page.page.locator(
        f'#metrics-table tr[data-metric="rmse"] td[data-model-id="{built.b}"]'
    )
    assert "+0.05 vs A" in rmse_b.inner_text()

    # Semantic tables: captions and scoped header cells.
    # (The metrics table has one more column: the dot chart.)
    for table, extra in (("#metrics-table", 1), ("#config-table", 0), ("#metadata-table", 0)):
        assert page.page.locator(f"{table} caption").count() == 1
        heads = page.page.locator(f"{table} thead th[scope=col]").count()
        assert heads == 1 + len(built.abc) + extra
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
    assert page.page.get_by_label("Show only differences").count() == 1

    # Highlighted rows are exactly the differing ones; with the toggle on only they show.
    assert texts(page, "#config-table tbody tr", "data-key") == list(config)
    assert texts(page, "#config-table tbody tr.differs", "data-key") == differing
    assert visible_rows(page, "#config-table") == differing
    assert not page.page.locator('#config-table tr[data-key="epochs"]').is_visible()

    # Missing keys are shown as such, exactly where the model lacks the key.
    for row in data["trainingConfig"]:
        for cell in row["cells"]:
            td = f'#config-table tr[data-key="{row["key"]}"] td[data-model-id="{cell["modelId"]}"]'
            shown = page.page.eval_on_selector(td, "e => e.textContent.trim()")
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
    page.page.get_by_label("Show only differences").click()
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
            assert "none" in page.page.locator(group).inner_text()
    assert {u["modelId"]: [d["id"] for d in u["datasets"]] for u in data["uniqueToModel"]} == {
        built.a: [],
        built.b: [],
        built.c: ["pt-only-c-v1"],
    }
    page.assert_clean()


DAG_GEOMETRY = """(svg) => {
  const boxes = {};
  for (const g of svg.querySelectorAll('g.node')) {
    const r = g.querySelector('rect.box').getBoundingClientRect();
    boxes[g.dataset.id] = [r.left, r.top, r.right, r.bottom];
  }
  const edges = [...svg.querySelectorAll('path.edge')].map((p) => {
    const m = p.getScreenCTM();
    const first = p.getPointAtLength(0).matrixTransform(m);
    const last = p.getPointAtLength(p.getTotalLength()).matrixTransform(m);
    return { source: p.dataset.source, target: p.dataset.target, type: p.dataset.type,
             floating: p.classList.contains('floating'),
             start: [first.x, first.y], end: [last.x, last.y] };
  });
  const nodes = [...svg.querySelectorAll('g.node')].map((g) => ({
    id: g.dataset.id, kind: g.dataset.kind, shared: !!g.querySelector('rect.shared-outline'),
    stroke: g.querySelector('rect.box').getAttribute('stroke'),
    label: g.querySelector('text.node-label').textContent,
    fontPx: g.querySelector('text.node-label').getBoundingClientRect().height,
  }));
  return { nodes, edges, boxes, label: svg.getAttribute('aria-label') };
}"""


def touches(point: list[float], box: list[float], slack: float = 3.0) -> bool:
    x, y = point
    left, top, right, bottom = box
    return left - slack <= x <= right + slack and top - slack <= y <= bottom + slack


def drawn_dags(page: WatchedPage) -> dict[str, dict[str, Any]]:
    found = {}
    for handle in page.page.query_selector_all("svg.dag-svg"):
        model_id = handle.get_attribute("data-model-id")
        assert model_id
        found[model_id] = handle.evaluate(DAG_GEOMETRY)
    return found


def assert_dags_match(page: WatchedPage, data: dict[str, Any]) -> None:
    """Nodes and edges drawn equal compareModels' DAGs; every edge joins two drawn nodes."""
    drawn = drawn_dags(page)
    dags = data["provenance"]["dags"]
    assert list(drawn) == [d["modelId"] for d in dags]
    for dag in dags:
        shown = drawn[dag["modelId"]]
        assert shown["label"] and dag["modelId"] in shown["label"], "aria-label on the SVG"
        assert len(shown["nodes"]) == len(dag["nodes"])
        assert len(shown["edges"]) == len(dag["edges"])
        assert sorted(n["id"] for n in shown["nodes"]) == sorted(n["id"] for n in dag["nodes"])
        by_id = {n["id"]: n for n in dag["nodes"]}
        for node in shown["nodes"]:
            artifact = by_id[node["id"]]["artifact"]
            assert node["label"] == f"{artifact['lineageId']} @{artifact['versionNumber']}"
            assert node["kind"] == artifact["kind"]
            assert node["shared"] == by_id[node["id"]]["sharedByAll"], node["id"]
        assert Counter((e["source"], e["target"], e["type"]) for e in shown["edges"]) == Counter(
            (e["source"], e["target"], e["type"]) for e in dag["edges"]
        )
        assert sum(e["floating"] for e in shown["edges"]) == sum(
            not e["pinned"] for e in dag["edges"]
        )
        for edge in shown["edges"]:
            # Drawn from the dependency (left) to the dependent: it starts on the target's box
            # and ends on the source's box.
            assert touches(edge["start"], shown["boxes"][edge["target"]]), edge
            assert touches(edge["end"], shown["boxes"][edge["source"]]), edge
        # Inputs on the left, the model on the right.
        model_box = shown["boxes"][dag["modelId"]]
        assert all(
            box[0] < model_box[0] for i, box in shown["boxes"].items() if i != dag["modelId"]
        )


def test_compare_dags_match_compare_models_and_show_node_details(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    data = compare_data(live_server, built.abc)
    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    assert_dags_match(page, data)
    assert set(data["provenance"]["sharedAncestorIds"]) == {
        "pt-shared-v1",
        "pt-atlas-v1",  # through the shared analysis's inputs
        "pt-fit-v1",
        "pt-hyp-v1",
    }

    # One fixed colour per kind, the same in every graph and in the legend.
    colours: dict[str, set[str]] = {}
    for dag in drawn_dags(page).values():
        for node in dag["nodes"]:
            colours.setdefault(node["kind"], set()).add(node["stroke"])
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)
    for kind, (colour,) in colours.items():
        legend = page.page.locator(f'.legend li[data-kind="{kind}"] .swatch')
        assert legend.evaluate("e => getComputedStyle(e).borderTopColor") == hex_to_rgb(colour)
    assert texts(page, ".legend li[data-kind]", "data-kind") == [
        "MODEL",
        "DATASET",
        "ANALYSIS",
        "HYPOTHESIS",
    ]

    # A click on a node shows its details; Enter on a focused node does too.
    figure = page.page.locator(f'figure.dag[data-model-id="{built.c}"]')
    figure.locator('g.node[data-id="pt-only-c-v1"]').click()
    details = figure.locator(".node-details")
    shown = details.inner_text()
    assert "Data only model C uses" in shown
    assert "pt-only-c-v1" in shown and "pt-only-c @1" in shown and "Dataset" in shown
    assert "(floating)" in shown, "model C floats to pt-only-c"
    assert details.locator('a[href="/models?dataset=pt-only-c-v1"]').count() == 1

    figure.locator('g.node[data-id="pt-hyp-v1"]').focus()
    page.page.keyboard.press("Enter")
    shown = details.inner_text()
    assert "A hypothesis for the test" in shown and "Hypothesis" in shown
    assert "yes, by every compared model" in shown
    figure.locator(f'g.node[data-id="{built.c}"]').focus()
    page.page.keyboard.press("Enter")
    assert details.locator(f'a[href="/models/{built.c}"]').count() == 1
    page.assert_clean()


def test_compare_large_dag_is_complete_and_readable(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    ids = [built.big, built.a]
    data = compare_data(live_server, ids)
    big = data["provenance"]["dags"][0]
    assert len(big["nodes"]) == BULK + 2 == 50
    assert len(big["edges"]) == 2 * BULK + 1

    open_page(page, "/models/compare?ids=" + ",".join(ids))
    assert_dags_match(page, data)
    shown = drawn_dags(page)[built.big]
    # Readable: labels at their full size (12px type), and no two nodes overlap.
    assert min(n["fontPx"] for n in shown["nodes"]) >= 11
    boxes = list(shown["boxes"].values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
            assert not overlap, (a, b)
    # The graph scrolls inside its box instead of stretching the page.
    scroll = page.page.locator(f'figure.dag[data-model-id="{built.big}"] .dag-scroll')
    assert scroll.evaluate("e => e.scrollHeight > e.clientHeight")
    assert page.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    figure = page.page.locator(f'figure.dag[data-model-id="{built.big}"]')
    assert "50 artifacts, 97 links" in figure.locator("figcaption").inner_text()
    figure.scroll_into_view_if_needed()
    save_screenshot(page, "compare-50-nodes.png")

    # Zoom out and back.
    svg = figure.locator("svg.dag-svg")
    width = float(svg.get_attribute("width") or 0)
    figure.get_by_role("button", name="Zoom out").click()
    assert float(svg.get_attribute("width") or 0) < width
    figure.get_by_role("button", name="100%").click()
    assert float(svg.get_attribute("width") or 0) == width
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
        assert exported[key] == data[key], key
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
        "delta",
        "best",
        "better",
        "differs",
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
    assert {line["section"] for line in lines} == {"metric", "training_config", "metadata"}
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


# --------------------------------------------------------------------------- catalog


def test_catalog_family_filter_is_in_the_url(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models")
    all_models = api_page(live_server, limit=20)
    assert catalog_rows(page) == [m["id"] for m in all_models["items"]]
    assert f"of {all_models['total']} models" in page.page.locator("#result-summary").inner_text()
    save_screenshot(page, "catalog.png", full_page=True)

    page.page.select_option("#f-family", "STATISTICAL")
    wait_catalog(page)
    assert page.page.url.endswith("/models?family=STATISTICAL")
    expected = api_page(live_server, filter={"family": "STATISTICAL"})
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    assert set(texts(page, "#models-table td[data-family]", "data-family")) == {"STATISTICAL"}
    summary = page.page.locator("#result-summary").inner_text()
    assert f"of {expected['total']} models · family: Statistical" in summary

    # The URL is shareable: opening it again restores the filter and the rows.
    open_page(page, "/models?family=STATISTICAL")
    assert page.page.locator("#f-family").input_value() == "STATISTICAL"
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    # Back goes to the unfiltered list.
    page.page.select_option("#f-family", "BIOPHYSICAL")
    wait_catalog(page)
    page.page.go_back()
    wait_catalog(page)
    assert page.page.locator("#f-family").input_value() == "STATISTICAL"
    assert catalog_rows(page) == [m["id"] for m in expected["items"]]
    page.assert_clean()


def test_catalog_sorting_matches_the_api(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models")
    page.page.select_option("#f-sort", "QUALITY_SCORE")
    wait_catalog(page)
    desc = api_page(live_server, sort={"field": "QUALITY_SCORE", "direction": "DESC"})
    assert catalog_rows(page) == [m["id"] for m in desc["items"]]
    page.page.select_option("#f-direction", "ASC")
    wait_catalog(page)
    asc = api_page(live_server, sort={"field": "QUALITY_SCORE", "direction": "ASC"})
    assert catalog_rows(page) == [m["id"] for m in asc["items"]]
    assert "sort=QUALITY_SCORE" in page.page.url and "direction=ASC" in page.page.url
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
    assert page.page.locator("svg.dag-svg").count() == 2
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
