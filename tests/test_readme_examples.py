"""The README's GraphQL examples run as written on the demo catalog, without errors (a
mutation with a token that may make it)."""

from __future__ import annotations

import re

import pytest

from app.demo.load import load_if_empty
from app.settings import PROJECT_ROOT
from tests.factories import make_token

BLOCKS = re.findall(r"```graphql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(), re.S)


@pytest.mark.parametrize("query", BLOCKS, ids=[f"block {i + 1}" for i in range(len(BLOCKS))])
async def test_a_readme_query_answers_without_errors(api, conn, query):
    await load_if_empty(conn)
    if query.lstrip().startswith("mutation"):
        api.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
    body = await api.gql(query)
    assert "errors" not in body, body["errors"]
    assert body["data"]
