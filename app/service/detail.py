"""A model with everything around it, as the REST detail and model pages show it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import reach
from app.db.types import Conn
from app.domain import Artifact, Kind, Link
from app.errors import NotFound
from app.repo import catalog as catalog_repo
from app.service import aliases, linking


@dataclass(frozen=True)
class Edge:
    """A link and the version it reaches now."""

    link: Link
    target: Artifact


@dataclass(frozen=True)
class ModelDetail:
    model: Artifact
    versions: list[Artifact]
    edges: list[Edge]
    # the producing analysis's own links (its inputs and hypotheses)
    analysis_edges: list[Edge]


def edges_by_source(links: Sequence[Link], reached: dict[str, Artifact]) -> dict[str, list[Edge]]:
    """Group links with their reached versions by the version they leave."""
    grouped: dict[str, list[Edge]] = {}
    for lk in links:
        target = reached.get(reach.ref(lk))
        if target is not None:
            grouped.setdefault(lk.source_id, []).append(Edge(lk, target))
    return grouped


async def model_edges(conn: Conn, models: Sequence[Artifact]) -> dict[str, list[Edge]]:
    """The links of many models with what they reach, in two statements."""
    links, reached = await linking.links_and_targets(conn, [m.id for m in models])
    return edges_by_source(links, reached)


async def model_detail(conn: Conn, ref: str) -> ModelDetail:
    """A model by version or lineage id, with versions, links and its analysis's inputs."""
    found = await catalog_repo.by_refs_map(conn, [ref])
    model = found.get(ref)
    if model is None or model.kind is not Kind.MODEL:
        aliases.check_known(ref)
        raise NotFound(f"no model {ref!r}", ids=[ref])
    edges = (await model_edges(conn, [model])).get(model.id, [])
    analyses = [e.target.id for e in edges if e.target.kind is Kind.ANALYSIS]
    a_links, a_reached = await linking.links_and_targets(conn, analyses)
    analysis_edges = [e for es in edges_by_source(a_links, a_reached).values() for e in es]
    versions = await catalog_repo.versions_of(conn, [model.lineage_id])
    return ModelDetail(model, versions, edges, analysis_edges)
