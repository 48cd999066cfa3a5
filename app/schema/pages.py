"""What the root list fields answer with: model filters and sorts, pages, audit entries."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from app import domain
from app.db.types import Conn
from app.repo.catalog import KindQuery, ModelQuery
from app.schema.scalars import JSON
from app.schema.types import (
    Analysis,
    Dataset,
    Hypothesis,
    Info,
    Model,
    as_analysis,
    as_dataset,
    as_hypothesis,
    as_model,
)
from app.service import catalog


@strawberry.type(description="A page of a list: how to page past it, and its total.")
class Paged:
    query: strawberry.Private[ModelQuery | KindQuery | None]
    # The page's rows, read once for items, cursors and hasNextPage alike.
    fetched: strawberry.Private[asyncio.Future[catalog.ModelRows] | None] = None

    async def _rows(self, info: Info) -> catalog.ModelRows:
        if self.fetched is None:
            self.fetched = asyncio.ensure_future(info.context.loaders.run(self._read))
        return await self.fetched

    async def _items(self, info: Info) -> list[domain.Artifact]:
        found = (await self._rows(info)).items
        info.context.loaders.prime(found)
        return found

    async def _read(self, conn: Conn) -> catalog.ModelRows:
        return await catalog.rows_of(conn, self.query)

    async def _count(self, conn: Conn) -> int:
        return await catalog.total_of(conn, self.query)

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

    @strawberry.field(description="How many items match the filter, ignoring paging.")
    async def total(self, info: Info) -> int:
        return await info.context.loaders.run(self._count)


@strawberry.type
class ModelPage(Paged):
    @strawberry.field
    async def items(self, info: Info) -> list[Model]:
        return [as_model(a) for a in await self._items(info)]


@strawberry.type
class DatasetPage(Paged):
    @strawberry.field
    async def items(self, info: Info) -> list[Dataset]:
        return [as_dataset(a) for a in await self._items(info)]


@strawberry.type
class AnalysisPage(Paged):
    @strawberry.field
    async def items(self, info: Info) -> list[Analysis]:
        return [as_analysis(a) for a in await self._items(info)]


@strawberry.type
class HypothesisPage(Paged):
    @strawberry.field
    async def items(self, info: Info) -> list[Hypothesis]:
        return [as_hypothesis(a) for a in await self._items(info)]


@strawberry.type(description="One recorded write: who, what, when, and links before and after.")
class AuditEntry:
    at: datetime
    actor: str
    action: str
    artifact_id: strawberry.ID
    before: JSON | None
    after: JSON | None
