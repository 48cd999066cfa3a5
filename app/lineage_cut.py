"""Which part of a provenance graph a lineage answer keeps: the rule, in Python and in SQL.

A node's distance is the depth at which an edge touching it was first found. Nodes within
``max_depth`` are kept in order of (distance, id in code point order), the first ``limit`` of
them; an edge is kept when it lies within ``max_depth`` and both its ends are kept. The graph
is truncated when a node lies beyond ``max_depth`` or more than ``limit`` lie within it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar


class Walk(StrEnum):
    """Which way a walk goes: to what a version depends on, or to what depends on it."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"


class Edge(Protocol):
    @property
    def source_id(self) -> str: ...
    @property
    def target_id(self) -> str: ...
    @property
    def depth(self) -> int: ...


E = TypeVar("E", bound=Edge)


@dataclass(frozen=True)
class Cut(Generic[E]):
    """Node ids with their distance from the start, the kept edges, and whether it was cut."""

    distances: dict[str, int]
    edges: list[E]
    truncated: bool


def cut(start_id: str, edges: Sequence[E], max_depth: int, limit: int) -> Cut[E]:
    """The kept part of the graph ``edges`` walked from ``start_id``."""
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
    return Cut(kept, kept_edges, truncated=beyond or len(within) > limit)


def cut_sql(max_depth: str, limit: str) -> str:
    """CTEs ``dist``, ``within`` and ``kept`` (id, d) over CTEs ``start`` (the start row)
    and ``edges`` (source_id, target_id, depth), for SQL expressions of the two bounds."""
    return (
        "touch as (select source_id as id, depth from edges "
        "union all select target_id, depth from edges), "
        "dist as (select id, min(depth) as d from touch "
        "where id <> (select id from start) group by id "
        "union all select id, 0 from start), "
        f"within as (select id, d from dist where d <= {max_depth}), "
        # A row number, not LIMIT: a generic plan guesses a LIMIT $n keeps few rows and then
        # checks the edges against the kept nodes in a nested loop.
        'kept as (select id, d from (select id, d, row_number() over (order by d, id collate "C")'
        f" as r from within) w where w.r <= {limit})"
    )


def truncated_sql(max_depth: str, limit: str) -> str:
    """SQL true when the walk was cut (over the CTEs of ``cut_sql``)."""
    return (
        f"(exists (select 1 from dist where d > {max_depth}) "
        f"or (select count(*) from within) > {limit})"
    )


def kept_edge_sql(e: str, max_depth: str) -> str:
    """SQL true when edge row ``e`` is kept (over the CTEs of ``cut_sql``)."""
    return (
        f"{e}.depth <= {max_depth} and {e}.source_id in (select id from kept) "
        f"and {e}.target_id in (select id from kept)"
    )
