"""Data and helpers shared by the browser tests of the compare page.

The demo catalog gives the comparisons of 2, 5 and 10 models; the ``metric_models`` fixture
registers, through the GraphQL API, three models whose metrics carry standard errors and
intervals, a baseline value of 0 and a capped leader (prefix ``cv-``). Every assertion about
what the page shows is checked against what ``compareModels`` answers for the same question.

Import the fixture into a test module as ``metric_models_fixture``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.browser import LiveServer, WatchedPage
from tests.pages_helpers import TIMEOUT_MS, graphql, write_token

TWO = ["model-biophys-microglia-v2", "model-biophys-microglia-v3"]
FIVE = [
    "model-gwas-susie-finemap-v1",
    "model-gwas-susie-finemap-v2",
    "model-gwas-susie-finemap-v3",
    "model-biophys-microglia-v1",
    "model-biophys-microglia-v3",
]
TEN = [
    "model-biophys-microglia-v1",
    "model-biophys-microglia-v2",
    "model-biophys-microglia-v3",
    "model-celltype-classifier-v1",
    "model-celltype-classifier-v2",
    "model-celltype-classifier-v3",
    "model-celltype-classifier-v4",
    "model-celltype-classifier-distilled-v1",
    "model-cytokine-hill-v1",
    "model-gwas-susie-finemap-v1",
]
SETS = {2: TWO, 5: FIVE, 10: TEN}

DATASET = "id lineageId versionNumber title"
FULL = f"""
query($ids: [ID!]!, $baseline: ID) {{
  compareModels(ids: $ids, baseline: $baseline) {{
    baselineModelId
    duplicates {{ id modelId }}
    models {{
      id lineageId versionNumber title provenance {{ complete warnings {{ code message }} }}
    }}
    metrics {{
      name better verdict bestModelIds leaderModelIds overlappingModelIds reportedCount
      cells {{ modelId value stderr lower upper delta relativeDelta best withinUncertainty
               capped baseline }}
    }}
    metadata {{ key differs cells {{ modelId present value differsFromBaseline }} }}
    trainingConfig {{ key differs cells {{ modelId present value differsFromBaseline }} }}
    trainingData {{
      sharedSameVersion {{ {DATASET} }}
      sharedBySome {{ dataset {{ {DATASET} }} modelIds sharing }}
      sameLineageDifferentVersions {{ lineageId uses {{ modelId dataset {{ {DATASET} }} }} }}
      uniqueToModel {{ modelId datasets {{ {DATASET} }} }}
      datasets {{ dataset {{ {DATASET} }} modelIds sharing }}
      similarity {{ modelIds versions {{ shared union value }} lineages {{ shared union value }} }}
    }}
    provenance {{
      ancestors {{ id modelIds sharing }}
      merged {{ nodes {{ id compared sharing modelIds }} edges {{ source target type }} }}
    }}
  }}
}}
"""


def full_compare(server: LiveServer, ids: list[str], baseline: str | None = None) -> dict[str, Any]:
    """compareModels with every field the page reads."""
    result = graphql(server, FULL, {"ids": ids, "baseline": baseline})["compareModels"]
    assert isinstance(result, dict)
    return result


def compare_error(server: LiveServer, ids: list[str]) -> dict[str, Any]:
    """The first GraphQL error compareModels answers for ``ids`` (it must fail)."""
    response = httpx.post(
        server.url + "/graphql",
        json={"query": FULL, "variables": {"ids": ids}},
        timeout=30,
    )
    body = response.json()
    assert body.get("errors"), body
    error = body["errors"][0]
    assert isinstance(error, dict)
    return error


def open_compare(page: WatchedPage, query: str, *, width: int | None = None) -> None:
    """Open /models/compare?<query> (at ``width`` px) and wait until it is ready or failed."""
    if width is not None:
        page.page.set_viewport_size({"width": width, "height": 900})
    page.goto("/models/compare?" + query)
    page.page.wait_for_selector("body[data-state]", state="attached", timeout=TIMEOUT_MS)
    if page.page.get_attribute("body", "data-state") == "ready":
        wait_charts(page)


def wait_charts(page: WatchedPage) -> None:
    """Every chart in a shown section has drawn (charts draw once their box has a size)."""
    page.page.wait_for_function(
        """() => [...document.querySelectorAll('.chart')]
            .filter((c) => c.offsetParent !== null)
            .every((c) => c.dataset.chartState === 'drawn')""",
        timeout=TIMEOUT_MS,
    )


def wait_ready_with_baseline(page: WatchedPage, model_id: str) -> None:
    page.page.wait_for_selector(
        f'body[data-state="ready"][data-baseline="{model_id}"]', timeout=TIMEOUT_MS
    )
    wait_charts(page)


def letters_of(ids: list[str], order: list[str]) -> list[str]:
    """The page's letters (A, B, ...) of ``ids`` given the compared models' ``order``."""
    return [chr(65 + order.index(i)) for i in ids]


@dataclass(frozen=True)
class MetricModels:
    """Ids of the models with uncertain metrics registered for a module."""

    a: str = "cv-model-a-v1"
    b: str = "cv-model-b-v1"
    c: str = "cv-model-c-v1"

    @property
    def abc(self) -> list[str]:
        return [self.a, self.b, self.c]


@pytest.fixture(scope="module", name="metric_models")
def metric_models_fixture(live_server: LiveServer) -> MetricModels:
    """A, B and C: auc within uncertainty (A vs B), rmse with a clear best, bias 0 in A (no
    relative delta against A), loss best in the capped C, and a metric only A reports."""
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

    # bias is better near 0 here: lower, for every model (its name alone says higher).
    graphql(
        live_server,
        'mutation { declareMetric(name: "bias", direction: LOWER) { name } }',
        {},
        token,
    )
    data = register("Dataset", {"lineageId": "cv-data", "title": "Readings with noise"})
    extra = register("Dataset", {"lineageId": "cv-extra", "title": "Extra readings"})
    fit = register(
        "Analysis", {"lineageId": "cv-fit", "title": "Fit with errors", "inputs": [data, extra]}
    )
    common = {"producedBy": fit, "family": "STATISTICAL"}
    register(
        "Model",
        {
            **common,
            "lineageId": "cv-model-a",
            "title": "Uncertain model A",
            "rawQualityScore": 0.8,
            "trainedOn": [data, extra],
            "evaluationMetrics": {
                "auc": {"value": 0.8, "stderr": 0.01},
                "rmse": 0.2,
                "bias": 0,
                "loss": 0.3,
                "only_a": 5,
            },
            "metricDirections": {"bias": "lower"},
            "trainingConfig": {"seed": 1, "lr": 0.1},
            "metadata": {"site": "north"},
        },
    )
    register(
        "Model",
        {
            **common,
            "lineageId": "cv-model-b",
            "title": "Uncertain model B",
            "rawQualityScore": 0.7,
            "trainedOn": [data],
            "evaluationMetrics": {
                "auc": {"value": 0.81, "stderr": 0.01},
                "rmse": 0.169,
                "bias": 0.5,
                "loss": 0.4,
            },
            "metricDirections": {"bias": "lower"},
            "trainingConfig": {"seed": 2, "lr": 0.1},
            "metadata": {"site": "south"},
        },
    )
    register(
        "Model",
        {
            **common,
            "lineageId": "cv-model-c",
            "title": "Uncertain model C, capped",
            "rawQualityScore": 0.9,
            # A lineage id floats: UNPINNED_INPUTS caps the score.
            "trainedOn": ["cv-data"],
            "evaluationMetrics": {
                "auc": {"value": 0.7, "lower": 0.69, "upper": 0.71},
                "rmse": 0.25,
                "bias": 0.25,
                "loss": 0.1,
            },
            "metricDirections": {"bias": "lower"},
            "trainingConfig": {"seed": 1, "lr": 0.1},
            "metadata": {"site": "north"},
        },
    )
    return MetricModels()
