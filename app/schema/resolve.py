"""Relationship lookups of the GraphQL types, driven by the read model's declarations.

Every list is paged (app.paging.check_nested), by offset or by keyset after a cursor
(app.readmodel.cursors), and counts the objects it returns against the response budget before
they are resolved any further; every lookup goes through a loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app import domain, locations, paging
from app.domain import Link
from app.loaders import Page
from app.reach import ref
from app.readmodel import cursors
from app.readmodel.cursors import Key
from app.readmodel.fields import (
    AliasMoves,
    AllLinks,
    Count,
    Listed,
    NextCursor,
    SameContent,
    Versions,
    counted,
    listed,
    source_kind,
)
from app.readmodel.fields import Link as LinkField

if TYPE_CHECKING:
    import strawberry

    from app.schema.context import Context

    Info = strawberry.Info[Context, None]


async def links_of(info: Info, a: domain.Artifact, field: LinkField) -> list[Link]:
    """The links of one type leaving ``a``, by target lineage."""
    return [lk for lk in await info.context.loaders.links_from.load(a.id) if lk.type is field.type]


def key(of: Listed, item: Any) -> Key:
    """The key of an item of a list in the list's order, as its cursors hold it."""
    if isinstance(of, AliasMoves):
        return int(item.id)
    if isinstance(of, Versions):
        return int(item.version_number)
    if isinstance(of, AllLinks):
        return (item.type.value, item.target_lineage_id)
    if isinstance(of, LinkField) and of.outgoing:
        return str(item.target_lineage_id)
    return str(item.id)


async def page(
    info: Info, a: domain.Artifact, type_name: str, name: str, limit: int, offset: int,
    after: str | None,
) -> Page[Any]:  # fmt: skip
    """One page of the list field ``name`` of ``a``: ``limit`` items from ``offset``, or the
    items after the cursor ``after`` by keyset, and whether more follow. Nothing is spent:
    the list's field and its cursor's field share the page."""
    paging.check_nested(limit, offset, after)
    of = listed(type_name, name)
    start = cursors.decode(type_name, name, after)
    loaders = info.context.loaders
    if isinstance(of, AllLinks) or (isinstance(of, LinkField) and of.outgoing):
        link_type = of.type.value if isinstance(of, LinkField) else None
        if start is not None:
            # Compared in SQL, which orders the ids as it orders the whole list.
            resume = start if isinstance(start, tuple) else (str(link_type), str(start))
            return await loaders.own_links.load((a.id, link_type, limit, offset, resume))
        # A version's own links are few and loaded whole, for its counts and pages alike.
        links = await loaders.links_from.load(a.id)
        if link_type is not None:
            links = [lk for lk in links if lk.type.value == link_type]
        return Page.of(links, limit, offset)
    if isinstance(of, AliasMoves):
        assert start is None or isinstance(start, int)
        return await loaders.alias_moves.load((a.lineage_id, limit, offset, start))
    if isinstance(of, Versions):
        assert start is None or isinstance(start, int)
        found = await loaders.versions.load((a.lineage_id, limit, offset, start))
    elif isinstance(of, SameContent):
        assert start is None or isinstance(start, str)
        digest = locations.content_digest(a.digest)
        if digest is None:
            return Page([], more=False)
        found = await loaders.same_content.load((a.kind.value, digest, a.id, limit, offset, start))
    else:
        assert start is None or isinstance(start, str)
        found = await loaders.sources.load((a.id, of.type, source_kind(of), limit, offset, start))
    loaders.prime(found.items)
    return found


async def items(
    info: Info, a: domain.Artifact, type_name: str, name: str, limit: int, offset: int,
    after: str | None,
) -> list[Any]:  # fmt: skip
    """The items of one page of the list field ``name`` of ``a``, counted against the
    response budget before they are resolved any further."""
    found = await page(info, a, type_name, name, limit, offset, after)
    await info.context.spend(len(found.items))
    return found.items


async def next_cursor(
    info: Info, a: domain.Artifact, type_name: str, field: NextCursor, limit: int, offset: int,
    after: str | None,
) -> str | None:  # fmt: skip
    """The cursor after the last item of that page of the list ``field`` names, when more
    items follow it."""
    found = await page(info, a, type_name, field.of, limit, offset, after)
    if not found.more:
        return None
    return cursors.encode(type_name, field.of, key(listed(type_name, field.of), found.items[-1]))


async def linked(
    info: Info, a: domain.Artifact, type_name: str, name: str, field: LinkField, limit: int,
    offset: int, after: str | None,
) -> list[domain.Artifact]:  # fmt: skip
    """One page of what a link field of ``a`` reaches: the versions its links reach, or the
    versions whose links reach it."""
    found = await items(info, a, type_name, name, limit, offset, after)
    if not field.outgoing:
        return found
    reached = await info.context.loaders.artifact.load_many([ref(lk) for lk in found])
    return [t for t in reached if t is not None]


async def one(info: Info, a: domain.Artifact, field: LinkField) -> domain.Artifact | None:
    """The version ``a``'s only link of this type reaches, if any."""
    links = await links_of(info, a, field)
    return await info.context.loaders.artifact.load(ref(links[0])) if links else None


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
    return await info.context.loaders.source_counts.load((a.id, of.type, source_kind(of)))


async def latest(info: Info, a: domain.Artifact) -> domain.Artifact:
    """The latest version of ``a``'s lineage."""
    if a.is_latest:
        return a
    found = await info.context.loaders.artifact.load(a.lineage_id)
    assert found is not None, "every lineage has a latest version"
    return found
