"""Aliases of lineages: set, moved compare-and-set, removed, recorded; and `lineage@alias`
accepted wherever an id is, resolved in the same statement, never kept past a move."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest

from tests.factories import make_dataset, make_model, make_token
from tests.http import running_app

SET = """mutation($l: ID!, $a: String!, $v: ID!, $r: String!, $e: ID) {
  setAlias(lineageId: $l, alias: $a, versionId: $v, reason: $r, expectedVersionId: $e) { id } }"""
REMOVE = """mutation($l: ID!, $a: String!, $e: ID) {
  removeAlias(lineageId: $l, alias: $a, reason: "retired", expectedVersionId: $e) { id } }"""
READ = """query($id: ID!) { model(id: $id) { id aliases aliasHistoryCount
  aliasHistory { alias fromVersionId toVersionId actor reason } } }"""


@pytest.fixture
async def writer(api, conn):
    api.client.headers["authorization"] = f"Bearer {await make_token(conn, 'write', name='ci')}"
    return api


async def models(conn, n: int = 3) -> None:
    await make_dataset(conn, "ds")
    for _ in range(n):
        await make_model(conn, "m", trained_on=("ds-v1",))


async def set_alias(api, version: str, alias: str = "production", **kw):
    return await api.gql(SET, {"l": "m", "a": alias, "v": version, "r": "tests pass", **kw})


async def test_an_alias_is_set_moved_and_removed_and_each_move_recorded(writer, conn, pg_dsn):
    await models(conn)
    assert (await set_alias(writer, "m-v1"))["data"] == {"setAlias": {"id": "m-v1"}}
    assert (await set_alias(writer, "m-v2", e="m-v1"))["data"] == {"setAlias": {"id": "m-v2"}}
    await set_alias(writer, "m-v2")  # already there: nothing moves
    await set_alias(writer, "m@production", alias="champion")  # an alias names a version too
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            api.sql.reset()
            data = await api.data(READ, {"id": "m@production"})
            if fast == "1":
                assert len(api.sql.statements) == 1
        assert data["model"] == {
            "id": "m-v2",
            "aliases": ["champion", "production"],
            "aliasHistoryCount": 3,
            "aliasHistory": [
                {"alias": "champion", "fromVersionId": None, "toVersionId": "m-v2",
                 "actor": "ci", "reason": "tests pass"},
                {"alias": "production", "fromVersionId": "m-v1", "toVersionId": "m-v2",
                 "actor": "ci", "reason": "tests pass"},
                {"alias": "production", "fromVersionId": None, "toVersionId": "m-v1",
                 "actor": "ci", "reason": "tests pass"},
            ],
        }  # fmt: skip
    removed = await writer.gql(REMOVE, {"l": "m", "a": "champion", "e": "m-v2"})
    assert removed["data"] == {"removeAlias": {"id": "m-v2"}}
    trail = await writer.data('{ auditTrail(id: "m@production") { action before after } }')
    assert [e["action"] for e in trail["auditTrail"]] == ["register", "set_alias", "set_alias",
                                                          "remove_alias"]  # fmt: skip
    assert trail["auditTrail"][1]["before"] == {"alias": "production", "version_id": "m-v1"}


async def test_a_move_expecting_another_version_is_a_conflict_and_changes_nothing(writer, conn):
    await models(conn)
    await set_alias(writer, "m-v1")
    body = await set_alias(writer, "m-v3", e="m-v2")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert "points at m-v1, not m-v2: it moved meanwhile" in error["message"]
    assert await conn.fetchval("select version_id from aliases") == "m-v1"
    assert await conn.fetchval("select count(*) from alias_moves") == 1


async def test_twenty_concurrent_moves_of_one_alias_lose_none(writer, conn):
    await models(conn, 5)
    versions = [f"m-v{1 + i % 5}" for i in range(20)]
    answers = await asyncio.gather(*(set_alias(writer, v) for v in versions))
    assert all("errors" not in a for a in answers), answers
    moves = await conn.fetch("select from_version_id, to_version_id from alias_moves order by id")
    # One history: each move starts where the one before it ended.
    assert moves[0]["from_version_id"] is None
    for before, after in pairwise(moves):
        assert after["from_version_id"] == before["to_version_id"] != after["to_version_id"]
    assert await conn.fetchval("select version_id from aliases") == moves[-1]["to_version_id"]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"a": "Production"}, "BAD_USER_INPUT", "alias"),
        ({"a": "latest"}, "BAD_USER_INPUT", "alias"),
        ({"a": "v2"}, "BAD_USER_INPUT", "alias"),
        ({"a": "x" * 65}, "BAD_USER_INPUT", "alias"),
        ({"v": "m-v9"}, "NOT_FOUND", None),
        ({"v": "ds-v1"}, "BAD_USER_INPUT", "versionId"),
        ({"l": "nope", "v": "m-v1"}, "BAD_USER_INPUT", "versionId"),
        ({"l": "no\x00pe"}, "NOT_FOUND", None),
        ({"r": "x" * 1001}, "BAD_USER_INPUT", "reason"),
    ],
)
async def test_bad_alias_writes_get_a_code_and_write_nothing(writer, conn, variables, code, field):
    await models(conn, 1)
    audit = await conn.fetchval("select count(*) from audit_log")
    body = await writer.gql(SET, {"l": "m", "a": "prod", "v": "m-v1", "r": ""} | variables)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code, error
    if field:
        assert error["extensions"]["field"] == field
    assert await conn.fetchval("select count(*) from aliases") == 0
    assert await conn.fetchval("select count(*) from alias_moves") == 0
    assert await conn.fetchval("select count(*) from audit_log") == audit


async def test_moving_an_alias_needs_the_write_scope(api, conn):
    await models(conn, 1)
    api.client.headers["authorization"] = f"Bearer {await make_token(conn, 'read', name='r')}"
    r = await api.client.post(
        "/graphql", json={"query": SET, "variables": {"l": "m", "a": "p", "v": "m-v1", "r": ""}}
    )
    assert r.status_code == 403
    assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await conn.fetchval("select count(*) from aliases") == 0


async def test_an_unknown_alias_is_not_found_naming_it_on_every_surface(writer, conn, pg_dsn):
    await models(conn, 2)
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            body = await api.gql('{ model(id: "m@nope") { id } }')
            (error,) = body["errors"]
            assert error["extensions"] == {"code": "NOT_FOUND", "ids": ["m@nope"]}
            assert error["message"] == "lineage 'm' has no alias 'nope'"
            compare = await api.gql('{ compareModels(ids: ["m-v1", "m@nope"]) { models { id } } }')
            assert compare["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    rest = await writer.client.get("/api/models/m@nope")
    assert rest.status_code == 404
    assert rest.json()["error"]["message"] == "lineage 'm' has no alias 'nope'"


async def test_every_surface_reads_an_alias_and_no_process_keeps_it(writer, conn, pg_dsn):
    await models(conn, 3)
    await set_alias(writer, "m-v1")
    await set_alias(writer, "m-v3", alias="challenger")
    compare = """{ compareModels(ids: ["m@production", "m@challenger"], baseline: "m@challenger")
                   { models { id } baselineModelId } }"""
    lineage = """{ lineage(id: "m@production", direction: UPSTREAM, maxDepth: 1, limit: 10)
                   { root { id } } }"""
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            assert (await api.data('{ artifact(id: "m@production") { id } }')) == {
                "artifact": {"id": "m-v1"}
            }
            assert (await api.data(compare))["compareModels"] == {
                "models": [{"id": "m-v1"}, {"id": "m-v3"}],
                "baselineModelId": "m-v3",
            }
            assert (await api.data(lineage))["lineage"]["root"] == {"id": "m-v1"}
            # the same app, after a move: the new version, at once
            api.client.headers.update(writer.client.headers)
            await set_alias(api, "m-v2", e="m-v1")
            assert (await api.data('{ model(id: "m@production") { id } }')) == {
                "model": {"id": "m-v2"}
            }
            await set_alias(api, "m-v1", e="m-v2")
    rest = (await writer.client.get("/api/models/m@production")).json()
    assert rest["id"] == "m-v1"
    cmp = await writer.client.get(
        "/api/models/compare", params={"ids": "m@production,m@challenger"}
    )
    assert [m["id"] for m in cmp.json()["models"]] == ["m-v1", "m-v3"]


async def test_a_write_naming_an_alias_pins_the_version_it_names(writer, conn):
    await make_dataset(conn, "ds")
    await make_dataset(conn, "ds")
    await writer.gql(
        """mutation { setAlias(lineageId: "ds", alias: "golden", versionId: "ds-v1") { id } }"""
    )
    registered = await writer.gql(
        """mutation { registerModel(input: {lineageId: "m", title: "m", family: STATISTICAL,
             rawQualityScore: 0.5, trainedOn: ["ds@golden"]}) { id trainedOn { id } } }"""
    )
    assert registered["data"]["registerModel"] == {"id": "m-v1", "trainedOn": [{"id": "ds-v1"}]}
    link = await conn.fetchrow("select target_lineage_id, target_version_id from links")
    assert dict(link) == {"target_lineage_id": "ds", "target_version_id": "ds-v1"}
    # The filter of models trained on a dataset takes an alias too.
    found = await writer.data('{ models(filter: {trainedOn: "ds@golden"}) { total } }')
    assert found == {"models": {"total": 1}}
