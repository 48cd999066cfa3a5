"""Per-request DataLoaders: each batch is one SQL statement, however many keys it holds."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader as _DataLoader

from app.db.database import Database
from app.db.types import Conn
from app.domain import Artifact, Link, LinkType
from app.errors import ResponseTooLarge
from app.repo import aliases as alias_repo
from app.repo import artifacts as artifact_repo
from app.repo import catalog as catalog_repo
from app.repo import links as link_repo
from app.repo import locations as location_repo
from app.repo import metric_declarations as declaration_repo
from app.repo.aliases import AliasMove, MovePage
from app.repo.artifacts import VersionPage
from app.repo.links import OwnPage
from app.repo.locations import ContentPage
from app.repo.metric_declarations import Declaration

T = TypeVar("T")
K = TypeVar("K")
# Batches of one request in flight at once: a wide query waits for its own batches rather
# than holding the whole pool while other requests time out waiting for a connection.
CONNECTIONS_PER_REQUEST = 3

# (version id, link type, source kind, limit, offset, after source id): one page of the
# versions of that kind whose links reach it.
SourcePage = tuple[str, LinkType, str, int, int, str | None]
# Every page key ends with (limit, offset, after): its limit is third from the end.
_LIMIT = -3


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a nested list, and whether items follow it."""

    items: list[T]
    more: bool

    @staticmethod
    def of(rows: list[T], limit: int, offset: int = 0) -> Page[T]:
        """The page of ``limit`` items from ``offset`` of ``rows``, all the list holds."""
        return Page(rows[offset : offset + limit], len(rows) > offset + limit)


class DataLoader(_DataLoader[K, T]):
    """A DataLoader whose shared futures survive the cancellation of one waiter.

    Every resolver that loads a key awaits the same cached future, and a cancelled task
    cancels the future it awaits. graphql-core cancels the siblings of a field that raised
    (a nested page out of range, say), so without the shield that one error turned every
    other load of the same key in the request into a CancelledError, which no error
    handler catches.
    """

    def load(self, key: K) -> asyncio.Future[T]:
        return asyncio.shield(super().load(key))


class Allowance:
    """How many more objects a request's lists may return (MAX_RESPONSE_OBJECTS in all).

    Batches of pages fetch at most one row more than is left, so a request never loads
    much more than it may send, whatever the bounds of its lists allowed before it ran.
    """

    def __init__(self, objects: int) -> None:
        self.left = objects

    def take(self, objects: int) -> None:
        """Count objects a list returns; ResponseTooLarge once more were taken than allowed."""
        self.left -= objects
        if self.left < 0:
            raise ResponseTooLarge("this response holds more objects than allowed")

    def cap(self) -> int:
        """The most rows a batch should fetch: one past what is left tells it overflowed."""
        return max(self.left, 0) + 1

    def check(self, found: int) -> None:
        if found > self.left:
            raise ResponseTooLarge("this response holds more objects than allowed")


