"""GraphQL enums and the small value types that artifacts carry."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import paging
from app.auth import Scope
from app.domain import Family, Kind, LinkType
from app.domain import WarningCode as DomainWarningCode
from app.lineage_cut import Walk
from app.metric_directions import Decided, Direction
from app.metric_history import Sampling
from app.readmodel.filters import MetricOrder, Order, SortKey

# The domain's enums, as GraphQL sees them: one definition each. strawberry.enum marks the
# class itself (and returns it), so the names below are the domain's classes.
_GRAPHQL_ENUMS = {
    Kind: ("ArtifactKind", "The four kinds of artifact."),
    Family: ("ModelFamily", "The family a model belongs to."),
    Direction: ("MetricDirection", "Whether a higher or a lower value of a metric is better."),
    Decided: (
        "MetricDecision",
        "How the registry decided a metric's direction: DECLARED by declareMetric, or "
        "INFERRED from its name (rmse, loss, aic... lower; others higher).",
    ),
    LinkType: ("ArtifactLinkType", "The type of a provenance link, from dependent to dependency."),
    DomainWarningCode: ("WarningCode", "A stable code for each kind of provenance gap."),
    Scope: ("TokenScope", "What a token may do; each scope includes the ones before it."),
    SortKey: ("ModelSortField", None),
    Order: ("SortDirection", None),
    MetricOrder: (
        "MetricOrder",
        "BEST follows the metric's direction (lower rmse, higher accuracy); ASC, DESC as said.",
    ),
    Walk: ("LineageDirection", "UPSTREAM follows dependencies; DOWNSTREAM finds dependents."),
    Sampling: (
        "HistorySampling",
        "ALL: every version; LATEST: the newest versions only; EVEN: evenly spaced across the "
        "lineage, the first and the last included.",
    ),
}
for _enum, (_name, _description) in _GRAPHQL_ENUMS.items():
    strawberry.enum(_enum, name=_name, description=_description)

ArtifactKind = Kind
ModelFamily = Family
MetricDirection = Direction
MetricDecision = Decided
ArtifactLinkType = LinkType
WarningCode = DomainWarningCode
TokenScope = Scope
ModelSortField = SortKey
SortDirection = Order
LineageDirection = Walk
HistorySampling = Sampling


@strawberry.type(description="A provenance gap, with a stable code and a message for people.")
class ProvenanceWarning:
    code: WarningCode
    message: str


@strawberry.type(description="Whether a model's provenance is complete, and what is missing.")
class Provenance:
    complete: bool
    warnings: list[ProvenanceWarning]


# The arguments every nested list takes: one paging shape for all of them.
Limit = Annotated[
    int,
    strawberry.argument(
        description=f"At most this many items (1 to {paging.MAX_NESTED}; "
        f"{paging.NESTED_DEFAULT} when left out)."
    ),
]
Offset = Annotated[
    int,
    strawberry.argument(description=f"Skip this many items first (0 to {paging.MAX_OFFSET})."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor from this list's `...NextCursor` field: the items after it, by "
        "keyset (leave `offset` at 0). A cursor of another list is BAD_CURSOR."
    ),
]
LIMIT = paging.NESTED_DEFAULT
PAGED = f" At most {paging.NESTED_DEFAULT} items unless `limit` asks for up to {paging.MAX_NESTED}."


def count_of(field: str) -> str:
    """The description of a list's sibling count field."""
    return f"How many items `{field}` holds in all, whatever page it is asked for."


def next_cursor_of(field: str) -> str:
    """The description of a list's sibling cursor field."""
    return (
        f"The cursor after the last item of the page `{field}` gives for the same `limit`, "
        f"`offset` and `after`; null on its last page. Give it as `{field}(after: ...)` for "
        "the next page, under this or any other parent."
    )


@strawberry.type(description="A key/value label on a version.")
class Tag:
    key: str
    value: str


@strawberry.input(description="A tag to set: a key (lower-case label syntax) and its value.")
class TagInput:
    key: str
    value: str
