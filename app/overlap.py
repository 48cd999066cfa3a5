"""What compared models have in common: training data and provenance ancestors.

Pure functions over domain values, no I/O. Every dataset version a compared model was trained
on, and every ancestor it has, appears once, with the models that share it. Two different
dataset versions with the same strong digest (app.locations.same_content) hold the same bytes:
the similarity figures count them as one, and ``same_content`` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from app import locations
from app.domain import Artifact


class Sharing(StrEnum):
    ALL = "all"  # every compared model
    SOME = "some"  # two or more, not all
    ONE = "one"


def sharing(having: int, models: int) -> Sharing:
    if having >= models:
        return Sharing.ALL
    return Sharing.SOME if having > 1 else Sharing.ONE


@dataclass(frozen=True)
class Share:
    """One dataset version or ancestor, and the compared models (in order) that have it."""

    id: str
    model_ids: tuple[str, ...]
    sharing: Sharing


@dataclass(frozen=True)
class Jaccard:
    shared: int
    union: int

    @property
    def value(self) -> float | None:
        return self.shared / self.union if self.union else None


@dataclass(frozen=True)
class Similarity:
    model_ids: tuple[str, str]
    versions: Jaccard  # over the dataset versions each was trained on
    lineages: Jaccard  # over those versions' lineages


def _jaccard(a: set[str], b: set[str]) -> Jaccard:
    return Jaccard(len(a & b), len(a | b))


@dataclass(frozen=True)
class SameContent:
    """Different dataset versions (by id) holding the same bytes, and the compared models (in
    order) trained on any of them."""

    dataset_ids: tuple[str, ...]
    model_ids: tuple[str, ...]


def _content(d: Artifact) -> str:
    """What the similarity figures count: the bytes when a strong digest names them."""
    return f"digest:{d.digest}" if d.digest and locations.is_strong(d.digest) else d.id


def _same_content(
    trained_on: Mapping[str, Sequence[Artifact]], datasets: Sequence[Share]
) -> tuple[SameContent, ...]:
    by_id = {d.id: d for ds in trained_on.values() for d in ds}
    groups: dict[str, list[Share]] = {}
    for share in datasets:
        digest = by_id[share.id].digest
        if digest and locations.is_strong(digest):
            groups.setdefault(digest, []).append(share)
    order = list(trained_on)
    out = []
    for shares in groups.values():
        if len(shares) > 1:
            having = {m for s in shares for m in s.model_ids}
            out.append(
                SameContent(tuple(s.id for s in shares), tuple(m for m in order if m in having))
            )
    return tuple(sorted(out, key=lambda g: g.dataset_ids))


@dataclass(frozen=True)
class DataOverlap:
    """Each trained-on version is in exactly one group: a lineage used at several versions is
    a split; any other version is shared by all, shared by some, or unique."""

    shared: tuple[str, ...]
    shared_by_some: tuple[Share, ...]
    # lineage id -> (model id, dataset version id) for every model trained on that lineage
    version_splits: dict[str, tuple[tuple[str, str], ...]]
    unique: dict[str, tuple[str, ...]]
    datasets: tuple[Share, ...]  # every version, once, by id
    similarity: tuple[Similarity, ...]  # every pair, in compare order
    same_content: tuple[SameContent, ...] = ()  # groups of two or more versions, by first id


def _shares(having: Mapping[str, Sequence[str]], model_ids: Sequence[str]) -> list[Share]:
    """``having`` maps each model to what it has; the result lists each thing once, by id."""
    owners: dict[str, list[str]] = {}
    for m in model_ids:
        for thing in dict.fromkeys(having.get(m, ())):
            owners.setdefault(thing, []).append(m)
    return [
        Share(thing, tuple(ms), sharing(len(ms), len(model_ids)))
        for thing, ms in sorted(owners.items())
    ]


def data_overlap(trained_on: Mapping[str, Sequence[Artifact]]) -> DataOverlap:
    """Compare the dataset versions each model (in order) was trained on."""
    model_ids = list(trained_on)
    datasets = _shares({m: [d.id for d in ds] for m, ds in trained_on.items()}, model_ids)
    lineage_of = {d.id: d.lineage_id for ds in trained_on.values() for d in ds}
    versions_of: dict[str, set[str]] = {}
    for d in datasets:
        versions_of.setdefault(lineage_of[d.id], set()).add(d.id)
    split = {lineage for lineage, vs in versions_of.items() if len(vs) > 1}
    splits = {
        lineage: tuple(
            (m, d.id) for m in model_ids for d in trained_on[m] if d.lineage_id == lineage
        )
        for lineage in sorted(split)
    }
    rest = [d for d in datasets if lineage_of[d.id] not in split]
    unique: dict[str, tuple[str, ...]] = {m: () for m in model_ids}
    for d in rest:
        if d.sharing is Sharing.ONE:
            unique[d.model_ids[0]] += (d.id,)
    versions = {m: {_content(d) for d in ds} for m, ds in trained_on.items()}
    lineages = {m: {d.lineage_id for d in ds} for m, ds in trained_on.items()}
    return DataOverlap(
        shared=tuple(d.id for d in rest if d.sharing is Sharing.ALL),
        shared_by_some=tuple(d for d in rest if d.sharing is Sharing.SOME),
        version_splits=splits,
        unique=unique,
        datasets=tuple(datasets),
        similarity=tuple(
            Similarity(
                (a, b), _jaccard(versions[a], versions[b]), _jaccard(lineages[a], lineages[b])
            )
            for a, b in combinations(model_ids, 2)
        ),
        same_content=_same_content(trained_on, datasets),
    )


@dataclass(frozen=True)
class DagEdge:
    source: str
    target: str
    type: str
    pinned: bool


@dataclass(frozen=True)
class Dag:
    model_id: str
    nodes: tuple[str, ...]
    edges: tuple[DagEdge, ...]


def ancestors(dags: Sequence[Dag]) -> list[Share]:
    """Every ancestor of any compared model, with the models it is an ancestor of."""
    return _shares({d.model_id: d.nodes[1:] for d in dags}, [d.model_id for d in dags])


def ancestor_sets(
    shares: Sequence[Share], model_ids: Sequence[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Ancestors every model shares, and those only one model has."""
    shared = [s.id for s in shares if s.sharing is Sharing.ALL]
    unique: dict[str, list[str]] = {m: [] for m in model_ids}
    for s in shares:
        if s.sharing is Sharing.ONE:
            unique[s.model_ids[0]].append(s.id)
    return shared, unique


