"""The compiled fast path answers exactly what the resolvers answer, in one statement."""

from __future__ import annotations

import pytest

from app.demo.load import load_if_empty
from tests.factories import make_dataset, make_model
from tests.http import running_app

NESTED = """
query Nested($limit: Int!) {
  models(limit: $limit, sort: {field: QUALITY_SCORE, direction: DESC}) {
    total
    items {
      id title family qualityScore rawQualityScore parameterCount createdAt
      evaluationMetrics { name value better } evaluationMetricsJson trainingConfig metadata
      provenance { complete warnings { code message } }
      trainedOn { id versions { id versionNumber } latest { id } }
      producedBy { id inputs { pinned pinnedVersion artifact { id kind } } addresses { id } }
      testsHypotheses { id testedBy { id } analyses { id } }
      derivedFrom { id versions { id } }
    }
  }
}
"""

QUERIES = [
    ("nested provenance", NESTED, {"limit": 20}),
    (
        "flat list filtered and sorted",
        """{ models(filter: {family: DEEP_LEARNING}, sort: {field: PARAMETER_COUNT, direction: ASC},
             limit: 3, offset: 1) { total items { id title parameterCount } } }""",
        {},
    ),
    (
        "latest only with search",
        '{ models(filter: {latestOnly: true, search: "sea-ad"}) { total items { id isLatest } } }',
        {},
    ),
    (
        "every sort",
        """{ a: models(sort: {field: CREATED_AT, direction: ASC}, limit: 100) { items { id } }
             b: models(sort: {field: QUALITY_SCORE}, limit: 100) { items { id } }
             c: models(sort: {field: PARAMETER_COUNT, direction: DESC}, limit: 100) {
               items { id } } }""",
        {},
    ),
    (
        "one model by lineage with typename and aliases",
        """{ m: model(id: "model-celltype-classifier") { __typename id kind lineageId versionNumber
               isLatest description createdAt v: versions { versionNumber isLatest }
               latest { id } } }""",
        {},
    ),
    (
        "interface lookup with fragments",
        """query($id: ID!) {
             artifact(id: $id) { __typename id ...M ... on Dataset { trainedModels { id } } } }
           fragment M on Model { family provenance { complete } }""",
        {"id": "model-hh-interneuron-v1"},
    ),
    (
        "analysis inputs reaching any kind",
        """{ analysis(id: "analysis-patchseq-biophys") { id inputs { __typename pinned pinnedVersion
              artifact { __typename id ... on Dataset { usedBy { id } } ... on Model { family } } }
              producedModels { id } addresses { id } } }""",
        {},
    ),
    (
        "datasets page with back-links",
        """{ datasets(limit: 50) { total items { id title trainedModels { id qualityScore }
              usedBy { id } versions { id } latest { id } } } }""",
        {},
    ),
    (
        "hypotheses and analyses pages",
        """{ hypotheses(latestOnly: true) { total items { id testedBy { id } analyses { id } } }
             analyses(limit: 2, offset: 1) { total items { id } } }""",
        {},
    ),
    (
        "unknown, malformed and wrong-kind ids are null",
        """{ a: model(id: "nope") { id } b: dataset(id: "model-hh-interneuron") { id }
             c: hypothesis(id: "x y") { id }
             d: artifact(id: "dataset-sea-ad-snrna-v1") { kind } }""",
        {},
    ),
    (
        "search with LIKE metacharacters",
        '{ models(filter: {search: "100%_"}) { total items { id } } }',
        {},
    ),
    ("variable defaults", "query($l: Int = 2) { models(limit: $l) { items { id } } }", {}),
    (
        "compare models and metrics, lineage ids and duplicates collapsed",
        """query($ids: [ID!]!) { compareModels(ids: $ids) {
             __typename models { id qualityScore provenance { complete } }
             metrics { name better bestModelIds cells { modelId value delta best } } } }""",
        {
            "ids": [
                "model-celltype-classifier",
                "model-celltype-classifier-v2",
                " model-celltype-classifier-v4",
                "model-gwas-susie-finemap-v1",
                "odd-model",
                "model-hh-interneuron-v1",
            ]
        },
    ),
    (
        "lineage downstream of a dataset",
        """query($id: ID!) { lineage(id: $id, direction: DOWNSTREAM, maxDepth: 5, limit: 500) {
             root { id kind } truncated nodes { distance artifact { id __typename } }
             edges { sourceId targetId type pinned pinnedVersion } } }""",
        {"id": "dataset-sea-ad-snrna-v2"},
    ),
    (
        "lineage upstream, cut by depth and limit",
        """{ a: lineage(id: "model-celltype-classifier-distilled", maxDepth: 1) {
               truncated nodes { distance artifact { id } } edges { sourceId targetId } }
             b: lineage(id: "model-celltype-classifier-distilled", maxDepth: 4, limit: 3) {
               truncated nodes { distance artifact { id } } edges { sourceId targetId type } }
             c: lineage(id: "nope") { truncated } }""",
        {},
    ),
]


