"""Side-by-side comparison of model versions. Pure functions over domain values; no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app import metric_directions, metric_values
from app.domain import Artifact, ModelFields, iso_utc
from app.errors import InvalidInput
from app.metric_values import Interval


def _fields(a: Artifact) -> ModelFields:
    assert a.model is not None, f"{a.id} is not a model"
    return a.model


class Verdict(StrEnum):
    """What a metric row may say about the best value."""

    BEST = "best"
    WITHIN_UNCERTAINTY = "within_uncertainty"  # the best value's interval meets another's
    TOO_FEW_VALUES = "too_few_values"  # fewer than two models report the metric


@dataclass(frozen=True)
class Compared:
    """What the metric rule and the baseline read of one compared model."""

    model_id: str
    lineage_id: str
    is_latest: bool
    metrics: Mapping[str, float]
    intervals: Mapping[str, Interval]
    # The registry's declared directions of its metrics (app.metric_directions); the
    # directions the model was registered with decide nothing.
    directions: Mapping[str, str]
    capped: bool  # provenance warnings cap its quality score


def compared(a: Artifact, declared: Mapping[str, str]) -> Compared:
    """What the rule reads of model ``a``, with the registry's declarations (name to
    direction) of at least its metric names."""
    m = _fields(a)
    return Compared(
        a.id,
        a.lineage_id,
        a.is_latest,
        m.evaluation_metrics,
        m.intervals,
        {n: declared[n] for n in m.evaluation_metrics if n in declared},
        bool(m.warnings),
    )


def metric_names(models: Sequence[Artifact]) -> list[str]:
    """Every metric name any of ``models`` reports, sorted."""
    return sorted({n for a in models for n in _fields(a).evaluation_metrics})


def baseline_index(models: Sequence[Compared], ref: str | None) -> int:
    """The position of the baseline model: the first unless ``ref`` names another compared
    version (by its id, or by its lineage's id)."""
    if ref is None:
        return 0
    # The version with that id; else the latest of that lineage; else its first compared one.
    ranks = [(c.model_id != ref, c.lineage_id != ref, not c.is_latest) for c in models]
    found = min(range(len(models)), key=lambda i: ranks[i])
    if not (ranks[found][0] and ranks[found][1]):
        return found
    raise InvalidInput(
        f"baseline {ref!r} is not one of the compared models "
        f"({', '.join(c.model_id for c in models)})",
        field="baseline",
    )


@dataclass(frozen=True)
class MetricCell:
    model_id: str
    value: float | None
    interval: Interval | None
    base: float | None  # the baseline model's value
    best: bool
    within_uncertainty: bool
    capped: bool
    baseline: bool

    # Computed when read: decimal arithmetic is the costly part of a row, and few ask both.
    @property
    def delta(self) -> float | None:
        """The value minus the baseline's, exact in decimal."""
        return metric_values.delta(self.value, self.base)

    @property
    def relative_delta(self) -> float | None:
        """The delta in percent of the baseline's magnitude; None when that is 0."""
        return metric_values.relative_delta(self.value, self.base)


@dataclass(frozen=True)
class MetricRow:
    name: str
    better: str
    verdict: Verdict
    cells: tuple[MetricCell, ...]
    best_model_ids: tuple[str, ...]  # only under Verdict.BEST
    leader_model_ids: tuple[str, ...]  # the best value's models, whatever the verdict
    overlapping_model_ids: tuple[str, ...]  # under WITHIN_UNCERTAINTY: leaders and overlaps
    reported_count: int


def _judge(
    values: Sequence[float | None], intervals: Sequence[Interval | None], direction: str
) -> tuple[Verdict, set[int], set[int]]:
    """The verdict, the leaders' positions and the positions within their uncertainty."""
    # A value without an interval is a point.
    spans = {
        i: iv or Interval(v, v)
        for i, (v, iv) in enumerate(zip(values, intervals, strict=True))
        if v is not None
    }
    if not spans:
        return Verdict.TOO_FEW_VALUES, set(), set()
    pick = max if direction == metric_directions.HIGHER else min
    target = pick(v for v in values if v is not None)
    leaders = {i for i in spans if values[i] == target}
    if len(spans) < 2:
        return Verdict.TOO_FEW_VALUES, leaders, set()
    near = {
        i
        for i, span in spans.items()
        if i not in leaders and any(span.overlaps(spans[j]) for j in leaders)
    }
    if near:
        return Verdict.WITHIN_UNCERTAINTY, leaders, leaders | near
    return Verdict.BEST, leaders, set()


def metric_rows(models: Sequence[Compared], baseline: int = 0) -> list[MetricRow]:
    """One row per metric name any model reports; a missing value is None, never 0.

    A best value is named only when at least two models report the metric and no other
    model's interval (a bare number is a point) meets the best one's; otherwise the row
    says why not. Deltas are taken from the baseline model, exactly. The direction of a
    name is the registry's: the same for every model.
    """
    names = sorted({n for m in models for n in m.metrics})
    declared: dict[str, str] = {}
    for m in models:
        declared.update(m.directions)
    rows = []
    for name in names:
        direction = metric_directions.direction(name, declared)
        values = [m.metrics.get(name) for m in models]
        intervals = [m.intervals.get(name) for m in models]
        verdict, leaders, near = _judge(values, intervals, direction)
        best = leaders if verdict is Verdict.BEST else set()
        base = values[baseline]
        cells = tuple(
            MetricCell(
                model_id=m.model_id,
                value=None if v is None else float(v),
                interval=iv,
                base=base,
                best=i in best,
                within_uncertainty=i in near,
                capped=m.capped,
                baseline=i == baseline,
            )
            for i, (m, v, iv) in enumerate(zip(models, values, intervals, strict=True))
        )

        def ids(positions: set[int]) -> tuple[str, ...]:
            return tuple(models[i].model_id for i in sorted(positions))

        rows.append(
            MetricRow(
                name,
                direction,
                verdict,
                cells,
                ids(best),
                ids(leaders),
                ids(near),
                sum(v is not None for v in values),
            )
        )
    return rows


@dataclass(frozen=True)
class DiffRow:
    """One attribute across models: ``present`` is False where a model lacks it."""

    key: str
    values: tuple[Any, ...]
    present: tuple[bool, ...]
    differs: bool
    differs_from_baseline: tuple[bool, ...]


def _row(key: str, values: Sequence[Any], present: Sequence[bool], baseline: int) -> DiffRow:
    seen = [repr(v) if p else "<missing>" for v, p in zip(values, present, strict=True)]
    return DiffRow(
        key,
        tuple(values),
        tuple(present),
        differs=len(set(seen)) > 1,
        differs_from_baseline=tuple(s != seen[baseline] for s in seen),
    )


def metadata_rows(models: Sequence[Artifact], baseline: int = 0) -> list[DiffRow]:
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
        _row(key, [get(m) for m in models], [True] * len(models), baseline)
        for key, get in getters.items()
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


def config_rows(models: Sequence[Artifact], baseline: int = 0) -> list[DiffRow]:
    """Training configurations as dotted keys; a key one model lacks is marked missing."""
    flats = [flatten(_fields(m).training_config) for m in models]
    keys = sorted({k for f in flats for k in f})
    return [_row(k, [f.get(k) for f in flats], [k in f for f in flats], baseline) for k in keys]
