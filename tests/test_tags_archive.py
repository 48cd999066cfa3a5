"""Archived versions and tags: mutations, both read paths, filters, latest-only lists, caches."""

from __future__ import annotations

import pytest

from app import tags as tag_rules
from app.errors import InvalidInput
from tests.factories import make_dataset, make_model, make_token
from tests.http import running_app

ARCHIVE = """
mutation($id: ID!, $reason: String!, $key: String) {
  archiveVersion(id: $id, reason: $reason, idempotencyKey: $key) {
    id archived archivedReason archivedAt
  }
}
"""
RESTORE = """
mutation($id: ID!, $reason: String!) {
  restoreVersion(id: $id, reason: $reason) { id archived archivedReason archivedAt }
}
"""
SET_TAGS = """
mutation($id: ID!, $tags: [TagInput!]!, $key: String) {
  setTags(id: $id, tags: $tags, idempotencyKey: $key) { id tags { key value } }
}
"""
REMOVE_TAGS = """
mutation($id: ID!, $keys: [String!]!) { removeTags(id: $id, keys: $keys) { id tags { key } } }
"""
MODEL_STATE = """
query($id: ID!) {
  model(id: $id) { id archived archivedAt archivedReason tags { key value } }
  artifact(id: "ds-v1") { id archived tags { key value } }
}
"""
MODELS = """
query($f: ModelFilter) { models(filter: $f, limit: 100) { total items { id archived } } }
"""


@pytest.fixture
async def writer(api, conn):
    token = await make_token(conn, "write", name="ci-pipeline")
    api.client.headers["authorization"] = f"Bearer {token}"
    return api


@pytest.fixture
async def catalog(conn):
    await make_dataset(conn, "ds")
    await make_model(conn, "m", trained_on=("ds",))
    await make_model(conn, "m", trained_on=("ds",))
    await make_model(conn, "n", trained_on=("ds",))


async def both_paths(pg_dsn: str, query: str, variables: dict | None = None) -> dict:
    """The answer of the resolvers, checked equal to the compiled path's (one statement)."""
    bodies, statements = [], []
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            api.sql.reset()
            bodies.append(await api.gql(query, variables or {}))
            statements.append(api.sql.count)
    assert bodies[0] == bodies[1]
    assert statements[0] == 1, "the compiled path declined"
    assert "errors" not in bodies[0], bodies[0]
    return bodies[0]["data"]


async def table_state(conn) -> list:
    return [
        await conn.fetch("select * from tags order by artifact_id, key"),
        await conn.fetch("select id, archived_at, archived_reason from artifacts order by id"),
        await conn.fetchval("select count(*) from audit_log"),
        await conn.fetch("select * from model_counts order by family, latest_only"),
    ]


async def test_archive_and_restore_round_trip_on_both_paths_with_audit(
    writer, conn, pg_dsn, catalog
):
    done = await writer.data(ARCHIVE, {"id": "m-v2", "reason": " superseded by a fix "})
    assert done["archiveVersion"]["archived"] is True
    assert done["archiveVersion"]["archivedReason"] == "superseded by a fix"
    data = await both_paths(pg_dsn, MODEL_STATE, {"id": "m-v2"})
    assert data["model"]["archived"] is True
    assert data["model"]["archivedReason"] == "superseded by a fix"
    assert data["model"]["archivedAt"] == done["archiveVersion"]["archivedAt"]
    # Readable by lineage id too: the latest version, archived.
    assert (await both_paths(pg_dsn, MODEL_STATE, {"id": "m"}))["model"]["id"] == "m-v2"

    restored = await writer.data(RESTORE, {"id": "m-v2", "reason": "fixed upstream"})
    assert restored["restoreVersion"] == {
        "id": "m-v2",
        "archived": False,
        "archivedReason": None,
        "archivedAt": None,
    }
    trail = await writer.data('query { auditTrail(id: "m-v2") { actor action before after } }')
    entries = [e for e in trail["auditTrail"] if e["action"] != "register"]
    assert [e["action"] for e in entries] == ["archive", "restore"]
    assert entries[0]["actor"] == "ci-pipeline"
    assert entries[0]["after"]["reason"] == "superseded by a fix"
    assert entries[1]["after"]["reason"] == "fixed upstream"


