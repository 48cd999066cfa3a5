"""The read model declares every field, filter and sort once; what it does not declare, the
compiled fast path declines, and the resolvers still answer it right."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    build_schema,
    extend_schema,
    parse,
    print_schema,
)
from graphql.execution.values import get_variable_values

from app.domain import Family
from app.readmodel import fields as decl
from app.readmodel import filters
from app.schema import schema
from app.schema.fastpath import FastPath, Limits
from app.schema.plans import Planner, Unsupported
from tests.factories import make_model


def graphql_type(name: str) -> GraphQLObjectType:
    found = schema._schema.type_map[name]
    assert isinstance(found, GraphQLObjectType)
    return found


@pytest.mark.parametrize("type_name", decl.ARTIFACT_TYPES)
def test_every_field_of_an_artifact_type_is_declared_with_its_arguments(type_name):
    fields = graphql_type(type_name).fields
    declared = decl.FIELDS[type_name]
    assert set(fields) - {"__typename"} == set(declared)
    for name, field in declared.items():
        assert set(fields[name].args) == decl.arguments(field), name


def test_every_filter_key_and_sort_is_declared():
    model_filter = schema._schema.type_map["ModelFilter"]
    assert isinstance(model_filter, GraphQLInputObjectType)
    assert set(model_filter.fields) == set(filters.MODEL_FILTERS)
    sort_field = schema._schema.type_map["ModelSortField"]
    assert {v.value for v in sort_field.values.values()} == set(filters.SORTS)  # type: ignore[attr-defined]


def plan(extension: str, query: str) -> None:
    """Plan ``query`` against the schema with ``extension`` added, as the fast path would."""
    extended = extend_schema(schema._schema, parse(extension))
    document = parse(query)
    operation = document.definitions[0]
    variables = get_variable_values(extended, (), {})
    Planner(extended, {}, variables).read(operation.selection_set)  # type: ignore[arg-type,union-attr]


def test_a_new_field_without_a_declaration_is_declined():
    plan("extend type Model { novelty: String }", '{ model(id: "m") { id } }')  # still planned
    with pytest.raises(Unsupported, match=r"Model\.novelty"):
        plan("extend type Model { novelty: String }", '{ model(id: "m") { id novelty } }')


def test_a_new_filter_key_without_a_declaration_is_declined():
    extension = "extend input ModelFilter { retired: Boolean }"
    with pytest.raises(Unsupported, match="retired"):
        plan(extension, "{ models(filter: {retired: true}) { total } }")
    with pytest.raises(Unsupported, match="retired"):
        plan(
            extension,
            "{ models(filter: {or: [{family: STATISTICAL}, {retired: true}]}) { total } }",
        )
    # Left out, it has no value: the page is planned as before.
    plan(extension, "{ models { total } }")


def test_a_new_argument_of_a_declared_field_is_declined():
    # The schema as it would be with one more argument on Model.trainedOn.
    sdl = print_schema(schema._schema).replace(
        "  ): [Dataset!]!", "    since: String\n  ): [Dataset!]!", 1
    )
    changed = build_schema(sdl)
    assert "since" in changed.type_map["Model"].fields["trainedOn"].args  # type: ignore[union-attr]
    document = parse('{ model(id: "m") { trainedOn { id } } }')
    variables = get_variable_values(changed, (), {})
    with pytest.raises(Unsupported, match=r"arguments of Model\.trainedOn"):
        Planner(changed, {}, variables).read(document.definitions[0].selection_set)  # type: ignore[union-attr]


QUERY = """{ models(filter: {family: STATISTICAL}) { total items { id architecture } } }"""


async def test_undeclared_fields_and_filters_are_answered_by_the_resolvers(api, conn, monkeypatch):
    await make_model(conn, "stat", architecture="GLM")
    await make_model(conn, "deep", architecture="CNN", family=Family.DEEP_LEARNING)
    expected = {"models": {"total": 1, "items": [{"id": "stat-v1", "architecture": "GLM"}]}}
    fast = FastPath(Limits(1_000_000, 10_000))
    assert fast.compile(QUERY, {}, None) is not None
    assert await api.data(QUERY) == expected
    # As if both were new: declared in the schema, not in the read model.
    model = {k: v for k, v in decl.FIELDS["Model"].items() if k != "architecture"}
    monkeypatch.setitem(decl.FIELDS, "Model", model)
    known = {k: v for k, v in filters.MODEL_FILTERS.items() if k != "family"}
    monkeypatch.setattr("app.schema.plans.MODEL_FILTERS", known)
    assert FastPath(Limits(1_000_000, 10_000)).compile(QUERY, {}, None) is None
    api.state["fastpath"]._compiled.clear()
    api.sql.reset()
    assert await api.data(QUERY) == expected
    assert api.sql.count > 1  # the resolvers' statements, not one compiled one
