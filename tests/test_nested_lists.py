"""Every list has a bound before any SQL runs: nested lists page, count, and multiply."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)

from app.readmodel.bounds import LIST_BOUNDS
from app.schema import schema
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model
from tests.http import running_app

ARTIFACT_TYPES = ("Model", "Dataset", "Analysis", "Hypothesis")


def list_fields():
    """(type, field, field definition) of every list of objects (of an object or interface
    type) in the schema."""
    for name, t in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(t, GraphQLObjectType):
            continue
        for field_name, field in t.fields.items():
            inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(inner, GraphQLList) and isinstance(
                get_named_type(field.type), GraphQLObjectType | GraphQLInterfaceType
            ):
                yield name, field_name, field


def test_every_list_of_objects_has_a_declared_bound():
    missing = [(t, f) for t, f, _ in list_fields() if (t, f) not in LIST_BOUNDS]
    assert missing == []
    stale = set(LIST_BOUNDS) - {(t, f) for t, f, _ in list_fields()}
    assert stale == set()


def test_every_list_in_an_artifact_pages_and_has_a_count_and_a_cursor():
    for type_name, field_name, field in list_fields():
        if type_name not in ARTIFACT_TYPES or field_name in (
            "evaluationMetrics",
            "metricWarnings",
            "tags",
        ):
            continue
        assert field.args["limit"].default_value == 100, (type_name, field_name)
        assert field.args["offset"].default_value == 0, (type_name, field_name)
        assert str(field.args["after"].type) == "String", (type_name, field_name)
        siblings = schema._schema.type_map[type_name].fields
        assert str(siblings[f"{field_name}Count"].type) == "Int!"
        cursor = siblings[f"{field_name}NextCursor"]
        assert str(cursor.type) == "String"
        assert {name: str(arg.type) for name, arg in cursor.args.items()} == {
            "limit": "Int!",
            "offset": "Int!",
            "after": "String",
        }
        assert "100" in field.description and "1000" in field.description


@pytest.fixture
async def graph(conn):
    """One dataset trained on by five models, which test one hypothesis; an analysis with
    five inputs; a lineage of five versions. Ids sort as their numbers."""
    data = await make_dataset(conn, "data")
    hyp = await make_hypothesis(conn, "hyp")
    inputs = [await make_dataset(conn, f"input-{i}") for i in range(5)]
    analysis = await make_analysis(conn, "analysis", uses=tuple(d.id for d in inputs))
    for i in range(5):
        await make_model(
            conn, f"m-{i}", trained_on=(data.id,), tests=(hyp.id,), produced_by=analysis.id
        )
    for _ in range(4):
        await make_model(conn, "m-0", trained_on=(data.id,))
    return {"data": data.id, "hyp": hyp.id, "analysis": analysis.id}


PAGE = """
query($data: ID!, $hyp: ID!, $analysis: ID!) {
  dataset(id: $data) {
    trainedModels(limit: 2, offset: 1) { id } trainedModelsCount
    first: trainedModels(limit: 1) { id }
  }
  hypothesis(id: $hyp) { testedBy(offset: 3) { id } testedByCount }
  analysis(id: $analysis) {
    inputs(limit: 2, offset: 2) { pinned artifact { id } } inputsCount
    producedModels(limit: 1, offset: 4) { id } producedModelsCount
  }
  model(id: "m-0") {
    versions(limit: 2, offset: 3) { versionNumber } versionsCount
    trainedOn(offset: 1) { id } trainedOnCount
  }
}
"""


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_nested_lists_page_in_their_order_and_count_everything(db, pg_dsn, graph, fast):
    env = {} if fast else {"REGISTRY_FAST_PATH": "0"}
    async with running_app(pg_dsn, env) as api:
        api.sql.reset()
        data = await api.data(PAGE, graph)
        statements = api.sql.count
    # Models trained on "data": m-0-v1..v5 (floating and pinned alike), m-1-v1..m-4-v1, by id.
    trained = sorted([f"m-0-v{i}" for i in range(1, 6)] + [f"m-{i}-v1" for i in range(1, 5)])
    assert data["dataset"] == {
        "trainedModels": [{"id": i} for i in trained[1:3]],
        "trainedModelsCount": 9,
        "first": [{"id": trained[0]}],
    }
    testers = sorted(["m-0-v1"] + [f"m-{i}-v1" for i in range(1, 5)])
    assert data["hypothesis"] == {"testedBy": [{"id": i} for i in testers[3:]], "testedByCount": 5}
    assert data["analysis"] == {
        "inputs": [{"pinned": True, "artifact": {"id": f"input-{i}-v1"}} for i in (2, 3)],
        "inputsCount": 5,
        "producedModels": [{"id": testers[4]}],
        "producedModelsCount": 5,
    }
    assert data["model"] == {
        "versions": [{"versionNumber": 4}, {"versionNumber": 5}],
        "versionsCount": 5,
        "trainedOn": [],
        "trainedOnCount": 1,
    }
    if fast:
        assert statements == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [("limit: 0", "limit"), ("limit: 1001", "limit"), ("offset: -1", "offset")],
)
@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_nested_paging_out_of_range_is_bad_user_input(
    db, pg_dsn, graph, arguments, field, fast
):
    env = {} if fast else {"REGISTRY_FAST_PATH": "0"}
    query = f'{{ dataset(id: "data") {{ trainedModels({arguments}) {{ id }} }} }}'
    async with running_app(pg_dsn, env) as api:
        (error,) = (await api.gql(query))["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


# Both lookups load m-0's links; the bad page nulls the first while the second still waits.
BAD_PAGE_BESIDE_A_SHARED_LOAD = """{
  a: model(id: "m-0") { trainedOnCount versions(limit: 0) { id } }
  b: model(id: "m-0") { trainedOnCount }
}"""


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_a_bad_page_in_one_branch_leaves_the_other_branches_answered(db, pg_dsn, graph, fast):
    env = {} if fast else {"REGISTRY_FAST_PATH": "0"}
    async with running_app(pg_dsn, env) as api:
        body = await api.gql(BAD_PAGE_BESIDE_A_SHARED_LOAD)
    assert body["data"] == {"a": None, "b": {"trainedOnCount": 1}}
    (error,) = body["errors"]
    assert error["path"] == ["a", "versions"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "limit"}


async def test_largest_nested_page_is_accepted(api, graph):
    query = '{ dataset(id: "data") { trainedModels(limit: 1000, offset: 1000000) { id } } }'
    assert await api.data(query) == {"dataset": {"trainedModels": []}}


FAN_OUT = """{ models(limit: 100) { items @include(if: true) { trainedOn { trainedModels {
  trainedOn { trainedModels { id } } } } } } }"""


async def test_fan_out_through_nested_lists_is_refused_before_any_sql(api, graph):
    api.sql.reset()
    body = await api.gql(FAN_OUT)
    (error,) = body["errors"]
    assert body["data"] is None
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # 100 models x 100 datasets x 100 models x 100 datasets x 100 models, and their parents.
    assert error["extensions"]["estimate"] == 1 + 100 * (1 + 100 * (1 + 100 * (1 + 100 * 101)))
    assert error["extensions"]["limit"] == 1_000_000
    assert api.sql.count == 0


# Without its default, $n would count as each field's own (100): 100 x 100 x 100 models.
SMALL_BY_DEFAULT = """query($n: Int = 1) { models(limit: 100) { items {
  trainedOn(limit: $n) { trainedModels(limit: $n) { trainedOn(limit: $n) { id } } } } } }"""
# And here as 100 x 100, where 1000 x 1000 is what would run.
LARGE_BY_DEFAULT = """query($n: Int = 1000) { dataset(id: "data") {
  trainedModels(limit: $n) { trainedOn(limit: $n) { id } } } }"""


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_the_cost_estimate_counts_the_defaults_of_variables(db, pg_dsn, graph, fast):
    env = {} if fast else {"REGISTRY_FAST_PATH": "0"}
    async with running_app(pg_dsn, env) as api:
        small = await api.gql(SMALL_BY_DEFAULT)
        large = await api.gql(LARGE_BY_DEFAULT)
        given = await api.gql(LARGE_BY_DEFAULT, {"n": 1})
    assert "errors" not in small, small["errors"]
    assert len(small["data"]["models"]["items"]) == 9
    (error,) = large["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["estimate"] == 1 + 1000 * (1 + 1000)
    assert len(given["data"]["dataset"]["trainedModels"]) == 1


async def test_versions_of_versions_are_refused_before_any_sql(api, conn):
    for _ in range(3):
        await make_dataset(conn, "long")
    api.sql.reset()
    query = '{ dataset(id: "long") { versions { versions { versions { id } } } } }'
    (error,) = (await api.gql(query))["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert api.sql.count == 0
    small = '{ dataset(id: "long") { versions(limit: 3) { versions(limit: 3) { id } } } }'
    assert len((await api.data(small))["dataset"]["versions"]) == 3


async def test_lists_stop_at_the_response_budget_and_fetch_no_more(db, pg_dsn, graph):
    env = {"REGISTRY_FAST_PATH": "0", "MAX_RESPONSE_OBJECTS": "5"}
    async with running_app(pg_dsn, env) as api:
        api.sql.reset()
        body = await api.gql('{ dataset(id: "data") { trainedModels { id } } }')
        caps = [
            args[-1]
            for sql, args in zip(api.sql.statements, api.sql.arguments, strict=True)
            if "cross join lateral" in sql
        ]
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RESPONSE_TOO_LARGE"]
    # One batch, asked for one row more than the budget left and one past its page (which
    # tells whether more follow): it saw the overflow, no more.
    assert caps == [7]
