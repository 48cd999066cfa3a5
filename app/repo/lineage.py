"""The provenance graph around one version, walked by one recursive query."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.types import Conn
from app.domain import LinkType


@dataclass(frozen=True)
class GraphEdge:
    """``source_id`` depends on ``target_id``; ``depth`` is how far from the start it was found."""

    source_id: str
    target_id: str
    type: LinkType
    pinned: bool
    depth: int


# Each step follows a link to the version it reaches now: the pinned one, else the latest.
# {start} and {depth} are SQL expressions; the walk goes one step past {depth} to detect a cut.
WALK_UPSTREAM = """
walk(source_id, target_id, type, pinned, depth) as (
    select l.source_id, t.id, l.type, l.target_version_id is not null, 1
    from links l
    join artifacts t on t.lineage_id = l.target_lineage_id
        and (t.id = l.target_version_id or (l.target_version_id is null and t.is_latest))
    where l.source_id = {start}
  union
    select l.source_id, t.id, l.type, l.target_version_id is not null, w.depth + 1
    from walk w
    join links l on l.source_id = w.target_id
    join artifacts t on t.lineage_id = l.target_lineage_id
        and (t.id = l.target_version_id or (l.target_version_id is null and t.is_latest))
    where w.depth <= {depth}
)"""

WALK_DOWNSTREAM = """
walk(source_id, target_id, type, pinned, depth) as (
    select l.source_id, t.id, l.type, l.target_version_id is not null, 1
    from artifacts t
    join links l on l.target_lineage_id = t.lineage_id
        and (l.target_version_id = t.id or (l.target_version_id is null and t.is_latest))
    where t.id = {start}
  union
    select l.source_id, t.id, l.type, l.target_version_id is not null, w.depth + 1
    from walk w
    join artifacts t on t.id = w.source_id
    join links l on l.target_lineage_id = t.lineage_id
        and (l.target_version_id = t.id or (l.target_version_id is null and t.is_latest))
    where w.depth <= {depth}
)"""

# Each edge once, at the depth it was first found.
EDGES = """
select distinct on (source_id, target_id, type) source_id, target_id, type, pinned, depth
from walk order by source_id, target_id, type, depth"""


async def walk(conn: Conn, start_id: str, *, downstream: bool, max_depth: int) -> list[GraphEdge]:
    """Edges within ``max_depth + 1`` steps of ``start_id`` (one step more, to detect a cut)."""
    cte = (WALK_DOWNSTREAM if downstream else WALK_UPSTREAM).format(start="$1", depth="$2")
    records = await conn.fetch(f"with recursive {cte} {EDGES}", start_id, max_depth)
    return [
        GraphEdge(r["source_id"], r["target_id"], LinkType(r["type"]), r["pinned"], r["depth"])
        for r in records
    ]
