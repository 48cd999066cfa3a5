"""GraphQL enums and the small value types that artifacts carry."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from app import paging


@strawberry.enum(description="The four kinds of artifact.")
class ArtifactKind(Enum):
    MODEL = "model"
    DATASET = "dataset"
    ANALYSIS = "analysis"
    HYPOTHESIS = "hypothesis"


@strawberry.enum(description="The family a model belongs to.")
class ModelFamily(Enum):
    BIOPHYSICAL = "biophysical"
    DEEP_LEARNING = "deep_learning"
    STATISTICAL = "statistical"


@strawberry.enum(description="Whether a higher or a lower value of a metric is better.")
class MetricDirection(Enum):
    HIGHER = "higher"
    LOWER = "lower"


@strawberry.enum(description="The type of a provenance link, from dependent to dependency.")
class ArtifactLinkType(Enum):
    TRAINED_ON = "trained_on"
    PRODUCED_BY = "produced_by"
    TESTS_HYPOTHESIS = "tests_hypothesis"
    USES = "uses"
    ADDRESSES = "addresses"
    DERIVED_FROM = "derived_from"


@strawberry.enum(description="A stable code for each kind of provenance gap.")
class WarningCode(Enum):
    MISSING_TRAINING_DATA = "MISSING_TRAINING_DATA"
    MISSING_PRODUCING_ANALYSIS = "MISSING_PRODUCING_ANALYSIS"
    UNPINNED_INPUTS = "UNPINNED_INPUTS"
    MISSING_HYPOTHESIS_LINK = "MISSING_HYPOTHESIS_LINK"


@strawberry.type(description="A provenance gap, with a stable code and a message for people.")
class ProvenanceWarning:
    code: WarningCode
    message: str


@strawberry.type(description="Whether a model's provenance is complete, and what is missing.")
class Provenance:
    complete: bool
    warnings: list[ProvenanceWarning]


@strawberry.type(description="One evaluation metric of a model.")
class Metric:
    name: str
    value: float
    better: MetricDirection


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
LIMIT = paging.NESTED_DEFAULT
PAGED = f" At most {paging.NESTED_DEFAULT} items unless `limit` asks for up to {paging.MAX_NESTED}."


def count_of(field: str) -> str:
    """The description of a list's sibling count field."""
    return f"How many items `{field}` holds in all, whatever page it is asked for."
