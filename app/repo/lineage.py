"""The provenance graph around one version, walked by one recursive query."""

from __future__ import annotations

from dataclasses import dataclass

from app import reach
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


def walk_sql(*, downstream: bool, start: str, depth: str) -> str:
    """The recursive CTE ``walk`` of the edges around version ``start`` (SQL expressions).

    Each step follows a link to the version it reaches now (app.reach); upstream from a
    version to what its links reach, downstream from a version to the links reaching it. The
    walk goes one step past ``depth``, so that a cut can be told.
    """
    reaches = reach.sql("l", "t")
    if downstream:
        first = f"from artifacts t join links l on {reaches} where t.id = {start}"
        step = f"from walk w join artifacts t on t.id = w.source_id join links l on {reaches}"
    else:
        first = f"from links l join artifacts t on {reaches} where l.source_id = {start}"
        step = (
            f"from walk w join links l on l.source_id = w.target_id join artifacts t on {reaches}"
        )
    row = "select l.source_id, t.id, l.type, l.target_version_id is not null"
    return (
        f"walk(source_id, target_id, type, pinned, depth) as ({row}, 1 {first} "
        f"union {row}, w.depth + 1 {step} where w.depth <= {depth})"
    )


# Each edge once, at the depth it was first found.
EDGES = """
select distinct on (source_id, target_id, type) source_id, target_id, type, pinned, depth
from walk order by source_id, target_id, type, depth"""


async def walk(conn: Conn, start_id: str, *, downstream: bool, max_depth: int) -> list[GraphEdge]:
    """Edges within ``max_depth + 1`` steps of ``start_id`` (one step more, to detect a cut)."""
    cte = walk_sql(downstream=downstream, start="$1", depth="$2")
    records = await conn.fetch(f"with recursive {cte} {EDGES}", start_id, max_depth)
    return [
        GraphEdge(r["source_id"], r["target_id"], LinkType(r["type"]), r["pinned"], r["depth"])
        for r in records
    ]
