"""The questions of issue 8, written once per target, with adapters to one canonical shape.

A workload holds, for each target, the HTTP request that asks its question (or None with a
reason when that target cannot ask it equivalently) and an adapter that maps the answer to
the registry's shape. ``canonical`` then makes answers comparable: datetimes normalised,
floats rounded, and lists whose order is not part of the question sorted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import asyncpg

from bench.postgraphile_queries import (
    DETAIL_PG,
    LIST_PG,
    NESTED_PG,
    REST_PG,
    data,
    pg_detail,
    pg_list,
    pg_nested,
    pg_rest,
)

# Lists whose order is part of the answer; every other list is compared as a set.
ORDERED = frozenset({"items", "versions", "nodes", "edges", "models"})
DATETIME_KEYS = frozenset({"createdAt", "created_at"})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None

    def body_bytes(self) -> bytes | None:
        return None if self.body is None else json.dumps(self.body).encode()


@dataclass
class Workload:
    key: str
    title: str
    requests: dict[str, Request]
    adapters: dict[str, Callable[[Any], Any]]
    not_equivalent: dict[str, str] = field(default_factory=dict)
    # How to tell whether our server has this question yet: a GraphQL field, or a route.
    needs_field: str | None = None
    needs_route: bool = False
    # A cursor page this many items deep: ours' request is made by walking its pages.
    deep: int | None = None

    @property
    def label(self) -> str:
        return f"({self.key}) {self.title}"


def _gql(query: str, **variables: Any) -> Request:
    return Request("POST", "/graphql", {"query": " ".join(query.split()), "variables": variables})


def _get(path: str, **params: Any) -> Request:
    return Request("GET", f"{path}?{urlencode(params)}")


def _as_is(r: Any) -> Any:
    return r


def _without_cursor(r: Any) -> Any:
    """The REST list without ``next_cursor``: an opaque keyset cursor of ours, which neither
    PostGraphile nor the floor has an equal of (its paging is tested, not benchmarked)."""
    return {k: v for k, v in r.items() if k != "next_cursor"}


# -- (a) the models list ---------------------------------------------------------------

LIST_OURS = """query List($family: ModelFamily) {
  models(filter: {family: $family}, sort: {field: QUALITY_SCORE, direction: DESC}, limit: 20) {
    items { id title family qualityScore parameterCount createdAt } } }"""

# -- (b) nested provenance ---------------------------------------------------------------

# Nested lists hold 100 items unless asked: a popular hypothesis of the 100,000-model catalog
# has more testers than that, so ours asks for them all, as the others answer; the query cost
# (REGISTRY_MAX_QUERY_COST) then wants the hypotheses, at most 2 a model, asked for few.
NESTED_OURS = """query Nested($family: ModelFamily) {
  models(filter: {family: $family}, sort: {field: QUALITY_SCORE, direction: DESC}, limit: 20) {
    items { id title qualityScore
      trainedOn { id title versions { id versionNumber } }
      producedBy { id title inputs { pinned pinnedVersion artifact { id kind } } }
      testsHypotheses(limit: 10) { id title testedBy(limit: 1000) { id title } } } } }"""
# The same question for a registry from before nested lists took limits (BENCH_BASELINE).
NESTED_UNPAGED = NESTED_OURS.replace("(limit: 10)", "").replace("(limit: 1000)", "")

# -- (c) one model's detail ----------------------------------------------------------------

DETAIL_OURS = """query Detail($id: ID!) { model(id: $id) {
  id lineageId versionNumber isLatest title description createdAt metadata family
  architecture parameterCount trainingConfig qualityScore rawQualityScore evaluationMetricsJson
  provenance { complete warnings { code message } }
  trainedOn { id title } producedBy { id title } testsHypotheses { id title }
  derivedFrom { id title } versions { id versionNumber } } }"""

# -- (d) compareModels ------------------------------------------------------------------------

COMPARE_OURS = """query Compare($ids: [ID!]!) { compareModels(ids: $ids) {
  models { id qualityScore }
  metrics { name better bestModelIds cells { modelId value delta best } } } }"""


# -- (e) the REST shim ------------------------------------------------------------------------

# -- (f) downstream lineage -------------------------------------------------------------------

LINEAGE_OURS = """query Lineage($id: ID!) {
  lineage(id: $id, direction: DOWNSTREAM, maxDepth: 5, limit: 500) {
    root { id kind } nodes { distance artifact { id kind title } }
    edges { sourceId targetId type pinned pinnedVersion } truncated } }"""


# -- parameters and the list -------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    family: str
    detail_id: str
    compare_ids: list[str]
    busy_dataset_version: str
    busy_dataset_lineage: str
    hypothesis_lineage: str


async def pick_params(conn: asyncpg.Connection) -> Params:
    """Deterministic choices from the generated data."""
    family = await conn.fetchval(
        "select family from artifacts where kind = 'model' group by family"
        " order by count(*) desc, family limit 1"
    )
    detail_id = await conn.fetchval(
        """
        select a.id from artifacts a
        where a.kind = 'model'
          and exists (select 1 from links l where l.source_id = a.id and l.type = 'derived_from')
          and exists (select 1 from links l where l.source_id = a.id and l.type = 'produced_by')
          and (select count(*) from links l
               where l.source_id = a.id and l.type = 'trained_on') >= 2
        order by a.id limit 1
        """
    )
    compare_ids = [
        r["id"]
        for r in await conn.fetch(
            "select id from artifacts where kind = 'model' and family = $1 and is_latest"
            " order by id limit 5",
            family,
        )
    ]
    busy = await conn.fetchrow(
        """
        select t.id, t.lineage_id from artifacts t
        join links l on l.target_lineage_id = t.lineage_id
            and (l.target_version_id = t.id or (l.target_version_id is null and t.is_latest))
        where t.kind = 'dataset'
        group by t.id order by count(*) desc, t.id limit 1
        """
    )
    hypothesis = await conn.fetchval(
        "select target_lineage_id from links where type = 'tests_hypothesis'"
        " group by 1 order by count(*) desc, 1 limit 1"
    )
    assert busy is not None, "the catalog has no linked dataset"
    return Params(family, detail_id, compare_ids, busy["id"], busy["lineage_id"], hypothesis)


def workloads(p: Params) -> list[Workload]:
    fam = p.family
    ours_data = data  # the registry and the floor answer in the same shape
    return [
        Workload(
            "a",
            f"models list, 20, family={fam}, quality desc",
            {
                "ours": _gql(LIST_OURS, family=fam.upper()),
                "postgraphile": _gql(LIST_PG, family=fam),
                "floor": _get("/a", family=fam, limit=20),
            },
            {"ours": ours_data("models"), "postgraphile": pg_list, "floor": ours_data("models")},
        ),
        Workload(
            "b",
            "nested provenance, 20 models",
            {
                "ours": _gql(NESTED_OURS, family=fam.upper()),
                "baseline": _gql(NESTED_UNPAGED, family=fam.upper()),
                "postgraphile": _gql(NESTED_PG, family=fam),
                "floor": _get("/b", family=fam, limit=20),
            },
            {"ours": ours_data("models"), "postgraphile": pg_nested, "floor": ours_data("models")},
        ),
        Workload(
            "c",
            "one model's detail",
            {
                "ours": _gql(DETAIL_OURS, id=p.detail_id),
                "postgraphile": _gql(DETAIL_PG, id=p.detail_id),
                "floor": _get("/c", id=p.detail_id),
            },
            {"ours": ours_data("model"), "postgraphile": pg_detail, "floor": ours_data("model")},
        ),
        Workload(
            "d",
            "compareModels of 5",
            {
                "ours": _gql(COMPARE_OURS, ids=p.compare_ids),
                "floor": _get("/d", ids=",".join(p.compare_ids)),
            },
            {"ours": ours_data("compareModels"), "floor": ours_data("compareModels")},
            not_equivalent={
                "postgraphile": "best/delta per metric are computed by the server; "
                "PostGraphile could only return raw metrics"
            },
            needs_field="compareModels",
        ),
        Workload(
            "e",
            "GET /api/models (REST shim)",
            {
                "ours": _get("/api/models", family=fam, sort="quality_score", limit=20),
                "postgraphile": _gql(REST_PG, family=fam),
                "floor": _get("/api/models", family=fam, sort="quality_score", limit=20),
            },
            {"ours": _without_cursor, "postgraphile": pg_rest, "floor": _as_is},
            needs_route=True,
        ),
        Workload(
            "f",
            "lineage DOWNSTREAM depth 5 from the busiest dataset",
            {
                "ours": _gql(LINEAGE_OURS, id=p.busy_dataset_version),
                "floor": _get("/f", id=p.busy_dataset_version, max_depth=5, limit=500),
            },
            {"ours": ours_data("lineage"), "floor": ours_data("lineage")},
            not_equivalent={
                "postgraphile": "a recursive walk with a node limit needs an SQL function "
                "holding the whole answer"
            },
        ),
    ]


def canonical(value: Any, key: str | None = None) -> Any:
    """A comparable form: datetimes in UTC, floats rounded, unordered lists sorted."""
    if isinstance(value, dict):
        return {k: canonical(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        if key in ORDERED:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 9)
    if isinstance(value, str) and key in DATETIME_KEYS:
        return datetime.fromisoformat(value).astimezone(UTC).isoformat()
    return value
