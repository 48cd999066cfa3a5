"""Lists of artifacts with filters, sorts and paging, and the lookups loaders batch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.db.types import Conn
from app.domain import Artifact, Family, Kind, Link
from app.repo import rows

# Sorts reach SQL only through this fixed map; nothing a client sends is spliced in.
SORT_COLUMNS = {
    "quality_score": "a.quality_score",
    "created_at": "a.created_at",
    "parameter_count": "a.parameter_count",
}
DIRECTIONS = {"asc": "asc", "desc": "desc"}


@dataclass(frozen=True)
class Reach:
    """Links to a lineage, or, with ``version``, only those reaching that version."""

    lineage: str
    version: str | None = None
    version_is_latest: bool = False


@dataclass(frozen=True)
class ModelQuery:
    """A validated model list request."""

    family: Family | None = None
    dataset: Reach | None = None
    hypothesis: Reach | None = None
    latest_only: bool = False
    search: str | None = None
    sort: str = "created_at"
    direction: str = "desc"
    limit: int = 20
    offset: int = 0


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere in a string."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _model_where(q: ModelQuery) -> tuple[str, list[object]]:
    """The filters of ``q`` that are set, as SQL with $n parameters, and their values.

    Only set filters appear, so each combination gets a plan that uses its indexes.
    """
    conditions = ["a.kind = 'model'"]
    args: list[object] = []

    def param(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    if q.family is not None:
        conditions.append(f"a.family = {param(q.family.value)}")
    for link_type, reach in (("trained_on", q.dataset), ("tests_hypothesis", q.hypothesis)):
        if reach is None:
            continue
        # A link reaches a version when it pins it, or floats on its lineage while it is latest.
        version = ""
        if reach.version is not None:
            floating = " or l.target_version_id is null" if reach.version_is_latest else ""
            version = f" and (l.target_version_id = {param(reach.version)}{floating})"
        conditions.append(
            f"a.id in (select l.source_id from links l where l.type = '{link_type}' "
            f"and l.target_lineage_id = {param(reach.lineage)}{version})"
        )
    if q.latest_only:
        conditions.append("a.is_latest")
    if q.search:
        conditions.append(f"a.title ilike {param(like_pattern(q.search))}")
    return " and ".join(conditions), args


def counted_total(q: ModelQuery) -> tuple[str, list[object]] | None:
    """The total from the trigger-kept counters, when only family and latest filter it."""
    if q.dataset or q.hypothesis or q.search:
        return None
    sql = "select coalesce(sum(n), 0) from model_counts where latest_only = $1"
    if q.family is None:
        return sql, [q.latest_only]
    return sql + " and family = $2", [q.latest_only, q.family.value]


async def list_models(conn: Conn, q: ModelQuery) -> list[Artifact]:
    """One page of models, sorted with id as the tie-break in the same direction."""
    column, direction = SORT_COLUMNS[q.sort], DIRECTIONS[q.direction]
    where, args = _model_where(q)
    n = len(args)
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from artifacts a
        where {where}
        order by {column} {direction}, a.id {direction}
        limit ${n + 1} offset ${n + 2}
        """,
        *args,
        q.limit,
        q.offset,
    )
    return [rows.artifact(r) for r in records]


async def count_models(conn: Conn, q: ModelQuery) -> int:
    """How many models match the filters of ``q``, ignoring paging."""
    counted = counted_total(q)
    if counted is not None:
        value: int = await conn.fetchval(counted[0], *counted[1])
        return value
    where, args = _model_where(q)
    value = await conn.fetchval(f"select count(*) from artifacts a where {where}", *args)
    return value


async def list_kind(
    conn: Conn, kind: Kind, *, latest_only: bool, search: str | None, limit: int, offset: int
) -> tuple[list[Artifact], int]:
    """A page of datasets, analyses or hypotheses, newest first, and the total."""
    args: list[object] = [kind.value]
    where = "a.kind = $1"
    if latest_only:
        where += " and a.is_latest"
    if search:
        args.append(like_pattern(search))
        where += " and a.title ilike $2"
    n = len(args)
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from artifacts a where {where}
        order by a.created_at desc, a.id desc limit ${n + 1} offset ${n + 2}
        """,
        *args,
        limit,
        offset,
    )
    total: int = await conn.fetchval(f"select count(*) from artifacts a where {where}", *args)
    return [rows.artifact(r) for r in records], total


# Every stored id matches this (the tables' check constraints); anything else names nothing.
POSSIBLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def possible_ids(refs: Sequence[str]) -> list[str]:
    """Drop refs that cannot name anything, such as text PostgreSQL would refuse to compare."""
    return [r for r in refs if POSSIBLE_ID.fullmatch(r)]


async def by_refs(conn: Conn, refs: Sequence[str]) -> list[Artifact]:
    """Versions named by id, and the latest versions of lineages named by lineage id."""
    refs = possible_ids(refs)
    if not refs:
        return []
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from artifacts a
        where a.id = any($1::text[]) or (a.lineage_id = any($1::text[]) and a.is_latest)
        """,
        list(refs),
    )
    return [rows.artifact(r) for r in records]


async def by_refs_map(conn: Conn, refs: Sequence[str]) -> dict[str, Artifact]:
    """Map each ref (version id, or lineage id meaning latest) to what it names."""
    by_ref: dict[str, Artifact] = {}
    for a in await by_refs(conn, refs):
        by_ref[a.id] = a
        if a.is_latest:
            by_ref[a.lineage_id] = a
    return by_ref


async def versions_of(conn: Conn, lineage_ids: Sequence[str]) -> list[Artifact]:
    """Every version of the given lineages, oldest first."""
    records = await conn.fetch(
        f"""
        select {rows.ARTIFACT_COLUMNS} from artifacts a
        where a.lineage_id = any($1::text[]) order by a.lineage_id, a.version_number
        """,
        list(lineage_ids),
    )
    return [rows.artifact(r) for r in records]


async def links_reaching(conn: Conn, version_ids: Sequence[str]) -> list[tuple[str, Link]]:
    """Links that reach each version: pinned to it, or floating on its lineage while latest."""
    records = await conn.fetch(
        f"""
        select t.id as reached, {rows.LINK_COLUMNS}
        from artifacts t
        join links l on l.target_lineage_id = t.lineage_id
            and (l.target_version_id = t.id or (l.target_version_id is null and t.is_latest))
        where t.id = any($1::text[])
        order by t.id, l.type, l.source_id
        """,
        list(version_ids),
    )
    return [(r["reached"], rows.link(r)) for r in records]
