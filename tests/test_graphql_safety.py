"""Bad requests get stable codes and never a 500; limits hold; internals never leak."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.repo import catalog as catalog_repo
from app.schema import schema
from app.settings import PROJECT_ROOT
from tests.factories import make_model
from tests.http import running_app


async def error_of(api, query: str, variables=None) -> dict:
    body = await api.gql(query, variables)
    assert body.get("errors"), body
    return body["errors"][0]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ models(limit: 0) { total } }", None),
        ("{ models(limit: 101) { total } }", None),
        ("{ models(offset: -1) { total } }", None),
        ("{ datasets(limit: 1000) { total } }", None),
        ("{ models(filter: {family: QUANTUM}) { total } }", None),
        ("query($f: ModelFilter) { models(filter: $f) { total } }", {"f": {"family": "QUANTUM"}}),
        ("query($l: Int) { models(limit: $l) { total } }", {"l": "many"}),
        ("query($s: ModelSort) { models(sort: $s) { total } }", {"s": {"field": "TITLE"}}),
        ('{ models(filter: {search: "' + "x" * 201 + '"}) { total } }', None),
    ],
)
async def test_bad_arguments_are_bad_user_input(api, query, variables):
    error = await error_of(api, query, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


async def test_unknown_field_has_no_suggestion(api):
    error = await error_of(api, "{ modles { total } }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean" not in error["message"]


async def test_syntax_error_has_a_parse_code(api):
    error = await error_of(api, "{ models(")
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def query_of_depth(depth: int) -> str:
    """A query whose deepest field is ``depth`` levels below its root field (models)."""
    chain = depth - 2  # models > items > derivedFrom ... > id
    link = "derivedFrom(limit: 1) { "  # one item each, or the query cost refuses it first
    return "{ models { items { " + link * chain + "id" + " }" * chain + " } } }"


async def test_a_query_of_the_maximum_depth_runs(api, conn):
    # m0 <- m1 <- ... <- m8: from m8 the deepest selection reaches m0.
    await make_model(conn, "m0")
    for i in range(1, 9):
        await make_model(conn, f"m{i}", derived_from=(f"m{i - 1}-v1",))
    data = await api.data(query_of_depth(10))
    expected: dict = {"id": "m0-v1"}
    for _ in range(8):
        expected = {"derivedFrom": [expected]}
    assert data["models"]["items"][0] == expected  # m8, the newest


@pytest.mark.parametrize("depth", [11, 12])
async def test_too_deep_query_is_rejected(api, depth):
    error = await error_of(api, query_of_depth(depth))
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"] == "'anonymous' exceeds maximum operation depth of 10"


async def test_too_many_aliases_are_rejected(api):
    aliases = " ".join(f"a{i}: models {{ total }}" for i in range(16))
    error = await error_of(api, "{ " + aliases + " }")
    assert "aliases" in error["message"].lower()


async def test_too_many_tokens_are_rejected(api):
    fields = " ".join("id" for _ in range(2100))
    error = await error_of(api, "{ models { items { " + fields + " } } }")
    assert "token" in error["message"].lower()


async def test_batched_requests_are_refused(api):
    r = await api.client.post("/graphql", json=[{"query": "{ models { total } }"}] * 2)
    assert r.status_code == 400


async def test_unexpected_errors_are_masked(db, pg_dsn, monkeypatch):
    async def explode(*args, **kwargs):
        raise RuntimeError("select secret from /srv/app/internal.py")

    monkeypatch.setattr(catalog_repo, "count_models", explode)
    async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": "0"}) as api:
        r = await api.client.post("/graphql", json={"query": "{ models { total } }"})
    assert r.status_code == 200
    text = r.text
    assert "secret" not in text and "internal.py" not in text and "Traceback" not in text
    assert r.json()["errors"][0] == {
        "message": "Unexpected error.",
        "locations": [{"line": 1, "column": 12}],
        "path": ["models", "total"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }


async def test_get_runs_queries(api, conn):
    r = await api.client.get("/graphql", params={"query": "{ models { total } }"})
    assert r.status_code == 200
    assert r.json() == {"data": {"models": {"total": 0}}}


async def test_get_from_a_browser_serves_offline_graphiql(api):
    r = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 200
    assert "/static/vendor/graphiql-" in r.text
    assert "https://" not in r.text and "http://" not in r.text
    for asset in ("graphiql-3.9.0.min.js", "react-18.3.1.production.min.js"):
        assert (await api.client.get(f"/static/vendor/{asset}")).status_code == 200


def test_schema_file_matches_the_code():
    on_disk = (PROJECT_ROOT / "schema.graphql").read_text()
    assert on_disk == schema.as_str() + "\n", "schema.graphql is stale: run `make schema`"


def test_schema_command_prints_the_schema():
    out = subprocess.run(
        [sys.executable, "-m", "app", "schema"], capture_output=True, text=True, check=True
    ).stdout
    assert out == schema.as_str() + "\n"
