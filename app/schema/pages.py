"""What the root list fields answer with: model filters and sorts, pages, audit entries."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.repo.catalog import ModelQuery
from app.schema.scalars import JSON
from app.schema.types import Analysis, Dataset, Hypothesis, Info, Model, as_model
from app.schema.values import ModelFamily, ModelSortField, SortDirection
from app.service import catalog


@strawberry.input(description="Versions carrying a tag: its key, with this value or any.")
class TagFilter:
    key: str
    value: str | None = strawberry.field(
        default=None, description="The exact value; any value when left out."
    )


@strawberry.input
class ModelFilter:
    family: ModelFamily | None = None
    trained_on: strawberry.ID | None = strawberry.field(
        default=None, description="A dataset version id, or a lineage id for any of its versions."
    )
    tests_hypothesis: strawberry.ID | None = strawberry.field(
        default=None, description="A hypothesis version id, or a lineage id."
    )
    latest_only: bool = strawberry.field(
        default=False, description="Only each lineage's latest version, and not if archived."
    )
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title."
    )
    tag: TagFilter | None = None
    alias: str | None = strawberry.field(
        default=None,
        description="Only versions an alias of this name points at (`production`), any lineage.",
    )


@strawberry.input
class ModelSort:
    field: ModelSortField = ModelSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.type
class ModelPage:
    query: strawberry.Private[ModelQuery | None]

    @strawberry.field
    async def items(self, info: Info) -> list[Model]:
        found = await info.context.loaders.run(lambda c: catalog.list_models(c, self.query))
        info.context.loaders.prime(found)
        return [as_model(a) for a in found]

    @strawberry.field(description="How many models match the filter, ignoring paging.")
    async def total(self, info: Info) -> int:
        return await info.context.loaders.run(lambda c: catalog.count_models(c, self.query))


@strawberry.type
class DatasetPage:
    items: list[Dataset]
    total: int


@strawberry.type
class AnalysisPage:
    items: list[Analysis]
    total: int


@strawberry.type
class HypothesisPage:
    items: list[Hypothesis]
    total: int


@strawberry.type(description="One recorded write: who, what, when, and links before and after.")
class AuditEntry:
    at: datetime
    actor: str
    action: str
    artifact_id: strawberry.ID
    before: JSON | None
    after: JSON | None
