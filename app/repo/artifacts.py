"""Artifact versions and lineages: lookups, version allocation, inserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import ids, locations, metric_values
from app.db.types import Conn
from app.domain import Artifact, Kind, NewArtifact, ProvenanceWarning
from app.repo import refs as refs_sql
from app.repo import rows


@dataclass(frozen=True)
class ResolvedRef:
    """What a version id or lineage id names: ``version_id`` is the latest one for a lineage."""

    ref: str
    is_version: bool
    version_id: str
    lineage_id: str
    kind: Kind
    is_latest: bool


async def get_many(conn: Conn, ids: Sequence[str]) -> list[Artifact]:
    """Fetch artifact versions by id, in no particular order; unknown ids are absent."""
    records = await conn.fetch(
        f"select {rows.ARTIFACT_COLUMNS} from artifacts a where a.id = any($1::text[])",
        list(ids),
    )
    return [rows.artifact(r) for r in records]


# (lineage id, limit, offset, after version number): one page of a lineage's versions.
VersionPage = tuple[str, int, int, int | None]


async def version_pages(
    conn: Conn, keys: Sequence[VersionPage], cap: int
) -> list[tuple[int, Artifact]]:
    """Pages of the versions of lineages, oldest first, tagged with their key's index: for
    each key one row past its page when more follow, resuming by keyset after a version.

    At most ``cap`` rows in all: the caller counts them against what it may return.
    """
    # Versions are numbered from 1: after 0 is from the start, and the condition stays one
    # the (lineage_id, version_number) index answers, however deep the page.
    records = await conn.fetch(
        f"""
        select k.i, {rows.ARTIFACT_COLUMNS}
        from unnest($1::text[], $2::int[], $3::int[], $4::int[])
            with ordinality as k(lineage, n, skip, after, i)
        cross join lateral (
            select * from artifacts v
            where v.lineage_id = k.lineage and v.version_number > coalesce(k.after, 0)
            order by v.version_number limit k.n + 1 offset k.skip
        ) a
        order by k.i, a.version_number limit $5
        """,
        *rows.columns(keys, 4),
        cap,
    )
    return [(r["i"] - 1, rows.artifact(r)) for r in records]


async def resolve_refs(conn: Conn, refs: Sequence[str]) -> dict[str, ResolvedRef]:
    """Resolve version ids, lineage ids (meaning their latest version) and lineage@alias in
    one statement. An alias names one version: a link to it is pinned to that version."""
    wanted = list(set(ids.possible_ids(list(refs))))
    records = await conn.fetch(
        f"""
        select r.ref, a.id, a.lineage_id, a.kind, a.is_latest,
               a.id = r.ref or strpos(r.ref, '@') > 0 as is_version
        from unnest($1::text[]) as r(ref)
        join artifacts a on {refs_sql.names_sql("a", "r.ref", aliased=ids.aliased(wanted))}
        """,
        wanted,
    )
    return {
        r["ref"]: ResolvedRef(
            ref=r["ref"],
            is_version=r["is_version"],
            version_id=r["id"],
            lineage_id=r["lineage_id"],
            kind=Kind(r["kind"]),
            is_latest=r["is_latest"],
        )
        for r in records
    }


async def latest_of_lineages(conn: Conn, lineage_ids: Sequence[str]) -> dict[str, str]:
    """Map each lineage id to its latest version id."""
    records = await conn.fetch(
        "select lineage_id, id from artifacts where lineage_id = any($1::text[]) and is_latest",
        list(set(lineage_ids)),
    )
    return {r["lineage_id"]: r["id"] for r in records}


async def allocate_version(conn: Conn, lineage_id: str, kind: Kind) -> int | None:
    """Reserve the next version number of a lineage, creating it at 1.

    The upsert row-locks the lineage until the transaction ends, which serialises
    concurrent registrations of one lineage. Returns None when the lineage exists
    with another kind.
    """
    # Two first versions racing would both try to insert the row, and the loser would
    # fail on the (id, kind) key rather than take the upsert's update branch.
    await conn.execute(
        "select pg_advisory_xact_lock(hashtext('lineage'), hashtext($1))", lineage_id
    )
    value: int | None = await conn.fetchval(
        """
        insert into lineages as l (id, kind, latest_version) values ($1, $2, 1)
        on conflict (id) do update set latest_version = l.latest_version + 1
            where l.kind = excluded.kind
        returning latest_version
        """,
        lineage_id,
        kind.value,
    )
    return value


async def insert_version(
    conn: Conn,
    new: NewArtifact,
    version_id: str,
    version_number: int,
    warnings: tuple[ProvenanceWarning, ...],
    quality_score: float | None,
) -> None:
    """Make ``version_id`` the latest version of its lineage."""
    await conn.execute(
        "update artifacts set is_latest = false where lineage_id = $1 and is_latest",
        new.lineage_id,
    )
    is_model = new.kind is Kind.MODEL
    points, intervals = metric_values.split(new.evaluation_metrics)
    await conn.execute(
        """
        insert into artifacts (
            id, lineage_id, kind, version_number, is_latest, title, description, metadata,
            family, architecture, parameter_count, training_config, evaluation_metrics,
            metric_intervals, metric_directions, raw_quality_score, quality_score,
            provenance_warnings, uri, digest, size_bytes, content_digest)
        values ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $20, $21)
        """,
        version_id,
        new.lineage_id,
        new.kind.value,
        version_number,
        new.title,
        new.description,
        new.metadata,
        new.family.value if is_model and new.family else None,
        new.architecture if is_model else None,
        new.parameter_count if is_model else None,
        new.training_config if is_model else None,
        points if is_model else None,
        intervals,
        new.metric_directions if is_model else None,
        new.raw_quality_score if is_model else None,
        quality_score if is_model else None,
        rows.warnings_to_json(warnings) if is_model else None,
        new.uri,
        new.digest,
        new.size_bytes,
        locations.content_digest(new.digest),
    )


async def raw_scores(conn: Conn, model_ids: Sequence[str]) -> dict[str, float]:
    """Map model version ids to their raw quality scores."""
    records = await conn.fetch(
        "select id, raw_quality_score from artifacts where id = any($1::text[]) and kind = 'model'",
        list(model_ids),
    )
    return {r["id"]: r["raw_quality_score"] for r in records}


async def update_scores(
    conn: Conn,
    scores: Sequence[tuple[str, float, tuple[ProvenanceWarning, ...]]],
) -> None:
    """Store effective scores and warnings for many models in one statement."""
    if not scores:
        return
    await conn.execute(
        """
        update artifacts a set quality_score = s.score, provenance_warnings = s.warnings
        from jsonb_to_recordset($1::jsonb) as s(id text, score float8, warnings jsonb)
        where a.id = s.id
        """,
        [
            {"id": mid, "score": score, "warnings": rows.warnings_to_json(warnings)}
            for mid, score, warnings in scores
        ],
    )


async def count_all(conn: Conn) -> int:
    """Count artifact versions of every kind."""
    value: int = await conn.fetchval("select count(*) from artifacts")
    return value


async def lock_lineage(conn: Conn, lineage_id: str) -> None:
    """Lock a lineage row exclusively (FOR NO KEY UPDATE) until the transaction ends.

    Conflicts with ``share_lineages`` and with the upsert of ``allocate_version``, not with
    the key-share locks that foreign keys to the lineage take.
    """
    await conn.execute("select 1 from lineages where id = $1 for no key update", lineage_id)


async def share_lineages(conn: Conn, lineage_ids: Sequence[str]) -> None:
    """Share-lock lineage rows in id order (FOR SHARE) until the transaction ends."""
    if lineage_ids:
        # ORDER BY runs below the row locking, so the rows are locked in id order.
        await conn.execute(
            "select 1 from lineages where id = any($1::text[]) order by id for share",
            sorted(set(lineage_ids)),
        )


async def lock_version(conn: Conn, version_id: str) -> Artifact | None:
    """Fetch a version and lock its row until the transaction ends (serialises curation)."""
    r = await conn.fetchrow(
        f"select {rows.ARTIFACT_COLUMNS} from artifacts a where a.id = $1 for update", version_id
    )
    return None if r is None else rows.artifact(r)


@dataclass(frozen=True)
class StoredScore:
    """A model's raw score and the effective score and warnings stored for it."""

    model_id: str
    raw: float
    score: float
    warnings: tuple[ProvenanceWarning, ...]


async def stored_scores(conn: Conn, after: str, limit: int) -> list[StoredScore]:
    """Models in id order after ``after`` (keyset pages), with what is stored for them."""
    records = await conn.fetch(
        """
        select id, raw_quality_score, quality_score, provenance_warnings from artifacts
        where kind = 'model' and id > $1 order by id limit $2
        """,
        after,
        limit,
    )
    return [
        StoredScore(
            model_id=r["id"],
            raw=r["raw_quality_score"],
            score=r["quality_score"],
            warnings=rows.warnings_from_json(r["provenance_warnings"]),
        )
        for r in records
    ]
