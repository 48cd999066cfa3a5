"""Each field of the four artifact types and their value types, declared once.

A field is a column (an SQL expression of the artifact row), a link (type, direction, the
types it may reach, one or many), the versions or the latest version of the row's lineage, a
count of one of those lists, the cursor after a page of one, or a value object with a fixed
shape (provenance, metrics, inputs). Lists are paged with ``limit`` and ``offset``, or by keyset
``after`` a cursor (app.paging, app.readmodel.cursors), each in its one order (``order``).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import LinkType

ARTIFACT_TYPES = ("Model", "Dataset", "Analysis", "Hypothesis")
KIND_OF = {
    "Model": "model",
    "Dataset": "dataset",
    "Analysis": "analysis",
    "Hypothesis": "hypothesis",
}
TYPE_OF = {kind: name for name, kind in KIND_OF.items()}
PAGE_ARGUMENTS = frozenset({"limit", "offset", "after"})


@dataclass(frozen=True)
class Column:
    """A scalar read from the artifact row ``{a}``: ``sql`` is its expression."""

    sql: str


@dataclass(frozen=True)
class Link:
    """Versions reached through links of ``type``: leaving the row (``outgoing``) or
    reaching it; ``single`` for a link of which a version has at most one."""

    type: LinkType
    outgoing: bool
    targets: tuple[str, ...]
    single: bool = False
    doc: str | None = None


@dataclass(frozen=True)
class Versions:
    """Every version of the row's lineage, oldest first."""


@dataclass(frozen=True)
class SameContent:
    """Other versions of the row's kind whose strong digest (app.locations) is the row's, by
    id: the same bytes."""


@dataclass(frozen=True)
class Latest:
    """The latest version of the row's lineage."""


@dataclass(frozen=True)
class Count:
    """How many items the list field ``of`` holds, whatever page of it is asked for."""

    of: str


@dataclass(frozen=True)
class NextCursor:
    """The cursor after the last item of a page of the list field ``of``, when more follow."""

    of: str


@dataclass(frozen=True)
class Shape:
    """A value object with a fixed set of fields, built by its own rule (``name``), taking
    paging or its own ``args``."""

    name: str
    paged: bool = False
    args: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AllLinks:
    """Every link leaving the row, of any type."""


@dataclass(frozen=True)
class AliasMoves:
    """Every move of an alias of the row's lineage."""


Field = Column | Link | Versions | SameContent | Latest | Count | NextCursor | Shape


def paged(field: Field) -> bool:
    """Whether a field is a paged list."""
    return (
        isinstance(field, Versions | SameContent)
        or (isinstance(field, Link) and not field.single)
        or (isinstance(field, Shape) and field.paged)
    )


def arguments(field: Field) -> frozenset[str]:
    """The arguments a field takes: a list's paging (its cursor's too), or a shape's own."""
    if paged(field) or isinstance(field, NextCursor):
        return PAGE_ARGUMENTS
    return field.args if isinstance(field, Shape) else frozenset()


def _paged(name: str, listed: Field) -> dict[str, Field]:
    """A paged list with its count (``trainedOnCount``) and the cursor after a page of it
    (``trainedOnNextCursor``)."""
    return {name: listed, f"{name}Count": Count(name), f"{name}NextCursor": NextCursor(name)}


# With the session's UTC time zone, JSON renders createdAt exactly like app.domain.iso_utc.
ARTIFACT: dict[str, Field] = {
    "id": Column("{a}.id"),
    "lineageId": Column("{a}.lineage_id"),
    "kind": Column("upper({a}.kind)"),
    "versionNumber": Column("{a}.version_number"),
    "isLatest": Column("{a}.is_latest"),
    "title": Column("{a}.title"),
    "description": Column("{a}.description"),
    "createdAt": Column("{a}.created_at"),
    "metadata": Column("{a}.metadata"),
    # Aliases move: read where the row is read, never kept.
    "aliases": Column(
        "(select coalesce(json_agg(al.alias order by al.alias collate \"C\"), '[]'::json) "
        "from aliases al where al.version_id = {a}.id)"
    ),
    **_paged("aliasHistory", Shape("aliasHistory", paged=True)),
    "archived": Column("({a}.archived_at is not null)"),
    "archivedAt": Column("{a}.archived_at"),
    "archivedReason": Column("{a}.archived_reason"),
    "tags": Shape("tags"),
}
# Where a dataset's or model's bytes are.
STORED: dict[str, Field] = {
    "uri": Column("{a}.uri"),
    "digest": Column("{a}.digest"),
    "sizeBytes": Column("{a}.size_bytes"),
}
# After each type's own fields.
LINEAGE: dict[str, Field] = {
    **_paged("versions", Versions()),
    "latest": Latest(),
}