@dataclass(frozen=True)
class MergedNode:
    id: str
    compared: bool
    model_ids: tuple[str, ...]  # the compared models it is (or is an ancestor of)
    sharing: Sharing


@dataclass(frozen=True)
class MergedEdge:
    source: str
    target: str
    type: str
    pinned: bool
    model_ids: tuple[str, ...]  # the models whose provenance graph has this edge


@dataclass(frozen=True)
class Merged:
    nodes: tuple[MergedNode, ...]
    edges: tuple[MergedEdge, ...]


def node_owners(dags: Sequence[Dag]) -> dict[str, tuple[str, ...]]:
    """For each node of any graph, the compared models whose graph holds it, in order."""
    owners: dict[str, list[str]] = {}
    for d in dags:
        for n in d.nodes:
            owners.setdefault(n, []).append(d.model_id)
    return {n: tuple(ms) for n, ms in owners.items()}


def merged(dags: Sequence[Dag]) -> Merged:
    """One graph of all the compared models' provenance: compared models first, then the
    ancestors in the order the graphs reach them."""
    compared = {d.model_id for d in dags}
    owners = node_owners(dags)
    reached = {node: i for i, node in enumerate(owners)}
    order = sorted(owners, key=lambda node: (node not in compared, reached[node]))
    edges: dict[tuple[str, str, str], tuple[bool, list[str]]] = {}
    for d in dags:
        for e in d.edges:
            _, ms = edges.setdefault((e.source, e.target, e.type), (e.pinned, []))
            ms.append(d.model_id)
    n = len(dags)
    return Merged(
        nodes=tuple(
            MergedNode(i, i in compared, owners[i], sharing(len(owners[i]), n)) for i in order
        ),
        edges=tuple(
            MergedEdge(s, t, ty, pinned, tuple(ms)) for (s, t, ty), (pinned, ms) in edges.items()
        ),
    )
