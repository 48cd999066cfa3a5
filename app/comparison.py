"""Side-by-side comparison of model versions. Pure functions over domain values; no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app import metric_directions
from app.domain import Artifact, ModelFields, iso_utc


def _fields(a: Artifact) -> ModelFields:
    assert a.model is not None, f"{a.id} is not a model"
    return a.model


@dataclass(frozen=True)
class MetricCell:
    model_id: str
    value: float | None
    delta: float | None  # value minus the baseline's (the first model's)
    best: bool


@dataclass(frozen=True)
class MetricRow:
    name: str
    better: str
    cells: tuple[MetricCell, ...]
    best_model_ids: tuple[str, ...]


def metric_rows(models: Sequence[Artifact]) -> list[MetricRow]:
    """One row per metric name any model reports; a missing value is None, never 0."""
    names = sorted({n for m in models for n in _fields(m).evaluation_metrics})
    declared: dict[str, str] = {}
    for m in models:
        declared.update(_fields(m).metric_directions)
    rows = []
    for name in names:
        direction = metric_directions.direction(name, declared)
        values = [_fields(m).evaluation_metrics.get(name) for m in models]
        present = [v for v in values if v is not None]
        target = (max if direction == metric_directions.HIGHER else min)(present)
        base = values[0]
        cells = tuple(
            MetricCell(
                model_id=m.id,
                value=v,
                delta=None if v is None or base is None else v - base,
                best=v is not None and v == target,
            )
            for m, v in zip(models, values, strict=True)
        )
        best = tuple(c.model_id for c in cells if c.best)
        rows.append(MetricRow(name, direction, cells, best))
    return rows


@dataclass(frozen=True)
class DiffRow:
    """One attribute across models: ``present`` is False where a model lacks it."""

    key: str
    values: tuple[Any, ...]
    present: tuple[bool, ...]
    differs: bool


def _row(key: str, values: Sequence[Any], present: Sequence[bool]) -> DiffRow:
    seen = {repr(v) if p else "<missing>" for v, p in zip(values, present, strict=True)}
    return DiffRow(key, tuple(values), tuple(present), differs=len(seen) > 1)


def metadata_rows(models: Sequence[Artifact]) -> list[DiffRow]:
    """Family, architecture, size, version, date and scores, flagged where they differ."""
    getters: dict[str, Callable[[Artifact], Any]] = {
        "family": lambda a: _fields(a).family.value,
        "architecture": lambda a: _fields(a).architecture,
        "parameter_count": lambda a: _fields(a).parameter_count,
        "version_number": lambda a: a.version_number,
        "created_at": lambda a: iso_utc(a.created_at),
        "raw_quality_score": lambda a: _fields(a).raw_quality_score,
        "quality_score": lambda a: _fields(a).quality_score,
    }
    return [
        _row(key, [get(m) for m in models], [True] * len(models)) for key, get in getters.items()
    ]


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted keys; lists and scalars stay values."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def config_rows(models: Sequence[Artifact]) -> list[DiffRow]:
    """Training configurations as dotted keys; a key one model lacks is marked missing."""
    flats = [flatten(_fields(m).training_config) for m in models]
    keys = sorted({k for f in flats for k in f})
    return [_row(k, [f.get(k) for f in flats], [k in f for f in flats]) for k in keys]


@dataclass(frozen=True)
class DataOverlap:
    """Training datasets: shared at one version, one lineage at several versions, unique."""

    shared: tuple[str, ...]
    # lineage id -> (model id, dataset version id) for every model trained on that lineage
    version_splits: dict[str, tuple[tuple[str, str], ...]]
    unique: dict[str, tuple[str, ...]]


def data_overlap(trained_on: Mapping[str, Sequence[Artifact]]) -> DataOverlap:
    """Compare the dataset versions each model (in order) was trained on."""
    model_ids = list(trained_on)
    every = [{d.id for d in trained_on[m]} for m in model_ids]
    shared = set.intersection(*every) if every else set()
    by_lineage: dict[str, list[tuple[str, str]]] = {}
    for m in model_ids:
        for d in trained_on[m]:
            by_lineage.setdefault(d.lineage_id, []).append((m, d.id))
    splits = {
        lineage: tuple(pairs)
        for lineage, pairs in sorted(by_lineage.items())
        if len({v for _, v in pairs}) > 1
    }
    in_split = {v for pairs in splits.values() for _, v in pairs}
    unique = {}
    for m, ids in zip(model_ids, every, strict=True):
        others = set().union(*(e for o, e in zip(model_ids, every, strict=True) if o != m))
        unique[m] = tuple(sorted(ids - others - in_split))
    return DataOverlap(tuple(sorted(shared)), splits, unique)


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


def ancestor_sets(dags: Sequence[Dag]) -> tuple[list[str], dict[str, list[str]]]:
    """Ancestors every model shares, and those only one model has."""
    ancestors = {d.model_id: set(d.nodes) - {d.model_id} for d in dags}
    shared = set.intersection(*ancestors.values()) if ancestors else set()
    unique = {}
    for mid, own in ancestors.items():
        others = set().union(*(a for o, a in ancestors.items() if o != mid))
        unique[mid] = sorted(own - others)
    return sorted(shared), unique