COMPARE_IDS = "{ compareModels(ids: [%s]) { models { id } } }"


async def answers(pg_dsn: str, query: str, variables: dict, fast: bool) -> tuple[dict, int]:
    env = {"REGISTRY_FAST_PATH": "1" if fast else "0"}
    async with running_app(pg_dsn, env) as api:
        api.sql.reset()
        body = await api.gql(query, variables)
        return body, len(api.sql.statements)


@pytest.fixture
async def catalog(conn):
    await load_if_empty(conn)
    await make_dataset(conn, "odd", title="100%_ odd title")
    await make_model(
        conn,
        "odd-model",
        trained_on=("odd",),
        title="A 100%_ model",
        evaluation_metrics={"Zeta": 1, "alpha_loss": 0.5, "b": 52},
    )


@pytest.mark.parametrize(
    ("query", "variables"), [q[1:] for q in QUERIES], ids=[q[0] for q in QUERIES]
)
async def test_fast_path_matches_the_resolvers_in_one_statement(
    db, pg_dsn, catalog, query, variables
):
    fast, fast_statements = await answers(pg_dsn, query, variables, fast=True)
    slow, _ = await answers(pg_dsn, query, variables, fast=False)
    assert "errors" not in slow, slow
    assert fast == slow
    assert fast_statements == 1


@pytest.mark.parametrize(
    "query",
    [
        "{ models(limit: 0) { total } }",
        '{ models(filter: {trainedOn: "dataset-sea-ad-snrna"}) { total } }',
        '{ lineage(id: "model-hh-interneuron", maxDepth: 11) { truncated } }',
        "{ models { items { id } } } ",
        "{ models(offset: -1) { total } }",
        '{ compareModels(ids: ["model-hh-interneuron", "model-cytokine-hill"]) { models { id } } }',
        '{ compareModels(ids: ["model-hh-interneuron", "nope"]) { models { id } } }',
        COMPARE_IDS % '"model-hh-interneuron", "dataset-sea-ad-snrna"',
        COMPARE_IDS % '"model-hh-interneuron", "model-hh-interneuron-v2"',
        '{ compareModels(ids: ["model-hh-interneuron"]) { models { id } } }',
        """{ compareModels(ids: ["model-hh-interneuron-v1", "model-cytokine-hill"]) {
             models { id } metadata { key differs } } }""",
    ],
)
async def test_other_queries_and_every_error_come_from_the_resolvers(db, pg_dsn, catalog, query):
    fast, _ = await answers(pg_dsn, query, {}, fast=True)
    slow, _ = await answers(pg_dsn, query, {}, fast=False)
    assert fast == slow


async def test_fast_path_respects_the_response_budget(db, pg_dsn, catalog):
    env = {"MAX_RESPONSE_OBJECTS": "20"}
    async with running_app(pg_dsn, env) as api:
        body = await api.gql("{ datasets(limit: 20) { items { id versions { id } } } }")
    assert body["errors"][0]["extensions"]["code"] == "RESPONSE_TOO_LARGE"


async def test_the_fast_path_applies_read_auth_like_everything_else(db, pg_dsn, catalog):
    async with running_app(pg_dsn, {"REGISTRY_REQUIRE_READ_AUTH": "1"}) as api:
        r = await api.client.post("/graphql", json={"query": "{ models { total } }"})
    assert r.status_code == 401