class Loaders:
    """The loaders of one request, sharing its database and its allowance of objects.

    Each is built on first use: a request uses a few, and building all of them cost more
    than the rest of a small request's Python."""

    def __init__(self, db: Database, objects: int) -> None:
        self._db = db
        self.allowance = Allowance(objects)
        self._connections = asyncio.Semaphore(CONNECTIONS_PER_REQUEST)

    @cached_property
    def artifact(self) -> DataLoader[str, Artifact | None]:
        """A version id, or a lineage id meaning its latest version."""
        return DataLoader(self._artifacts)

    @cached_property
    def versions(self) -> DataLoader[VersionPage, Page[Artifact]]:
        return DataLoader(self._versions)

    @cached_property
    def lineage_sizes(self) -> DataLoader[str, int]:
        return DataLoader(self._lineage_sizes)

    @cached_property
    def links_from(self) -> DataLoader[str, list[Link]]:
        """Outgoing links are few (app.validation.MAX_LINKS per version): all of them at once."""
        return DataLoader(self._links_from)

    @cached_property
    def own_links(self) -> DataLoader[OwnPage, Page[Link]]:
        """A page of a version's links after a cursor: (version id, type or None, limit,
        offset, after)."""
        return DataLoader(self._own_links)

    @cached_property
    def sources(self) -> DataLoader[SourcePage, Page[Artifact]]:
        return DataLoader(self._sources)

    @cached_property
    def source_counts(self) -> DataLoader[tuple[str, LinkType, str], int]:
        return DataLoader(self._source_counts)

    @cached_property
    def same_content(self) -> DataLoader[ContentPage, Page[Artifact]]:
        return DataLoader(self._same_content)

    @cached_property
    def same_content_counts(self) -> DataLoader[tuple[str, str], int]:
        """(kind, content digest): how many versions hold it."""
        return DataLoader(self._same_content_counts)

    @cached_property
    def alias_moves(self) -> DataLoader[MovePage, Page[AliasMove]]:
        """Alias moves by (lineage id, limit, offset, after move id)."""
        return DataLoader(self._alias_moves)

    @cached_property
    def alias_move_counts(self) -> DataLoader[str, int]:
        return DataLoader(self._alias_move_counts)

    @cached_property
    def alias_gates(self) -> DataLoader[tuple[str, str], list[dict[str, Any]] | None]:
        """The gate of each protected (lineage id, alias); None when it is not protected."""
        return DataLoader(self._alias_gates)

    @cached_property
    def metric_declarations(self) -> DataLoader[str, Declaration | None]:
        """The registry's declaration of each metric name; None for one nobody declared. Per
        request, never per process: another process's declaration is seen by the next one."""
        return DataLoader(self._metric_declarations)

    async def run(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        """Run a read where the request may read (app.db.database), retried if it fails."""
        async with self._connections:
            return await self._db.read(fn)

    def prime(self, artifacts: Sequence[Artifact]) -> None:
        """Remember artifacts a resolver already fetched so no loader fetches them again."""
        for a in artifacts:
            self.artifact.prime(a.id, a)

    async def _artifacts(self, refs: list[str]) -> list[Artifact | None]:
        by_ref = await self.run(lambda c: catalog_repo.by_refs_map(c, refs))
        return [by_ref.get(r) for r in refs]

    def _pages(self, keys: Sequence[tuple[Any, ...]], found: list[tuple[int, T]]) -> list[Page[T]]:
        """Each key's page from the rows a batch found: its limit's worth, and one more
        when more follow. Only the rows of the pages count against the allowance."""
        groups = _by_index(len(keys), found)
        pages = [Page.of(rows, k[_LIMIT]) for k, rows in zip(keys, groups, strict=True)]
        self.allowance.check(sum(len(p.items) for p in pages))
        return pages

    def _cap(self, keys: Sequence[object]) -> int:
        """The most rows a batch of pages should fetch: one past what is left, and one past
        each page (an overflow still shows: at most one row per page is not counted)."""
        return self.allowance.cap() + len(keys)

    async def _versions(self, keys: list[VersionPage]) -> list[Page[Artifact]]:
        cap = self._cap(keys)
        found = await self.run(lambda c: artifact_repo.version_pages(c, keys, cap))
        return self._pages(keys, found)

    async def _lineage_sizes(self, lineage_ids: list[str]) -> list[int]:
        found = await self.run(lambda c: catalog_repo.lineage_sizes(c, lineage_ids))
        return [found.get(i, 0) for i in lineage_ids]

    async def _links_from(self, source_ids: list[str]) -> list[list[Link]]:
        found = await self.run(lambda c: link_repo.from_sources(c, source_ids))
        return _grouped(source_ids, ((lk.source_id, lk) for lk in found))

    async def _own_links(self, keys: list[OwnPage]) -> list[Page[Link]]:
        found = await self.run(lambda c: link_repo.own_pages(c, keys))
        return self._pages(keys, found)

    async def _sources(self, keys: list[SourcePage]) -> list[Page[Artifact]]:
        plain = [(v, t.value, kind, n, skip, after) for v, t, kind, n, skip, after in keys]
        cap = self._cap(keys)
        found = await self.run(lambda c: link_repo.source_pages(c, plain, cap))
        return self._pages(keys, found)

    async def _source_counts(self, keys: list[tuple[str, LinkType, str]]) -> list[int]:
        plain = [(v, t.value, kind) for v, t, kind in keys]
        return await self.run(lambda c: catalog_repo.source_counts(c, plain))

    async def _same_content(self, keys: list[ContentPage]) -> list[Page[Artifact]]:
        cap = self._cap(keys)
        found = await self.run(lambda c: location_repo.content_pages(c, keys, cap))
        return self._pages(keys, found)

    async def _same_content_counts(self, keys: list[tuple[str, str]]) -> list[int]:
        return await self.run(lambda c: location_repo.content_counts(c, keys))

    async def _alias_moves(self, keys: list[MovePage]) -> list[Page[AliasMove]]:
        found = await self.run(lambda c: alias_repo.moves(c, keys))
        return self._pages(keys, found)

    async def _alias_move_counts(self, lineage_ids: list[str]) -> list[int]:
        found = await self.run(lambda c: alias_repo.move_counts(c, lineage_ids))
        return [found.get(i, 0) for i in lineage_ids]

    async def _alias_gates(self, keys: list[tuple[str, str]]) -> list[list[dict[str, Any]] | None]:
        found = await self.run(lambda c: alias_repo.protections(c, keys))
        return [found.get(k) for k in keys]

    async def _metric_declarations(self, names: list[str]) -> list[Declaration | None]:
        found = await self.run(lambda c: declaration_repo.of_names(c, names))
        return [found.get(n) for n in names]

    async def directions(self, names: Iterable[str]) -> dict[str, str]:
        """The registry's declared direction of each of ``names`` that has one."""
        wanted = sorted(set(names))
        found = await self.metric_declarations.load_many(wanted)
        return {n: d.direction for n, d in zip(wanted, found, strict=True) if d is not None}


def _grouped(keys: list[str], pairs: Iterable[tuple[str, T]]) -> list[list[T]]:
    """Values grouped under their keys, in the order of ``keys`` (missing keys: empty)."""
    groups: dict[str, list[T]] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return [groups[k] for k in keys]


def _by_index(n: int, pairs: Iterable[tuple[int, T]]) -> list[list[T]]:
    """Values grouped by the index of the key they answer, for ``n`` keys."""
    groups: list[list[T]] = [[] for _ in range(n)]
    for i, value in pairs:
        groups[i].append(value)
    return groups
