"""Registration and curation through /graphql: results, errors, idempotency, concurrency."""

from __future__ import annotations

import asyncio

import pytest

from tests.factories import make_token

REGISTER_MODEL = """
mutation($input: RegisterModelInput!, $key: String) {
  registerModel(input: $input, idempotencyKey: $key) {
    id versionNumber isLatest qualityScore rawQualityScore
    provenance { complete warnings { code message } }
  }
}
"""
REGISTER_DATASET = """
mutation($input: RegisterDatasetInput!, $key: String) {
  registerDataset(input: $input, idempotencyKey: $key) { id versionNumber isLatest }
}
"""
REGISTER_ANALYSIS = """
mutation($input: RegisterAnalysisInput!) {
  registerAnalysis(input: $input) { id inputs { pinned artifact { id } } }
}
"""
REGISTER_HYPOTHESIS = """
mutation($input: RegisterHypothesisInput!) { registerHypothesis(input: $input) { id } }
"""
ADD_LINKS = """
mutation($id: ID!, $links: [LinkInput!]!) {
  addLinks(id: $id, links: $links) { id ... on Analysis { inputs { pinned artifact { id } } } }
}
"""
REMOVE_LINKS = """
mutation($id: ID!, $links: [LinkInput!]!) { removeLinks(id: $id, links: $links) { id } }
"""
MODEL_SCORE = "query($id: ID!) { model(id: $id) { qualityScore provenance { warnings { code } } } }"


@pytest.fixture
async def writer(api, conn):
    token = await make_token(conn, "write", name="ci-pipeline")
    api.client.headers["authorization"] = f"Bearer {token}"
    return api


async def counts(conn) -> tuple[int, int, int]:
    return tuple(
        [
            await conn.fetchval(f"select count(*) from {t}")
            for t in ("artifacts", "links", "audit_log")
        ]
    )


async def seed(writer) -> None:
    """A dataset, a hypothesis and an analysis that pins the dataset and addresses it."""
    await writer.data(REGISTER_DATASET, {"input": {"lineageId": "ds", "title": "Data"}})
    await writer.data(REGISTER_HYPOTHESIS, {"input": {"lineageId": "h", "title": "H"}})
    await writer.data(
        REGISTER_ANALYSIS,
        {"input": {"lineageId": "an", "title": "An", "inputs": ["ds-v1"], "addresses": ["h-v1"]}},
    )


def model_input(**changes) -> dict:
    return {
        "lineageId": "m",
        "title": "Model",
        "family": "STATISTICAL",
        "rawQualityScore": 0.8,
        "evaluationMetrics": {"rmse": 0.1},
        "trainedOn": ["ds-v1"],
        "producedBy": "an-v1",
        "testsHypotheses": ["h-v1"],
    } | changes


async def test_register_model_returns_its_effective_score(writer, conn):
    await seed(writer)
    data = await writer.data(REGISTER_MODEL, {"input": model_input()})
    assert data["registerModel"] == {
        "id": "m-v1",
        "versionNumber": 1,
        "isLatest": True,
        "qualityScore": 0.8,
        "rawQualityScore": 0.8,
        "provenance": {"complete": True, "warnings": []},
    }
    capped = await writer.data(REGISTER_MODEL, {"input": model_input(testsHypotheses=[])})
    assert capped["registerModel"]["id"] == "m-v2"
    assert capped["registerModel"]["qualityScore"] == 0.3
    assert [w["code"] for w in capped["registerModel"]["provenance"]["warnings"]] == [
        "MISSING_HYPOTHESIS_LINK"
    ]


ERRORS = [
    ("unknown target", {"trainedOn": ["ds-v9"]}, "NOT_FOUND"),
    ("wrong kind of target", {"trainedOn": ["h-v1"]}, "WRONG_KIND"),
    ("invalid family", {"family": "QUANTUM"}, "BAD_USER_INPUT"),
    ("score above one", {"rawQualityScore": 1.01}, "BAD_USER_INPUT"),
    ("negative score", {"rawQualityScore": -0.5}, "BAD_USER_INPUT"),
    ("non-numeric metric", {"evaluationMetrics": {"rmse": "low"}}, "BAD_USER_INPUT"),
    ("metrics not an object", {"evaluationMetrics": [1, 2]}, "BAD_USER_INPUT"),
    ("empty title", {"title": ""}, "BAD_USER_INPUT"),
    ("too-large payload", {"trainingConfig": {"blob": "x" * 70000}}, "BAD_USER_INPUT"),
    ("bad lineage id", {"lineageId": "has space"}, "BAD_USER_INPUT"),
    ("lineage of another kind", {"lineageId": "ds"}, "CONFLICT"),
]


