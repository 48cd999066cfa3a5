"""Register the next version of a lineage with its links: the one write path."""

from __future__ import annotations

from app import validation
from app.db.types import Conn
from app.domain import LINK_RULES, Artifact, Kind, Link, LinkSpec, LinkType, NewArtifact
from app.errors import Conflict, InvalidInput, NotFound
from app.repo import artifacts as artifact_repo
from app.repo import links as link_repo
from app.repo.artifacts import ResolvedRef
from app.service import scores


def version_id(lineage_id: str, version_number: int) -> str:
    """Version ids are the lineage id with the version number appended."""
    return f"{lineage_id}-v{version_number}"


def _link(source_id: str, spec: LinkSpec, target: ResolvedRef, source_kind: Kind) -> Link:
    source_rule, allowed = LINK_RULES[spec.type]
    if source_rule is not source_kind:
        raise InvalidInput(
            f"a {source_kind.value} cannot have a {spec.type.value} link", field=spec.type.value
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


def _check_duplicates(links: list[Link]) -> None:
    seen: set[tuple[LinkType, str]] = set()
    for lk in links:
        key = (lk.type, lk.target_lineage_id)
        if key in seen:
            raise InvalidInput(
                f"two {lk.type.value} links to lineage {lk.target_lineage_id!r}",
                field=lk.type.value,
            )
        seen.add(key)


async def register(conn: Conn, new: NewArtifact) -> Artifact:
    """Create the next version of ``new.lineage_id`` (version 1 of a new lineage).

    Everything happens in one transaction: a rejected request writes nothing.
    """
    validation.check_new_artifact(new)
    async with conn.transaction():
        resolved = await artifact_repo.resolve_refs(conn, [s.ref for s in new.links])
        unknown = sorted({s.ref for s in new.links} - resolved.keys())
        if unknown:
            raise NotFound(f"unknown link target: {', '.join(unknown)}", ids=unknown)
        number = await artifact_repo.allocate_version(conn, new.lineage_id, new.kind)
        if number is None:
            raise Conflict(
                f"lineage {new.lineage_id!r} exists and holds another kind of artifact",
                field="lineageId",
            )
        vid = version_id(new.lineage_id, number)
        links = [_link(vid, s, resolved[s.ref], new.kind) for s in new.links]
        if any(lk.target_lineage_id == new.lineage_id and not lk.pinned for lk in links):
            raise InvalidInput("a version cannot float on its own lineage", field="links")
        _check_duplicates(links)
        # The score starts uncapped and is set by the same rules every later write uses.
        await artifact_repo.insert_version(conn, new, vid, number, (), new.raw_quality_score)
        await link_repo.insert_many(conn, new.kind, links)
        if new.kind is Kind.MODEL:
            await scores.recompute(conn, [vid])
        elif new.kind is Kind.ANALYSIS:
            # Models whose producer floats to this lineage now answer to this version.
            floating = await link_repo.sources_floating_on(
                conn, new.lineage_id, LinkType.PRODUCED_BY
            )
            await scores.recompute(conn, floating)
        (created,) = await artifact_repo.get_many(conn, [vid])
    return created
