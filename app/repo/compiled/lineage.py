"""The lineage walk and cut of repo.lineage / service.lineage, compiled into the statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import FieldNode

from app import validation
from app.repo.compiled import sql
from app.repo.lineage import EDGES, WALK_DOWNSTREAM, WALK_UPSTREAM

if TYPE_CHECKING:
    from app.repo.compiled.query import Compiler


def lineage_statement(self: Compiler, node: FieldNode) -> str:
    """The bounded walk of repo.lineage and the cut of service.lineage, in SQL."""
    args = self.args("Query", node)
    ref, depth, limit = str(args["id"]), args["maxDepth"], args["limit"]
    if not 1 <= depth <= validation.MAX_LINEAGE_DEPTH:
        raise sql.Unsupported("maxDepth")
    if not 1 <= limit <= validation.MAX_LINEAGE_NODES:
        raise sql.Unsupported("limit")
    if not sql.POSSIBLE_ID.fullmatch(ref) or node.selection_set is None:
        return "null"
    walk = WALK_DOWNSTREAM if sql.value_of(args["direction"]) == "downstream" else WALK_UPSTREAM
    r, d, n = self.param(ref, "text"), self.param(depth, "int"), self.param(limit, "int")
    st, na, e = self.alias(), self.alias(), self.alias()
    pairs = []
    for key, child in self.collect(node.selection_set, "LineageGraph"):
        name, sub = child.name.value, child.selection_set
        if name == "__typename":
            pairs.append((key, "'LineageGraph'"))
        elif name == "root" and sub:
            pairs.append((key, self.object(st, sub, sql.ALL_TYPES)))
        elif name == "truncated":
            pairs.append(
                (
                    key,
                    f"(exists (select 1 from dist where d > {d}) "
                    f"or (select count(*) from within) > {n})",
                )
            )
        elif name == "nodes" and sub:
            node_pairs = []
            for nkey, nchild in self.collect(sub, "LineageNode"):
                if nchild.name.value == "__typename":
                    node_pairs.append((nkey, "'LineageNode'"))
                elif nchild.name.value == "distance":
                    node_pairs.append((nkey, "k.d"))
                elif nchild.name.value == "artifact" and nchild.selection_set:
                    node_pairs.append((nkey, self.object(na, nchild.selection_set, sql.ALL_TYPES)))
                else:
                    raise sql.Unsupported(nchild.name.value)
            pairs.append(
                (
                    key,
                    f"(select coalesce(json_agg({self.build(node_pairs)} "
                    f"order by k.d, k.id collate \"C\"), '[]'::json) "
                    f"from kept k join artifacts {na} on {na}.id = k.id)",
                )
            )
        elif name == "edges" and sub:
            edge_fields = {
                "__typename": "'LineageEdge'",
                "sourceId": f"{e}.source_id",
                "targetId": f"{e}.target_id",
                "type": f"upper({e}.type)",
                "pinned": f"{e}.pinned",
                "pinnedVersion": (
                    f"(case when {e}.pinned then "
                    f"substring({e}.target_id from '-v([0-9]+)$')::int end)"
                ),
            }
            edge_pairs = []
            for ekey, echild in self.collect(sub, "LineageEdge"):
                if echild.name.value not in edge_fields:
                    raise sql.Unsupported(echild.name.value)
                edge_pairs.append((ekey, edge_fields[echild.name.value]))
            pairs.append(
                (
                    key,
                    f"(select coalesce(json_agg({self.build(edge_pairs)} order by "
                    f'{e}.depth, {e}.source_id collate "C", {e}.target_id collate "C", '
                    f"{e}.type), '[]'::json) from edges {e} where {e}.depth <= {d} "
                    f"and {e}.source_id in (select id from kept) "
                    f"and {e}.target_id in (select id from kept))",
                )
            )
        else:
            raise sql.Unsupported(name)
    cte = walk.format(start="(select id from start)", depth=d)
    return (
        "(with recursive "
        f"start as (select * from artifacts s where s.id = {r} "
        f"or (s.lineage_id = {r} and s.is_latest)), {cte}, "
        f"edges as ({EDGES}), "
        "touch as (select source_id as id, depth from edges "
        "union all select target_id, depth from edges), "
        "dist as (select id, min(depth) as d from touch "
        "where id <> (select id from start) group by id "
        "union all select id, 0 from start), "
        f"within as (select id, d from dist where d <= {d}), "
        # A row number, not LIMIT: a generic plan guesses a LIMIT $n keeps few rows and
        # then checks the edges against the kept nodes in a nested loop.
        'kept as (select id, d from (select id, d, row_number() over (order by d, id collate "C")'
        f" as r from within) w where w.r <= {n}) "
        f"select {self.build(pairs)} from start {st})"
    )
