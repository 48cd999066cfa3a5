"""Relationship lookups shared by the GraphQL types; all of them go through loaders.

Every list is paged (app.paging.check_nested) and counts the objects it returns
against the response budget before they are resolved any further.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app import domain, paging
from app.domain import Link, LinkType
from app.reach import ref

if TYPE_CHECKING:
    import strawberry

    from app.schema.context import Context

    Info = strawberry.Info[Context, None]


async def links_of(info: Info, a: domain.Artifact, link_type: LinkType) -> list[Link]:
    """The links of one type leaving ``a``, by target lineage."""
    return [lk for lk in await info.context.loaders.links_from.load(a.id) if lk.type is link_type]


async def page_of_links(
    info: Info, a: domain.Artifact, link_type: LinkType, limit: int, offset: int
) -> list[Link]:
    """One page of the links of one type leaving ``a``."""
    paging.check_nested(limit, offset)
    links = (await links_of(info, a, link_type))[offset : offset + limit]
    await info.context.spend(len(links))
    return links


async def targets(
    info: Info, a: domain.Artifact, link_type: LinkType, limit: int, offset: int
) -> list[domain.Artifact]:
    """One page of the versions that ``a``'s links of one type reach."""
    links = await page_of_links(info, a, link_type, limit, offset)
    found = await info.context.loaders.artifact.load_many([ref(lk) for lk in links])
    return [t for t in found if t is not None]


async def target(info: Info, a: domain.Artifact, link_type: LinkType) -> domain.Artifact | None:
    """The version ``a``'s only link of this type reaches, if any."""
    links = await links_of(info, a, link_type)
    return await info.context.loaders.artifact.load(ref(links[0])) if links else None


async def count_targets(info: Info, a: domain.Artifact, link_type: LinkType) -> int:
    """How many links of one type leave ``a``."""
    return len(await links_of(info, a, link_type))


async def sources(
    info: Info, a: domain.Artifact, link_type: LinkType, limit: int, offset: int
) -> list[domain.Artifact]:
    """One page of the versions whose links of one type reach ``a``, by id."""
    paging.check_nested(limit, offset)
    found = await info.context.loaders.sources.load((a.id, link_type, limit, offset))
    await info.context.spend(len(found))
    info.context.loaders.prime(found)
    return found


async def count_sources(info: Info, a: domain.Artifact, link_type: LinkType) -> int:
    """How many versions have a link of one type that reaches ``a``."""
    return await info.context.loaders.source_counts.load((a.id, link_type))


async def versions(
    info: Info, a: domain.Artifact, limit: int, offset: int
) -> list[domain.Artifact]:
    """One page of the versions of ``a``'s lineage, oldest first."""
    paging.check_nested(limit, offset)
    found = await info.context.loaders.versions.load((a.lineage_id, limit, offset))
    await info.context.spend(len(found))
    info.context.loaders.prime(found)
    return found


async def count_versions(info: Info, a: domain.Artifact) -> int:
    """How many versions ``a``'s lineage has."""
    return await info.context.loaders.lineage_sizes.load(a.lineage_id)


async def latest(info: Info, a: domain.Artifact) -> domain.Artifact:
    """The latest version of ``a``'s lineage."""
    if a.is_latest:
        return a
    found = await info.context.loaders.artifact.load(a.lineage_id)
    assert found is not None, "every lineage has a latest version"
    return found
