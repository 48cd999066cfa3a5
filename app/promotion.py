"""The gate a protected alias's move passes: the provenance-first trust rule at promotion.

The version an alias would point at must have complete provenance and not be archived, and
each gate metric must hold: at least as good as an absolute threshold, and better than the
version the alias holds now by a minimum improvement (absolute, or relative to the held
value). "Better" follows the registry's direction of the metric (app.metric_directions),
never the one a version was registered with. With nothing held yet, only the thresholds
apply. Pure: the caller fetches both versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app import metric_directions
from app.domain import Artifact
from app.errors import InvalidInput
from app.metric_values import exact

MAX_GATE_METRICS = 20


@dataclass(frozen=True)
class GateMetric:
    metric: str
    threshold: float | None = None  # the value must be at least as good as this
    min_improvement: float | None = None  # over the held version's value, in its units
    min_relative_improvement: float | None = None  # over the held value, as a fraction

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


def gate_from_json(raw: Sequence[Mapping[str, Any]]) -> list[GateMetric]:
    return [GateMetric(**m) for m in raw]


def check_gate(gate: Sequence[GateMetric]) -> None:
    if len(gate) > MAX_GATE_METRICS:
        raise InvalidInput(f"at most {MAX_GATE_METRICS} gate metrics", field="gate")
    for g in gate:
        if not g.metric or len(g.metric) > 100 or "\x00" in g.metric:
            raise InvalidInput("gate metric names are 1-100 characters, no NUL", field="gate")
        for name in ("min_improvement", "min_relative_improvement"):
            value = getattr(g, name)
            if value is not None and value < 0:
                raise InvalidInput(f"{name} of {g.metric!r} must be at least 0", field="gate")


@dataclass(frozen=True)
class Check:
    """One failed check: a stable code, the metric it is about, what was wanted and got."""

    code: str
    message: str
    metric: str | None = None
    wanted: float | None = None
    got: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


def _better(value: Decimal, than: Decimal, direction: str) -> Decimal:
    """How much better ``value`` is than ``than`` (negative: worse)."""
    return value - than if direction == metric_directions.HIGHER else than - value


def failed_checks(
    target: Artifact,
    held: Artifact | None,
    gate: Sequence[GateMetric],
    archived: bool,
    declared: Mapping[str, str],
) -> list[Check]:
    """Every check the move of an alias to ``target`` fails; empty when it may move.
    ``declared`` holds the registry's declarations (name to direction) of the gate's metrics."""
    m = target.model
    failed = []
    warnings = m.warnings if m else ()
    if warnings:
        codes = ", ".join(w.code.value for w in warnings)
        failed.append(
            Check("PROVENANCE_INCOMPLETE", f"{target.id} has provenance warnings: {codes}")
        )
    if archived:
        failed.append(Check("ARCHIVED", f"{target.id} is archived"))
    metrics = m.evaluation_metrics if m else {}
    before = held.model.evaluation_metrics if held and held.model else {}
    for g in gate:
        value = metrics.get(g.metric)
        if value is None:
            failed.append(Check("METRIC_MISSING", f"{target.id} has no {g.metric}", g.metric))
            continue
        direction = metric_directions.direction(g.metric, declared)
        v = exact(value)
        if g.threshold is not None and _better(v, exact(g.threshold), direction) < 0:
            failed.append(
                Check("BELOW_THRESHOLD", f"{g.metric} is {value}, the gate wants "
                      f"{g.threshold} or better", g.metric, g.threshold, value)
            )  # fmt: skip
        was = before.get(g.metric)
        if held is None or was is None:
            continue  # nothing held to improve on: only the threshold applies
        gain = _better(v, exact(was), direction)
        if g.min_improvement is not None and gain < exact(g.min_improvement):
            failed.append(
                Check("INSUFFICIENT_IMPROVEMENT", f"{g.metric} improves on {held.id} by "
                      f"{float(gain)}, the gate wants {g.min_improvement}", g.metric,
                      g.min_improvement, float(gain))
            )  # fmt: skip
        if g.min_relative_improvement is not None:
            relative = gain / abs(exact(was)) if was != 0 else None
            wanted = g.min_relative_improvement
            if relative is None or relative < exact(wanted):
                failed.append(
                    Check("INSUFFICIENT_IMPROVEMENT", f"{g.metric} improves on {held.id} by "
                          f"{'an undefined share' if relative is None else float(relative)}, "
                          f"the gate wants {wanted} of it", g.metric, wanted,
                          None if relative is None else float(relative))
                )  # fmt: skip
    return failed
