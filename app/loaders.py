"""Per-request DataLoaders: each batch is one SQL statement, however many keys it holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
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
        return _grouped(lineage_ids, ((a.lineage_id, a) for a in found))

    async def _links_from(self, source_ids: list[str]) -> list[list[Link]]:
        found = await self.run(lambda c: link_repo.from_sources(c, source_ids))
        return _grouped(source_ids, ((lk.source_id, lk) for lk in found))

    async def _links_reaching(self, version_ids: list[str]) -> list[list[Link]]:
        found = await self.run(lambda c: catalog_repo.links_reaching(c, version_ids))
        return _grouped(version_ids, found)


def _grouped(keys: list[str], pairs: Iterable[tuple[str, T]]) -> list[list[T]]:
    """Values grouped under their keys, in the order of ``keys`` (missing keys: empty)."""
    groups: dict[str, list[T]] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return [groups[k] for k in keys]
