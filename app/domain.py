"""The catalog's vocabulary: frozen dataclasses and enums. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.metric_values import Interval


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC as PostgreSQL writes a timestamptz in JSON: the fraction of a second
    without trailing zeros, none when zero. Every surface uses it, so an answer built by the
    database and one built here read the same."""
    text = value.astimezone(UTC).isoformat()
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    fraction = rest[:6].rstrip("0")
    return head + ("." + fraction if fraction else "") + rest[6:]


class Kind(StrEnum):
    MODEL = "model"
    DATASET = "dataset"
    ANALYSIS = "analysis"
    HYPOTHESIS = "hypothesis"


class Family(StrEnum):
    BIOPHYSICAL = "biophysical"
    DEEP_LEARNING = "deep_learning"
    STATISTICAL = "statistical"


class LinkType(StrEnum):
    TRAINED_ON = "trained_on"
    PRODUCED_BY = "produced_by"
    TESTS_HYPOTHESIS = "tests_hypothesis"
    USES = "uses"
    ADDRESSES = "addresses"
    DERIVED_FROM = "derived_from"


# Which kinds each link type may join (sources, targets); the database enforces the same
# table. A dataset's producer is the pipeline step that wrote it.
LINK_RULES: dict[LinkType, tuple[frozenset[Kind], frozenset[Kind]]] = {
    LinkType.TRAINED_ON: (frozenset({Kind.MODEL}), frozenset({Kind.DATASET})),
    LinkType.PRODUCED_BY: (frozenset({Kind.MODEL, Kind.DATASET}), frozenset({Kind.ANALYSIS})),
    LinkType.TESTS_HYPOTHESIS: (frozenset({Kind.MODEL}), frozenset({Kind.HYPOTHESIS})),
    LinkType.USES: (frozenset({Kind.ANALYSIS}), frozenset(Kind)),
    LinkType.ADDRESSES: (frozenset({Kind.ANALYSIS}), frozenset({Kind.HYPOTHESIS})),
    LinkType.DERIVED_FROM: (frozenset({Kind.MODEL}), frozenset({Kind.MODEL})),
}


class WarningCode(StrEnum):
    MISSING_TRAINING_DATA = "MISSING_TRAINING_DATA"
    MISSING_PRODUCING_ANALYSIS = "MISSING_PRODUCING_ANALYSIS"
    UNPINNED_INPUTS = "UNPINNED_INPUTS"
    MISSING_HYPOTHESIS_LINK = "MISSING_HYPOTHESIS_LINK"


@dataclass(frozen=True)
class ProvenanceWarning:
    code: WarningCode
    message: str


@dataclass(frozen=True)
class ModelFields:
    """What only a model version carries."""

    family: Family
    architecture: str
    parameter_count: int
    training_config: dict[str, Any]
    evaluation_metrics: dict[str, float]
    metric_directions: dict[str, str]
    raw_quality_score: float
    quality_score: float
    warnings: tuple[ProvenanceWarning, ...]
    # The uncertainty of the metrics that were registered with one (app.metric_values).
    intervals: dict[str, Interval] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Tag:
    """A key/value label on a version (rules in app.tags)."""

    key: str
    value: str


@dataclass(frozen=True)
class Artifact:
    """One immutable version of a model, dataset, analysis or hypothesis.

    Its archive state, tags and the aliases pointing at it are the only parts that change
    after it is written.
    """

    id: str
    lineage_id: str
    kind: Kind
    version_number: int
    is_latest: bool
    title: str
    description: str
    metadata: dict[str, Any]
    created_at: datetime
    model: ModelFields | None = None
    archived_at: datetime | None = None
    archived_reason: str | None = None
    # Sorted by key.
    tags: tuple[Tag, ...] = ()
    # The aliases of its lineage pointing at it, by name (sorted as collate "C" sorts them).
    aliases: tuple[str, ...] = ()
    # Where the bytes are (datasets and models): the digest in app.locations' stored form.
    uri: str | None = None
    digest: str | None = None
    size_bytes: int | None = None


def is_archived(artifact: Artifact) -> bool:
    """Whether the version is archived: readable by id, but out of latest-only lists and
    never to be promoted."""
    return artifact.archived_at is not None


@dataclass(frozen=True)
class Link:
    """A typed edge from a dependent version to what it depends on.

    ``target_version_id`` is None when the link floats to the latest version of
    ``target_lineage_id``.
    """

    source_id: str
    type: LinkType
    target_lineage_id: str
    target_version_id: str | None
    target_kind: Kind

    @property
    def pinned(self) -> bool:
        return self.target_version_id is not None


@dataclass(frozen=True)
class LinkSpec:
    """A link asked for at registration: ``ref`` is a version id or a lineage id.

    A version id pins; a lineage id floats unless ``pin_latest`` asks to pin the
    version that is latest at write time.
    """

    type: LinkType
    ref: str
    pin_latest: bool = False


@dataclass(frozen=True)
class NewArtifact:
    """A registration request for the next version of a lineage."""

    kind: Kind
    lineage_id: str
    title: str
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    links: tuple[LinkSpec, ...] = ()
    family: Family | None = None
    architecture: str = ""
    parameter_count: int = 0
    training_config: dict[str, Any] = field(default_factory=dict)
    evaluation_metrics: dict[str, Any] = field(default_factory=dict)
    metric_directions: dict[str, str] = field(default_factory=dict)
    raw_quality_score: float | None = None
    uri: str | None = None
    digest: str | None = None
    size_bytes: int | None = None
