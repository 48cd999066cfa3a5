"""The provenance graph around an artifact, bounded in depth and size."""

from __future__ import annotations

from app import paging
from app.db.types import Conn
from app.lineage_cut import Cut, cut
from app.repo import lineage as lineage_repo
from app.repo.lineage import GraphEdge

Graph = Cut[GraphEdge]
check_bounds = paging.check_lineage


async def lineage(
    conn: Conn, start_id: str, *, downstream: bool, max_depth: int, limit: int
) -> Graph:
    """Walk up (dependencies) or down (dependents) from a version; keep what app.lineage_cut
    keeps."""
    check_bounds(max_depth, limit)
    edges = await lineage_repo.walk(conn, start_id, downstream=downstream, max_depth=max_depth)
    return cut(start_id, edges, max_depth, limit)
