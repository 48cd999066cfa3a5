"""Register the next version of a lineage with its links: the one write path for content."""

from __future__ import annotations

import dataclasses

from app import ids, locations, validation
from app.db.types import Conn
from app.domain import Artifact, Kind, LinkType, NewArtifact
from app.errors import Conflict
from app.events import EventName
from app.repo import artifacts as artifact_repo
from app.repo import audit as audit_repo
from app.repo import events as event_repo
from app.repo import links as link_repo
from app.service import linking, scores

SYSTEM_ACTOR = "system"


async def register(conn: Conn, new: NewArtifact, actor: str = SYSTEM_ACTOR) -> Artifact:
    """Create the next version of ``new.lineage_id`` (version 1 of a new lineage).

    Everything happens in one transaction: a rejected request writes nothing.
    """
    validation.check_new_artifact(new)
    if new.digest is not None:
        new = dataclasses.replace(new, digest=locations.normalise_digest(new.digest))
    async with conn.transaction():
        number = await artifact_repo.allocate_version(conn, new.lineage_id, new.kind)
        if number is None:
            raise Conflict(
                f"lineage {new.lineage_id!r} exists and holds another kind of artifact",
                field="lineageId",
            )
        vid = ids.version_id(new.lineage_id, number)
        links = await linking.build(conn, vid, new.lineage_id, new.kind, new.links)
        linking.check_distinct(links)
        if new.kind is Kind.MODEL:
            # Before insert_version moves is_latest off the old version, a model row, and
            # before the score below reads the analysis's links (lock order: app.service.scores).
            await scores.lock_producers(conn, links)
        # The score starts uncapped and is set by the same rules every later write uses.
        await artifact_repo.insert_version(conn, new, vid, number, (), new.raw_quality_score)
        await link_repo.insert_many(conn, new.kind, links)
        if new.kind is Kind.MODEL:
            await scores.recompute(conn, [vid])
        elif new.kind is Kind.ANALYSIS:
            # Models whose producer floats to this lineage now answer to this version. The
            # upsert in allocate_version holds the lineage row, so every model registered or
            # curated with this producer has committed (and is found here) or waits for us.
            floating = await link_repo.sources_floating_on(
                conn, new.lineage_id, LinkType.PRODUCED_BY
            )
            await scores.recompute(conn, floating)
        await audit_repo.record(
            conn, actor, "register", vid, None, {"links": linking.as_json(links)}
        )
        await event_repo.record_versions(conn, EventName.VERSION_REGISTERED, [vid], {})
        # What floats on this lineage now reads the new version.
        await event_repo.record_provenance_changed(
            conn, [vid], {"action": "register", "id": vid}, include_changed=False
        )
        (created,) = await artifact_repo.get_many(conn, [vid])
    return created
