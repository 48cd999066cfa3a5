"""Tables of the README that are rendered from the code, so the two cannot drift."""

from __future__ import annotations

from app import errors


def with_table(readme: str, heading: str, table: str) -> str:
    """``readme`` with the first table under ``heading`` replaced by ``table``."""
    lines = readme.splitlines(keepends=True)
    try:
        at = next(i for i, line in enumerate(lines) if line.rstrip() == heading)
        start = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("|"))
    except StopIteration:
        raise ValueError(f"no table under {heading!r}") from None
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "".join([*lines[:start], table, *lines[end:]])


ERRORS_HEADING = "### What each error means"


def errors_table() -> str:
    """Every error code with its statuses (REST and before GraphQL execution; in a GraphQL
    answer) and its meaning, from app.errors.CODES."""
    rows = ["| code | HTTP | in a GraphQL answer | meaning |", "|---|---|---|---|"]
    for name, code in errors.CODES.items():
        graphql = (
            "200, `data` null (400 for `application/graphql-response+json`)"
            if code.refuses_document
            else "200, beside the data"
            if code.graphql_status == 200
            else str(code.graphql_status)
        )
        headers = ", ".join(f"`{k}: {v}`" for k, v in code.headers)
        meaning = code.meaning + (f"; {headers}" if headers else "")
        rows.append(f"| `{name}` | {code.status} | {graphql} | {meaning} |")
    return "\n".join(rows) + "\n"
