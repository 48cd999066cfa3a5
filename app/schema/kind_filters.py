"""The filters of the dataset, analysis and hypothesis lists: leaves of app.search.fields'
KIND_CATALOG by their GraphQL names, read into a tree by app.schema.filter_inputs.tree."""

from __future__ import annotations

import strawberry

from app.schema.filter_inputs import DateTimeRange, TagFilter

_REF = "A version id, a lineage id for any of its versions, or lineage@alias."


def _described(noun: str) -> str:
    return (
        f"{noun} matching every field given; `and`, `or` and `not` combine filters (nested "
        "at most 4 levels, at most 20 conditions; beyond: FILTER_TOO_COMPLEX)."
    )


@strawberry.input(description="The fields every version has, filtered alike in each list.")
class VersionFilter:
    text: str | None = strawberry.field(
        default=None,
        description="Case-insensitive substring of the title, the description or a tag.",
    )
    tag: TagFilter | None = None
    latest_only: bool = strawberry.field(
        default=False, description="Only each lineage's latest version, and not if archived."
    )
    created_at: DateTimeRange | None = None
    archived: bool | None = None


@strawberry.input(description=_described("Datasets"))
class DatasetFilter(VersionFilter):
    used_by: strawberry.ID | None = strawberry.field(
        default=None, description=f"Inputs of this analysis. {_REF}"
    )
    and_: list[DatasetFilter] | None = strawberry.field(name="and", default=None)
    or_: list[DatasetFilter] | None = strawberry.field(name="or", default=None)
    not_: DatasetFilter | None = strawberry.field(name="not", default=None)


@strawberry.input(description=_described("Analyses"))
class AnalysisFilter(VersionFilter):
    uses: strawberry.ID | None = strawberry.field(
        default=None, description=f"With this input (a dataset or another artifact). {_REF}"
    )
    addresses: strawberry.ID | None = strawberry.field(
        default=None, description=f"Addressing this hypothesis. {_REF}"
    )
    and_: list[AnalysisFilter] | None = strawberry.field(name="and", default=None)
    or_: list[AnalysisFilter] | None = strawberry.field(name="or", default=None)
    not_: AnalysisFilter | None = strawberry.field(name="not", default=None)


@strawberry.input(description=_described("Hypotheses"))
class HypothesisFilter(VersionFilter):
    tested_by: strawberry.ID | None = strawberry.field(
        default=None, description=f"Tested by this model. {_REF}"
    )
    and_: list[HypothesisFilter] | None = strawberry.field(name="and", default=None)
    or_: list[HypothesisFilter] | None = strawberry.field(name="or", default=None)
    not_: HypothesisFilter | None = strawberry.field(name="not", default=None)


BY_KIND: dict[str, type[VersionFilter]] = {
    "dataset": DatasetFilter,
    "analysis": AnalysisFilter,
    "hypothesis": HypothesisFilter,
}
