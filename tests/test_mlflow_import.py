"""``model-registry import-mlflow`` against a real MLflow store and a served registry.

MLflow cannot share the server's environment (its graphene needs graphql-core < 3.3), so the
store is built, and the importer run, by the python of ``.venv-mlflow`` (``make test`` makes
it); the checks read the registry through its API and its tables.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from model_registry_client import GateMetric, Registry

from app.ids import derived_lineage_id
from app.settings import PROJECT_ROOT
from tests.client_server import Served, serving
from tests.factories import make_token

pytestmark = pytest.mark.process

MLFLOW_BIN = PROJECT_ROOT / ".venv-mlflow" / "bin"
STORE_SCRIPT = PROJECT_ROOT / "tests" / "mlflow_store.py"
MODEL = derived_lineage_id("model", "mlflow", "diabetes-ridge")
EXTERNAL = derived_lineage_id("model", "mlflow", "diabetes-external")
WIDE = derived_lineage_id("model", "mlflow", "diabetes-wide")
ANALYSIS = derived_lineage_id("analysis", "mlflow", "diabetes")
DATASET = derived_lineage_id("dataset", "mlflow", "diabetes-train")
# Every table a write can touch: an import that writes nothing leaves each count as it was.
TABLES = ("artifacts", "lineages", "links", "aliases", "alias_moves", "tags", "audit_log",
          "model_metrics", "idempotency_keys")  # fmt: skip


@dataclass
class Store:
    root: Path
    made: dict[str, Any]

    @property
    def tracking_uri(self) -> str:
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def runs(self) -> dict[int, dict[str, Any]]:
        return {run["version"]: run for run in self.made["runs"]}


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODEL_REGISTRY_")}
    # The checkout's client, whatever the venv installed; MLflow sends no telemetry.
    return {**environment, "PYTHONPATH": str(PROJECT_ROOT / "client"),
            "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}  # fmt: skip


def _mlflow(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(MLFLOW_BIN / args[0]), *args[1:]],
        cwd=cwd,  # MLflow makes ./mlflow.db and ./mlruns when a store is not named
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def build_store(root: Path) -> dict[str, Any]:
    # -P: tests/ must not come first on sys.path (tests/http.py would hide the standard one).
    made: dict[str, Any] = json.loads(
        _mlflow(root, "python", "-P", str(STORE_SCRIPT), str(root)).stdout
    )
    return made


async def import_mlflow(served: Served, token: str, store: Store, *args: str) -> dict[str, Any]:
    done = await asyncio.to_thread(
        _mlflow,
        store.root,
        "model-registry",
        "import-mlflow",
        "--tracking-uri",
        store.tracking_uri,
        "--url",
        served.url,
        "--token",
        token,
        *args,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    if not (MLFLOW_BIN / "python").exists():
        message = (
            f"{MLFLOW_BIN.parent} is missing: make test creates it (pip install ./client[mlflow])"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("mlflow-store")
    return Store(root, build_store(root))


@pytest.fixture(scope="module")
def later(store: Store) -> Store:
    """The same store after one more run: its database as MLflow left it then."""
    return Store(store.root / "later", store.made["later"])


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(pg_dsn, tmp_path_factory.mktemp("mlflow-registry") / "app.log") as served:
        yield served


async def row_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {t: await conn.fetchval(f"select count(*) from {t}") for t in TABLES}


def by_mlflow_version(versions: list[Any]) -> dict[int, Any]:
    return {v["metadata"]["mlflow"]["version"]: v for v in versions}


def link(model: Any, type: str) -> list[str]:
    found = [lk for lk in model["links"] if lk["type"] == type]
    assert all(lk["pinned"] for lk in found), found
    return sorted(lk["artifact"]["id"] for lk in found)


def test_the_client_derives_lineage_ids_by_the_registry_rule() -> None:
    from model_registry_client.ids import derived_lineage_id as client_rule

    names = [("mlflow", "diabetes-ridge"), ("mlflow", "Diabetes Ridge"), ("mlflow", "ü/ß"),
             ("mlflow", "x" * 300), ("s3://bucket", "path/to/data.parquet"), ("",)]  # fmt: skip
    for kind in ("model", "dataset", "analysis"):
        for n in names:
            assert client_rule(kind, *n) == derived_lineage_id(kind, *n)


async def test_a_store_imports_with_its_provenance_and_a_second_import_writes_nothing(
    server: Served, store: Store, conn: asyncpg.Connection
) -> None:
    token = await make_token(conn, "write")
    report = await import_mlflow(server, token, store, "--quality-metric", "r2")
    with Registry(server.url) as registry:
        await check_first_import(registry, store, report)
    await check_reimport(server, token, store, conn, report)


async def check_first_import(registry: Registry, store: Store, report: dict[str, Any]) -> None:
    runs = store.runs()
    # Versions 1..n in the registry; MLflow's numbers, the deleted 3 missing, in metadata.
    versions = registry.versions(MODEL)
    assert [v["versionNumber"] for v in versions] == [1, 2, 3]
    assert [v["metadata"]["mlflow"]["version"] for v in versions] == [1, 2, 4]
    assert store.made["deleted_version"] == 3
    models = by_mlflow_version(versions)

    # One dataset version for the one (name, digest) both runs logged, digest kept as MLflow's.
    data = registry.versions(DATASET)
    assert len(data) == 1
    dataset = data[0]
    logged = runs[1]["dataset"]
    assert dataset["digest"] == f"mlflow:{logged['digest']}" and len(logged["digest"]) == 8
    assert dataset["uri"] == logged["source"]
    assert dataset["metadata"]["mlflow"]["name"] == "diabetes-train"

    # One analysis version per run, pinned to what the run logged.
    analyses = {a["metadata"]["mlflow"]["run_id"]: a for a in registry.versions(ANALYSIS)}
    wide = store.made["refused"]
    assert set(analyses) == {run["run_id"] for run in runs.values()} | {wide["run_id"]}
    for number, run in runs.items():
        model, analysis = models[number], analyses[run["run_id"]]
        assert analysis["title"] == run["run_name"]
        assert model["trainingConfig"] == run["params"]
        assert model["evaluationMetricsJson"] == pytest.approx(run["metrics"])
        assert model["rawQualityScore"] == pytest.approx(min(1, max(0, run["metrics"]["r2"])))
        assert model["uri"] == run["source"] and model["uri"].startswith("models:/")
        assert model["architecture"] == "sklearn" and model["family"] == "STATISTICAL"
        assert link(model, "PRODUCED_BY") == [analysis["id"]]
        pinned = [dataset["id"]] if run["dataset"] else []
        assert link(model, "TRAINED_ON") == pinned
        assert [i["artifact"]["id"] for i in analysis["inputs"]] == pinned
        assert all(i["pinned"] for i in analysis["inputs"])
    assert models[1]["provenance"] == {"complete": True, "warnings": []}
    assert models[2]["provenance"]["complete"] is True
    # The run that logged no dataset: the usual warning, and the score capped.
    assert [w["code"] for w in models[4]["provenance"]["warnings"]] == ["MISSING_TRAINING_DATA"]
    assert models[4]["qualityScore"] == pytest.approx(min(0.3, runs[4]["metrics"]["r2"]))

    # A version with no run: no producing analysis, no metrics, the default score.
    (external,) = registry.versions(EXTERNAL)
    assert {w["code"] for w in external["provenance"]["warnings"]} == {
        "MISSING_TRAINING_DATA",
        "MISSING_PRODUCING_ANALYSIS",
    }
    assert external["links"] == [] and external["evaluationMetricsJson"] == {}
    assert external["rawQualityScore"] == 0.5 and external["qualityScore"] == 0.3
    assert external["uri"] == "file://" + store.made["external"]["source"]
    assert external["description"] == "Trained elsewhere"

    # The alias, as an ordinary alias on the version MLflow's points at.
    aliases = {a["alias"]: a["version"]["id"] for a in registry.aliases(MODEL)}
    assert aliases == {"champion": models[2]["id"]}

    created = report["created"]
    assert created["datasets"] == [dataset["id"]]
    assert created["aliases"] == [
        {"lineage_id": MODEL, "alias": "champion", "version_id": models[2]["id"]}
    ]
    assert sorted(report["created"]["analyses"]) == sorted(a["id"] for a in analyses.values())
    assert sorted(report["created"]["models"]) == sorted(
        [external["id"], *(m["id"] for m in models.values())]
    )
    # The version the registry refused (a metric name past 100 characters) is reported, and
    # the import went on; its run's analysis stands.
    (refused,) = report["refused"]
    assert refused.pop("message")
    assert refused == {"model": "diabetes-wide", "version": 1, "code": "BAD_USER_INPUT",
                       "field": "evaluationMetrics"}  # fmt: skip
    assert registry.versions(WIDE) == []
    assert report["versions"] == {
        "diabetes-ridge": {str(n): m["id"] for n, m in models.items()},
        "diabetes-external": {"1": external["id"]},
        "diabetes-wide": {},
    }
    assert report["models"]["imported"] == 4 and report["models"]["complete_provenance"] == 2
    assert any("no run" in note for note in report["notes"])


async def check_reimport(
    server: Served, token: str, store: Store, conn: asyncpg.Connection, report: dict[str, Any]
) -> None:
    """Again: every write is found done; nothing is written, not even an audit entry."""
    # Each write carried a key made from MLflow's identities, so a retry is the same request.
    keys = {r["key"] for r in await conn.fetch("select key from idempotency_keys")}
    run_keys = {f"mlflow-import:run:{run['run_id']}" for run in store.made["runs"]}
    assert {f"mlflow-import:model:{MODEL}:{n}" for n in (1, 2, 4)} | run_keys <= keys
    before = await row_counts(conn)
    trail = await conn.fetchval("select max(at) from audit_log")
    again = await import_mlflow(server, token, store, "--quality-metric", "r2")
    assert await row_counts(conn) == before
    assert await conn.fetchval("select max(at) from audit_log") == trail
    assert again["created"] == {"datasets": [], "analyses": [], "models": [], "aliases": []}
    assert sorted(again["skipped"]["models"]) == sorted(report["created"]["models"])
    assert again["skipped"]["datasets"] == report["created"]["datasets"]
    assert len(again["skipped"]["aliases"]) == 1
    assert again["models"] == report["models"]
    assert [(r["model"], r["code"]) for r in again["refused"]] == [
        ("diabetes-wide", "BAD_USER_INPUT")
    ]


async def test_new_mlflow_versions_import_alone_and_a_refused_gate_is_reported(
    server: Served, store: Store, later: Store, conn: asyncpg.Connection
) -> None:
    token = await make_token(conn, "promote")
    first = await import_mlflow(server, token, store)
    assert first["quality_metric"] is None
    assert any("raw quality score is 0.5" in note for note in first["notes"])
    with Registry(server.url) as registry:
        await check_second_import(server, conn, token, later, registry)


async def check_second_import(
    server: Served, conn: asyncpg.Connection, token: str, later: Store, registry: Registry
) -> None:
    assert {v["rawQualityScore"] for v in registry.versions(MODEL)} == {0.5}
    with Registry(server.url, await make_token(conn, "admin")) as admin:
        admin.protect_alias(MODEL, "production", [GateMetric("r2", threshold=0.99)])

    (added,) = later.made["runs"]
    before = await row_counts(conn)
    second = await import_mlflow(server, token, later)

    versions = by_mlflow_version(registry.versions(MODEL))
    new = versions[added["version"]]
    assert new["versionNumber"] == 4 and sorted(versions) == [1, 2, 4, 5]
    data = registry.versions(DATASET)
    assert [d["digest"] for d in data][1] == f"mlflow:{added['dataset']['digest']}"
    (analysis,) = [
        a
        for a in registry.versions(ANALYSIS)
        if a["metadata"]["mlflow"]["run_id"] == added["run_id"]
    ]
    assert second["created"] == {
        "datasets": [data[1]["id"]],
        "analyses": [analysis["id"]],
        "models": [new["id"]],
        "aliases": [],
    }
    assert len(second["skipped"]["models"]) == 4
    assert link(new, "TRAINED_ON") == [data[1]["id"]]
    after = await row_counts(conn)
    assert after["artifacts"] == before["artifacts"] + 3
    assert after["aliases"] == before["aliases"] and after["alias_moves"] == before["alias_moves"]

    # The gate refused production (r2 is far below 0.99): reported, not forced, import went on.
    (refused,) = [r for r in second["refused"] if "alias" in r]
    assert refused["alias"] == "production" and refused["code"] == "PROMOTION_REFUSED"
    assert refused["version_id"] == new["id"]
    assert {c["code"] for c in refused["checks"]} == {"BELOW_THRESHOLD"}
    aliases = {a["alias"]: a["version"]["id"] for a in registry.aliases(MODEL)}
    assert aliases == {"champion": versions[2]["id"]}


@pytest.mark.parametrize(
    ("source", "uri"),
    [
        ("models:/m-0123", "models:/m-0123"),
        ("runs:/abc/model", "runs:/abc/model"),
        ("/srv/models/ridge", "file:///srv/models/ridge"),
        ("s3://bucket/model", "s3://bucket/model"),
        ("relative/path", None),  # the registry takes no relative path: kept in metadata only
        ("models:/", None),
        ("/a b", None),
        ("", None),
    ],
)
def test_a_version_source_becomes_a_location_the_registry_takes(
    source: str, uri: str | None
) -> None:
    from model_registry_client.mlflow_import_mapping import location

    assert location(source) == uri


@pytest.mark.parametrize(
    ("metrics", "name", "score"),
    [
        ({"r2": 0.4}, "r2", 0.4),
        ({"r2": -3.0}, "r2", 0.0),
        ({"acc": 1.2}, "acc", 1.0),
        ({"r2": 0.4}, "rmse", None),
        ({"r2": 0.4}, None, None),
    ],
)
def test_the_quality_metric_is_clipped_to_the_unit_interval(
    metrics: dict[str, float], name: str | None, score: float | None
) -> None:
    from model_registry_client.mlflow_import_mapping import raw_score

    assert raw_score(metrics, name) == score


def test_mlflow_digests_keep_their_algorithm_and_other_forms_are_not_claimed() -> None:
    from model_registry_client.mlflow_import_mapping import registry_digest

    assert registry_digest("144BE020") == "mlflow:144be020"
    assert registry_digest("144be02") is None and registry_digest("sha256:00") is None


def test_without_mlflow_the_command_says_what_to_install() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "model_registry_client",
            "import-mlflow",
            "--tracking-uri",
            "sqlite:///nowhere.db",
            "--url",
            "http://127.0.0.1:9",
        ],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'model-registry-client[mlflow]'" in done.stderr


async def test_versions_lists_a_lineage_oldest_first_across_pages(
    server: Served, conn: asyncpg.Connection
) -> None:
    from model_registry_client import DatasetInput

    with Registry(server.url, await make_token(conn, "write")) as registry:
        for n in range(3):
            registry.register_dataset(DatasetInput("dataset-paged", f"v{n}"))
        listed = registry.versions("dataset-paged-v2", page_size=2)
        assert [v["id"] for v in listed] == [f"dataset-paged-v{n}" for n in (1, 2, 3)]
        assert registry.versions("dataset-nothing") == []
