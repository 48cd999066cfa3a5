"""Whatever a client sends gets a coded 4xx and changes nothing; never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from app.schema import schema
from tests.factories import make_dataset, make_model, make_token
from tests.http import running_app

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def post(api, body: bytes, token: str | None = None, **headers: str):
    headers = {"content-type": "application/json", **headers}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await api.client.post("/graphql", content=body, headers=headers)


BAD_BODIES = [
    b"42",
    b"null",
    b"true",
    b'"x"',
    b"1.5",
    b'{"query": "{ __typename }", "x": "\xff\xfe"}',  # invalid UTF-8
    b"[" * 10_000 + b"]" * 10_000,
    b'{"query": "{ __typename }", "variables": {"a": "\\ud800"}}',  # a lone surrogate
    b'{"query": 1}',
    b'{"query": "{ __typename }", "variables": [1]}',
    b'{"query": "{ __typename }", "operationName": 5}',
    b'{"variables": {}}',
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
async def test_bodies_that_are_not_graphql_requests_are_400(api, conn, body, with_token):
    token = await make_token(conn, "read") if with_token else None
    r = await post(api, body, token)
    assert r.status_code == 400, r.text
    (error,) = r.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
async def test_media_types_are_matched_without_case(api, conn, with_token):
    token = await make_token(conn, "read") if with_token else None
    r = await post(
        api, b'{"query": "{ __typename }"}', token, **{"content-type": "APPLICATION/JSON"}
    )
    assert r.status_code == 200 and r.json() == {"data": {"__typename": "Query"}}


REGISTER = """mutation($p: BigInt!, $k: String) { registerModel(idempotencyKey: $k, input: {
  lineageId: "m", title: "m", family: STATISTICAL, rawQualityScore: 0.5, parameterCount: $p
}) { id parameterCount } }"""


@pytest.mark.parametrize("value", ["12", 1.5, True, "1e3"])
async def test_big_int_takes_integers_only(api, conn, value):
    token = await make_token(conn, "write")
    body = await api.gql(REGISTER, {"p": value}, headers={"authorization": f"Bearer {token}"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await conn.fetchval("select count(*) from artifacts") == 0


async def test_big_int_literals_follow_int_coercion(api, conn):
    token = await make_token(conn, "write")
    auth = {"authorization": f"Bearer {token}"}
    literal = REGISTER.replace("($p: BigInt!, $k: String)", "($k: String)").replace("$p", '"12"')
    body = await api.gql(literal, {}, headers=auth)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await api.gql(REGISTER, {"p": 12.0}, headers=auth)
    assert body["data"]["registerModel"] == {"id": "m-v1", "parameterCount": 12}


async def test_an_empty_idempotency_key_is_refused(api, conn):
    token = await make_token(conn, "write")
    auth = {"authorization": f"Bearer {token}"}
    body = await api.gql(REGISTER, {"p": 1, "k": ""}, headers=auth)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "idempotencyKey"}
    body = await api.gql(REGISTER, {"p": 1}, headers={**auth, "idempotency-key": ""})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "idempotencyKey"}
    assert await conn.fetchval("select count(*) from artifacts") == 0


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize(
    ("scopes", "mutation", "status", "code"),
    [
        ((), "registerModel", 401, "UNAUTHENTICATED"),
        (("read",), "registerModel", 403, "FORBIDDEN"),
        (("write",), "createToken", 403, "FORBIDDEN"),
        ((), "revokeToken", 401, "UNAUTHENTICATED"),
    ],
)
async def test_mutations_need_their_scope_before_anything_runs(
    api, conn, accept, scopes, mutation, status, code
):
    token = await make_token(conn, *scopes) if scopes else None
    queries = {
        "registerModel": REGISTER,
        "createToken": 'mutation { createToken(name: "x", scopes: [READ]) { token } }',
        "revokeToken": 'mutation { revokeToken(name: "x") }',
    }
    body = {"query": queries[mutation], "variables": {"p": 1}}
    headers = {"accept": accept} | ({"authorization": f"Bearer {token}"} if token else {})
    api.sql.reset()
    r = await api.client.post("/graphql", json=body, headers=headers)
    assert r.status_code == status
    assert "data" not in r.json()
    assert r.json()["errors"][0]["extensions"]["code"] == code
    if status == 401:
        assert r.headers["www-authenticate"] == "Bearer"
    assert await conn.fetchval("select count(*) from artifacts") == 0
    assert await conn.fetchval("select count(*) from api_tokens") == (1 if scopes else 0)


async def test_a_mutation_behind_a_fragment_needs_its_scope_too(api):
    query = 'mutation { ...M } fragment M on Mutation { revokeToken(name: "x") }'
    r = await api.client.post("/graphql", json={"query": query})
    assert r.status_code == 401 and "data" not in r.json()


async def test_a_nul_in_a_link_target_names_nothing(api, conn):
    await make_dataset(conn, "d")
    await make_model(conn, "m", trained_on=("d",))
    token = await make_token(conn, "write")
    body = await api.gql(
        'mutation($t: ID!) { removeLinks(id: "m", links: [{type: TRAINED_ON, target: $t}]) '
        "{ id } }",
        {"t": "d\x00"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await conn.fetchval("select count(*) from links") == 1


async def test_metrics_follow_the_read_rule(db, pg_dsn, conn):
    async with running_app(pg_dsn) as api:
        assert (await api.client.get("/metrics")).status_code == 200
    token = await make_token(conn, "read")
    async with running_app(pg_dsn, {"REGISTRY_REQUIRE_READ_AUTH": "1"}) as api:
        await api.client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"authorization": f"Bearer {token}"},
        )
        r = await api.client.get("/metrics")
        assert r.status_code == 401
        assert "createToken" not in r.text and "http_requests_total" not in r.text
        r = await api.client.get("/metrics", headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 200 and "http_requests_total" in r.text


# ------------------------------------------------------------------ every string argument

HOSTILE = {"lone surrogate": "\ud800", "NUL": "a\x00b", "100 KB": "x" * 100_000}


def _unwrap(t: Any) -> Any:
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def valid_value(t: Any, ids: dict[str, str]) -> Any:
    """A value of input type ``t`` that passes validation (ids of existing artifacts)."""
    t = _unwrap(t)
    if isinstance(t, GraphQLList):
        return [valid_value(t.of_type, ids)]
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    if isinstance(t, GraphQLInputObjectType):
        return {
            name: valid_value(f.type, ids)
            for name, f in t.fields.items()
            if isinstance(f.type, GraphQLNonNull)
        }
    assert isinstance(t, GraphQLScalarType)
    return {
        "String": "text",
        "ID": ids["model"],
        "Int": 1,
        "BigInt": 1,
        "Float": 0.5,
        "Boolean": False,
        "JSON": {},
        "DateTime": "2026-01-01T00:00:00+00:00",
    }[t.name]


def string_paths(
    t: Any, path: tuple[Any, ...] = (), within: frozenset[str] = frozenset()
) -> Iterator[tuple[Any, ...]]:
    """Where in a value of type ``t`` a String or ID goes (input fields, optional ones too);
    an input type nested in itself (a filter's `and`) is entered once."""
    t = _unwrap(t)
    if isinstance(t, GraphQLList):
        yield from string_paths(t.of_type, (*path, 0), within)
    elif isinstance(t, GraphQLInputObjectType) and t.name not in within:
        for name, f in t.fields.items():
            yield from string_paths(f.type, (*path, name), within | {t.name})
    elif isinstance(t, GraphQLScalarType) and t.name in ("String", "ID"):
        yield path


def with_value(value: Any, t: Any, path: tuple[Any, ...], leaf: Any, ids: dict[str, str]) -> Any:
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    t = _unwrap(t)
    if isinstance(t, GraphQLList):
        value = value or [valid_value(t.of_type, ids)]
        return [with_value(value[0], t.of_type, rest, leaf, ids)]
    value = dict(value or {})
    value[head] = with_value(value.get(head), t.fields[head].type, rest, leaf, ids)
    return value


def requests(ids: dict[str, str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(label, operation, variables) with one String or ID argument set to a hostile value."""
    roots = (("query", schema._schema.query_type), ("mutation", schema._schema.mutation_type))
    for keyword, root in roots:
        for field_name, field in root.fields.items():
            args = {name: a for name, a in field.args.items()}
            declared = ", ".join(f"${n}: {a.type}" for n, a in args.items())
            passed = ", ".join(f"{n}: ${n}" for n in args)
            selection = (
                ""
                if isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType)
                else "{ __typename }"
            )
            operation = f"{keyword}({declared}) {{ {field_name}({passed}) {selection} }}"
            base = {
                n: valid_value(a.type, ids)
                for n, a in args.items()
                if isinstance(a.type, GraphQLNonNull)
            }
            for name, arg in args.items():
                for path in string_paths(arg.type):
                    for label, leaf in HOSTILE.items():
                        variables = dict(base)
                        variables[name] = with_value(base.get(name), arg.type, path, leaf, ids)
                        yield f"{field_name}.{name}{list(path)} {label}", operation, variables


async def test_every_string_argument_refuses_hostile_text_with_a_code(api, conn):
    await make_dataset(conn, "d")
    model = await make_model(conn, "m", trained_on=("d",))
    token = await make_token(conn, "admin")
    tried, problems = 0, []
    for label, operation, variables in requests({"model": model.id}):
        tried += 1
        # json.dumps escapes a lone surrogate as \\ud800, as a client in any language can.
        body = json.dumps({"query": operation, "variables": variables}).encode()
        r = await post(api, body, token)
        body = r.json()
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        if r.status_code >= 500 or None in codes or "INTERNAL_SERVER_ERROR" in codes:
            problems.append(f"{label}: {r.status_code} {r.text[:300]}")
    assert tried >= 100
    assert problems == []
