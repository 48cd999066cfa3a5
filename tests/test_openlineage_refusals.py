"""OpenLineage events the registry refuses, sent by the official client or as raw HTTP: each
gets its coded error and writes nothing."""

from __future__ import annotations

import gzip

import httpx
import pytest
import requests
from openlineage.client.event_v2 import RunState
from openlineage.client.serde import Serde

from tests.factories import make_token
from tests.openlineage_helpers import (
    MAX_BODY,
    ModelFacet,
    client,
    dataset,
    new_run,
    run_event,
)
from tests.openlineage_helpers import server as server
from tests.openlineage_helpers import token as token

pytestmark = pytest.mark.process

RUN = """
query($id: ID!) {
  lineageRun(runId: $id) { runId jobName state events { eventType } analysis { id } }
}
"""


@pytest.mark.parametrize(
    ("path", "value", "pointer"),
    [
        (("inputs", 0, "name"), None, "/inputs/0/name"),
        (("inputs", 0, "namespace"), 42, "/inputs/0/namespace"),
        (("run", "runId"), "not-a-uuid", "/run/runId"),
        (("inputs", 0, "facets", "version", "datasetVersion"), None, None),
        (("outputs", 0, "facets", "modelRegistry_model", "family"), "quantum", None),
        (("eventTime",), "yesterday", "/eventTime"),
    ],
)
async def test_a_bad_event_is_refused_with_its_pointer_and_writes_nothing(
    api, conn, server, token, path, value, pointer
):
    run = new_run()
    good = run_event(
        RunState.COMPLETE,
        run,
        inputs=[dataset("s3://lake", "raw", "1")],
        outputs=[dataset("s3://m", "m", modelRegistry_model=ModelFacet("statistical", 0.5))],
    )
    body = Serde.to_dict(good)
    holder = body
    for key in path[:-1]:
        holder = holder[key]
    if value is None:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        r = await http.post(
            "/api/v1/lineage", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "INVALID_EVENT" and error["message"]
    assert error["pointer"] == (pointer or "/" + "/".join(str(p) for p in path))
    assert await conn.fetchval("select count(*) from lineage_runs") == 0
    assert await conn.fetchval("select count(*) from artifacts") == 0


async def test_a_body_that_is_not_json_or_too_big_gets_the_usual_codes(conn, server, token):
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        r = await http.post("/api/v1/lineage", content=b"{not json", headers=auth)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "BAD_REQUEST")
        big = b"x" * (MAX_BODY + 1)
        r = await http.post("/api/v1/lineage", content=big, headers=auth)
        assert (r.status_code, r.json()["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
        # Small on the wire, past the limit once inflated.
        bomb = gzip.compress(b'{"a": "' + b"0" * MAX_BODY + b'"}')
        zipped = {**auth, "Content-Encoding": "gzip"}
        r = await http.post("/api/v1/lineage", content=bomb, headers=zipped)
        assert (r.status_code, r.json()["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
        plain = {**auth, "Content-Type": "text/plain"}
        r = await http.post("/api/v1/lineage", content=b"{}", headers=plain)
        assert (r.status_code, r.json()["error"]["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert await conn.fetchval("select count(*) from lineage_runs") == 0


async def test_writes_need_a_token_with_the_write_scope(api, conn, server):
    read = await make_token(conn, "read", name="reader")
    event = run_event(RunState.START, new_run())
    for given, status in ((None, 401), ("mreg_not-a-token", 401), (read, 403)):
        with pytest.raises(requests.HTTPError) as e:
            client(server, given).emit(event)
        assert e.value.response.status_code == status
    assert await conn.fetchval("select count(*) from lineage_runs") == 0


async def test_a_run_id_belongs_to_one_job(api, conn, server, token):
    ol = client(server, token)
    run = new_run()
    ol.emit(run_event(RunState.START, run, job="a"))
    with pytest.raises(requests.HTTPError) as e:
        ol.emit(run_event(RunState.COMPLETE, run, job="b", at=1))
    assert e.value.response.status_code == 409
    assert e.value.response.json()["error"]["code"] == "CONFLICT"
    state = (await api.data(RUN, {"id": run}))["lineageRun"]
    assert (state["jobName"], state["state"], len(state["events"])) == ("a", "START", 1)
