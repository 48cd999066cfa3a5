"""The model list's filters and sorts, declared once: their SQL, and the indexes they assume.

app.repo.catalog (the resolvers' statements) and app.repo.compiled (the one-statement
answers) build their WHERE and ORDER BY from these; the compiled path answers only the
filter keys declared ``compiled`` and hands the others to the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from app.domain import LinkType
from app.text_search import exact_case_regex, like_pattern

Bind = Callable[[object], str]  # appends a value to the statement's parameters: "$n"


@dataclass(frozen=True)
class Sort:
    """A sort key: its column on artifacts, its copy on the links a filter walks (migration
    0004), and the partial indexes that serve it without a sort step (a test checks them)."""

    column: str
    link_column: str
    index: str
    family_index: str


class SortKey(StrEnum):
    QUALITY_SCORE = "quality_score"
    CREATED_AT = "created_at"
    PARAMETER_COUNT = "parameter_count"


class Order(StrEnum):
    ASC = "asc"
    DESC = "desc"


SORTS: dict[str, Sort] = {
    SortKey.QUALITY_SCORE: Sort(
        "quality_score", "source_quality_score", "models_by_quality", "models_family_quality"
    ),
    SortKey.CREATED_AT: Sort(
        "created_at", "source_created_at", "models_by_created", "models_family_created"
    ),
    SortKey.PARAMETER_COUNT: Sort(
        "parameter_count", "source_parameter_count", "models_by_params", "models_family_params"
    ),
}
DIRECTIONS = tuple(Order)


class MetricOrder(StrEnum):
    """A metric sort's direction: BEST follows the metric's (app.metric_directions)."""

    BEST = "best"
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class Filter:
    """A key of ModelFilter. ``compiled``: the one statement applies it as it is; the others
    name artifacts (``link``), which the resolvers resolve first."""

    compiled: bool
    link: LinkType | None = None


# The filter tree's leaves and groups (app.search, app.readmodel.tree_sql): the statement
# reads each; a reference leaf among them walks its links in SQL.
TREE_KEYS = (
    "architecture", "qualityScore", "parameterCount", "createdAt", "metric",
    "provenanceComplete", "warning", "producedBy", "derivedFrom", "archived", "text", "and",
    "or", "not",
)  # fmt: skip

MODEL_FILTERS: dict[str, Filter] = {
    "family": Filter(compiled=True),
    "latestOnly": Filter(compiled=True),
    "search": Filter(compiled=True),
    "tag": Filter(compiled=True),
    "alias": Filter(compiled=True),
    "trainedOn": Filter(compiled=False, link=LinkType.TRAINED_ON),
    "testsHypothesis": Filter(compiled=False, link=LinkType.TESTS_HYPOTHESIS),
    **{key: Filter(compiled=True) for key in TREE_KEYS},
}


def quote_literal(text: str) -> str:
    """``text`` as an SQL string literal, as PostgreSQL's quote_literal writes it: quotes
    doubled, and with any backslash, doubled backslashes in an E'' literal, which reads the
    same whatever standard_conforming_strings says."""
    quoted = "'" + text.replace("'", "''") + "'"
    return "E" + quoted.replace("\\", "\\\\") if "\\" in text else quoted


def title_search(column: str, text: str) -> str:
    """``column ilike`` the search pattern, written into the statement, not bound.

    The pool plans statements once, without their values, and such a plan cannot know how
    many titles match: a common word wants the sort index walked until the page fills, a
    rare one the trigram index, and the wrong choice costs 50x at 100,000 models. Written
    in, the pattern gets its own plan (and its own cached statement).
    """
    condition = f"{column} ilike {quote_literal(like_pattern(text))}"
    exact = exact_case_regex(text)
    if exact is not None:
        # ILIKE still drives the trigram index; the expression drops what it over-matched.
        condition += f" and {column} ~ {quote_literal(exact)}"
    return condition


def latest(a: str) -> str:
    """What a latest-only list keeps of artifacts ``a``: each lineage's latest version,
    unless it is archived (an archived latest version takes its lineage out of the list;
    the model_counts trigger of migration 0007 counts the same)."""
    return f"({a}.is_latest and {a}.archived_at is null)"


# A tag filter: the key, and the value or None for any value.
TagFilter = tuple[str, str | None]


def tagged(a: str, bind: Bind, tag: TagFilter) -> str:
    """Versions of artifacts ``a`` carrying the tag's key (with its value, when given)."""
    key, value = tag
    exact = "" if value is None else f" and t.value = {bind(value)}"
    return (
        f"exists (select 1 from tags t where t.artifact_id = {a}.id and t.key = {bind(key)}{exact})"
    )


def aliased_as(a: str, bind: Bind, alias: str) -> str:
    """Versions of artifacts ``a`` that an alias of this name points at, in any lineage."""
    return (
        f"exists (select 1 from aliases al where al.version_id = {a}.id "
        f"and al.alias = {bind(alias)})"
    )


def conditions(
    a: str,
    bind: Bind,
    *,
    family: str | None,
    latest_only: bool,
    search: str | None,
    tag: TagFilter | None = None,
    alias: str | None = None,
) -> list[str]:
    """The compiled filters that are set, as SQL on artifacts ``a``.

    Only set filters appear, so each combination gets a plan that uses its indexes.
    """
    found = []
    if family is not None:
        found.append(f"{a}.family = {bind(family)}")
    if latest_only:
        found.append(latest(a))
    if search:
        found.append(title_search(f"{a}.title", search))
    if tag is not None:
        found.append(tagged(a, bind, tag))
    if alias is not None:
        found.append(aliased_as(a, bind, alias))
    return found
