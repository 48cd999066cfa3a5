"""GraphQL over HTTP, bounds on every request, and what an operator sees."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from tests.factories import make_dataset, make_model
from tests.http import running_app

QUERY = "{ models { total } }"
# Reads the artifacts table itself (a total alone comes from the counters).
ITEMS = "{ models { items { id } } }"
GQL_RESPONSE = "application/graphql-response+json"


async def post(api, body, **headers):
    return await api.client.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "JSON"),
        (b'{"variables": {}}', "query"),
        (b'{"query": "{ models { total } }", "variables": [1]}', "variables"),
    ],
)
async def test_malformed_requests_are_400_with_a_json_error(api, body, fragment):
    r = await post(api, body)
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert fragment.lower() in error["message"].lower()
    assert error["extensions"]["code"] == "BAD_REQUEST"


async def test_graphql_response_json_gives_request_errors_a_4xx_and_no_data(api):
    r = await post(api, json.dumps({"query": "{ nope }"}).encode(), accept=GQL_RESPONSE)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith(GQL_RESPONSE)
    assert "data" not in r.json()
    legacy = await post(api, json.dumps({"query": "{ nope }"}).encode())
    assert legacy.status_code == 200 and "data" in legacy.json()
    ok = await post(api, json.dumps({"query": QUERY}).encode(), accept=GQL_RESPONSE)
    assert ok.status_code == 200 and ok.json() == {"data": {"models": {"total": 0}}}


async def test_graphql_route_has_no_redirect(api):
    r = await api.client.post("/graphql", json={"query": QUERY})
    assert r.status_code == 200 and not r.history
    assert (await api.client.post("/graphql/", json={"query": QUERY})).status_code == 404


@pytest.mark.parametrize("chunked", [False, True])
async def test_bodies_over_one_mebibyte_are_413(api, chunked):
    big = b'{"query": "' + b" " * (1024 * 1024) + b'{ models { total } }"}'
    if chunked:

        async def stream():
            for i in range(0, len(big), 65536):
                yield big[i : i + 65536]

        r = await api.client.post(
            "/graphql", content=stream(), headers={"content-type": "application/json"}
        )
    else:
        r = await post(api, big)
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_cors_is_off_by_default_and_follows_the_allowlist(db, pg_dsn, api):
    r = await api.client.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers
    env = {"CORS_ALLOW_ORIGINS": "https://lab.example"}
    async with running_app(pg_dsn, env) as cors:
        ok = await cors.client.post(
            "/graphql", json={"query": QUERY}, headers={"origin": "https://lab.example"}
        )
        assert ok.headers["access-control-allow-origin"] == "https://lab.example"
        bad = await cors.client.post(
            "/graphql", json={"query": QUERY}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in bad.headers


async def test_statement_timeout_is_a_clear_error_and_the_connection_recovers(db, pg_dsn, conn):
    async with running_app(pg_dsn, {"STATEMENT_TIMEOUT_MS": "100", "DB_POOL_MAX": "1"}) as api:
        async with conn.transaction():
            await conn.execute("lock table artifacts in access exclusive mode")
            body = (await api.client.post("/graphql", json={"query": ITEMS})).json()
        assert body["errors"][0]["extensions"]["code"] == "STATEMENT_TIMEOUT"
        assert "100 ms" in body["errors"][0]["message"]
        # The single pooled connection still works.
        again = await api.client.post("/graphql", json={"query": ITEMS})
        assert again.json() == {"data": {"models": {"items": []}}}


async def test_request_deadline_ends_a_slow_request_and_the_server_recovers(db, pg_dsn, conn):
    async with running_app(pg_dsn, {"REQUEST_TIMEOUT_S": "0.3", "DB_POOL_MAX": "1"}) as api:
        async with conn.transaction():
            await conn.execute("lock table artifacts in access exclusive mode")
            r = await api.client.post("/graphql", json={"query": ITEMS})
        assert r.status_code == 504
        assert r.json()["errors"][0]["extensions"]["code"] == "DEADLINE_EXCEEDED"
        again = await api.client.post("/graphql", json={"query": ITEMS})
        assert again.status_code == 200 and again.json()["data"] == {"models": {"items": []}}


async def test_pool_exhaustion_is_503_with_retry_after_then_recovers(db, pg_dsn):
    env = {"DB_POOL_MIN": "1", "DB_POOL_MAX": "1", "POOL_ACQUIRE_TIMEOUT_S": "0.2"}
    async with running_app(pg_dsn, env) as api:
        pool = api.state["db"].pool
        held = await pool.acquire()
        try:
            r = await api.client.post("/graphql", json={"query": QUERY})
            assert r.status_code == 503
            assert r.headers["retry-after"] == "1"
            assert r.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            rest = await api.client.get("/api/models")
            assert rest.status_code == 503
        finally:
            await pool.release(held)
        assert (await api.client.post("/graphql", json={"query": QUERY})).status_code == 200


async def test_response_budget_is_checked_before_and_after_execution(db, pg_dsn, conn):
    before = (
        "{ " + " ".join(f"a{i}: models(limit: 100) {{ items {{ id }} }}" for i in range(12)) + " }"
    )
    async with running_app(pg_dsn, {"REGISTRY_MAX_QUERY_COST": "1000"}) as api:
        body = (await api.client.post("/graphql", json={"query": before})).json()
        error = body["errors"][0]
        assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "estimate": 1212, "limit": 1000}
        assert "REGISTRY_MAX_QUERY_COST" in error["message"] and "may return" in error["message"]
        assert body["data"] is None
    for i in range(30):
        await make_dataset(conn, f"d{i % 10}")  # 10 lineages of 3 versions
    # Estimated 3,031 objects (the page, 30 items, 100 versions each); 121 come back.
    async with running_app(pg_dsn, {"MAX_RESPONSE_OBJECTS": "100"}) as api:
        q = "{ datasets(limit: 30) { items { id versions { id } } } }"
        body = (await api.client.post("/graphql", json={"query": q})).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "RESPONSE_TOO_LARGE"
        assert "returned" in body["errors"][0]["message"]


async def test_request_id_is_accepted_or_made_and_logged_as_json(api, caplog):
    caplog.set_level(logging.INFO, logger="app.access")
    r = await api.client.post(
        "/graphql", json={"query": QUERY}, headers={"x-request-id": "abc-123"}
    )
    assert r.headers["x-request-id"] == "abc-123"
    made = await api.client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    records = [rec for rec in caplog.records if rec.name == "app.access"]
    fields = [rec.fields for rec in records]
    assert {"request_id": "abc-123", "status": 200, "route": "/graphql"}.items() <= fields[
        0
    ].items()
    assert fields[0]["operation"] == "query models" and fields[0]["duration_ms"] >= 0
    from app.http.observability import JsonFormatter

    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "abc-123" and line["level"] == "info"


async def test_metrics_expose_requests_latency_operations_and_pool(api):
    await api.client.post("/graphql", json={"query": QUERY})
    await api.client.get("/api/models/nope")
    text = (await api.client.get("/metrics")).text
    assert 'http_requests_total{method="POST",route="/graphql",status="200"}' in text
    assert 'http_requests_total{method="GET",route="/api/models/{id}",status="404"}' in text
    assert (
        'http_request_duration_seconds_bucket{le="0.005",operation="query models",route="/graphql"}'
        in text
    )
    assert 'graphql_operations_total{operation="query models"}' in text
    assert "db_pool_connections " in text and "db_errors_total" in text


async def test_errors_never_leak_internals(api, conn):
    bodies = []
    for payload in (b"{bad", b'{"query": "{ models(limit: 0) { total } }"}', b'{"query": "{"}'):
        bodies.append((await post(api, payload)).text)
    bodies.append((await api.client.get("/api/models?limit=x")).text)
    text = "\n".join(bodies)
    for leak in ("Traceback", 'File "', ".py", "select ", "asyncpg", "mreg_"):
        assert leak not in text


async def test_search_for_percent_matches_only_titles_with_percent(api, conn):
    await make_dataset(conn, "a", title="100% pure")
    await make_dataset(conn, "b", title="plain")
    await make_dataset(conn, "c", title="under_score")
    await make_model(conn, "m-pct", title="50% dropout")
    await make_model(conn, "m-plain", title="plain model")
    data = await api.data(
        """{ datasets(search: "%") { total items { id } }
             models(filter: {search: "%"}) { total items { id } } }"""
    )
    # Unescaped, % would match every title and the totals would be 3 and 2.
    assert data["datasets"] == {"total": 1, "items": [{"id": "a-v1"}]}
    assert data["models"] == {"total": 1, "items": [{"id": "m-pct-v1"}]}


async def test_concurrent_requests_share_a_small_pool(db, pg_dsn, conn):
    for i in range(3):
        await make_dataset(conn, f"d{i}")
        await make_model(conn, f"m{i}", trained_on=(f"d{i}",))
    items = {"models": {"items": [{"id": f"m{i}-v1"} for i in (2, 1, 0)]}}
    async with running_app(pg_dsn, {"DB_POOL_MAX": "2", "POOL_ACQUIRE_TIMEOUT_S": "5"}) as api:
        # Totals come from the counters, items from the table: both kinds of statement.
        queries = [QUERY if i % 2 else ITEMS for i in range(20)]
        results = await asyncio.gather(
            *(api.client.post("/graphql", json={"query": q}) for q in queries)
        )
        assert {r.status_code for r in results} == {200}
        for q, r in zip(queries, results, strict=True):
            assert r.json() == {"data": {"models": {"total": 3}} if q == QUERY else items}
