"""What the root list fields answer with: model filters and sorts, pages, audit entries."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from app.repo.catalog import ModelQuery
from app.schema.scalars import JSON
from app.schema.types import Analysis, Dataset, Hypothesis, Info, Model, as_model
from app.service import catalog


@strawberry.type
class ModelPage:
    query: strawberry.Private[ModelQuery | None]
    # The page's rows, read once for items, cursors and hasNextPage alike.
    fetched: strawberry.Private[asyncio.Future[catalog.ModelRows] | None] = None

    async def _rows(self, info: Info) -> catalog.ModelRows:
        if self.fetched is None:
            self.fetched = asyncio.ensure_future(
                info.context.loaders.run(lambda c: catalog.model_page(c, self.query))
            )
        return await self.fetched

    @strawberry.field
    async def items(self, info: Info) -> list[Model]:
        found = (await self._rows(info)).items
        info.context.loaders.prime(found)
        return [as_model(a) for a in found]

    @strawberry.field(
        description="The cursor after each item, in order: `after` one of them for the items "
        "past it. A cursor is for this filter and sort only (another is BAD_CURSOR)."
    )
    async def cursors(self, info: Info) -> list[str]:
        return catalog.cursors(self.query, (await self._rows(info)).items)

    @strawberry.field(description="The cursor after the last item, or null on the last page.")
    async def next_cursor(self, info: Info) -> str | None:
        rows = await self._rows(info)
        if not rows.more or not rows.items:
            return None
        return catalog.cursors(self.query, rows.items[-1:])[0]

    @strawberry.field(description="Whether items follow this page.")
    async def has_next_page(self, info: Info) -> bool:
        return (await self._rows(info)).more

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
