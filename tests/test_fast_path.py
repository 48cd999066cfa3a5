"""The compiled fast path answers exactly what the resolvers answer, in one statement, and
both answer what the reference (plain SQL over the tables) says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from app.demo.load import load_if_empty
from tests.factories import make_dataset, make_model
from tests.fast_path_cases import QUERIES
from tests.http import running_app
from tests.reference_reads import Json, Reference

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
    ("query", "variables", "expect"), [q[1:] for q in QUERIES], ids=[q[0] for q in QUERIES]
)
async def test_fast_path_matches_the_resolvers_in_one_statement(
    db, pg_dsn, conn, catalog, query, variables, expect
):
    fast, fast_statements = await answers(pg_dsn, query, variables, fast=True)
    slow, _ = await answers(pg_dsn, query, variables, fast=False)
    assert slow == {"data": await expect(Reference(conn))}
    assert fast == slow
    assert fast_statements == 1


def error(message: str, path: str, code: str, data: Json | None = None, **extensions) -> Json:
    """An answer carrying one error, as the resolvers report it (locations left out)."""
    return {
        "data": data,
        "errors": [
            {"message": message, "path": [path], "extensions": {"code": code, **extensions}}
        ],
    }


async def models_on_any_sea_ad_version(ref: Reference) -> Json:
    _, total = await ref.page(
        "model",
        where="exists (select 1 from links l where l.source_id = a.id and l.type = 'trained_on'"
        " and l.target_lineage_id = 'dataset-sea-ad-snrna')",
    )
    assert total > 0
    return {"data": {"models": {"total": total}}}


async def newest_twenty(ref: Reference) -> Json:
    ids, _ = await ref.page("model")
    return {"data": {"models": {"items": [{"id": i} for i in ids]}}}


def compared(*refs: str) -> Callable[[Reference], Awaitable[Json]]:
    async def expect(ref: Reference) -> Json:
        ids = [await ref.resolve(r) for r in refs]
        return {"data": {"compareModels": {"models": [{"id": i} for i in ids]}}}

    return expect


async def metadata_differences(ref: Reference) -> Json:
    rows = [await ref.row(i) for i in ("model-hh-interneuron-v1", "model-cytokine-hill-v1")]
    keys = {
        "family": "family",
        "architecture": "architecture",
        "parameter_count": "parameter_count",
        "version_number": "version_number",
        "created_at": "created_at",
        "raw_quality_score": "raw_quality_score",
        "quality_score": "quality_score",
    }
    metadata = [{"key": k, "differs": rows[0][c] != rows[1][c]} for k, c in keys.items()]
    models = [{"id": r["id"]} for r in rows]
    return {"data": {"compareModels": {"models": models, "metadata": metadata}}}


def literal(body: Json) -> Callable[[Reference], Awaitable[Json]]:
    async def expect(ref: Reference) -> Json:
        return body

    return expect


TOO_FEW = "compare 2 to 10 distinct models, got 1"
OTHER_QUERIES = [
    (
        "{ models(limit: 0) { total } }",
        literal(
            error(
                "limit must be between 1 and 100, got 0", "models", "BAD_USER_INPUT", field="limit"
            )
        ),
    ),
    (
        '{ models(filter: {trainedOn: "dataset-sea-ad-snrna"}) { total } }',
        models_on_any_sea_ad_version,
    ),
    (
        '{ lineage(id: "model-hh-interneuron", maxDepth: 11) { truncated } }',
        literal(
            error(
                "maxDepth must be between 1 and 10",
                "lineage",
                "BAD_USER_INPUT",
                {"lineage": None},
                field="maxDepth",
            )
        ),
    ),
    ("{ models { items { id } } } ", newest_twenty),
    (
        "{ models(offset: -1) { total } }",
        literal(
            error(
                "offset must be between 0 and 1000000, got -1",
                "models",
                "BAD_USER_INPUT",
                field="offset",
            )
        ),
    ),
    (
        '{ compareModels(ids: ["model-hh-interneuron", "model-cytokine-hill"]) { models { id } } }',
        compared("model-hh-interneuron", "model-cytokine-hill"),
    ),
    (
        '{ compareModels(ids: ["model-hh-interneuron", "nope"]) { models { id } } }',
        literal(error("no model 'nope'", "compareModels", "NOT_FOUND", ids=["nope"])),
    ),
    (
        COMPARE_IDS % '"model-hh-interneuron", "dataset-sea-ad-snrna"',
        literal(
            error(
                "only models can be compared: 'dataset-sea-ad-snrna' is a dataset",
                "compareModels",
                "WRONG_KIND",
                field="ids",
            )
        ),
    ),
    (
        COMPARE_IDS % '"model-hh-interneuron", "model-hh-interneuron-v2"',
        literal(
            error(
                TOO_FEW
                + "; 'model-hh-interneuron-v2' names model-hh-interneuron-v2, given already",
                "compareModels",
                "BAD_USER_INPUT",
                field="ids",
            )
        ),
    ),
    (
        """{ compareModels(ids: ["model-hh-interneuron", "model-cytokine-hill"],
                           baseline: "model-cytokine-hill-v9") { metrics { name } } }""",
        literal(
            error(
                "baseline 'model-cytokine-hill-v9' is not one of the compared models "
                "(model-hh-interneuron-v2, model-cytokine-hill-v1)",
                "compareModels",
                "BAD_USER_INPUT",
                field="baseline",
            )
        ),
    ),
    (
        '{ compareModels(ids: ["model-hh-interneuron"]) { models { id } } }',
        literal(error(TOO_FEW, "compareModels", "BAD_USER_INPUT", field="ids")),
    ),
    (
        """{ compareModels(ids: ["model-hh-interneuron-v1", "model-cytokine-hill"]) {
             models { id } metadata { key differs } } }""",
        metadata_differences,
    ),
]


def without_locations(body: Json) -> Json:
    errors = [{k: v for k, v in e.items() if k != "locations"} for e in body.get("errors", [])]
    return {**body, "errors": errors} if errors else body


@pytest.mark.parametrize(("query", "expect"), OTHER_QUERIES)
async def test_other_queries_and_every_error_come_from_the_resolvers(
    db, pg_dsn, conn, catalog, query, expect
):
    fast, _ = await answers(pg_dsn, query, {}, fast=True)
    slow, _ = await answers(pg_dsn, query, {}, fast=False)
    assert without_locations(slow) == await expect(Reference(conn))
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
