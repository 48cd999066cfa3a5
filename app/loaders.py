"""Per-request DataLoaders: each batch is one SQL statement, however many keys it holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiodataloader import DataLoader

from app.db.database import Database
from app.db.types import Conn
from app.domain import Artifact, Link
from app.repo import catalog as catalog_repo
from app.repo import links as link_repo

T = TypeVar("T")


class Loaders:
    """The loaders of one request, sharing its database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # A version id, or a lineage id meaning its latest version.
        self.artifact: DataLoader[str, Artifact | None] = DataLoader(self._artifacts)
        self.versions: DataLoader[str, list[Artifact]] = DataLoader(self._versions)
        self.links_from: DataLoader[str, list[Link]] = DataLoader(self._links_from)
        self.links_reaching: DataLoader[str, list[Link]] = DataLoader(self._links_reaching)

    async def run(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        """Run a read on a pooled connection, retried if the database restarts."""
        return await self._db.run(fn, retry=True)

    def prime(self, artifacts: Sequence[Artifact]) -> None:
        """Remember artifacts a resolver already fetched so no loader fetches them again."""
        for a in artifacts:
            self.artifact.prime(a.id, a)

    async def _artifacts(self, refs: list[str]) -> list[Artifact | None]:
        by_ref = await self.run(lambda c: catalog_repo.by_refs_map(c, refs))
        return [by_ref.get(r) for r in refs]

    async def _versions(self, lineage_ids: list[str]) -> list[list[Artifact]]:
        found = await self.run(lambda c: catalog_repo.versions_of(c, lineage_ids))
        grouped: dict[str, list[Artifact]] = defaultdict(list)
        for a in found:
            grouped[a.lineage_id].append(a)
        return [grouped[lid] for lid in lineage_ids]

    async def _links_from(self, source_ids: list[str]) -> list[list[Link]]:
        found = await self.run(lambda c: link_repo.from_sources(c, source_ids))
        grouped: dict[str, list[Link]] = defaultdict(list)
        for link in found:
            grouped[link.source_id].append(link)
        return [grouped[sid] for sid in source_ids]

    async def _links_reaching(self, version_ids: list[str]) -> list[list[Link]]:
        found = await self.run(lambda c: catalog_repo.links_reaching(c, version_ids))
        grouped: dict[str, list[Link]] = defaultdict(list)
        for reached, link in found:
            grouped[reached].append(link)
        return [grouped[vid] for vid in version_ids]
