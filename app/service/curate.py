"""Curation: add or remove links of an existing version, keeping scores current."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from app import validation
from app.db.types import Conn
from app.domain import Artifact, Kind, Link, LinkSpec, LinkType
from app.errors import Conflict, InvalidInput, NotFound
from app.repo import artifacts as artifact_repo
from app.repo import audit as audit_repo
from app.repo import catalog as catalog_repo
from app.repo import links as link_repo
from app.service import linking, scores


async def _affected_models(conn: Conn, a: Artifact) -> list[str]:
    """Models whose provenance reads ``a``'s links: itself, or the models it produced."""
    if a.kind is Kind.MODEL:
        return [a.id]
    if a.kind is Kind.ANALYSIS:
        reaching = await catalog_repo.links_reaching(conn, [a.id])
        return [lk.source_id for _, lk in reaching if lk.type is LinkType.PRODUCED_BY]
    return []


Change = Callable[[Artifact, list[Link]], Awaitable[None]]


async def _edit(conn: Conn, ref: str, actor: str, action: str, change: Change) -> Artifact:
    """Apply ``change`` to a locked version, then rescore, audit and return it."""
    async with conn.transaction():
        resolved = await artifact_repo.resolve_refs(conn, [ref])
        if ref not in resolved:
            raise NotFound(f"no artifact {ref!r}", ids=[ref])
        a = await artifact_repo.lock_version(conn, resolved[ref].version_id)
        assert a is not None
        before = await link_repo.from_sources(conn, [a.id])
        await change(a, before)
        after = await link_repo.from_sources(conn, [a.id])
        linking.check_distinct(after)
        if len(after) > validation.MAX_LINKS:
            # Lists of links are bounded before any SQL runs on this (app.schema.bounds).
            raise InvalidInput(f"a version has at most {validation.MAX_LINKS} links", field="links")
        await scores.recompute(conn, await _affected_models(conn, a))
        await audit_repo.record(
            conn,
            actor,
            action,
            a.id,
            {"links": linking.as_json(before)},
            {"links": linking.as_json(after)},
        )
        (updated,) = await artifact_repo.get_many(conn, [a.id])
    return updated


async def add_links(conn: Conn, ref: str, specs: Sequence[LinkSpec], actor: str) -> Artifact:
    """Add links to a version; a link to a lineage already linked with that type replaces it."""

    async def add(a: Artifact, before: list[Link]) -> None:
        links = await linking.build(conn, a.id, a.lineage_id, a.kind, specs)
        linking.check_distinct(links)
        producer = next((lk for lk in before if lk.type is LinkType.PRODUCED_BY), None)
        for lk in links:
            replaces_other = producer and lk.target_lineage_id != producer.target_lineage_id
            if lk.type is LinkType.PRODUCED_BY and replaces_other:
                raise Conflict(
                    "this model already has a producing analysis; remove it first",
                    field="producedBy",
                )
        await link_repo.insert_many(conn, a.kind, links, replace=True)

    return await _edit(conn, ref, actor, "add_links", add)


async def remove_links(
    conn: Conn, ref: str, targets: Sequence[tuple[LinkType, str]], actor: str
) -> Artifact:
    """Remove links of a version, each named by type and target (version or lineage id)."""

    async def remove(a: Artifact, before: list[Link]) -> None:
        resolved = await artifact_repo.resolve_refs(conn, [t for _, t in targets])
        for link_type, target in targets:
            lineage_id = resolved[target].lineage_id if target in resolved else target
            # Text that cannot be an id (NUL, 100 KB) names no link; the database would
            # refuse to compare some of it at all.
            possible = bool(catalog_repo.possible_ids([lineage_id]))
            if not possible or not await link_repo.delete(conn, a.id, link_type, lineage_id):
                raise NotFound(f"{a.id} has no {link_type.value} link to {target!r}", ids=[target])

    return await _edit(conn, ref, actor, "remove_links", remove)
