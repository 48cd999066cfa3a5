"""Data and helpers shared by the browser tests of the home, catalog, compare and model pages.

Each page test module runs its own live server (module scope), holding the demo catalog plus a
small catalog that the ``built`` fixture registers through the GraphQL API with a write token
from the CLI (prefix ``pt-``). Every assertion about what a page shows is checked against what
``/graphql`` answers for the same question.

Import the ``built`` fixture into a test module as ``built_fixture`` (pytest registers it under
the name ``built``), next to the fixtures of :mod:`tests.browser`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.settings import PROJECT_ROOT
from tests.browser import SERVER_ENV_DROP, LiveServer, WatchedPage

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


def write_token(server: LiveServer, name: str = "pages-test") -> str:
    """`python -m app tokens create --scope write` against the live server's data folder
    (token names are unique: one name per fixture)."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROP}
    env["REGISTRY_DATA_DIR"] = str(server.data_dir)
    command = ["tokens", "create", "--scope", "write", "--name", name]
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


@pytest.fixture(scope="module", name="built")
def built_fixture(live_server: LiveServer) -> Built:
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
