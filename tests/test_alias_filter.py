"""Lists by alias (`GET /api/models?alias=production`, `ModelFilter.alias`) and the aliases a
version carries on every REST item: both GraphQL paths alike, one statement, never stale."""

from __future__ import annotations

import pytest

from tests.factories import make_dataset, make_model, make_token
from tests.http import running_app

SET = """mutation($l: ID!, $a: String!, $v: ID!) {
  setAlias(lineageId: $l, alias: $a, versionId: $v, reason: "ok") { id } }"""
LIST = """query($f: ModelFilter) { models(filter: $f, sort: {field: CREATED_AT, direction: ASC})
  { total items { id aliases } } }"""


@pytest.fixture
async def writer(api, conn):
    api.client.headers["authorization"] = f"Bearer {await make_token(conn, 'write', name='ci')}"
    return api


async def catalog(writer, conn) -> None:
    """Two lineages of two versions; production on m-v1 and n-v2, staging on m-v2."""
    await make_dataset(conn, "ds")
    for lineage in ("m", "n", "m", "n"):
        await make_model(conn, lineage, trained_on=("ds-v1",))
    for lineage, alias, version in (("m", "production", "m-v1"), ("n", "production", "n-v2"),
                                    ("m", "staging", "m-v2")):  # fmt: skip
        await writer.data(SET, {"l": lineage, "a": alias, "v": version})


async def test_the_alias_filter_lists_the_versions_so_named_on_both_paths(writer, conn, pg_dsn):
    await catalog(writer, conn)
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            api.sql.reset()
            page = (await api.data(LIST, {"f": {"alias": "production"}}))["models"]
            if fast == "1":
                assert len(api.sql.statements) == 1
            assert page == {
                "total": 2,
                "items": [{"id": "m-v1", "aliases": ["production"]},
                          {"id": "n-v2", "aliases": ["production"]}],
            }  # fmt: skip
            latest = {"alias": "production", "latestOnly": True}
            assert (await api.data(LIST, {"f": latest}))["models"] == {
                "total": 1,
                "items": [{"id": "n-v2", "aliases": ["production"]}],
            }
            assert (await api.data(LIST, {"f": {"alias": "none-such"}}))["models"] == {
                "total": 0,
                "items": [],
            }


async def test_rest_lists_by_alias_and_every_item_carries_its_aliases(writer, conn):
    await catalog(writer, conn)
    body = (await writer.client.get("/api/models", params={"alias": "production"})).json()
    assert body["total"] == 2
    assert sorted((m["id"], m["aliases"]) for m in body["models"]) == [
        ("m-v1", ["production"]),
        ("n-v2", ["production"]),
    ]
    every = (await writer.client.get("/api/models", params={"limit": 10})).json()["models"]
    assert {m["id"]: m["aliases"] for m in every} == {
        "m-v1": ["production"],
        "m-v2": ["staging"],
        "n-v1": [],
        "n-v2": ["production"],
    }
    detail = (await writer.client.get("/api/models/m@staging")).json()
    assert (detail["id"], detail["aliases"]) == ("m-v2", ["staging"])
    cmp = await writer.client.get("/api/models/compare", params={"ids": "m-v1,n@production"})
    assert [(m["id"], m["aliases"]) for m in cmp.json()["models"]] == [
        ("m-v1", ["production"]),
        ("n-v2", ["production"]),
    ]


async def test_a_moved_alias_leaves_the_list_at_once(writer, conn):
    await catalog(writer, conn)
    await writer.data(SET, {"l": "m", "a": "production", "v": "m-v2"})
    body = (await writer.client.get("/api/models", params={"alias": "production"})).json()
    assert sorted(m["id"] for m in body["models"]) == ["m-v2", "n-v2"]
    assert (await writer.data(LIST, {"f": {"alias": "production"}}))["models"]["total"] == 2


@pytest.mark.parametrize("alias", ["Production", "latest", "v2", "a b", "x" * 65, "nul\x00"])
async def test_a_malformed_alias_filter_is_a_coded_error_naming_it(writer, conn, alias):
    await catalog(writer, conn)
    r = await writer.client.get("/api/models", params={"alias": alias})
    assert r.status_code == 400
    error = r.json()["error"]
    assert (error["code"], error["parameter"]) == ("BAD_USER_INPUT", "alias")
    body = await writer.gql(LIST, {"f": {"alias": alias}})
    (gql_error,) = body["errors"]
    assert gql_error["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["data"] is None
