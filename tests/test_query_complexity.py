"""Documents that expand exponentially are refused at once, and every pass over one is linear."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from app.schema import complexity, schema
from app.schema.budget import Estimator
from app.schema.plans import Planner
from tests.factories import make_dataset, make_model

MODEL = "model-biophys-microglia"


def bomb(k: int) -> str:
    """Fragment Fi spreads F(i+1) twice, so F0 expands to 2^k copies of Fk."""
    fragments = " ".join(f"fragment F{i} on Model {{ ...F{i + 1} ...F{i + 1} }}" for i in range(k))
    return f'{{ model(id: "{MODEL}") {{ ...F0 }} }} {fragments} fragment F{k} on Model {{ id }}'


def visits(k: int) -> dict[str, int]:
    """The nodes each pass over the document looks at."""
    document = parse(bomb(k))
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if d is not operation}
    measurer = complexity.Measurer(fragments)  # type: ignore[arg-type]
    measure = measurer.selections(operation.selection_set)
    assert measure.fields >= min(2**k, 10**9)  # what a per-path walk would visit
    estimator = Estimator(schema._schema, fragments, {})  # type: ignore[arg-type]
    estimator.operation(operation)
    variables = get_variable_values(schema._schema, (), {})
    planner = Planner(schema._schema, fragments, variables)  # type: ignore[arg-type]
    planner.read(operation.selection_set)
    return {
        "limits": measurer.visited,
        "estimate": estimator.visited,
        "compiler": planner.visited,
    }


def test_every_pass_over_a_fragment_bomb_is_linear_in_its_size():
    at = {k: visits(k) for k in (10, 20, 40)}
    for name in ("limits", "estimate", "compiler"):
        v10, v20, v40 = at[10][name], at[20][name], at[40][name]
        # Linear: each ten more levels cost the same few more nodes (2^k would double).
        assert v40 - v20 == 2 * (v20 - v10), (name, v10, v20, v40)
        assert v40 < 10 * 40, (name, v40)


@pytest.mark.parametrize("k", [13, 20, 40])
async def test_a_fragment_bomb_is_refused_before_validation(api, conn, k):
    await make_model(conn, MODEL)
    api.sql.reset()
    body = await api.gql(bomb(k))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 5000}
    assert "fragments" in error["message"]
    assert api.sql.count == 0


async def test_a_small_fragment_tree_is_answered(api, conn):
    await make_model(conn, MODEL)
    data = await api.data(bomb(5))
    assert data == {"model": {"id": f"{MODEL}-v1"}}


async def test_fields_repeated_under_one_key_are_refused(api):
    query = "{ models { items { " + "trainedOn { id } " * 21 + "} } }"
    (error,) = (await api.gql(query))["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 20}
    twenty = "{ models { items { " + "trainedOn { id } " * 20 + "} } }"
    assert await api.data(twenty) == {"models": {"items": []}}


def depth_query(levels: int) -> str:
    """A query whose deepest field sits ``levels`` selection sets down."""
    inner = "derivedFrom(limit: 1) { " * (levels - 2) + "id" + " }" * (levels - 2)
    return "{ models { items { " + inner + " } } }"


async def test_the_depth_limit_counts_levels_through_fragments(api):
    assert "errors" not in await api.gql(depth_query(10))
    (error,) = (await api.gql(depth_query(11)))["errors"]
    assert "depth of 10" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    through = "{ models { items { ...D } } } fragment D on Model { " + "derivedFrom { " * 9
    through += "id" + " }" * 9 + " }"
    (error,) = (await api.gql(through))["errors"]
    assert "depth of 10" in error["message"]


async def test_introspection_is_not_limited_by_depth(api):
    levels = "ofType { " * 8 + "name" + " }" * 8
    query = "{ __schema { types { fields { type { " + levels + " } } } } }"
    data = await api.data(query)
    assert data["__schema"]["types"]


async def test_aliases_count_through_fragments(api, conn):
    await make_dataset(conn, "d")
    fifteen = " ".join(f"a{i}: id" for i in range(15))
    ok = '{ dataset(id: "d") { ...A } } fragment A on Dataset { ' + fifteen + " }"
    assert len((await api.data(ok))["dataset"]) == 15
    twice = '{ dataset(id: "d") { ...A ...B } } fragment A on Dataset { a0: id a1: title } '
    twice += "fragment B on Dataset { " + " ".join(f"b{i}: id" for i in range(14)) + " }"
    (error,) = (await api.gql(twice))["errors"]
    assert "16 aliases" in error["message"]
