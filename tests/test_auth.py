"""Tokens, scopes and the HTTP rules that protect writes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from app.auth import token_hash
from app.settings import PROJECT_ROOT
from tests.factories import make_model, make_token
from tests.http import running_app

WRITE = 'mutation { registerDataset(input: {lineageId: "ds", title: "D"}) { id } }'
READ = "{ models { total } }"
CREATE = 'mutation { createToken(name: "new-one", scopes: [WRITE]) { name scopes token } }'


async def call(api, query: str, token: str | None) -> tuple[int, dict]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    r = await api.client.post("/graphql", json={"query": query}, headers=headers)
    return r.status_code, r.json()


def code(body: dict) -> str | None:
    errors = body.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


@pytest.fixture
async def tokens(conn):
    t = {s: await make_token(conn, s) for s in ("read", "write", "admin")}
    t["revoked"] = await make_token(conn, "admin", name="old")
    await conn.execute("update api_tokens set revoked_at = now() where name = 'old'")
    t["bad"] = "mreg_not-a-real-token"
    return t


MATRIX = [
    # who, write, token admin, read
    (None, "UNAUTHENTICATED", "UNAUTHENTICATED", None),
    ("bad", "UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"),
    ("revoked", "UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"),
    ("read", "FORBIDDEN", "FORBIDDEN", None),
    ("write", None, "FORBIDDEN", None),
    ("admin", None, None, None),
]


@pytest.mark.parametrize(("who", "write", "admin", "read"), MATRIX)
async def test_auth_matrix(api, conn, tokens, who, write, admin, read):
    token = tokens[who] if who else None
    await conn.execute("delete from api_tokens where name = 'new-one'")
    for query, expected in ((WRITE, write), (CREATE, admin), (READ, read)):
        status, body = await call(api, query, token)
        assert code(body) == expected, (query, body)
        if expected == "UNAUTHENTICATED" and status == 401:
            assert "data" not in body


async def test_bad_and_revoked_tokens_get_the_same_answer(api, tokens):
    answers = [await call(api, READ, tokens[w]) for w in ("bad", "revoked")]
    assert answers[0] == answers[1]
    assert answers[0][0] == 401


async def test_tokens_are_stored_as_hashes_only(api, conn, tokens):
    stored = {r["token_hash"] for r in await conn.fetch("select token_hash from api_tokens")}
    assert token_hash(tokens["write"]) in stored
    assert not any(tokens["write"] in h for h in stored)


async def test_tokens_never_reach_logs_or_errors(api, tokens, caplog):
    caplog.set_level(logging.DEBUG)
    _, body = await call(api, READ, tokens["bad"])
    _, body2 = await call(api, 'mutation { revokeToken(name: "nobody") }', tokens["admin"])
    text = str(body) + str(body2) + caplog.text
    for secret in tokens.values():
        assert secret not in text


async def test_admin_creates_and_revokes_tokens(api, conn, tokens):
    _, body = await call(api, CREATE, tokens["admin"])
    created = body["data"]["createToken"]
    assert created["name"] == "new-one" and created["scopes"] == ["WRITE"]
    assert (await call(api, WRITE, created["token"]))[1].get("errors") is None
    await call(api, 'mutation { revokeToken(name: "new-one") }', tokens["admin"])
    assert code((await call(api, WRITE, created["token"]))[1]) == "UNAUTHENTICATED"
    twice = 'mutation { createToken(name: "admin-tok", scopes: [READ]) { name } }'
    assert code((await call(api, twice, tokens["admin"]))[1]) is None
    assert code((await call(api, twice, tokens["admin"]))[1]) == "CONFLICT"


async def test_reads_need_a_token_when_configured(db, pg_dsn, conn):
    token = await make_token(conn, "read")
    async with running_app(pg_dsn, {"REGISTRY_REQUIRE_READ_AUTH": "1"}) as api:
        status, body = await call(api, READ, None)
        assert status == 401 and code(body) == "UNAUTHENTICATED"
        status, body = await call(api, READ, token)
        assert status == 200 and body["data"] == {"models": {"total": 0}}


def model_ids(path: str, body: dict) -> list[str]:
    """The models a REST read answered with."""
    if path.startswith("/api/models/m-v1"):
        return [body["id"]]
    return [m["id"] for m in body["models"]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/models", ["m-v2", "m-v1"]),
        ("/api/models/m-v1", ["m-v1"]),
        ("/api/models/compare?ids=m-v1,m-v2", ["m-v1", "m-v2"]),
    ],
)
async def test_rest_reads_follow_the_same_token_rules(db, pg_dsn, conn, path, expected):
    await make_model(conn, "m")
    await make_model(conn, "m")
    token = await make_token(conn, "read")
    bearer = {"authorization": f"Bearer {token}"}
    async with running_app(pg_dsn, {"REGISTRY_REQUIRE_READ_AUTH": "1"}) as api:
        anonymous = await api.client.get(path)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"
        allowed = await api.client.get(path, headers=bearer)
        assert allowed.status_code == 200, allowed.text
        assert model_ids(path, allowed.json()) == expected
    async with running_app(pg_dsn) as api:
        bad = await api.client.get(path, headers={"authorization": "Bearer mreg_nope"})
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == "UNAUTHENTICATED"
        open_read = await api.client.get(path)
        assert open_read.status_code == 200, open_read.text
        assert open_read.json() == allowed.json()


async def test_mutation_over_get_is_405_with_allow_post(api, conn, tokens):
    r = await api.client.get(
        "/graphql", params={"query": WRITE}, headers={"authorization": f"Bearer {tokens['write']}"}
    )
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert await conn.fetchval("select count(*) from artifacts") == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_simple_content_types_are_refused(api, conn, tokens, content_type):
    r = await api.client.post(
        "/graphql",
        content=b'{"query": "' + WRITE.replace('"', '\\"').encode() + b'"}',
        headers={"content-type": content_type, "authorization": f"Bearer {tokens['write']}"},
    )
    assert r.status_code == 415
    assert await conn.fetchval("select count(*) from artifacts") == 0


def test_cli_creates_lists_and_revokes_tokens(db, pg_dsn):
    env = dict(os.environ, DATABASE_URL=pg_dsn)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "tokens", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    created = run("create", "--scope", "write", "--name", "cli-pipeline")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("mreg_") and token not in created.stderr
    listed = run("list")
    assert "cli-pipeline\twrite\tactive" in listed.stdout and token not in listed.stdout
    assert run("create", "--scope", "write", "--name", "cli-pipeline").returncode == 1
    assert run("revoke", "cli-pipeline").returncode == 0
    assert "cli-pipeline\twrite\trevoked" in run("list").stdout
    assert run("revoke", "cli-pipeline").returncode == 1
