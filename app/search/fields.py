"""The catalog of filter fields: one declaration per leaf, from which every surface derives.

Each entry names a leaf in the text filter language (``quality_score``) and in GraphQL
(``qualityScore``), the kind of value it compares with, the operators it allows, whether it
takes a parameter (the metric of ``metrics.<name>``, the key of ``tags.<key>``) and a
one-line description for OpenAPI and the README. A ``Field`` is an entry resolved with its
parameter; building one checks the parameter, so a ``Field`` that exists is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from app import tags, validation
from app.errors import InvalidInput

BAD_FILTER = "BAD_FILTER"
MAX_METRIC_NAME = 100


class Op(StrEnum):
    """A comparison; the value is its spelling in the text language."""

    EQ = "="
    LT = "<"
    LTE = "<="
    GT = ">"
    GTE = ">="
    CONTAINS = "CONTAINS"
    # The field has a value at all (IS NOT NULL): the model has the metric, or the tag key.
    PRESENT = "IS NOT NULL"


class Kind(Enum):
    """What a field's value is; app.search.values says how each is read and checked."""

    FAMILY = "family"
    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    REF = "ref"
    WARNING_CODE = "warning_code"
    ALIAS = "alias"


class Param(Enum):
    """What a parameterized field is parameterized by."""

    METRIC = "metric name"
    TAG_KEY = "tag key"


ORDERED = (Op.EQ, Op.LT, Op.LTE, Op.GT, Op.GTE)


@dataclass(frozen=True)
class FieldSpec:
    """One leaf of the filter: its names, value kind, operators and meaning."""

    name: str
    graphql: str
    kind: Kind
    ops: tuple[Op, ...]
    description: str
    param: Param | None = None
    synonyms: tuple[str, ...] = ()
    # The longest text value it compares with (TEXT kinds only).
    max_length: int = 0

    def __repr__(self) -> str:
        return f"FieldSpec({self.name!r})"

    @property
    def shown(self) -> str:
        """How the field reads in a list of fields: ``metrics.<name>`` for parameterized ones."""
        if self.param is Param.METRIC:
            return f"{self.name}.<name>"
        if self.param is Param.TAG_KEY:
            return f"{self.name}.<key>"
        return self.name


FAMILY = FieldSpec("family", "family", Kind.FAMILY, (Op.EQ,), "the model family")
ARCHITECTURE = FieldSpec(
    "architecture",
    "architecture",
    Kind.TEXT,
    (Op.EQ, Op.CONTAINS),
    "the architecture: exactly (=), or a case-insensitive substring (CONTAINS)",
    max_length=300,  # the longest architecture registration accepts
)
QUALITY_SCORE = FieldSpec(
    "quality_score",
    "qualityScore",
    Kind.NUMBER,
    ORDERED,
    "the effective quality score, in [0, 1] (capped at 0.3 when provenance is incomplete)",
)
PARAMETER_COUNT = FieldSpec(
    "parameter_count", "parameterCount", Kind.INTEGER, ORDERED, "the number of parameters"
)
CREATED_AT = FieldSpec(
    "created_at",
    "createdAt",
    Kind.DATETIME,
    ORDERED,
    "when the version was registered (ISO-8601; without a time zone, UTC)",
)
METRICS = FieldSpec(
    "metrics",
    "metric",
    Kind.NUMBER,
    (*ORDERED, Op.PRESENT),
    "an evaluation metric by name; false for a model without that metric (its NOT is true)",
    param=Param.METRIC,
    synonyms=("metric",),
)
TAGS = FieldSpec(
    "tags",
    "tag",
    Kind.TEXT,
    (Op.EQ, Op.PRESENT),
    "a tag's value by key (IS NOT NULL: the version has the key, with any value)",
    param=Param.TAG_KEY,
    synonyms=("tag",),
    max_length=tags.MAX_VALUE,
)
ALIAS = FieldSpec(
    "alias", "alias", Kind.ALIAS, (Op.EQ,), "an alias of the lineage points at this version"
)
PROVENANCE_COMPLETE = FieldSpec(
    "provenance_complete",
    "provenanceComplete",
    Kind.BOOLEAN,
    (Op.EQ,),
    "the version has no provenance warning",
)
WARNING = FieldSpec(
    "warning", "warning", Kind.WARNING_CODE, (Op.EQ,), "the version has this provenance warning"
)
TRAINED_ON = FieldSpec(
    "trained_on",
    "trainedOn",
    Kind.REF,
    (Op.EQ,),
    "trained on this dataset: a version id, a lineage id (any version) or lineage@alias",
)
PRODUCED_BY = FieldSpec(
    "produced_by",
    "producedBy",
    Kind.REF,
    (Op.EQ,),
    "produced by this analysis: a version id, a lineage id (any version) or lineage@alias",
)
TESTS_HYPOTHESIS = FieldSpec(
    "tests_hypothesis",
    "testsHypothesis",
    Kind.REF,
    (Op.EQ,),
    "tests this hypothesis: a version id, a lineage id (any version) or lineage@alias",
)
DERIVED_FROM = FieldSpec(
    "derived_from",
    "derivedFrom",
    Kind.REF,
    (Op.EQ,),
    "derived from this model: a version id, a lineage id (any version) or lineage@alias",
)
LATEST = FieldSpec(
    "latest",
    "latestOnly",
    Kind.BOOLEAN,
    (Op.EQ,),
    "the version is its lineage's latest, and not archived",
)
ARCHIVED = FieldSpec("archived", "archived", Kind.BOOLEAN, (Op.EQ,), "the version is archived")
TEXT = FieldSpec(
    "text",
    "text",
    Kind.TEXT,
    (Op.CONTAINS,),
    "a case-insensitive substring of the title, the description, or a tag's key or value",
    max_length=validation.MAX_SEARCH,
)
TITLE = FieldSpec(
    "title",
    "search",
    Kind.TEXT,
    (Op.CONTAINS,),
    "a case-insensitive substring of the title (what `search` has always meant)",
    max_length=validation.MAX_SEARCH,
)

