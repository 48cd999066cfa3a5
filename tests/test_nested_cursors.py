"""Nested lists page by keyset after a cursor: the same items as their offset pages, stable
under inserts, a cursor for one list only, and deep pages read by the key, not by counting."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.readmodel import cursors
from app.schema.fastpath import FastPath, Limits
from app.search import cursor
from app.search.cursor import Position
from app.service.aliases import Mover, set_alias
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model
from tests.http import running_app

SHA = "sha256:" + "ab" * 32


@pytest.fixture
async def graph(conn):
    """Every kind of nested list with three items or more: links both ways, versions,
    same-content versions, all of a model's links, an analysis's inputs, alias moves."""
    data = await make_dataset(conn, "data", digest=SHA)
    for i in range(4):
        await make_dataset(conn, f"copy-{i}", digest=SHA)
    hyps = [(await make_hypothesis(conn, f"hyp-{i}")).id for i in range(3)]
    inputs = [(await make_dataset(conn, f"input-{i}")).id for i in range(5)]
    analysis = await make_analysis(conn, "analysis", uses=tuple(inputs), addresses=tuple(hyps))
    for i in range(3):
        await make_analysis(conn, f"also-{i}", uses=(inputs[0],), addresses=(hyps[0],))
    for i in range(5):
        await make_model(
            conn, f"m-{i}", trained_on=(data.id,), tests=(hyps[0],), produced_by=analysis.id
        )
    for _ in range(4):
        await make_model(conn, "m-0", trained_on=(data.id,))
    await make_model(
        conn,
        "wide",
        trained_on=tuple(inputs),
        tests=tuple(hyps),
        derived_from=tuple(f"m-{i}-v1" for i in range(1, 5)),
        produced_by=analysis.id,
    )
    async with conn.transaction():
        for version in (1, 2, 3, 2, 5):
            await set_alias(conn, "m-0", "production", f"m-0-v{version}", "ok", None, Mover("t"))


# (lookup, id, list field, selection of an item)
LISTS = [
    ("model", "wide", "trainedOn", "{ id }"),
    ("model", "wide", "testsHypotheses", "{ id }"),
    ("model", "wide", "derivedFrom", "{ id }"),
    ("model", "wide", "links", "{ type artifact { id } }"),
    ("model", "m-0", "versions", "{ id }"),
    ("model", "m-0", "aliasHistory", "{ alias fromVersionId toVersionId }"),
    ("dataset", "data", "trainedModels", "{ id }"),
    ("dataset", "data", "sameContentAs", "{ id }"),
    ("dataset", "input-0", "usedBy", "{ id }"),
    ("analysis", "analysis", "inputs", "{ pinned artifact { id } }"),
    ("analysis", "analysis", "producedModels", "{ id }"),
    ("analysis", "analysis", "addresses", "{ id }"),
    ("hypothesis", "hyp-0", "testedBy", "{ id }"),
    ("hypothesis", "hyp-0", "analyses", "{ id }"),
]


def page_query(lookup: str, id_: str, field: str, selection: str, limit: int) -> str:
    return f"""query($after: String, $offset: Int! = 0) {{ {lookup}(id: "{id_}") {{
      {field}(limit: {limit}, offset: $offset, after: $after) {selection}
      {field}NextCursor(limit: {limit}, offset: $offset, after: $after) }} }}"""


async def walk(api: Any, lookup: str, id_: str, field: str, selection: str, limit: int):
    """Every page of a list by cursor, from the start to the page whose cursor is null."""
    query = page_query(lookup, id_, field, selection, limit)
    pages, after = [], None
    while True:
        found = (await api.data(query, {"after": after}))[lookup]
        pages.append(found[field])
        after = found[f"{field}NextCursor"]
        if after is None:
            return pages
        assert len(pages) < 50, "the walk does not end"


@pytest.mark.parametrize(("lookup", "id_", "field", "selection"), LISTS, ids=[x[2] for x in LISTS])
@pytest.mark.parametrize("limit", [1, 2])
async def test_a_walk_by_cursor_gives_the_offset_pages_in_order_without_repeats(
    api, graph, lookup, id_, field, selection, limit
):
    whole_query = f'{{ {lookup}(id: "{id_}") {{ {field}(limit: 1000) {selection} {field}Count }} }}'
    whole = (await api.data(whole_query))[lookup]
    items = whole[field]
    assert len(items) == whole[f"{field}Count"] >= 3
    pages = await walk(api, lookup, id_, field, selection, limit)
    assert len(pages) == math.ceil(len(items) / limit)  # a full last page has no cursor either
    assert [item for page in pages for item in page] == items
    by_offset = page_query(lookup, id_, field, selection, limit)
    for n, page in enumerate(pages):
        offset_page = (await api.data(by_offset, {"offset": n * limit}))[lookup]
        assert offset_page[field] == page
        # The offset page's cursor resumes where the cursor's page does.
        assert (offset_page[f"{field}NextCursor"] is None) == (n == len(pages) - 1)


async def test_one_cursor_pages_the_same_list_under_every_parent(api, graph):
    first = '{ model(id: "m-0") { versionsNextCursor(limit: 2) } }'
    after = (await api.data(first))["model"]["versionsNextCursor"]
    query = """query($after: String) {
      a: model(id: "m-0-v1") { versions(limit: 2, after: $after) { versionNumber } }
      b: model(id: "m-1") { versions(limit: 2, after: $after) { versionNumber } } }"""
    found = await api.data(query, {"after": after})
    assert found == {"a": {"versions": [{"versionNumber": 3}, {"versionNumber": 4}]},
                     "b": {"versions": []}}  # fmt: skip


async def test_versions_and_links_inserted_between_pages_repeat_and_skip_nothing(api, conn, graph):
    lists = [("model", "m-0", "versions"), ("dataset", "data", "trainedModels")]
    before = {}
    for lookup, id_, field in lists:
        query = f'{{ {lookup}(id: "{id_}") {{ {field}(limit: 1000) {{ id }} }} }}'
        before[field] = [i["id"] for i in (await api.data(query))[lookup][field]]
    first = {}
    for lookup, id_, field in lists:
        found = (await api.data(page_query(lookup, id_, field, "{ id }", 2)))[lookup]
        first[field] = ([i["id"] for i in found[field]], found[f"{field}NextCursor"])
    # A new version of m-0 (last in its list) and models trained on "data" whose ids sort
    # before the page read and between the pages still to come.
    await make_model(conn, "m-0", trained_on=("data",))
    await make_model(conn, "a-first", trained_on=("data",))
    await make_model(conn, "m-2-b", trained_on=("data",))
    seen = {}
    for lookup, id_, field in lists:
        items, after = first[field]
        query = page_query(lookup, id_, field, "{ id }", 2)
        while after is not None:
            found = (await api.data(query, {"after": after}))[lookup]
            items += [i["id"] for i in found[field]]
            after = found[f"{field}NextCursor"]
        assert len(items) == len(set(items)), field
        assert [i for i in items if i in before[field]] == before[field], field
        seen[field] = set(items) - set(before[field])
    # What was inserted past the cursor shows; what was inserted before it does not.
    assert seen == {"versions": {"m-0-v6"}, "trainedModels": {"m-0-v6", "m-2-b-v1"}}


def forged(type_name: str, field: str, position: Position) -> str:
    """A cursor anyone can make (they carry no secret) for a list, naming ``position``."""
    return cursor.encode(cursors.fingerprint(type_name, field), position)


async def cursor_error(api: Any, query: str, after: str | None, **variables: Any) -> dict:
    body = await api.gql(query, {"after": after, **variables})
    (error,) = body["errors"]
    return error["extensions"]


VERSIONS = 'query($after: String) { model(id: "m-0") { versions(after: $after) { id } } }'
VERSIONS_CURSOR = """query($after: String, $offset: Int! = 0) {
  model(id: "m-0") { versionsNextCursor(limit: 1, offset: $offset, after: $after) } }"""
TRAINED_ON = 'query($after: String) { model(id: "wide") { trainedOn(after: $after) { id } } }'
DATASET_VERSIONS = (
    'query($after: String) { dataset(id: "data") { versions(after: $after) { id } } }'
)
LINKS = 'query($after: String) { model(id: "wide") { links(after: $after) { type } } }'
MODELS = "query($after: String) { models(limit: 1, after: $after) { items { id } } }"


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_a_cursor_of_another_list_or_a_bad_one_is_bad_cursor(db, pg_dsn, graph, fast):
    env = {} if fast else {"REGISTRY_FAST_PATH": "0"}
    async with running_app(pg_dsn, env) as api:
        versions = (await api.data(VERSIONS_CURSOR))["model"]["versionsNextCursor"]
        models = (await api.data("{ models(limit: 1) { nextCursor } }"))["models"]["nextCursor"]
        assert versions and models
        # It is a good cursor for its own list.
        assert (await api.data(VERSIONS, {"after": versions}))["model"]["versions"]
        packed, check = versions.split(".")
        bad = {
            "another field": (TRAINED_ON, versions),
            "another type": (DATASET_VERSIONS, versions),
            "the models list": (VERSIONS, models),
            "a nested list, given to models": (MODELS, versions),
            "tampered": (VERSIONS, packed[:-2] + ("A" if packed[-2] != "A" else "B") + packed[-1]
                         + "." + check),
            "malformed": (VERSIONS, "not-a-cursor"),
            "empty": (VERSIONS, ""),
            "a float key": (VERSIONS, forged("Model", "versions", Position(1.5, ""))),
            "a key past the column": (VERSIONS, forged("Model", "versions", Position(2**40, ""))),
            "an id for a number": (VERSIONS, forged("Model", "versions", Position(None, "m-0"))),
            "a link key without its type": (LINKS, forged("Model", "links", Position(None, "x"))),
        }  # fmt: skip
        for why, (query, after) in bad.items():
            extensions = await cursor_error(api, query, after)
            assert extensions["code"] == "BAD_CURSOR", why


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_a_cursor_with_an_offset_is_refused_naming_the_offset(db, pg_dsn, graph, fast):
    env = {} if fast else {"REGISTRY_FAST_PATH": "0"}
    async with running_app(pg_dsn, env) as api:
        after = (await api.data(VERSIONS_CURSOR))["model"]["versionsNextCursor"]
        query = page_query("model", "m-0", "versions", "{ id }", 1)
        body = await api.gql(query, {"after": after, "offset": 1})
        assert body["data"] == {"model": None}
        assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
        assert {e["extensions"]["field"] for e in body["errors"]} == {"offset"}
        assert "not both" in body["errors"][0]["message"]


NESTED_PAGE = """query($c: String, $l: String) { models(limit: 100) { items {
  id versions(limit: 2, after: $c) { id } versionsNextCursor(limit: 2, after: $c)
  links(limit: 1, after: $l) { artifact { id } } linksNextCursor(limit: 1, after: $l) } } }"""


async def test_cursor_pages_of_many_parents_cost_a_few_statements_however_many(api, conn):
    for name in ("d-0", "d-1"):
        await make_dataset(conn, name)

    async def models(start: int, end: int) -> None:
        for i in range(start, end):
            for _ in range(4):
                await make_model(conn, f"few-{i}", trained_on=("d-0-v1", "d-1-v1"))

    await models(0, 5)
    first = """{ model(id: "few-0") { versionsNextCursor(limit: 1)
      links(limit: 1) { artifact { id } } linksNextCursor(limit: 1) } }"""
    found = (await api.data(first))["model"]
    assert found["links"] == [{"artifact": {"id": "d-0-v1"}}]
    after = {"c": found["versionsNextCursor"], "l": found["linksNextCursor"]}

    async def statements() -> tuple[int, list]:
        api.sql.reset()
        items = (await api.data(NESTED_PAGE, after))["models"]["items"]
        return api.sql.count, items

    few, items = await statements()
    assert len(items) == 20
    for item in items:
        lineage = item["id"].rsplit("-v", 1)[0]
        assert [v["id"] for v in item["versions"]] == [f"{lineage}-v2", f"{lineage}-v3"]
        assert item["versionsNextCursor"] is not None  # v4 follows
        assert item["links"] == [{"artifact": {"id": "d-1-v1"}}]
        assert item["linksNextCursor"] is None
    await models(5, 20)
    many, items = await statements()
    assert len(items) == 80
    assert many == few


def scans(plan: dict) -> list[dict]:
    """Every node of an EXPLAIN (FORMAT JSON) plan."""
    found, stack = [], [plan]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.get("Plans", ()))
    return found


async def rows_read(conn, sql: str, args: tuple) -> int:
    """Rows the index scans of the artifacts' versions read to answer a statement."""
    async with conn.transaction():
        # The table is small: without this its plan would be a scan of the whole of it.
        await conn.execute("set local enable_seqscan = off")
        (plan,) = await conn.fetchval(f"explain (analyze, format json) {sql}", *args)
    nodes = [
        n
        for n in scans(plan["Plan"])
        if n.get("Relation Name") == "artifacts" and "version_number" in n.get("Index Cond", "")
    ]
    assert nodes, "the versions are read through the index"
    # Rows a filter dropped were read too.
    read = (n["Actual Rows"] + n.get("Rows Removed by Filter", 0) for n in nodes)
    return sum(r * n["Actual Loops"] for r, n in zip(read, nodes, strict=True))


