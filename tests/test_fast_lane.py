"""The fast lane: anonymous JSON reads of /graphql answered in front of the middleware stack.

A request with a token goes down the whole stack, so the same request sent with and
without one compares the lane with the stack.
"""

from __future__ import annotations

import pytest

from tests.factories import make_dataset, make_model, make_token

GQL_RESPONSE = "application/graphql-response+json"

# Each request with what it must get, written out: lane and stack share the compiled path,
# so their agreement alone would not catch a bug in it.
REQUESTS = [
    # Answered by one compiled statement.
    (
        {"query": "{ models(limit: 5) { total items { id title trainedOn { id } } } }"},
        {},
        200,
        {
            "data": {
                "models": {
                    "total": 1,
                    "items": [{"id": "m1-v1", "title": "m1", "trainedOn": [{"id": "d1-v1"}]}],
                }
            }
        },
    ),
    (
        {
            "query": "query M($id: ID!) { model(id: $id) { id qualityScore } }",
            "variables": {"id": "m1"},
        },
        {"accept": GQL_RESPONSE},
        200,
        # No producing analysis: capped.
        {"data": {"model": {"id": "m1-v1", "qualityScore": 0.3}}},
    ),
    # Declined by the fast path: the resolvers answer.
    ({"query": '{ model(id: "nope") { id } }'}, {}, 200, {"data": {"model": None}}),
    ({"query": "{ models(limit: 0) { total } }"}, {"accept": GQL_RESPONSE}, 200, "BAD_USER_INPUT"),
    ({"query": "{ models { nope } }"}, {}, 200, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": "{ models { total } }", "variables": [1]}, {}, 400, "BAD_REQUEST"),
    ({"variables": {}}, {}, 400, "BAD_REQUEST"),
]


def check_answer(body: dict, expected: dict | str) -> None:
    if isinstance(expected, str):
        assert [e["extensions"]["code"] for e in body["errors"]] == [expected], body
        assert body.get("data") is None
    else:
        assert body == expected


@pytest.fixture
async def catalog(conn):
    await make_dataset(conn, "d1")
    await make_model(conn, "m1", trained_on=("d1",))
    return await make_token(conn, "read")


@pytest.mark.parametrize(("body", "headers", "status", "expected"), REQUESTS)
async def test_the_lane_answers_exactly_like_the_stack(
    api, catalog, body, headers, status, expected
):
    lane = await api.client.post("/graphql", json=body, headers=headers)
    stack = await api.client.post(
        "/graphql", json=body, headers={**headers, "authorization": f"Bearer {catalog}"}
    )
    assert lane.status_code == status
    check_answer(lane.json(), expected)
    assert lane.status_code == stack.status_code
    assert lane.headers["content-type"] == stack.headers["content-type"]
    assert lane.json() == stack.json()
    assert lane.headers["x-request-id"] and stack.headers["x-request-id"]


async def test_a_lane_answer_costs_one_statement_and_is_observed(api, catalog, caplog):
    api.sql.reset()
    r = await api.client.post(
        "/graphql", json={"query": "{ models { items { id } } }"}, headers={"x-request-id": "r-1"}
    )
    assert r.json() == {"data": {"models": {"items": [{"id": "m1-v1"}]}}}
    assert api.sql.count == 1
    assert r.headers["x-request-id"] == "r-1"
    text = (await api.client.get("/metrics")).text
    assert 'graphql_operations_total{operation="query models"} 1.0' in text
    assert 'http_requests_total{method="POST",route="/graphql",status="200"} 1.0' in text


async def test_a_chunked_body_the_lane_passes_on_reaches_the_stack_whole(api, catalog):
    mutation = b'{"query": "mutation { registerDataset(input: {lineageId: \\"x\\", title: \\"X\\"})'
    mutation += b' { id } }"}'

    async def stream():
        for i in range(0, len(mutation), 7):
            yield mutation[i : i + 7]

    r = await api.client.post(
        "/graphql", content=stream(), headers={"content-type": "application/json"}
    )
    # Parsed whole by Strawberry: the write is refused for want of a token, not garbled.
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("query", "status", "expected"),
    [
        ("family=statistical&sort=quality_score&order=asc&limit=5", 200, ["m1-v1"]),
        ("family=deep_learning", 200, []),
        ("latest=true&q=m", 200, ["m1-v1"]),
        ("q=zzz", 200, []),
        ("dataset=d1", 200, ["m1-v1"]),  # declined by the fast path: the route answers
        ("limit=0", 400, "limit"),
        ("sort=nope", 400, "sort"),
    ],
)
async def test_rest_list_from_the_lane_equals_the_route(api, catalog, query, status, expected):
    lane = await api.client.get(f"/api/models?{query}")
    route = await api.client.get(
        f"/api/models?{query}", headers={"authorization": f"Bearer {catalog}"}
    )
    assert lane.status_code == status
    if isinstance(expected, str):
        assert lane.json()["error"]["code"] == "BAD_USER_INPUT"
        assert lane.json()["error"]["parameter"] == expected
    else:
        assert [m["id"] for m in lane.json()["models"]] == expected
        assert lane.json()["total"] == len(expected)
    assert lane.status_code == route.status_code
    assert lane.headers["content-type"] == route.headers["content-type"]
    assert lane.json() == route.json()


async def test_a_rest_list_from_the_lane_costs_one_statement(api, catalog):
    api.sql.reset()
    r = await api.client.get("/api/models")
    assert r.status_code == 200 and r.json()["total"] == 1
    assert api.sql.count == 1
    text = (await api.client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/models",status="200"} 1.0' in text
