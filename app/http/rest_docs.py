"""The README's table of REST parameters, rendered from the OpenAPI document so they agree."""

from __future__ import annotations

from typing import Any

from app.http.openapi import DOCUMENT

HEADING = "### REST"
# Values that a pattern states, said in words.
_IN_WORDS = {
    "ids": "2 to 10 ids, comma-separated and/or repeated",
    "tag": "`key` or `key:value`",
    "alias": "an alias name (`production`)",
}


def _values(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return ", or ".join(_values(s) for s in schema["anyOf"])
    if "title" in schema:
        return f"`{schema['title']}`"
    if "enum" in schema:
        lower = [v for v in schema["enum"] if v == v.lower()]
        return ", ".join(f"`{v}`" for v in lower) + " (any case)"
    kind = schema.get("type")
    if kind == "integer":
        return f"integer {schema['minimum']}..{schema['maximum']:,}"
    if kind == "boolean":
        return "`true`/`false`, `1`/`0`, `yes`/`no`"
    if "maxLength" in schema:
        return f"text, up to {schema['maxLength']} characters"
    return "an id (version or lineage)"


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema:
        return "-"
    value = schema["default"]
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def parameters_table() -> str:
    """One row per query parameter of each REST path: spellings, values, default, meaning."""
    rows = [
        "| path | parameter | also read as | values | default | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            for p in operation.get("parameters", []):
                if p["in"] == "query":
                    rows.append(_row(path if method == "get" else f"{method.upper()} {path}", p))
    return "\n".join(rows) + "\n"


def _row(path: str, p: dict[str, Any]) -> str:
    """One parameter's row of the table."""
    schema = p["schema"]
    aliases = ", ".join(f"`{a}`" for a in p.get("x-aliases", []))
    default = "required" if p["required"] else _default(schema)
    values = _IN_WORDS.get(p["name"]) or _values(schema)
    meaning = p.get("description", "").split(" Also read as ")[0]
    return (
        f"| `{path}` | `{p['name']}` | {aliases or '-'} | {values} | {default} | {_cell(meaning)} |"
    )
