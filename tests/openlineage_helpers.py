"""A real server process for the OpenLineage tests, and events built with the official client."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attr
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import DatasetFacet, JobFacet, RunFacet, dataset_version_dataset
from openlineage.client.transport.http import (
    ApiKeyTokenProvider,
    HttpConfig,
    HttpTransport,
    TokenProvider,
)

from app.ids import derived_lineage_id
from tests.client_server import Served, serving

FACETS = "/api/v1/lineage/facets/1-0-0/"
MAX_BODY = 64 * 1024
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`python -m app serve` on the test database, on a free port, with a small body limit."""
    log = tmp_path_factory.mktemp("openlineage") / "server.log"
    with serving(pg_dsn, log, MAX_BODY_BYTES=str(MAX_BODY)) as served:
        yield served
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text


@pytest.fixture
async def token(conn: Any) -> str:
    """A write token for the pipelines."""
    from tests.factories import make_token

    return await make_token(conn, "write", name="pipeline")


def client(server: Served, token: str | None, **config: Any) -> OpenLineageClient:
    """The official client with its HTTP transport, the token as its api_key, no retries."""
    auth = ApiKeyTokenProvider({"apiKey": token}) if token else TokenProvider({})
    # The client's default 5 s read timeout is shorter than a write can take while the whole
    # suite loads this machine; a stalled server still fails the test, later.
    config = {"timeout": 30.0, **config}
    http = HttpConfig(
        url=server.url, endpoint="api/v1/lineage", auth=auth, retry={"total": 0}, **config
    )
    return OpenLineageClient(transport=HttpTransport(http))


@attr.define
class ModelFacet(DatasetFacet):
    """The registry's modelRegistry_model facet, as a producer defines a custom facet."""

    family: str
    rawQualityScore: float
    title: str | None = None
    metrics: dict[str, Any] = attr.field(factory=dict)
    trainedOn: list[dict[str, str]] | None = None
    hypotheses: list[str] | None = None

    @staticmethod
    def _get_schema() -> str:
        return FACETS + "ModelRegistryModelDatasetFacet.json#/$defs/ModelRegistryModelDatasetFacet"


@attr.define
class HypothesesFacet(JobFacet):
    hypotheses: list[str]

    @staticmethod
    def _get_schema() -> str:
        return (
            FACETS + "ModelRegistryHypothesesJobFacet.json#/$defs/ModelRegistryHypothesesJobFacet"
        )


@attr.define
class RunHypothesesFacet(RunFacet):
    hypotheses: list[str]

    @staticmethod
    def _get_schema() -> str:
        return (
            FACETS + "ModelRegistryHypothesesRunFacet.json#/$defs/ModelRegistryHypothesesRunFacet"
        )


def dataset(namespace: str, name: str, version: str | None = None, **facets: Any) -> dict[str, Any]:
    """The facets of a dataset: its version facet when given, and any others."""
    if version is not None:
        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=version
        )
    return {"namespace": namespace, "name": name, "facets": facets}


def run_event(
    state: RunState,
    run_id: str,
    job: str = "train",
    *,
    at: int = 0,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    job_facets: dict[str, Any] | None = None,
    run_facets: dict[str, Any] | None = None,
) -> RunEvent:
    """A RunEvent of job ``pipelines/<job>``, ``at`` minutes past T0."""
    return RunEvent(
        eventType=state,
        eventTime=(T0 + timedelta(minutes=at)).isoformat(),
        run=Run(runId=run_id, facets=run_facets or {}),
        job=Job(namespace="pipelines", name=job, facets=job_facets or {}),
        inputs=[InputDataset(**d) for d in inputs or []],
        outputs=[OutputDataset(**d) for d in outputs or []],
        producer="https://example.org/pipelines",
    )


def new_run() -> str:
    return str(uuid.uuid4())


def lineage(kind: str, namespace: str, name: str) -> str:
    return derived_lineage_id(kind, namespace, name)
