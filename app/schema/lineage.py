"""The lineage graph: what a walk from one artifact answers with."""

from __future__ import annotations

import strawberry

from app import domain, ids
from app.schema.types import Artifact, Info, to_gql
from app.schema.values import ArtifactLinkType, LineageDirection
from app.service import lineage


@strawberry.type
class LineageNode:
    artifact: Artifact
    distance: int = strawberry.field(description="Links between this node and the start.")


@strawberry.type(description="source depends on target.")
class LineageEdge:
    source_id: strawberry.ID
    target_id: strawberry.ID
    type: ArtifactLinkType
    pinned: bool
    pinned_version: int | None


@strawberry.type
class LineageGraph:
    root: Artifact
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = strawberry.field(description="True when maxDepth or limit cut the graph.")


async def graph(
    info: Info, start: domain.Artifact, direction: LineageDirection, max_depth: int, limit: int
) -> LineageGraph:
    """The graph around ``start`` as app.lineage_cut keeps it."""
    walked = await info.context.loaders.run(
        lambda c: lineage.lineage(
            c,
            start.id,
            downstream=direction is LineageDirection.DOWNSTREAM,
            max_depth=max_depth,
            limit=limit,
        )
    )
    ordered = sorted(walked.distances.items(), key=lambda item: (item[1], item[0]))
    found = await info.context.loaders.artifact.load_many([n for n, _ in ordered])
    nodes = [
        LineageNode(artifact=to_gql(a), distance=d)
        for (_, d), a in zip(ordered, found, strict=True)
        if a is not None
    ]
    edges = [
        LineageEdge(
            source_id=strawberry.ID(e.source_id),
            target_id=strawberry.ID(e.target_id),
            type=ArtifactLinkType(e.type.value),
            pinned=e.pinned,
            pinned_version=ids.version_number(e.target_id) if e.pinned else None,
        )
        for e in sorted(walked.edges, key=lambda e: (e.depth, e.source_id, e.target_id))
    ]
    return LineageGraph(root=to_gql(start), nodes=nodes, edges=edges, truncated=walked.truncated)
