"""The Python client against a registry served by a real process: every method round-trips."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from model_registry_client import (
    DatasetInput,
    GateMetric,
    Link,
    ModelInput,
    Registry,
    RegistryError,
)

from tests.client_chain import DIGEST, register_chain, register_model
from tests.client_server import Served, serving
from tests.factories import make_token

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(pg_dsn, tmp_path_factory.mktemp("client") / "app.log") as served:
        yield served


@pytest.fixture
async def registry(server: Served, conn: asyncpg.Connection) -> AsyncIterator[Registry]:
    with Registry(server.url, await make_token(conn, "admin")) as r:
        yield r


def test_url_and_token_come_from_the_environment(
    server: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODEL_REGISTRY_URL", server.url + "/")
    monkeypatch.setenv("MODEL_REGISTRY_TOKEN", "mreg_not-a-token")
    with Registry() as r:
        assert r.url == server.url
        with pytest.raises(RegistryError) as refused:
            r.model("model-x")  # a token given must be valid, even for reads
    assert (refused.value.code, refused.value.status) == ("UNAUTHENTICATED", 401)
    monkeypatch.delenv("MODEL_REGISTRY_URL")
    with pytest.raises(ValueError, match="MODEL_REGISTRY_URL"):
        Registry()
    with pytest.raises(ValueError, match="http:// or https://"):
        Registry(f"127.0.0.1:{server.port}")


async def test_each_kind_registers_and_reads_back(registry: Registry) -> None:
    chain = register_chain(registry)
    assert chain.dataset["id"] == "dataset-demo-v1"
    assert (chain.dataset["uri"], chain.dataset["digest"], chain.dataset["sizeBytes"]) == (
        "s3://bucket/data.parquet",
        DIGEST,
        1234,
    )
    assert chain.dataset["metadata"] == {"rows": 10}
    assert chain.analysis["inputs"] == [
        {
            "pinned": True,
            "pinnedVersion": 1,
            "artifact": {
                "id": "dataset-demo-v1",
                "lineageId": "dataset-demo",
                "kind": "DATASET",
                "versionNumber": 1,
            },
        }
    ]
    assert chain.analysis["addresses"] == [{"id": "hypothesis-demo-v1"}]
    model = register_model(
        registry,
        chain,
        "model-demo",
        {"rmse": 0.12, "r2": {"value": 0.8, "stderr": 0.01}},
        architecture="ridge",
        parameter_count=11,
        training_config={"alpha": 1.0},
        uri="file:///models/ridge.pkl",
        digest="sha256:" + "cd" * 32,
        size_bytes=2048,
    )
    assert model["id"] == "model-demo-v1"
    assert model["provenance"] == {"complete": True, "warnings": []}
    assert model["qualityScore"] == model["rawQualityScore"] == 0.8
    assert model["family"] == "STATISTICAL" and model["parameterCount"] == 11
    assert model["trainingConfig"] == {"alpha": 1.0}
    assert model["evaluationMetricsJson"]["rmse"] == 0.12
    r2 = next(m for m in model["evaluationMetrics"] if m["name"] == "r2")
    assert (r2["value"], r2["stderr"], r2["better"]) == (0.8, 0.01, "HIGHER")
    assert {(link["type"], link["artifact"]["id"], link["pinned"]) for link in model["links"]} == {
        ("TRAINED_ON", "dataset-demo-v1", True),
        ("PRODUCED_BY", "analysis-demo-v1", True),
        ("TESTS_HYPOTHESIS", "hypothesis-demo-v1", True),
    }
    assert model["digest"] == "sha256:" + "cd" * 32 and model["sizeBytes"] == 2048

    assert registry.model("model-demo") == model  # a lineage id reads the latest version
    assert registry.dataset("dataset-demo-v1") == chain.dataset
    assert registry.analysis("analysis-demo") == chain.analysis
    assert registry.hypothesis("hypothesis-demo-v1") == chain.hypothesis
    artifact = registry.artifact("model-demo-v1")
    assert artifact is not None and artifact["__typename"] == "Model"
    assert artifact == model
    assert registry.model("model-nothing") is None


async def test_a_floating_input_caps_the_model_until_links_pin_it(registry: Registry) -> None:
    chain = register_chain(registry)
    model = register_model(
        registry, chain, "model-float", {"rmse": 0.2}, trained_on=["dataset-demo"]
    )
    assert [w["code"] for w in model["provenance"]["warnings"]] == ["UNPINNED_INPUTS"]
    assert model["qualityScore"] == 0.3
    pinned = registry.add_links(model["id"], [Link("trained_on", "dataset-demo-v1")])
    assert pinned["id"] == model["id"]
    assert registry.model(model["id"])["qualityScore"] == 0.8  # type: ignore[index]
    unlinked = registry.remove_links(model["id"], [Link("TESTS_HYPOTHESIS", "hypothesis-demo-v1")])
    assert unlinked["__typename"] == "Model"
    again = registry.model(model["id"])
    assert again is not None
    assert [w["code"] for w in again["provenance"]["warnings"]] == ["MISSING_HYPOTHESIS_LINK"]


async def test_aliases_tags_archive_and_metric_declarations(registry: Registry) -> None:
    chain = register_chain(registry)
    v1 = register_model(registry, chain, "model-a", {"rmse": 0.2})
    v2 = register_model(registry, chain, "model-a", {"rmse": 0.1})
    held = registry.set_alias("model-a", "production", v1["id"], reason="first")
    assert held["id"] == v1["id"] and held["aliases"] == ["production"]
    with pytest.raises(RegistryError) as moved:
        registry.set_alias("model-a", "production", v2["id"], expected_version_id=v2["id"])
    assert moved.value.code == "CONFLICT" and moved.value.status == 200
    registry.set_alias("model-a", "production", v2["id"], expected_version_id=v1["id"])
    assert registry.model("model-a@production")["id"] == v2["id"]  # type: ignore[index]
    assert registry.remove_alias("model-a", "production", reason="done")["id"] == v2["id"]
    assert registry.aliases("model-a") == []

    assert registry.protect_alias("model-a", "champion", [GateMetric("rmse", threshold=0.15)])
    with pytest.raises(RegistryError) as refused:
        registry.set_alias("model-a", "champion", v1["id"])
    assert refused.value.code == "PROMOTION_REFUSED"
    assert [c["code"] for c in refused.value.details["checks"]] == ["BELOW_THRESHOLD"]
    registry.set_alias("model-a", "champion", v2["id"])
    [champion] = registry.aliases("model-a")
    assert (champion["alias"], champion["protected"], champion["passes"]) == (
        "champion",
        True,
        True,
    )
    assert champion["version"] == {"id": v2["id"]}
    assert champion["gate"][0]["metric"] == "rmse"
    assert registry.unprotect_alias("model-a", "champion") is True

    tagged = registry.set_tags(v1["id"], {"stage": "eval", "team": "neuro"})
    assert tagged["tags"] == [{"key": "stage", "value": "eval"}, {"key": "team", "value": "neuro"}]
    assert registry.remove_tags(v1["id"], ["stage"])["tags"] == [{"key": "team", "value": "neuro"}]
    archived = registry.archive(v1["id"], "superseded")
    assert (archived["archived"], archived["archivedReason"]) == (True, "superseded")
    assert registry.restore(v1["id"], "needed")["archived"] is False

    declared = registry.declare_metric("rmse_holdout", "lower", "held-out RMSE")
    assert (declared["direction"], declared["decided"], declared["declared"]) == (
        "LOWER",
        "DECLARED",
        True,
    )


async def test_a_key_given_by_the_caller_writes_once(
    registry: Registry, conn: asyncpg.Connection
) -> None:
    first = registry.register_dataset(DatasetInput("dataset-once", "Once"), idempotency_key="k-1")
    again = registry.register_dataset(DatasetInput("dataset-once", "Once"), idempotency_key="k-1")
    assert again == first
    assert (
        await conn.fetchval("select count(*) from artifacts where lineage_id = 'dataset-once'") == 1
    )
    with pytest.raises(RegistryError) as reused:
        registry.register_dataset(DatasetInput("dataset-other", "Other"), idempotency_key="k-1")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    # Without a key each call is a new write, with a key of its own.
    registry.register_dataset(DatasetInput("dataset-once", "Once"))
    registry.register_dataset(DatasetInput("dataset-once", "Once"))
    assert (
        await conn.fetchval("select count(*) from artifacts where lineage_id = 'dataset-once'") == 3
    )
    keys = await conn.fetchval(
        "select count(distinct key) from idempotency_keys k"
        " join artifacts a on a.id = k.artifact_id where a.lineage_id = 'dataset-once'"
    )
    assert keys == 3


async def test_lists_filter_sort_and_follow_cursors(registry: Registry) -> None:
    chain = register_chain(registry)
    rmse = {f"model-{n}": 0.05 * n for n in range(1, 8)}
    for lineage, value in rmse.items():
        register_model(registry, chain, lineage, {"rmse": value}, family="statistical")
    register_model(registry, chain, "model-deep", {"rmse": 0.01}, family="deep_learning")
    best_first = sorted(rmse, key=rmse.__getitem__)
    wanted = [f"{lineage}-v1" for lineage in best_first if rmse[lineage] < 0.3]

    page = registry.list_models(
        {"family": "STATISTICAL", "metric": {"name": "rmse", "lt": 0.3}}, "metric:rmse", limit=2
    )
    assert [m["id"] for m in page["items"]] == wanted[:2]
    assert page["total"] == len(wanted) and page["hasNextPage"] and page["nextCursor"]
    following = registry.list_models(
        {"family": "STATISTICAL", "metric": {"name": "rmse", "lt": 0.3}},
        "metric:rmse",
        limit=2,
        after=page["nextCursor"],
    )
    assert [m["id"] for m in following["items"]] == wanted[2:4]
    walked = registry.iter_models(
        {"family": "STATISTICAL", "metric": {"name": "rmse", "lt": 0.3}}, "metric:rmse", page_size=2
    )
    assert [m["id"] for m in walked] == wanted
    worst_first = [
        m["id"]
        for m in registry.iter_models({"family": "STATISTICAL"}, "metric:rmse:desc", page_size=3)
    ]
    assert worst_first == [f"{lineage}-v1" for lineage in reversed(best_first)]

    text = "metrics.rmse < 0.3 AND family = 'statistical'"
    rest = registry.search_models(text, "metric:rmse", limit=2)
    assert [m["id"] for m in rest["models"]] == wanted[:2] and rest["total"] == len(wanted)
    assert rest["next_cursor"]
    assert [
        m["id"] for m in registry.iter_search_models(text, "metric:rmse", page_size=2)
    ] == wanted
    by_score = registry.search_models("family = 'deep_learning'", "quality_score:asc")
    assert [m["id"] for m in by_score["models"]] == ["model-deep-v1"]

    datasets = registry.list_datasets({"usedBy": chain.analysis["id"]})
    assert [d["id"] for d in datasets["items"]] == [chain.dataset["id"]]
    assert [d["id"] for d in registry.iter_datasets({"usedBy": "analysis-demo"}, page_size=1)] == [
        chain.dataset["id"]
    ]
    analyses = registry.list_analyses({"uses": chain.dataset["id"]})
    assert [a["id"] for a in analyses["items"]] == [chain.analysis["id"]]
    hypotheses = registry.list_hypotheses({"testedBy": "model-1"})
    assert [h["id"] for h in hypotheses["items"]] == [chain.hypothesis["id"]]


async def test_compare_and_lineage(registry: Registry, server: Served) -> None:
    chain = register_chain(registry)
    a = register_model(registry, chain, "model-a", {"rmse": 0.2, "r2": 0.5})
    b = register_model(registry, chain, "model-b", {"rmse": 0.1, "r2": 0.7})
    comparison = registry.compare_models([a["id"], b["id"], "model-a"])
    assert comparison["baselineModelId"] == a["id"]
    assert comparison["duplicates"] == [{"id": "model-a", "modelId": a["id"]}]
    rmse = next(m for m in comparison["metrics"] if m["name"] == "rmse")
    assert (rmse["better"], rmse["verdict"], rmse["bestModelIds"]) == ("LOWER", "BEST", [b["id"]])
    assert [c["delta"] for c in rmse["cells"]] == [0.0, -0.1]
    shared = comparison["trainingData"]["datasets"]
    assert [(s["dataset"]["id"], s["sharing"]) for s in shared] == [(chain.dataset["id"], "ALL")]
    url = registry.compare_url([a["id"], b["id"]], baseline=b["id"])
    assert url == f"{server.url}/models/compare?ids={a['id']},{b['id']}&baseline={b['id']}"
    async with httpx.AsyncClient(trust_env=False) as http:
        assert (await http.get(url)).status_code == 200

    graph = registry.lineage(a["id"])
    assert graph is not None and graph["root"]["id"] == a["id"] and not graph["truncated"]
    assert {n["artifact"]["id"]: n["distance"] for n in graph["nodes"]} == {
        a["id"]: 0,
        chain.dataset["id"]: 1,
        chain.analysis["id"]: 1,
        chain.hypothesis["id"]: 1,
    }
    assert (a["id"], chain.analysis["id"], "PRODUCED_BY") in {
        (e["sourceId"], e["targetId"], e["type"]) for e in graph["edges"]
    }
    down = registry.lineage(chain.dataset["id"], direction="downstream", max_depth=1)
    assert down is not None
    assert {n["artifact"]["id"] for n in down["nodes"]} >= {a["id"], b["id"], chain.analysis["id"]}
    assert registry.lineage("model-none") is None


async def test_refusals_carry_the_registry_code(
    registry: Registry, server: Served, conn: asyncpg.Connection
) -> None:
    with pytest.raises(RegistryError) as missing:
        registry.register_model(
            ModelInput("model-x", "X", "statistical", 0.5, trained_on=["dataset-none-v1"])
        )
    assert missing.value.code == "NOT_FOUND"
    with pytest.raises(RegistryError) as bad:
        registry.register_dataset(DatasetInput("dataset-x", "X", digest="sha256:123"))
    assert bad.value.code == "BAD_USER_INPUT" and bad.value.details["field"] == "digest"
    with pytest.raises(RegistryError) as bad_filter:
        registry.search_models("metrics.rmse <")
    err = bad_filter.value
    assert (err.code, err.status, err.details["parameter"]) == ("BAD_FILTER", 400, "filter")
    assert isinstance(err.details["position"], int)
    with pytest.raises(ValueError, match="sort by one of"):
        registry.list_models(sort="speed")
    reader = Registry(server.url, await make_token(conn, "read", name="reader"))
    with reader, pytest.raises(RegistryError) as forbidden:
        reader.declare_metric("x", "lower")
    assert (forbidden.value.code, forbidden.value.status) == ("FORBIDDEN", 403)
    assert await conn.fetchval("select count(*) from artifacts") == 0
