"""Datasets, analyses and hypotheses are filtered the way models are: text, tags, latest,
created range, archived, the links that reach or leave them, and/or/not; they page by
cursor. Both paths answer alike, the compiled one in one statement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model
from tests.http import running_app

LIST = """query($f: {filter}, $l: Int!, $a: String, $latest: Boolean!, $q: String) {{
  {root}(filter: $f, limit: $l, after: $a, latestOnly: $latest, search: $q) {{
    total items {{ id }} nextCursor hasNextPage cursors }} }}"""
FILTERS = {
    "datasets": "DatasetFilter",
    "analyses": "AnalysisFilter",
    "hypotheses": "HypothesisFilter",
}


def query(root: str) -> str:
    return LIST.format(root=root, filter=FILTERS[root])


async def seeded(conn: Any) -> None:
    await make_dataset(conn, "spikes", description="Patch-clamp recordings of pyramidal cells")
    await make_dataset(conn, "spikes")  # spikes-v2, the latest
    await make_dataset(conn, "images")
    await make_dataset(conn, "weather")
    await make_hypothesis(conn, "gain")
    await make_hypothesis(conn, "noise")
    await make_hypothesis(conn, "noise", title="Noise scales with rate")  # noise-v2
    # Pinned to spikes-v1; floating on spikes (its latest, v2); and the images.
    await make_analysis(conn, "fit", uses=("spikes-v1", "images"), addresses=("gain",))
    await make_analysis(conn, "sweep", uses=("spikes",), addresses=("noise-v1",))
    await make_model(conn, "lif", tests=("gain",))
    await make_model(conn, "glm", tests=("noise-v1", "gain"))
    await conn.execute(
        """insert into tags (artifact_id, key, value) values
           ('spikes-v1', 'lab', 'hausser'), ('images-v1', 'lab', 'carandini'),
           ('weather-v1', 'source', 'noaa'), ('noise-v2', 'lab', 'hausser'),
           ('sweep-v1', 'lab', 'hausser')"""
    )
    await conn.execute(
        "update artifacts set archived_at = clock_timestamp(), archived_reason = 'superseded' "
        "where id = 'weather-v1'"
    )


# (root, filter, latestOnly, search, the ids listed, newest first)
CASES: list[tuple[str, dict[str, Any] | None, bool, str | None, list[str]]] = [
    ("datasets", None, False, None, ["weather-v1", "images-v1", "spikes-v2", "spikes-v1"]),
    ("datasets", None, True, None, ["images-v1", "spikes-v2"]),
    ("datasets", {"text": "PYRAMIDAL"}, False, None, ["spikes-v1"]),
    ("datasets", {"text": "noaa"}, False, None, ["weather-v1"]),
    ("datasets", {"tag": {"key": "lab"}}, False, None, ["images-v1", "spikes-v1"]),
    ("datasets", {"tag": {"key": "lab", "value": "hausser"}}, False, None, ["spikes-v1"]),
    ("datasets", {"usedBy": "fit"}, False, None, ["images-v1", "spikes-v1"]),
    ("datasets", {"usedBy": "sweep-v1"}, False, None, ["spikes-v2"]),
    ("datasets", {"usedBy": "fit", "latestOnly": True}, False, None, ["images-v1"]),
    ("datasets", {"not": {"usedBy": "fit"}}, False, None, ["weather-v1", "spikes-v2"]),
    ("datasets", {"usedBy": "no-such-analysis"}, False, None, []),
    ("datasets", {"usedBy": "lif"}, False, None, []),  # a model uses nothing
    ("datasets", {"archived": True}, False, None, ["weather-v1"]),
    (
        "datasets",
        {"or": [{"usedBy": "sweep"}, {"tag": {"key": "source"}}]},
        False,
        None,
        ["weather-v1", "spikes-v2"],
    ),
    ("datasets", {"usedBy": "fit"}, False, "images", ["images-v1"]),
    ("analyses", {"uses": "spikes-v1"}, False, None, ["fit-v1"]),
    ("analyses", {"uses": "spikes"}, False, None, ["sweep-v1", "fit-v1"]),
    ("analyses", {"uses": "spikes-v2"}, False, None, ["sweep-v1"]),
    ("analyses", {"addresses": "noise"}, False, None, ["sweep-v1"]),
    ("analyses", {"addresses": "gain", "tag": {"key": "lab"}}, False, None, []),
    ("analyses", {"tag": {"key": "lab", "value": "hausser"}}, False, None, ["sweep-v1"]),
    ("hypotheses", {"testedBy": "glm"}, False, None, ["gain-v1", "noise-v1"]),
    ("hypotheses", {"testedBy": "lif-v1"}, False, None, ["gain-v1"]),
    ("hypotheses", {"not": {"testedBy": "glm"}}, False, None, ["noise-v2"]),
    ("hypotheses", {"text": "scales"}, True, None, ["noise-v2"]),
    (
        "hypotheses",
        {"and": [{"latestOnly": True}, {"not": {"tag": {"key": "lab"}}}]},
        False,
        None,
        ["gain-v1"],
    ),
]


def newest_first(ids: list[str], created: dict[str, Any]) -> list[str]:
    return sorted(ids, key=lambda i: (created[i], i), reverse=True)


async def test_each_kinds_filters_answer_alike_on_both_paths_in_one_statement(conn, pg_dsn):
    await seeded(conn)
    created = {r["id"]: r["created_at"] for r in await conn.fetch("select * from artifacts")}
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            for root, f, latest, search, expected in CASES:
                variables = {"f": f, "l": 50, "latest": latest, "q": search}
                api.sql.reset()
                page = (await api.data(query(root), variables))[root]
                case = (fast, root, f, latest, search)
                assert [i["id"] for i in page["items"]] == newest_first(expected, created), case
                assert page["total"] == len(expected), case
                assert page["hasNextPage"] is False and page["nextCursor"] is None
                if fast == "1":
                    assert len(api.sql.statements) == 1, case


async def test_a_created_range_keeps_the_versions_registered_within_it(api, conn):
    await seeded(conn)
    created = {r["id"]: r["created_at"] for r in await conn.fetch("select * from artifacts")}
    start = created["spikes-v2"]
    end = start + timedelta(days=1)
    within = {"createdAt": {"gte": start.isoformat(), "lt": end.isoformat()}}
    page = (await api.data(query("datasets"), {"f": within, "l": 50, "latest": False}))["datasets"]
    expected = [i for i in created if i.split("-v")[0] in ("spikes", "images", "weather")]
    assert [i["id"] for i in page["items"]] == newest_first(
        [i for i in expected if created[i] >= start], created
    )


@pytest.mark.parametrize("fast", ["1", "0"])
async def test_cursors_walk_a_kinds_list_once_and_hold_when_versions_are_added(conn, pg_dsn, fast):
    await seeded(conn)
    for i in range(7):
        await make_dataset(conn, f"extra-{i}")
    async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
        everything = (await api.data(query("datasets"), {"l": 100, "latest": False}))["datasets"]
        expected = [i["id"] for i in everything["items"]]
        seen, after = [], None
        while True:
            variables = {"l": 3, "a": after, "latest": False}
            page = (await api.data(query("datasets"), variables))["datasets"]
            assert page["cursors"][-1:] == ([page["nextCursor"]] if page["hasNextPage"] else
                                            page["cursors"][-1:])  # fmt: skip
            seen += [i["id"] for i in page["items"]]
            if not page["hasNextPage"]:
                break
            if after is None:
                await make_dataset(conn, "newcomer")  # newer than every page seen
            after = page["nextCursor"]
        assert seen == expected


async def test_a_kinds_cursor_is_refused_by_another_list_or_filter_and_with_an_offset(api, conn):
    await seeded(conn)
    page = (await api.data(query("datasets"), {"l": 1, "latest": False}))["datasets"]
    cursor = page["nextCursor"]
    for root, f in (("hypotheses", None), ("analyses", None), ("datasets", {"text": "s"})):
        body = await api.gql(query(root), {"f": f, "l": 1, "a": cursor, "latest": False})
        assert body["errors"][0]["extensions"]["code"] == "BAD_CURSOR", (root, f)
    models = await api.gql("query($a: String) { models(after: $a) { total } }", {"a": cursor})
    assert models["errors"][0]["extensions"]["code"] == "BAD_CURSOR"
    body = await api.gql(
        "query($a: String) { datasets(after: $a, offset: 1) { total } }", {"a": cursor}
    )
    assert body["errors"][0]["extensions"]["field"] == "offset"


async def test_a_kinds_filter_past_the_limits_is_refused_with_its_code(api, conn):
    await seeded(conn)
    deep: dict[str, Any] = {"text": "a"}
    for i in range(5):  # or within and within or...: nothing flattens away
        deep = {"or" if i % 2 else "and": [{"text": f"d{i}"}, {"not": deep}]}
    many = {"or": [{"text": f"w{i}"} for i in range(21)]}
    for f in (deep, many):
        body = await api.gql(query("analyses"), {"f": f, "l": 5, "latest": False})
        assert body["errors"][0]["extensions"]["code"] == "FILTER_TOO_COMPLEX"
        assert body["data"] is None
    bad = await api.gql(query("hypotheses"), {"f": {"testedBy": "bad id\x00"}, "l": 5,
                                               "latest": False})  # fmt: skip
    assert bad["errors"][0]["extensions"]["code"] == "BAD_FILTER"