@pytest.mark.parametrize(("changes", "code"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
async def test_bad_registration_gets_a_stable_code_and_writes_nothing(writer, conn, changes, code):
    await seed(writer)
    before = await counts(conn)
    body = await writer.gql(REGISTER_MODEL, {"input": model_input(**changes)})
    assert body["errors"][0]["extensions"]["code"] == code, body
    assert body.get("data") is None
    assert await counts(conn) == before


async def test_same_idempotency_key_returns_the_first_result_and_writes_nothing(writer, conn):
    await seed(writer)
    first = await writer.data(REGISTER_MODEL, {"input": model_input(), "key": "run-42"})
    before = await counts(conn)
    again = await writer.data(REGISTER_MODEL, {"input": model_input(), "key": "run-42"})
    assert again == first
    assert await counts(conn) == before
    # The header works the same way.
    r = await writer.client.post(
        "/graphql",
        json={"query": REGISTER_MODEL, "variables": {"input": model_input()}},
        headers={"idempotency-key": "run-42"},
    )
    assert r.json()["data"] == first
    assert await counts(conn) == before


async def test_two_tokens_sharing_a_key_each_get_their_own_write(writer, conn):
    """Keys belong to the token that sent them: another token's key neither answers nor
    suppresses a write, whether its payload is the same or not."""
    await seed(writer)
    other = {"authorization": f"Bearer {await make_token(conn, 'write', name='other-pipeline')}"}

    async def register(key: str, headers: dict | None = None, **changes) -> dict:
        body = await writer.gql(
            REGISTER_MODEL, {"input": model_input(**changes), "key": key}, headers=headers or {}
        )
        assert "errors" not in body, body
        return body["data"]["registerModel"]

    # Same key, same payload.
    mine = await register("nightly")
    theirs = await register("nightly", other)
    assert (mine["id"], theirs["id"]) == ("m-v1", "m-v2")
    # Same key, different payload: not a reuse, for it is another token's key.
    mine_k2 = await register("k2", title="Mine")
    theirs_k2 = await register("k2", other, title="Theirs", testsHypotheses=[])
    assert (mine_k2["id"], theirs_k2["id"]) == ("m-v3", "m-v4")
    assert theirs_k2["qualityScore"] == 0.3  # its own payload, not the first one's
    # Each token's retry returns its own first result (as it is now) and writes nothing.
    before = await counts(conn)
    assert (await register("nightly", other))["id"] == "m-v2"
    assert (await register("nightly"))["id"] == "m-v1"
    assert (await register("k2", other, title="Theirs", testsHypotheses=[]))["id"] == "m-v4"
    assert await counts(conn) == before
    titles = await conn.fetch(
        "select a.id, a.title, l.actor from artifacts a join audit_log l on l.artifact_id = a.id"
        " where a.lineage_id = 'm' and l.action = 'register' order by a.id"
    )
    assert [tuple(r) for r in titles] == [
        ("m-v1", "Model", "ci-pipeline"),
        ("m-v2", "Model", "other-pipeline"),
        ("m-v3", "Mine", "ci-pipeline"),
        ("m-v4", "Theirs", "other-pipeline"),
    ]


async def test_two_tokens_racing_with_one_key_each_write_once(writer, conn):
    await seed(writer)
    other = {"authorization": f"Bearer {await make_token(conn, 'write', name='other-pipeline')}"}
    bodies = await asyncio.gather(
        *(
            writer.gql(REGISTER_MODEL, {"input": model_input(), "key": "race"}, headers=h)
            for h in [{}, other] * 4
        )
    )
    assert all("errors" not in b for b in bodies), bodies
    ids = [b["data"]["registerModel"]["id"] for b in bodies]
    assert len(set(ids[0::2])) == 1 and len(set(ids[1::2])) == 1
    assert sorted({*ids}) == ["m-v1", "m-v2"]


async def test_reusing_a_key_for_another_request_is_refused(writer, conn):
    await seed(writer)
    await writer.data(REGISTER_MODEL, {"input": model_input(), "key": "k"})
    body = await writer.gql(REGISTER_MODEL, {"input": model_input(title="Other"), "key": "k"})
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_racing_calls_with_one_key_write_once(writer, conn):
    await seed(writer)
    results = await asyncio.gather(
        *(writer.data(REGISTER_MODEL, {"input": model_input(), "key": "race"}) for _ in range(8))
    )
    assert all(r == results[0] for r in results)
    assert await conn.fetchval("select count(*) from artifacts where lineage_id = 'm'") == 1


async def test_failed_call_leaves_its_key_free(writer, conn):
    await seed(writer)
    body = await writer.gql(REGISTER_MODEL, {"input": model_input(rawQualityScore=2), "key": "k"})
    assert body["errors"]
    ok = await writer.data(REGISTER_MODEL, {"input": model_input(), "key": "k"})
    assert ok["registerModel"]["id"] == "m-v1"


async def test_concurrent_registrations_over_http_get_consecutive_versions(writer, conn):
    async def one(i: int) -> int:
        d = await writer.data(REGISTER_DATASET, {"input": {"lineageId": "busy", "title": f"r{i}"}})
        return d["registerDataset"]["versionNumber"]

    numbers = await asyncio.gather(*(one(i) for i in range(20)))
    assert sorted(numbers) == list(range(1, 21))
    latest = await conn.fetch("select id from artifacts where lineage_id = 'busy' and is_latest")
    assert [r["id"] for r in latest] == ["busy-v20"]


async def test_pinning_an_analysis_input_uncaps_its_models_and_unpinning_caps_them(writer, conn):
    await seed(writer)
    await writer.data(
        REGISTER_ANALYSIS, {"input": {"lineageId": "an", "title": "An 2", "inputs": ["ds"]}}
    )
    m = await writer.data(
        REGISTER_MODEL, {"input": model_input(producedBy="an-v2", testsHypotheses=[])}
    )
    assert m["registerModel"]["qualityScore"] == 0.3

    pinned = await writer.data(
        ADD_LINKS, {"id": "an-v2", "links": [{"type": "USES", "target": "ds-v1"}]}
    )
    assert pinned["addLinks"]["inputs"] == [{"pinned": True, "artifact": {"id": "ds-v1"}}]
    after = await writer.data(MODEL_SCORE, {"id": "m-v1"})
    assert after["model"] == {"qualityScore": 0.8, "provenance": {"warnings": []}}

    await writer.data(ADD_LINKS, {"id": "an-v2", "links": [{"type": "USES", "target": "ds"}]})
    again = await writer.data(MODEL_SCORE, {"id": "m-v1"})
    assert again["model"]["qualityScore"] == 0.3
    assert again["model"]["provenance"]["warnings"] == [{"code": "UNPINNED_INPUTS"}]


async def test_adding_and_removing_a_hypothesis_link_moves_the_cap(writer, conn):
    await seed(writer)
    await writer.data(REGISTER_MODEL, {"input": model_input(testsHypotheses=[])})
    await writer.data(
        ADD_LINKS, {"id": "m-v1", "links": [{"type": "TESTS_HYPOTHESIS", "target": "h-v1"}]}
    )
    assert (await writer.data(MODEL_SCORE, {"id": "m"}))["model"]["qualityScore"] == 0.8
    await writer.data(
        REMOVE_LINKS, {"id": "m", "links": [{"type": "TESTS_HYPOTHESIS", "target": "h"}]}
    )
    assert (await writer.data(MODEL_SCORE, {"id": "m"}))["model"]["qualityScore"] == 0.3


async def test_curation_errors_write_nothing(writer, conn):
    await seed(writer)
    await writer.data(REGISTER_MODEL, {"input": model_input()})
    before = await counts(conn)
    cases = [
        (
            ADD_LINKS,
            {"id": "nope", "links": [{"type": "TRAINED_ON", "target": "ds-v1"}]},
            "NOT_FOUND",
        ),
        (
            ADD_LINKS,
            {"id": "m-v1", "links": [{"type": "TRAINED_ON", "target": "h-v1"}]},
            "WRONG_KIND",
        ),
        (ADD_LINKS, {"id": "m-v1", "links": [{"type": "USES", "target": "ds-v1"}]}, "WRONG_KIND"),
        (ADD_LINKS, {"id": "m-v1", "links": [{"type": "TRAINED_ON", "target": "zz"}]}, "NOT_FOUND"),
        (
            REMOVE_LINKS,
            {"id": "m-v1", "links": [{"type": "DERIVED_FROM", "target": "m"}]},
            "NOT_FOUND",
        ),
    ]
    for query, variables, code in cases:
        body = await writer.gql(query, variables)
        assert body["errors"][0]["extensions"]["code"] == code, (variables, body)
    assert await counts(conn) == before


async def test_audit_trail_records_actor_and_links_before_and_after(writer, conn):
    await seed(writer)
    await writer.data(ADD_LINKS, {"id": "an-v1", "links": [{"type": "USES", "target": "h-v1"}]})
    data = await writer.data('{ auditTrail(id: "an-v1") { actor action artifactId before after } }')
    register, add = data["auditTrail"]
    assert register["action"] == "register" and register["actor"] == "ci-pipeline"
    assert add["action"] == "add_links" and add["actor"] == "ci-pipeline"
    targets_before = {lk["target_lineage_id"] for lk in add["before"]["links"]}
    targets_after = {lk["target_lineage_id"] for lk in add["after"]["links"]}
    assert targets_before == {"ds", "h"} and len(add["before"]["links"]) == 2
    assert targets_after == {"ds", "h"} and len(add["after"]["links"]) == 3
