"""Relationship lookups of the GraphQL types, driven by the read model's declarations.

Every list is paged (app.paging.check_nested) and counts the objects it returns against the
response budget before they are resolved any further; every lookup goes through a loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app import domain, locations, paging
from app.domain import Link
from app.reach import ref
from app.readmodel.fields import AliasMoves, AllLinks, Count, SameContent, Versions, counted
from app.readmodel.fields import Link as LinkField

if TYPE_CHECKING:
    import strawberry

    from app.schema.context import Context

    Info = strawberry.Info[Context, None]


async def links_of(info: Info, a: domain.Artifact, field: LinkField) -> list[Link]:
    """The links of one type leaving ``a``, by target lineage."""
    return [lk for lk in await info.context.loaders.links_from.load(a.id) if lk.type is field.type]


async def page_of_links(
    info: Info, a: domain.Artifact, field: LinkField, limit: int, offset: int
) -> list[Link]:
    """One page of the links of one type leaving ``a``."""
    paging.check_nested(limit, offset)
    links = (await links_of(info, a, field))[offset : offset + limit]
    await info.context.spend(len(links))
    return links


async def linked(
    info: Info, a: domain.Artifact, field: LinkField, limit: int, offset: int
) -> list[domain.Artifact]:
    """One page of what a link field of ``a`` reaches: the versions its links reach, or the
    versions whose links reach it."""
    if field.outgoing:
        links = await page_of_links(info, a, field, limit, offset)
        found = await info.context.loaders.artifact.load_many([ref(lk) for lk in links])
        return [t for t in found if t is not None]
    paging.check_nested(limit, offset)
    sources = await info.context.loaders.sources.load((a.id, field.type, limit, offset))
    await info.context.spend(len(sources))
    info.context.loaders.prime(sources)
    return sources


async def one(info: Info, a: domain.Artifact, field: LinkField) -> domain.Artifact | None:
    """The version ``a``'s only link of this type reaches, if any."""
    links = await links_of(info, a, field)
    return await info.context.loaders.artifact.load(ref(links[0])) if links else None


async def versions(
    info: Info, a: domain.Artifact, limit: int, offset: int
) -> list[domain.Artifact]:
    """One page of the versions of ``a``'s lineage, oldest first."""
    paging.check_nested(limit, offset)
    found = await info.context.loaders.versions.load((a.lineage_id, limit, offset))
    await info.context.spend(len(found))
    info.context.loaders.prime(found)
    return found


async def count(info: Info, a: domain.Artifact, type_name: str, field: Count) -> int:
    """How many items the list a count field names holds."""
    of = counted(type_name, field)
    if isinstance(of, AliasMoves):
        return await info.context.loaders.alias_move_counts.load(a.lineage_id)
    if isinstance(of, AllLinks):
        return len(await info.context.loaders.links_from.load(a.id))
    if isinstance(of, Versions):
        return await info.context.loaders.lineage_sizes.load(a.lineage_id)
    if isinstance(of, SameContent):
        digest = locations.content_digest(a.digest)
        if digest is None:
            return 0
        return await info.context.loaders.same_content_counts.load((a.kind.value, digest)) - 1
    if of.outgoing:
        return len(await links_of(info, a, of))
    return await info.context.loaders.source_counts.load((a.id, of.type))


async def same_content(
    info: Info, a: domain.Artifact, limit: int, offset: int
) -> list[domain.Artifact]:
    """One page of the other versions of ``a``'s kind with its strong digest, by id."""
    paging.check_nested(limit, offset)
    digest = locations.content_digest(a.digest)
    if digest is None:
        return []
    key = (a.kind.value, digest, a.id, limit, offset)
    found = await info.context.loaders.same_content.load(key)
    await info.context.spend(len(found))
    info.context.loaders.prime(found)
    return found


async def latest(info: Info, a: domain.Artifact) -> domain.Artifact:
    """The latest version of ``a``'s lineage."""
    if a.is_latest:
        return a
    found = await info.context.loaders.artifact.load(a.lineage_id)
    assert found is not None, "every lineage has a latest version"
    return found
