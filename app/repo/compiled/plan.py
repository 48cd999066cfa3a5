"""A read, described without GraphQL: what the one compiled statement must build.

The GraphQL layer (app.schema.plans) turns a validated query into these values, using the
read model's declarations; app.repo.compiled.render turns them into SQL. Response keys are
kept as the client wrote them (aliases included); columns are the read model's own
declarations; everything else is data, never SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.readmodel.fields import AliasMoves, AllLinks, Column, Latest, Link, SameContent, Versions
from app.readmodel.page_sql import Order
from app.search.cursor import Position
from app.search.tree import Node


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


@dataclass(frozen=True)
class Const:
    """A string known before the query runs (``__typename``)."""

    value: str


@dataclass(frozen=True)
class Obj:
    """The JSON object of an artifact row: the fields to build for each type it may be."""

    branches: tuple[tuple[str, Fields], ...]


@dataclass(frozen=True)
class Listed:
    """Versions reached from the row through a declared field: a link (``page`` None for a
    single one), the lineage's versions, or its latest version."""

    field: Link | Versions | SameContent | Latest
    page: Page | None
    obj: Obj


@dataclass(frozen=True)
class Counted:
    """The length of a list: a link's (outgoing or incoming), all the row's links, or the
    lineage's versions."""

    of: Link | Versions | SameContent | AllLinks | AliasMoves


@dataclass(frozen=True)
class Shaped:
    """A value with a fixed shape, built by its own rule (``name``: provenance, metrics,
    inputs, and the parts of lineage graphs and comparisons): ``fields`` maps response keys
    to the names of its leaf parts, or to nested values."""

    name: str
    fields: tuple[tuple[str, Part], ...]
    page: Page | None = None


Value = Const | Column | Obj | Listed | Counted | Shaped
Part = str | Const | Obj | Shaped
Fields = tuple[tuple[str, Value], ...]


# -- roots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """One artifact by version id or lineage id (its latest), of ``kind`` unless None."""

    ref: str
    kind: str | None
    obj: Obj


@dataclass(frozen=True)
class ListPage:
    """A page of artifacts of ``kind``; ``fields`` are the page type's: "total", or the
    items' object, or a Const. ``family`` and ``sort`` are for models only."""

    kind: str
    page_type: str
    latest_only: bool
    search: str | None
    page: Page
    fields: tuple[tuple[str, Part], ...]
    family: str | None = None
    sort: str = "created_at"
    descending: bool = True
    tag: tuple[str, str | None] | None = None
    alias: str | None = None
    # Models only: the rest of the filter as a tree, a metric to sort by instead of
    # ``sort``, the cursor's position to start after, and the list's fingerprint.
    where: Node | None = None
    metric: str | None = None
    after: Position | None = None
    fingerprint: str = ""
    driven: bool = False
    # For a BEST metric sort: the direction the statement assumed ('LOWER' or 'HIGHER'); a
    # guard hands the query to the resolvers when the registry says otherwise.
    assumed: str | None = None

    @property
    def order(self) -> Order:
        return Order(self.sort, self.descending, self.metric)


@dataclass(frozen=True)
class LineageWalk:
    """The graph around ``ref``; ``fields``: the root's Obj, "truncated", nodes and edges."""

    ref: str
    downstream: bool
    depth: int
    limit: int
    fields: tuple[tuple[str, Part], ...]


@dataclass(frozen=True)
class Comparison:
    """Models side by side; ``fields``: the models' Obj, metric rows (Shaped), the baseline
    model's id ("baselineModelId"); ``baseline`` the ref the deltas are taken from."""

    ids: tuple[str, ...]
    fields: tuple[tuple[str, Part], ...]
    baseline: str | None = None


Root = Const | Lookup | ListPage | LineageWalk | Comparison


@dataclass(frozen=True)
class Read:
    """A whole query: its root fields by response key."""

    roots: tuple[tuple[str, Root], ...]