async def test_archiving_twice_or_restoring_a_live_version_is_a_conflict(writer, conn, catalog):
    await writer.data(ARCHIVE, {"id": "m-v2", "reason": "old"})
    before = await table_state(conn)
    twice = await writer.gql(ARCHIVE, {"id": "m-v2", "reason": "again"})
    assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"
    live = await writer.gql(RESTORE, {"id": "n-v1", "reason": "why"})
    assert live["errors"][0]["extensions"]["code"] == "CONFLICT"
    blank = await writer.gql(ARCHIVE, {"id": "n-v1", "reason": "  "})
    assert blank["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await writer.gql(ARCHIVE, {"id": "nothing-v1", "reason": "x"})
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await table_state(conn) == before


async def test_an_idempotency_key_archives_once(writer, conn, catalog):
    first = await writer.data(ARCHIVE, {"id": "n-v1", "reason": "r", "key": "k1"})
    again = await writer.data(ARCHIVE, {"id": "n-v1", "reason": "r", "key": "k1"})
    assert again == first
    assert await conn.fetchval("select count(*) from audit_log where action = 'archive'") == 1


async def test_writes_need_the_write_scope(api, conn, catalog):
    before = await table_state(conn)
    for query, variables in [
        (ARCHIVE, {"id": "n-v1", "reason": "r"}),
        (SET_TAGS, {"id": "n-v1", "tags": [{"key": "a", "value": "b"}]}),
    ]:
        r = await api.client.post("/graphql", json={"query": query, "variables": variables})
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await table_state(conn) == before


async def test_archived_versions_leave_latest_only_lists_on_every_path(
    writer, conn, pg_dsn, catalog
):
    await writer.data(ARCHIVE, {"id": "n-v1", "reason": "retired"})
    latest = await both_paths(pg_dsn, MODELS, {"f": {"latestOnly": True}})
    assert [m["id"] for m in latest["models"]["items"]] == ["m-v2"]
    assert latest["models"]["total"] == 1
    # The counted total and a counted-by-hand total agree (family narrows the same rows).
    family = await both_paths(pg_dsn, MODELS, {"f": {"latestOnly": True, "family": "STATISTICAL"}})
    assert family["models"]["total"] == len(family["models"]["items"])
    every = await both_paths(pg_dsn, MODELS, {"f": {}})
    assert {m["id"]: m["archived"] for m in every["models"]["items"]} == {
        "m-v1": False,
        "m-v2": False,
        "n-v1": True,
    }
    # Datasets follow the same rule.
    await writer.data(ARCHIVE, {"id": "ds-v1", "reason": "withdrawn"})
    kinds = await both_paths(pg_dsn, "{ datasets(latestOnly: true) { total items { id } } }")
    assert kinds["datasets"] == {"total": 0, "items": []}
    # Still linked: the models trained on it still reach it by id.
    reached = await both_paths(pg_dsn, '{ model(id: "m-v2") { trainedOn { id archived } } }')
    assert reached["model"]["trainedOn"] == [{"id": "ds-v1", "archived": True}]
    rest = await writer.client.get("/api/models", params={"latest": "true"})
    assert [m["id"] for m in rest.json()["models"]] == ["m-v2"]
    restored = await writer.data(RESTORE, {"id": "n-v1", "reason": "back"})
    assert restored["restoreVersion"]["archived"] is False
    latest = await both_paths(pg_dsn, MODELS, {"f": {"latestOnly": True}})
    assert latest["models"]["total"] == 2


async def test_tags_round_trip_sorted_on_both_paths(writer, conn, pg_dsn, catalog):
    tags = [{"key": "team", "value": "vision"}, {"key": "data.split/holdout", "value": ""}]
    done = await writer.data(SET_TAGS, {"id": "m-v2", "tags": tags})
    expected = [{"key": "data.split/holdout", "value": ""}, {"key": "team", "value": "vision"}]
    assert done["setTags"]["tags"] == expected
    changed = await writer.data(SET_TAGS, {"id": "m-v2", "tags": [{"key": "team", "value": "x"}]})
    assert changed["setTags"]["tags"][1] == {"key": "team", "value": "x"}
    await writer.data(SET_TAGS, {"id": "ds-v1", "tags": [{"key": "source", "value": "lab"}]})
    data = await both_paths(pg_dsn, MODEL_STATE, {"id": "m-v2"})
    assert data["model"]["tags"] == [expected[0], {"key": "team", "value": "x"}]
    assert data["artifact"]["tags"] == [{"key": "source", "value": "lab"}]
    removed = await writer.data(REMOVE_TAGS, {"id": "m-v2", "keys": ["team"]})
    assert removed["removeTags"]["tags"] == [{"key": "data.split/holdout"}]
    detail = (await writer.client.get("/api/models/m-v2")).json()
    assert detail["tags"] == [{"key": "data.split/holdout", "value": ""}]
    assert detail["archived"] is False
    assert [v["archived"] for v in detail["versions"]] == [False, False]
    actions = await conn.fetch(
        "select action from audit_log where artifact_id = 'm-v2' and action <> 'register' "
        "order by id"
    )
    assert [r["action"] for r in actions] == ["set_tags", "set_tags", "remove_tags"]


@pytest.mark.parametrize(
    ("tags", "keys"),
    [
        ([{"key": "Team", "value": "x"}], None),
        ([{"key": "-team", "value": "x"}], None),
        ([{"key": "team-", "value": "x"}], None),
        ([{"key": "", "value": "x"}], None),
        ([{"key": "a" * 64, "value": "x"}], None),
        ([{"key": "t am", "value": "x"}], None),
        ([{"key": "team", "value": "v" * 257}], None),
        ([{"key": "team", "value": "a\x00b"}], None),
        ([{"key": "team", "value": "a"}, {"key": "team", "value": "b"}], None),
        ([{"key": f"k{i}", "value": "v"} for i in range(51)], None),
        # Together with the tags already set, more than 50.
        ([{"key": f"new{i}", "value": "v"} for i in range(49)], None),
        (None, ["Bad key"]),
    ],
)
async def test_bad_tags_are_coded_and_write_nothing(writer, conn, catalog, tags, keys):
    await writer.data(
        SET_TAGS, {"id": "m-v2", "tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}
    )
    before = await table_state(conn)
    if tags is not None:
        body = await writer.gql(SET_TAGS, {"id": "m-v2", "tags": tags})
    else:
        body = await writer.gql(REMOVE_TAGS, {"id": "m-v2", "keys": keys})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await table_state(conn) == before


async def test_removing_a_missing_tag_is_not_found_and_writes_nothing(writer, conn, catalog):
    await writer.data(SET_TAGS, {"id": "m-v2", "tags": [{"key": "a", "value": "1"}]})
    before = await table_state(conn)
    body = await writer.gql(REMOVE_TAGS, {"id": "m-v2", "keys": ["a", "zz"]})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await table_state(conn) == before


async def test_the_tag_filter_matches_a_reference_on_graphql_and_rest(
    writer, conn, pg_dsn, catalog
):
    await writer.data(SET_TAGS, {"id": "m-v1", "tags": [{"key": "stage", "value": "dev"}]})
    await writer.data(SET_TAGS, {"id": "m-v2", "tags": [{"key": "stage", "value": "prod"}]})
    await writer.data(SET_TAGS, {"id": "n-v1", "tags": [{"key": "owner", "value": "dev"}]})
    cases = [("stage", "dev"), ("stage", None), ("stage", "none"), ("owner", "dev"), ("x", None)]
    for key, value in cases:
        exact = "" if value is None else " and value = $2"
        reference = sorted(
            r["artifact_id"]
            for r in await conn.fetch(
                f"select artifact_id from tags where key = $1{exact}",
                *([key] if value is None else [key, value]),
            )
        )
        for latest in (False, True):
            f = {"tag": {"key": key, "value": value}, "latestOnly": latest}
            data = await both_paths(pg_dsn, MODELS, {"f": f})
            wanted = [i for i in reference if not latest or i != "m-v1"]
            assert sorted(m["id"] for m in data["models"]["items"]) == wanted, (key, value)
            assert data["models"]["total"] == len(wanted)
        param = key if value is None else f"{key}:{value}"
        rest = (await writer.client.get("/api/models", params={"tag": param})).json()
        assert sorted(m["id"] for m in rest["models"]) == reference
        assert all(any(t["key"] == key for t in m["tags"]) for m in rest["models"]), rest
    # With a link filter, which the resolvers answer, walking the dataset's links.
    linked = await writer.data(MODELS, {"f": {"tag": {"key": "stage"}, "trainedOn": "ds"}})
    assert sorted(m["id"] for m in linked["models"]["items"]) == ["m-v1", "m-v2"]
    assert linked["models"]["total"] == 2
    rest = await writer.client.get("/api/models", params={"tag": "stage:prod", "dataset": "ds"})
    assert [m["id"] for m in rest.json()["models"]] == ["m-v2"]
    bad = await writer.client.get("/api/models", params={"tag": "Bad Key"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "BAD_USER_INPUT"
    body = await writer.gql(MODELS, {"f": {"tag": {"key": "Bad Key"}}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def compiled_reads(api) -> int:
    """Statements of the last request beside the token lookup: one when compiled."""
    return len([s for s in api.sql.statements if "api_tokens" not in s])


async def test_no_cache_keeps_archive_state_or_tags_past_a_write(writer, catalog):
    """The same app reads, writes and reads again, on the compiled path and REST."""
    writer.sql.reset()
    before = await writer.data(MODEL_STATE, {"id": "n-v1"})
    assert compiled_reads(writer) == 1  # the compiled path, whose statements are cached
    rest_before = (await writer.client.get("/api/models", params={"latest": "true"})).json()
    assert before["model"]["tags"] == [] and before["model"]["archived"] is False
    await writer.data(SET_TAGS, {"id": "n-v1", "tags": [{"key": "k", "value": "v"}]})
    await writer.data(ARCHIVE, {"id": "n-v1", "reason": "r"})
    writer.sql.reset()
    after = await writer.data(MODEL_STATE, {"id": "n-v1"})
    assert compiled_reads(writer) == 1
    assert after["model"]["tags"] == [{"key": "k", "value": "v"}]
    assert after["model"]["archived"] is True
    rest_after = (await writer.client.get("/api/models", params={"latest": "true"})).json()
    assert "n-v1" in [m["id"] for m in rest_before["models"]]
    assert "n-v1" not in [m["id"] for m in rest_after["models"]]
    detail = (await writer.client.get("/api/models/n-v1")).json()
    assert detail["archived"] is True and detail["archived_reason"] == "r"
    assert detail["tags"] == [{"key": "k", "value": "v"}]


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("a", True),
        ("team", True),
        ("data.split/holdout", True),
        ("k8s_label-2", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("", False),
        ("Team", False),
        ("-a", False),
        ("a-", False),
        ("a b", False),
        ("a:b", False),
        ("é", False),
    ],
)
def test_tag_keys_follow_the_label_rule(key, valid):
    if valid:
        assert tag_rules.check_key(key) == key
    else:
        with pytest.raises(InvalidInput):
            tag_rules.check_key(key)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("stage", ("stage", None)), ("stage:", ("stage", "")), ("stage:a:b", ("stage", "a:b"))],
)
def test_the_rest_tag_filter_reads_key_and_optional_value(text, parsed):
    assert tag_rules.parse_filter(text) == parsed