async def test_a_deep_cursor_page_reads_by_the_key_not_past_the_skipped_items(api, conn):
    for _ in range(60):
        await make_dataset(conn, "long")
    deep = '{ dataset(id: "long") { versionsNextCursor(limit: 50) } }'
    after = (await api.data(deep))["dataset"]["versionsNextCursor"]
    assert cursors.decode("Dataset", "versions", after) == 50
    query = page_query("dataset", "long", "versions", "{ versionNumber }", 2)
    read = {}
    for name, variables in {"cursor": {"after": after}, "offset": {"offset": 50}}.items():
        api.sql.reset()
        found = (await api.data(query, variables))["dataset"]["versions"]
        assert found == [{"versionNumber": 51}, {"versionNumber": 52}]
        (statement,) = [
            (sql, args)
            for sql, args in zip(api.sql.statements, api.sql.arguments, strict=True)
            if "v.version_number > coalesce(k.after, 0)" in sql
        ]
        read[name] = await rows_read(conn, *statement)
    # The page and the one row that tells more follow; by offset, the fifty skipped too.
    assert read == {"cursor": 3, "offset": 53}


PLANNED = '{ model(id: "m-0") { versions(limit: 2) { id } versionsCount } }'
WITH_CURSOR = """query($after: String) { model(id: "m-0") {
  versions(limit: 2, after: $after) { id } versionsCount } }"""
WITH_CURSOR_FIELD = '{ model(id: "m-0") { versions(limit: 2) { id } versionsNextCursor(limit: 2) }}'


async def test_the_compiled_path_hands_cursors_to_the_resolvers_and_keeps_the_rest(api, graph):
    fast = FastPath(Limits(1_000_000, 10_000))
    assert fast.compile(PLANNED, {}, None) is not None
    assert fast.compile(WITH_CURSOR, {"after": None}, None) is not None  # no cursor given
    after = (await api.data(WITH_CURSOR_FIELD))["model"]["versionsNextCursor"]
    assert fast.compile(WITH_CURSOR, {"after": after}, None) is None
    assert fast.compile(WITH_CURSOR_FIELD, {}, None) is None
    api.sql.reset()
    assert await api.data(PLANNED) == {
        "model": {"versions": [{"id": "m-0-v1"}, {"id": "m-0-v2"}], "versionsCount": 5}
    }
    assert api.sql.count == 1
    assert await api.data(WITH_CURSOR, {"after": after}) == {
        "model": {"versions": [{"id": "m-0-v3"}, {"id": "m-0-v4"}], "versionsCount": 5}
    }
