"""The README's GraphQL examples run as written on the demo catalog, without errors."""

from __future__ import annotations

import re

import pytest

from app.demo.load import load_if_empty
from app.settings import PROJECT_ROOT

BLOCKS = re.findall(r"```graphql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(), re.S)


@pytest.mark.parametrize("query", BLOCKS, ids=[f"block {i + 1}" for i in range(len(BLOCKS))])
async def test_a_readme_query_answers_without_errors(api, conn, query):
    await load_if_empty(conn)
    body = await api.gql(query)
    assert "errors" not in body, body["errors"]
    assert body["data"]
