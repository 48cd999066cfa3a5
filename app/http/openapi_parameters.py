"""The query parameters of the REST shims as OpenAPI 3.1 states them: names, spellings, bounds."""

from __future__ import annotations

from typing import Any

from app import ids, tags
from app.domain import Family
from app.http import rest_params
from app.search import cursor, parse
from app.service import catalog

# `metric:<name>`, in any case: a metric name is 1 to 100 characters, none of them NUL.
METRIC_SORT = "^[mM][eE][tT][rR][iI][cC]:[^\\u0000]{1,100}$"


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A query parameter; the names the pages use for it are listed in ``x-aliases``."""
    aliases = rest_params.ALIASES.get(name, ())
    if aliases:
        spelled = " or ".join(f"`{a}`" for a in aliases)
        description += f" Also read as {spelled}, the pages' name; give one spelling."
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **({"x-aliases": list(aliases)} if aliases else {}),
    }


def _any_case(values: list[str], default: str | None = None) -> dict[str, Any]:
    """An enum REST reads in any case: lower (its own spelling) and upper (GraphQL's) listed."""
    schema: dict[str, Any] = {"enum": [*values, *(v.upper() for v in values)]}
    return schema | ({"default": default} if default else {})


# Every limit the server enforces is stated here, so a request valid by this document is
# never refused for its form (an id that names nothing is 200 with no models, or 404), except
# for two spellings of one parameter given with different values.
ID = {"type": "string", "pattern": ids.POSSIBLE_REF.pattern}
# 2 to 10 comma-separated ids (or lineage@alias), spaces around them allowed.
_ONE_ID = ids.POSSIBLE_REF.pattern.strip("^$")
IDS = {
    "type": "string",
    "pattern": rf"^\s*{_ONE_ID}\s*(,\s*{_ONE_ID}\s*){{1,9}}$",
}

LIST_PARAMETERS = [
    _query("family", _any_case([f.value for f in Family]), "Only models of this family; any case."),
    _query("dataset", ID, "Trained on this dataset version, or any version of a lineage."),
    _query("hypothesis", ID, "Testing this hypothesis version or lineage."),
    _query(
        "sort",
        {
            "anyOf": [
                _any_case(list(catalog.SORTS)),
                {
                    "title": "metric:<name>",
                    "type": "string",
                    "pattern": METRIC_SORT,
                    "maxLength": 107,
                },
            ],
            "default": "created_at",
        },
        "Sort key (ties by id); any case. `metric:<name>` sorts by that metric, models "
        "without it last; its `order` is the metric's best first when left out.",
    ),
    _query(
        "order", _any_case(["asc", "desc"]), "Sort direction (`desc` for a column when left out)."
    ),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": catalog.MAX_LIMIT, "default": 20},
        "Page size.",
    ),
    _query(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": catalog.MAX_OFFSET, "default": 0},
        "Rows to skip.",
    ),
    _query(
        "latest",
        {"type": "boolean", "default": False},
        "Only the latest version of each lineage; `1`/`0` and `yes`/`no` too, in any case.",
    ),
    _query(
        "q",
        {"type": "string", "maxLength": catalog.MAX_SEARCH, "pattern": "^[^\\u0000]*$"},
        "Case-insensitive title search (no NUL characters).",
    ),
    _query(
        "tag",
        {
            "type": "string",
            "pattern": "^" + tags.KEY.pattern + rf"(:[^\u0000]{{0,{tags.MAX_VALUE}}})?$",
        },
        "Only versions with this tag: `key:value` for that exact value, `key` for any value.",
    ),
    _query(
        "filter",
        {"type": "string", "maxLength": parse.MAX_LENGTH},
        "A filter in the text language: `metrics.rmse < 0.05 AND family = 'statistical'`, with "
        "OR, NOT and parentheses (see the README). A malformed one is 400 BAD_FILTER with the "
        "`position` of the offending token.",
    ),
    _query(
        "cursor",
        {"type": "string", "maxLength": cursor.MAX_CURSOR},
        "A `next_cursor` of this filter and sort: the page after it (leave `offset` at 0).",
    ),
    _query(
        "alias",
        {
            "type": "string",
            "pattern": ids.ALIAS.pattern,
            "not": {"pattern": ids.RESERVED_ALIAS.pattern},
        },
        "Only versions an alias of this name points at (`production`), in any lineage.",
    ),
]
