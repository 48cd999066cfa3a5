"""Nested provenance in one request costs a number of SQL statements set by depth, not rows."""

from __future__ import annotations

import pytest

from tests.factories import make_provenance_catalog
from tests.reference_reads import Reference

NESTED = """
query Nested($limit: Int!) {
  models(limit: $limit, sort: {field: QUALITY_SCORE, direction: DESC}) {
    total
    items {
      id
      trainedOn(limit: 10) { id versions(limit: 10) { id versionNumber } }
      producedBy { id inputs { pinned pinnedVersion artifact { id kind } } }
      testsHypotheses(limit: 10) { id testedBy { id } }
    }
  }
}
"""

# Documented bound: 2 statements for the page (items, total) plus at most 4 per level of
# nested relationship fields (one per loader: artifact, versions, links_from, sources).
# NESTED has 3 such levels.
RELATIONSHIP_LEVELS = 3
BOUND = 2 + 4 * RELATIONSHIP_LEVELS


def app_statements(statements: list[str]) -> list[str]:
    """Drop the pool's reset after each release: it is connection housekeeping."""
    return [s for s in statements if not s.startswith("SELECT pg_advisory_unlock_all()")]


async def statements_for(api, limit: int) -> tuple[int, dict]:
    api.sql.reset()
    data = await api.data(NESTED, {"limit": limit})
    return len(app_statements(api.sql.statements)), data


async def reference_items(conn, limit: int) -> list[dict]:
    """NESTED's items, from the tables (tests.reference_reads), not from the app."""
    ref = Reference(conn)
    ids, _ = await ref.page("model", sort="quality_score", limit=limit)
    items = []
    for i in ids:
        full = await ref.nested_model(i)
        inputs = full["producedBy"]["inputs"]
        items.append(
            {
                "id": i,
                "trainedOn": [
                    {"id": d["id"], "versions": d["versions"]} for d in full["trainedOn"]
                ],
                "producedBy": {"id": full["producedBy"]["id"], "inputs": inputs},
                "testsHypotheses": [
                    {"id": h["id"], "testedBy": h["testedBy"]} for h in full["testsHypotheses"]
                ],
            }
        )
    return items


async def test_nested_query_costs_the_same_statements_for_5_and_50_models(resolver_api, conn):
    api = resolver_api
    await make_provenance_catalog(conn, 50)
    small, small_data = await statements_for(api, 5)
    large, large_data = await statements_for(api, 50)
    assert small_data["models"]["items"] == await reference_items(conn, 5)
    assert large_data["models"]["items"] == await reference_items(conn, 50)
    assert small_data["models"]["total"] == large_data["models"]["total"] == 50
    assert small == large
    assert large <= BOUND


async def test_nested_query_returns_the_whole_provenance(api, conn):
    await make_provenance_catalog(conn, 3)
    _, data = await statements_for(api, 3)
    item = next(i for i in data["models"]["items"] if i["id"] == "model-1-v1")
    assert item["trainedOn"] == [
        {
            "id": "ds-1-v2",
            "versions": [
                {"id": "ds-1-v1", "versionNumber": 1},
                {"id": "ds-1-v2", "versionNumber": 2},
            ],
        }
    ]
    assert item["producedBy"] == {
        "id": "an-1-v1",
        "inputs": [
            {"pinned": True, "pinnedVersion": 2, "artifact": {"id": "ds-1-v2", "kind": "DATASET"}}
        ],
    }
    assert item["testsHypotheses"] == [{"id": "hyp-1-v1", "testedBy": [{"id": "model-1-v1"}]}]


@pytest.mark.parametrize("n", [1, 20])
async def test_detail_with_back_links_is_bounded_too(resolver_api, conn, n):
    api = resolver_api
    await make_provenance_catalog(conn, n)
    api.sql.reset()
    data = await api.data(
        """{ datasets(limit: 100) { items { id trainedModels { id } usedBy { id }
             versions { id } latest { id } } } }"""
    )
    assert len(app_statements(api.sql.statements)) <= 2 + 4 * 1
    ref = Reference(conn)
    ids, total = await ref.page("dataset", limit=100)
    assert total == 2 * n
    assert data["datasets"]["items"] == [
        {
            "id": d,
            "trainedModels": await ref.back_ids(d, "trained_on"),
            "usedBy": await ref.back_ids(d, "uses"),
            "versions": [{"id": v["id"]} for v in await ref.versions(d)],
            "latest": await ref.latest(d),
        }
        for d in ids
    ]
