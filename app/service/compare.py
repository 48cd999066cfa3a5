"""Compare 2 to 10 models: fetch everything in a fixed number of statements, then diff."""

from __future__ import annotations

from dataclasses import dataclass

from app import comparison, overlap, reach
from app.comparison import DiffRow, MetricRow
from app.db.types import Conn
from app.domain import Artifact, Kind, Link, LinkType
from app.errors import InvalidInput, NotFound
from app.overlap import Dag, DagEdge, DataOverlap, Merged, Share
from app.repo import catalog as catalog_repo
from app.repo import metric_declarations as declaration_repo
from app.service import linking

MIN_MODELS = 2
MAX_MODELS = 10


@dataclass(frozen=True)
class Lineages:
    """What the models were trained on and produced by: needs the links."""

    training_data: DataOverlap
    dags: list[Dag]
    ancestors: list[Share]
    shared_ancestors: list[str]
    unique_ancestors: dict[str, list[str]]
    # for each DAG node, the compared models whose DAG holds it
    owners: dict[str, tuple[str, ...]]
    merged: Merged
    # every artifact a DAG node names, by version id
    artifacts: dict[str, Artifact]


@dataclass(frozen=True)
class Duplicate:
    """A ref that named a version another ref had already named."""

    ref: str
    model_id: str


@dataclass(frozen=True)
class Selection:
    """The distinct models to compare, in the order given, and the refs that collapsed."""

    models: list[Artifact]
    duplicates: list[Duplicate]


@dataclass(frozen=True)
class Comparison:
    models: list[Artifact]
    baseline: int
    duplicates: list[Duplicate]
    metrics: list[MetricRow]
    metadata: list[DiffRow]
    training_config: list[DiffRow]
    lineages: Lineages


def _refs(ids: list[str]) -> list[str]:
    return [i.strip() for i in ids if i.strip()]


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _check_count(n: int, duplicates: list[Duplicate]) -> None:
    if MIN_MODELS <= n <= MAX_MODELS:
        return
    repeated = "".join(f"; {d.ref!r} names {d.model_id}, given already" for d in duplicates)
    raise InvalidInput(
        f"compare {MIN_MODELS} to {MAX_MODELS} distinct models, got {n}{repeated}", field="ids"
    )


async def select(conn: Conn, ids: list[str]) -> Selection:
    """The models to compare, named by version or lineage ids, duplicates collapsed, in order."""
    refs = _refs(ids)
    distinct = list(dict.fromkeys(refs))
    if len(distinct) > MAX_MODELS:
        # Checked before any lookup: a long list costs nothing. (Two refs to one version
        # would collapse, but eleven names for at most ten models are a mistake anyway.)
        _check_count(len(distinct), [])
    found = await catalog_repo.by_refs_map(conn, distinct)
    missing = [i for i in distinct if i not in found]
    if missing:
        raise NotFound(f"no model {', '.join(repr(m) for m in missing)}", ids=missing)
    wrong = [i for i in distinct if found[i].kind is not Kind.MODEL]
    if wrong:
        raise InvalidInput(
            "only models can be compared: "
            + ", ".join(f"{i!r} is {_a(found[i].kind.value)}" for i in wrong),
            field="ids",
            code="WRONG_KIND",
        )
    models: dict[str, Artifact] = {}
    duplicates = []
    for ref in refs:
        a = found[ref]
        if a.id in models and Duplicate(ref, a.id) not in duplicates:
            duplicates.append(Duplicate(ref, a.id))
        models.setdefault(a.id, a)
    _check_count(len(models), duplicates)
    return Selection(list(models.values()), duplicates)


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
    """The distinct models ``ids`` name, in order."""
    return (await select(conn, ids)).models


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
    shares = overlap.ancestors(dags)
    shared, unique = overlap.ancestor_sets(shares, [m.id for m in models])
    return Lineages(
        training_data=overlap.data_overlap(trained_on),
        dags=dags,
        ancestors=shares,
        shared_ancestors=shared,
        unique_ancestors=unique,
        owners=overlap.node_owners(dags),
        merged=overlap.merged(dags),
        artifacts={a.id: a for a in reached.values()} | {m.id: m for m in models},
    )


async def baseline(conn: Conn, models: list[Artifact], ref: str | None) -> int:
    """The position of the baseline model ``ref`` names; ``lineage@alias`` is looked up."""
    if ref is not None and "@" in ref:
        found = await catalog_repo.by_refs_map(conn, [ref])
        ref = found[ref].id if ref in found else ref
    # The baseline is chosen by id: no metric direction takes part.
    return comparison.baseline_index([comparison.compared(m, {}) for m in models], ref)


async def compare(conn: Conn, ids: list[str], baseline_ref: str | None = None) -> Comparison:
    """The whole comparison (REST asks for all of it; GraphQL fetches parts on demand)."""
    chosen = await select(conn, ids)
    found = chosen.models
    base = await baseline(conn, found, baseline_ref)
    parts = await lineages(conn, found)
    declared = await declaration_repo.directions(conn, comparison.metric_names(found))
    return Comparison(
        models=found,
        baseline=base,
        duplicates=chosen.duplicates,
        metrics=comparison.metric_rows([comparison.compared(m, declared) for m in found], base),
        metadata=comparison.metadata_rows(found, base),
        training_config=comparison.config_rows(found, base),
        lineages=parts,
    )
