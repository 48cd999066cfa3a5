"""Turn requested links into checked Link values: targets exist and have the right kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app import reach
from app.db.types import Conn
from app.domain import LINK_RULES, Artifact, Kind, Link, LinkSpec, LinkType
from app.errors import InvalidInput, NotFound
from app.repo import artifacts as artifact_repo
from app.repo import catalog as catalog_repo
from app.repo import links as link_repo
from app.repo.artifacts import ResolvedRef


def _link(source_id: str, spec: LinkSpec, target: ResolvedRef, source_kind: Kind) -> Link:
    sources, allowed = LINK_RULES[spec.type]
    if source_kind not in sources:
        raise InvalidInput(
            f"a {source_kind.value} cannot have a {spec.type.value} link",
            field=spec.type.value,
            code="WRONG_KIND",
        )
    if target.kind not in allowed:
        expected = " or ".join(sorted(k.value for k in allowed))
        raise InvalidInput(
            f"{spec.type.value} target {spec.ref!r} is a {target.kind.value}, "
            f"expected a {expected}",
            field=spec.type.value,
            code="WRONG_KIND",
        )
    pinned = target.is_version or spec.pin_latest
    return Link(
        source_id=source_id,
        type=spec.type,
        target_lineage_id=target.lineage_id,
        target_version_id=target.version_id if pinned else None,
        target_kind=target.kind,
    )


def check_distinct(links: Sequence[Link]) -> None:
    """At most one link of a type to a lineage, and one producing analysis."""
    seen: set[tuple[LinkType, str]] = set()
    for lk in links:
        key = (lk.type, lk.target_lineage_id)
        if key in seen:
            raise InvalidInput(
                f"two {lk.type.value} links to lineage {lk.target_lineage_id!r}",
                field=lk.type.value,
            )
        seen.add(key)
    if sum(1 for lk in links if lk.type is LinkType.PRODUCED_BY) > 1:
        raise InvalidInput("a version has at most one producing analysis", field="producedBy")


async def build(
    conn: Conn, source_id: str, source_lineage: str, source_kind: Kind, specs: Sequence[LinkSpec]
) -> list[Link]:
    """Resolve and check the links ``specs`` ask for from ``source_id``."""
    resolved = await artifact_repo.resolve_refs(conn, [s.ref for s in specs]) if specs else {}
    unknown = sorted({s.ref for s in specs} - resolved.keys())
    if unknown:
        raise NotFound(f"unknown link target: {', '.join(unknown)}", ids=unknown)
    links = [_link(source_id, s, resolved[s.ref], source_kind) for s in specs]
    if any(lk.target_lineage_id == source_lineage and not lk.pinned for lk in links):
        raise InvalidInput("a version cannot float on its own lineage", field="links")
    if any(lk.target_version_id == source_id for lk in links):
        raise InvalidInput("a version cannot link to itself", field="links")
    return links


def as_json(links: Sequence[Link]) -> list[dict[str, Any]]:
    """Links as the audit trail stores them."""
    return [
        {
            "type": lk.type.value,
            "target_lineage_id": lk.target_lineage_id,
            "target_version_id": lk.target_version_id,
        }
        for lk in links
    ]


async def links_and_targets(
    conn: Conn, source_ids: Sequence[str]
) -> tuple[list[Link], dict[str, Artifact]]:
    """The links leaving these versions, and what each reaches (keyed by ``ref``): 2 statements."""
    links = await link_repo.from_sources(conn, source_ids) if source_ids else []
    reached = await catalog_repo.by_refs_map(conn, [reach.ref(lk) for lk in links]) if links else {}
    return links, reached
