"""Relationship lookups shared by the GraphQL types; all of them go through loaders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app import domain
from app.domain import Link, LinkType
from app.service import linking

if TYPE_CHECKING:
    import strawberry

    from app.schema.context import Context

    Info = strawberry.Info[Context, None]


ref = linking.ref


async def links_of(info: Info, a: domain.Artifact, link_type: LinkType) -> list[Link]:
    """The links of one type leaving ``a``."""
    return [lk for lk in await info.context.loaders.links_from.load(a.id) if lk.type is link_type]


async def targets(info: Info, a: domain.Artifact, link_type: LinkType) -> list[domain.Artifact]:
    """The versions that ``a``'s links of one type reach."""
    links = await links_of(info, a, link_type)
    found = await info.context.loaders.artifact.load_many([ref(lk) for lk in links])
    return [t for t in found if t is not None]


async def sources(info: Info, a: domain.Artifact, link_type: LinkType) -> list[domain.Artifact]:
    """The versions whose links of one type reach ``a``."""
    reaching = await info.context.loaders.links_reaching.load(a.id)
    ids = [lk.source_id for lk in reaching if lk.type is link_type]
    found = await info.context.loaders.artifact.load_many(ids)
    return [s for s in found if s is not None]


async def versions(info: Info, a: domain.Artifact) -> list[domain.Artifact]:
    """Every version of ``a``'s lineage, oldest first."""
    found = await info.context.loaders.versions.load(a.lineage_id)
    info.context.loaders.prime(found)
    return found


async def latest(info: Info, a: domain.Artifact) -> domain.Artifact:
    """The latest version of ``a``'s lineage."""
    if a.is_latest:
        return a
    found = await info.context.loaders.artifact.load(a.lineage_id)
    assert found is not None, "every lineage has a latest version"
    return found