CATALOG: tuple[FieldSpec, ...] = (
    FAMILY,
    ARCHITECTURE,
    QUALITY_SCORE,
    PARAMETER_COUNT,
    CREATED_AT,
    METRICS,
    TAGS,
    ALIAS,
    PROVENANCE_COMPLETE,
    WARNING,
    TRAINED_ON,
    PRODUCED_BY,
    TESTS_HYPOTHESIS,
    DERIVED_FROM,
    LATEST,
    ARCHIVED,
    TEXT,
    TITLE,
)

# The leaves of the other kinds' lists (GraphQL's DatasetFilter and the like): what any
# version has, and the links that reach or leave that kind.
USED_BY = FieldSpec(
    "used_by",
    "usedBy",
    Kind.REF,
    (Op.EQ,),
    "used as an input by this analysis: a version id, a lineage id (any version) or lineage@alias",
)
TESTED_BY = FieldSpec(
    "tested_by",
    "testedBy",
    Kind.REF,
    (Op.EQ,),
    "tested by this model: a version id, a lineage id (any version) or lineage@alias",
)
USES = FieldSpec(
    "uses",
    "uses",
    Kind.REF,
    (Op.EQ,),
    "uses this input (a dataset or another artifact): a version id, a lineage id (any "
    "version) or lineage@alias",
)
ADDRESSES = FieldSpec(
    "addresses",
    "addresses",
    Kind.REF,
    (Op.EQ,),
    "addresses this hypothesis: a version id, a lineage id (any version) or lineage@alias",
)
_ANY_VERSION = (CREATED_AT, TAGS, LATEST, ARCHIVED, TEXT, TITLE)
KIND_CATALOG: dict[str, tuple[FieldSpec, ...]] = {
    "model": CATALOG,
    "dataset": (*_ANY_VERSION, USED_BY),
    "analysis": (*_ANY_VERSION, USES, ADDRESSES),
    "hypothesis": (*_ANY_VERSION, TESTED_BY),
}

BY_NAME: dict[str, FieldSpec] = {
    name: spec for spec in CATALOG for name in (spec.name, *spec.synonyms)
}


def spec_named(name: str) -> FieldSpec | None:
    """The entry a text-language field name (or synonym) stands for."""
    return BY_NAME.get(name)


def field_list() -> str:
    """Every field as the text language writes it, for error messages and documentation."""
    return ", ".join(spec.shown for spec in CATALOG)


@dataclass(frozen=True)
class Field:
    """A catalog entry with its parameter (the metric name or tag key), checked."""

    spec: FieldSpec
    param: str | None = None

    def __repr__(self) -> str:
        return (
            f"Field({self.spec.name!r}, {self.param!r})"
            if self.param is not None
            else f"Field({self.spec.name!r})"
        )

    def __post_init__(self) -> None:
        if self.spec.param is None:
            if self.param is not None:
                raise InvalidInput(f"{self.spec.name!r} takes no parameter", code=BAD_FILTER)
            return
        if self.param is None:
            raise InvalidInput(
                f"{self.spec.name!r} needs a {self.spec.param.value}: {self.spec.shown}",
                code=BAD_FILTER,
            )
        if self.spec.param is Param.METRIC:
            check_metric_name(self.param)
        elif not tags.KEY.fullmatch(self.param):
            raise InvalidInput(
                f"tag key {self.param[:80]!r} is not 1 to {tags.MAX_KEY} lower-case letters, "
                "digits, '-', '_', '.' or '/' starting and ending with a letter or digit",
                code=BAD_FILTER,
            )


def check_metric_name(name: str) -> None:
    """Metric names are 1-100 characters of any text but NUL (as registration allows)."""
    if not 1 <= len(name) <= MAX_METRIC_NAME:
        raise InvalidInput(
            f"a metric name is 1 to {MAX_METRIC_NAME} characters; this one has {len(name)}",
            code=BAD_FILTER,
        )
    if not encodable(name):
        raise InvalidInput(
            "a metric name must not contain NUL or unpaired surrogates", code=BAD_FILTER
        )


def bare_metric_name(name: str) -> bool:
    """Whether the language may write ``name`` without backticks: ``[A-Za-z_][A-Za-z0-9_]*``."""
    return (
        name != ""
        and not name[0].isdigit()
        and all(c.isascii() and (c.isalnum() or c == "_") for c in name)
    )


def encodable(text: str) -> bool:
    """Whether PostgreSQL can store and compare ``text``: UTF-8 without NUL."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