def _links(**fields: Link) -> dict[str, Field]:
    """Link fields, each with its count and cursor unless it is single."""
    out: dict[str, Field] = {}
    for name, link in fields.items():
        out.update({name: link} if link.single else _paged(name, link))
    return out


FIELDS: dict[str, dict[str, Field]] = {
    "Model": {
        **ARTIFACT,
        "family": Column("upper({a}.family)"),
        "architecture": Column("{a}.architecture"),
        "parameterCount": Column("{a}.parameter_count"),
        "trainingConfig": Column("{a}.training_config"),
        "qualityScore": Column("{a}.quality_score"),
        "rawQualityScore": Column("{a}.raw_quality_score"),
        "evaluationMetricsJson": Column("{a}.evaluation_metrics"),
        "evaluationMetrics": Shape("metrics"),
        # Compared with the registry's directions by the resolvers; the compiled path declines.
        "metricWarnings": Shape("metricWarnings"),
        "provenance": Shape("provenance"),
        **_paged("links", Shape("links", paged=True)),
        "metricHistory": Shape("metricHistory", args=frozenset({"maxPoints", "sampling"})),
        **STORED,
        **_links(
            trainedOn=Link(
                LinkType.TRAINED_ON,
                True,
                ("Dataset",),
                doc="The dataset versions this model was trained on.",
            ),
            producedBy=Link(LinkType.PRODUCED_BY, True, ("Analysis",), single=True),
            testsHypotheses=Link(
                LinkType.TESTS_HYPOTHESIS,
                True,
                ("Hypothesis",),
                doc="The hypotheses this model tests.",
            ),
            derivedFrom=Link(
                LinkType.DERIVED_FROM, True, ("Model",), doc="The models this one was derived from."
            ),
        ),
        **LINEAGE,
    },
    "Dataset": {
        **ARTIFACT,
        **STORED,
        **_paged("sameContentAs", SameContent()),
        **_links(
            producedBy=Link(
                LinkType.PRODUCED_BY,
                True,
                ("Analysis",),
                single=True,
                doc="The analysis (pipeline step) that wrote this version, if one is linked.",
            ),
            trainedModels=Link(
                LinkType.TRAINED_ON,
                False,
                ("Model",),
                doc="Models trained on this version (or floating to it as latest), by id.",
            ),
            usedBy=Link(
                LinkType.USES,
                False,
                ("Analysis",),
                doc="Analyses that use this version as an input, by id.",
            ),
        ),
        **LINEAGE,
    },
    "Analysis": {
        **ARTIFACT,
        **_paged("inputs", Shape("inputs", paged=True)),
        **_links(
            producedModels=Link(
                LinkType.PRODUCED_BY, False, ("Model",), doc="Models this analysis produced, by id."
            ),
            producedDatasets=Link(
                LinkType.PRODUCED_BY,
                False,
                ("Dataset",),
                doc="Dataset versions this analysis wrote, by id.",
            ),
            addresses=Link(
                LinkType.ADDRESSES,
                True,
                ("Hypothesis",),
                doc="The hypotheses this analysis addresses.",
            ),
        ),
        **LINEAGE,
    },
    "Hypothesis": {
        **ARTIFACT,
        **_links(
            testedBy=Link(
                LinkType.TESTS_HYPOTHESIS,
                False,
                ("Model",),
                doc="Models that test this hypothesis, by id.",
            ),
            analyses=Link(
                LinkType.ADDRESSES,
                False,
                ("Analysis",),
                doc="Analyses that address this hypothesis, by id.",
            ),
        ),
        **LINEAGE,
    },
}


def source_kind(link: Link) -> str:
    """The kind of the versions an incoming link field lists: links of one type may leave
    several kinds (a model's and a dataset's producing analysis), each field lists one."""
    (source,) = link.targets
    return KIND_OF[source]


# The analysis inputs' list is its uses links.
INPUTS = Link(LinkType.USES, True, ARTIFACT_TYPES)


Listed = Link | Versions | SameContent | AllLinks | AliasMoves


def listed(type_name: str, name: str) -> Listed:
    """What the paged list field ``name`` of ``type_name`` lists."""
    field = FIELDS[type_name][name]
    if isinstance(field, Shape):
        shaped: dict[str, Link | AllLinks | AliasMoves] = {
            "inputs": INPUTS,
            "links": AllLinks(),
            "aliasHistory": AliasMoves(),
        }
        return shaped[field.name]
    assert isinstance(field, Link | Versions | SameContent)
    return field


def counted(type_name: str, count: Count) -> Listed:
    """What a count field counts."""
    return listed(type_name, count.of)


def order(of: Listed) -> str:
    """The one order a list is paged in, as its cursors name it."""
    if isinstance(of, Link):
        return "target lineage id" if of.outgoing else "source id"
    if isinstance(of, Versions):
        return "version number"
    if isinstance(of, SameContent):
        return "id"
    if isinstance(of, AllLinks):
        return "type, target lineage id"
    return "newest first"
