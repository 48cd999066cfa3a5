"""Compare 2 to 10 models: fetch everything in a fixed number of statements, then diff."""

from __future__ import annotations

from dataclasses import dataclass

from app import comparison, reach
from app.comparison import Dag, DagEdge, DataOverlap, DiffRow, MetricRow
from app.db.types import Conn
from app.domain import Artifact, Kind, Link, LinkType
from app.errors import InvalidInput, NotFound
from app.repo import catalog as catalog_repo
from app.service import linking

MIN_MODELS = 2
MAX_MODELS = 10


@dataclass(frozen=True)
class Lineages:
    """What the models were trained on and produced by: needs the links."""

    training_data: DataOverlap
    dags: list[Dag]
    shared_ancestors: list[str]
    unique_ancestors: dict[str, list[str]]
    # every artifact a DAG node names, by version id
    artifacts: dict[str, Artifact]


@dataclass(frozen=True)
class Comparison:
    models: list[Artifact]
    metrics: list[MetricRow]
    metadata: list[DiffRow]
    training_config: list[DiffRow]
    lineages: Lineages


def _distinct(ids: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i.strip(), None)
    return [i for i in seen if i]


def _check_count(n: int) -> None:
    if not MIN_MODELS <= n <= MAX_MODELS:
        raise InvalidInput(
            f"compare {MIN_MODELS} to {MAX_MODELS} distinct models, got {n}", field="ids"
        )


async def _models(conn: Conn, ids: list[str]) -> list[Artifact]:
    found = await catalog_repo.by_refs_map(conn, ids)
    missing = [i for i in ids if i not in found or found[i].kind is not Kind.MODEL]
    if missing:
        raise NotFound(f"no model {', '.join(repr(m) for m in missing)}", ids=missing)
    models: dict[str, Artifact] = {}
    for i in ids:
        models.setdefault(found[i].id, found[i])
    _check_count(len(models))
    return list(models.values())


def _dag(model: Artifact, links: dict[str, list[Link]], reached: dict[str, Artifact]) -> Dag:
    nodes = [model.id]
    edges: list[DagEdge] = []

    def follow(source: str) -> list[str]:
        found = []
        for lk in links.get(source, []):
            target = reached.get(reach.ref(lk))
            if target is None:
                continue
            edges.append(DagEdge(source, target.id, lk.type.value, lk.pinned))
            if target.id not in nodes:
                nodes.append(target.id)
            found.append(target.id)
        return found

    for target_id in follow(model.id):
        if reached[target_id].kind is Kind.ANALYSIS:
            follow(target_id)
    return Dag(model.id, tuple(nodes), tuple(edges))


async def models(conn: Conn, ids: list[str]) -> list[Artifact]:
    """The models to compare, named by version or lineage ids, duplicates collapsed, in order."""
    wanted = _distinct(ids)
    _check_count(len(wanted))
    return await _models(conn, wanted)


async def lineages(conn: Conn, models: list[Artifact]) -> Lineages:
    """Training data overlap and provenance DAGs of the models: four statements."""
    model_links, reached = await linking.links_and_targets(conn, [m.id for m in models])
    analyses = sorted({a.id for a in reached.values() if a.kind is Kind.ANALYSIS})
    analysis_links, inputs = await linking.links_and_targets(conn, analyses)
    reached |= inputs
    links: dict[str, list[Link]] = {}
    for lk in model_links + analysis_links:
        links.setdefault(lk.source_id, []).append(lk)
    trained_on = {
        m.id: [
            reached[reach.ref(lk)]
            for lk in links.get(m.id, [])
            if lk.type is LinkType.TRAINED_ON and reach.ref(lk) in reached
        ]
        for m in models
    }
    dags = [_dag(m, links, reached) for m in models]
    shared, unique = comparison.ancestor_sets(dags)
    return Lineages(
        training_data=comparison.data_overlap(trained_on),
        dags=dags,
        shared_ancestors=shared,
        unique_ancestors=unique,
        artifacts={a.id: a for a in reached.values()} | {m.id: m for m in models},
    )


async def compare(conn: Conn, ids: list[str]) -> Comparison:
    """The whole comparison (REST asks for all of it; GraphQL fetches parts on demand)."""
    found = await models(conn, ids)
    parts = await lineages(conn, found)
    return Comparison(
        models=found,
        metrics=comparison.metric_rows(found),
        metadata=comparison.metadata_rows(found),
        training_config=comparison.config_rows(found),
        lineages=parts,
    )
