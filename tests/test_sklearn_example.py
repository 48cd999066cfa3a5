"""examples/sklearn_pipeline.py run as a pipeline would run it, against a served registry."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from types import ModuleType

import asyncpg
import httpx
import numpy as np
import pytest
from model_registry_client import Registry
from sklearn.datasets import load_diabetes

from app.settings import PROJECT_ROOT
from tests.client_server import Served, serving
from tests.factories import make_token

pytestmark = pytest.mark.process

EXAMPLE = PROJECT_ROOT / "examples" / "sklearn_pipeline.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sklearn_pipeline", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


async def run_example(server: Served, token: str, mode: str) -> subprocess.CompletedProcess[str]:
    """The example as a pipeline runs it: its own process, the token from the environment."""
    env = dict(os.environ, MODEL_REGISTRY_TOKEN=token)
    env.pop("MODEL_REGISTRY_URL", None)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(EXAMPLE), "--url", server.url, "--mode", mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(pg_dsn, tmp_path_factory.mktemp("sklearn") / "app.log") as served:
        yield served


@pytest.fixture
async def token(server: Served, conn: asyncpg.Connection) -> AsyncIterator[str]:
    yield await make_token(conn, "write")


async def test_the_example_registers_its_run_with_complete_provenance(
    server: Served, token: str
) -> None:
    done = await run_example(server, token, "client")
    expected = load_example().train()  # the same numbers: every random_state is fixed

    data = load_diabetes()
    raw = np.asarray(data.data, "<f8").tobytes() + np.asarray(data.target, "<f8").tobytes()
    assert expected.digest == "sha256:" + hashlib.sha256(raw).hexdigest()
    ids = [f"{m.lineage_id}-v1" for m in expected.models]
    assert done.stdout.strip() == f"{server.url}/models/compare?ids={','.join(ids)}"

    with Registry(server.url) as registry:
        dataset = registry.dataset("dataset-sklearn-diabetes")
        assert dataset is not None and dataset["id"] == "dataset-sklearn-diabetes-v1"
        assert (dataset["digest"], dataset["sizeBytes"]) == (
            expected.digest,
            len(raw) == 442 * 11 * 8 and len(raw),
        )
        assert dataset["metadata"]["rows"] == 442
        hypothesis = registry.hypothesis("hypothesis-diabetes-tree-ensembles")
        analysis = registry.analysis("analysis-diabetes-regression")
        assert hypothesis is not None and analysis is not None
        assert [(i["pinned"], i["artifact"]["id"]) for i in analysis["inputs"]] == [  # type: ignore[index]
            (True, dataset["id"])
        ]
        assert analysis["addresses"] == [{"id": hypothesis["id"]}]
        assert analysis["metadata"]["test_rows"] == 111

        for trained, model_id in zip(expected.models, ids, strict=True):
            model = registry.model(model_id)
            assert model is not None, model_id
            assert model["evaluationMetricsJson"] == trained.metrics
            assert model["provenance"] == {"complete": True, "warnings": []}
            assert model["qualityScore"] == model["rawQualityScore"] == trained.raw_quality_score
            assert (model["architecture"], model["parameterCount"]) == (
                trained.architecture,
                trained.parameter_count,
            )
            assert model["trainingConfig"] == trained.training_config
            assert {
                (link["type"], link["artifact"]["id"], link["pinned"])  # type: ignore[index]
                for link in model["links"]
            } == {
                ("TRAINED_ON", dataset["id"], True),
                ("PRODUCED_BY", analysis["id"], True),
                ("TESTS_HYPOTHESIS", hypothesis["id"], True),
            }
        assert [m.architecture for m in expected.models] == [
            "Ridge",
            "RandomForestRegressor",
            "GradientBoostingRegressor",
        ]
        assert expected.models[0].parameter_count == 11  # ten coefficients and the intercept

        comparison = registry.compare_models(ids)
        rmse = next(m for m in comparison["metrics"] if m["name"] == "rmse")
        best = min(expected.models, key=lambda m: m.metrics["rmse"])
        assert rmse["leaderModelIds"] == [f"{best.lineage_id}-v1"]
        assert [s["sharing"] for s in comparison["trainingData"]["datasets"]] == ["ALL"]

    async with httpx.AsyncClient(trust_env=False) as http:
        page = await http.get(done.stdout.strip())
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


async def test_the_example_sends_the_same_run_as_openlineage_events(
    server: Served, token: str
) -> None:
    done = await run_example(server, token, "openlineage")
    expected = load_example().train()
    compare = done.stdout.strip()
    assert compare.startswith(f"{server.url}/models/compare?ids=")
    ids = compare.split("ids=", 1)[1].split(",")
    assert len(ids) == 3

    with Registry(server.url) as registry:
        datasets = registry.list_datasets({"text": "load_diabetes"})["items"]
        assert len(datasets) == 1  # the input, named by OpenLineage (namespace, name)
        dataset = datasets[0]
        assert dataset["metadata"]["openlineage"]["name"] == "load_diabetes"
        hypothesis = registry.hypothesis("hypothesis-diabetes-tree-ensembles")
        assert hypothesis is not None
        by_title = {}
        for model_id in ids:
            model = registry.model(model_id)
            assert model is not None
            by_title[model["title"]] = model
        for trained in expected.models:
            model = by_title[trained.title]
            assert model["evaluationMetricsJson"] == trained.metrics
            assert model["rawQualityScore"] == trained.raw_quality_score
            assert model["provenance"] == {"complete": True, "warnings": []}
            links = {
                (link["type"], link["pinned"]): link["artifact"]["id"]  # type: ignore[index]
                for link in model["links"]
            }
            assert links[("TRAINED_ON", True)] == dataset["id"]
            assert links[("TESTS_HYPOTHESIS", True)] == hypothesis["id"]
            analysis = registry.analysis(links[("PRODUCED_BY", True)])
            assert analysis is not None
            # The run's analysis version pins the exact input version and addresses the
            # hypothesis the job facet named.
            assert [(i["pinned"], i["artifact"]["id"]) for i in analysis["inputs"]] == [  # type: ignore[index]
                (True, dataset["id"])
            ]
            assert analysis["addresses"] == [{"id": hypothesis["id"]}]
