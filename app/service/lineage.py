"""The provenance graph around an artifact, bounded in depth and size."""

from __future__ import annotations

from dataclasses import dataclass

from app import validation
from app.db.types import Conn
from app.errors import InvalidInput
from app.repo import lineage as lineage_repo
from app.repo.lineage import GraphEdge

MAX_DEPTH = validation.MAX_LINEAGE_DEPTH
MAX_NODES = validation.MAX_LINEAGE_NODES


@dataclass(frozen=True)
class Graph:
    """Node ids with their distance from the start, and the edges among them."""

    distances: dict[str, int]
    edges: list[GraphEdge]
    truncated: bool


def check_bounds(max_depth: int, limit: int) -> None:
    """Walks are bounded: depth 1..10, at most 500 nodes."""
    if not 1 <= max_depth <= MAX_DEPTH:
        raise InvalidInput(f"maxDepth must be between 1 and {MAX_DEPTH}", field="maxDepth")
    if not 1 <= limit <= MAX_NODES:
        raise InvalidInput(f"limit must be between 1 and {MAX_NODES}", field="limit")


def cut(start_id: str, edges: list[GraphEdge], max_depth: int, limit: int) -> Graph:
    """Keep the ``limit`` nodes nearest the start within ``max_depth``; say if anything was cut."""
    distance: dict[str, int] = {start_id: 0}
    for e in sorted(edges, key=lambda e: e.depth):
        for node in (e.source_id, e.target_id):
            distance.setdefault(node, e.depth)
    beyond = any(d > max_depth for d in distance.values())
    within = sorted((d, n) for n, d in distance.items() if d <= max_depth)
    kept = dict((n, d) for d, n in within[:limit])
    kept_edges = [
        e for e in edges if e.depth <= max_depth and e.source_id in kept and e.target_id in kept
    ]
    return Graph(kept, kept_edges, truncated=beyond or len(within) > limit)


async def lineage(
    conn: Conn, start_id: str, *, downstream: bool, max_depth: int, limit: int
) -> Graph:
    """Walk up (dependencies) or down (dependents) from a version."""
    check_bounds(max_depth, limit)
    edges = await lineage_repo.walk(conn, start_id, downstream=downstream, max_depth=max_depth)
    return cut(start_id, edges, max_depth, limit)
