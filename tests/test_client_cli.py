"""The ``model-registry`` console script, as installed, against a served registry."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from model_registry_client import Registry

from tests.client_chain import Chain, register_chain, register_model
from tests.client_server import Served, serving
from tests.factories import make_token

pytestmark = pytest.mark.process

SCRIPT = Path(sys.executable).parent / "model-registry"


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(pg_dsn, tmp_path_factory.mktemp("cli") / "app.log") as served:
        yield served


@pytest.fixture
async def chain(server: Served, conn: asyncpg.Connection) -> AsyncIterator[Chain]:
    with Registry(server.url, await make_token(conn, "write")) as registry:
        chain = register_chain(registry)
        for n in range(1, 6):
            register_model(registry, chain, f"model-{n}", {"rmse": n / 10})
        yield chain


async def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODEL_REGISTRY_")}
    return await asyncio.to_thread(
        subprocess.run,
        [str(SCRIPT), *args],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def output(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_models_list_prints_the_filtered_sorted_page_as_json(
    server: Served, chain: Chain
) -> None:
    done = await cli(
        "models",
        "list",
        "--filter",
        "metrics.rmse < 0.45",
        "--sort",
        "metric:rmse",
        "--limit",
        "3",
        "--url",
        server.url,
    )
    listed = output(done)
    assert [m["id"] for m in listed["models"]] == ["model-1-v1", "model-2-v1", "model-3-v1"]
    assert listed["total"] == 4 and listed["next_cursor"]
    assert listed["models"][0]["evaluation_metrics"]["rmse"] == 0.1
    # The URL from the environment; worst first.
    worst = output(
        await cli("models", "list", "--sort", "metric:rmse:desc", MODEL_REGISTRY_URL=server.url)
    )
    assert [m["id"] for m in worst["models"]] == [f"model-{n}-v1" for n in range(5, 0, -1)]
    assert worst["next_cursor"] is None


async def test_compare_and_lineage_print_json(server: Served, chain: Chain) -> None:
    compared = output(await cli("compare", "model-1", "model-2-v1", "--url", server.url))
    assert [m["id"] for m in compared["models"]] == ["model-1-v1", "model-2-v1"]
    rmse = next(m for m in compared["metrics"] if m["name"] == "rmse")
    assert rmse["bestModelIds"] == ["model-1-v1"]
    assert compared["url"] == f"{server.url}/models/compare?ids=model-1,model-2-v1"

    graph = output(await cli("lineage", "model-1-v1", "--max-depth", "1", "--url", server.url))
    assert graph["root"]["id"] == "model-1-v1"
    assert {n["artifact"]["id"] for n in graph["nodes"]} == {
        "model-1-v1",
        chain.dataset["id"],
        chain.analysis["id"],
        chain.hypothesis["id"],
    }
    down = output(
        await cli("lineage", chain.dataset["id"], "--direction", "downstream", "--url", server.url)
    )
    assert {f"model-{n}-v1" for n in range(1, 6)} <= {n["artifact"]["id"] for n in down["nodes"]}


async def test_refusals_print_the_registry_error_as_json_and_exit_1(
    server: Served, chain: Chain
) -> None:
    missing = await cli("lineage", "model-none", "--url", server.url)
    assert missing.returncode == 1 and missing.stdout == ""
    assert json.loads(missing.stderr)["error"]["code"] == "NOT_FOUND"
    bad = await cli("models", "list", "--filter", "metrics.rmse <", "--url", server.url)
    error = json.loads(bad.stderr)["error"]
    assert bad.returncode == 1 and error["code"] == "BAD_FILTER" and error["parameter"] == "filter"
    too_few = await cli("compare", "model-1", "--url", server.url)
    assert (
        too_few.returncode == 1 and json.loads(too_few.stderr)["error"]["code"] == "BAD_USER_INPUT"
    )
    nowhere = await cli("models", "list")
    assert nowhere.returncode == 2 and "MODEL_REGISTRY_URL" in nowhere.stderr
    bad_sort = await cli("models", "list", "--sort", "speed", "--url", server.url)
    assert bad_sort.returncode == 2 and "sort by one of" in bad_sort.stderr
