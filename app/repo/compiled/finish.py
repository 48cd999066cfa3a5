"""Parts of a compiled answer that a Python rule computes from what the statement fetched.

The comparison's metric rows and baseline are app.comparison's rule, one definition: the
statement fetches each compared model's metric inputs in place of those parts, and
:func:`apply` replaces them with the rule's answer, shaped as the query asked. Nothing the
rule refuses is answered here: a refusal hands the query to the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app import comparison, metric_values
from app.comparison import Compared, MetricCell, MetricRow
from app.errors import RegistryError
from app.repo.compiled import plan


class Refused(Exception):
    """The rule refused the inputs (for example an unknown baseline): the resolvers answer."""


@dataclass(frozen=True)
class Finisher:
    """Replace ``data[root][key]`` (the fetched inputs) with the rule's answer."""

    root: str
    key: str
    shape: plan.Shaped | None  # None: the baseline model's id
    baseline: str | None


# The SQL of the inputs, for the models' rows ``m`` in compare order.
INPUTS = (
    "(select json_agg(json_build_object('id', m.id, 'lineage', m.lineage_id, 'latest', "
    "m.is_latest, 'metrics', m.evaluation_metrics, 'intervals', m.metric_intervals, "
    "'directions', m.metric_directions, 'capped', jsonb_array_length(m.provenance_warnings) > 0"
    ") order by m.pos) from m)"
)


def _compared(raw: dict[str, Any]) -> Compared:
    return Compared(
        raw["id"],
        raw["lineage"],
        raw["latest"],
        raw["metrics"],
        {k: metric_values.interval_from_json(v) for k, v in raw["intervals"].items()},
        raw["directions"],
        raw["capped"],
    )


def _cell(c: MetricCell) -> dict[str, Any]:
    iv = c.interval
    return {
        "modelId": c.model_id,
        "value": c.value,
        "stderr": iv.stderr if iv else None,
        "lower": iv.lower if iv else None,
        "upper": iv.upper if iv else None,
        "delta": c.delta,
        "relativeDelta": c.relative_delta,
        "best": c.best,
        "withinUncertainty": c.within_uncertainty,
        "capped": c.capped,
        "baseline": c.baseline,
    }


def _row(r: MetricRow) -> dict[str, Any]:
    return {
        "name": r.name,
        "better": r.better.upper(),
        "verdict": r.verdict.name,
        "bestModelIds": list(r.best_model_ids),
        "leaderModelIds": list(r.leader_model_ids),
        "overlappingModelIds": list(r.overlapping_model_ids),
        "reportedCount": r.reported_count,
        "cells": r.cells,
    }


def _project(value: Any, shape: plan.Shaped, nested: Callable[[Any], dict[str, Any]]) -> Any:
    out: dict[str, Any] = {}
    for key, part in shape.fields:
        if isinstance(part, plan.Const):
            out[key] = part.value
        elif isinstance(part, plan.Shaped):
            out[key] = [_project(nested(v), part, nested) for v in value[part.name]]
        else:
            assert isinstance(part, str), part
            out[key] = value[part]
    return out


def _finish(f: Finisher, inputs: Sequence[dict[str, Any]]) -> Any:
    models = [_compared(raw) for raw in inputs]
    try:
        base = comparison.baseline_index(models, f.baseline)
    except RegistryError as e:
        raise Refused(str(e)) from e
    if f.shape is None:
        return models[base].model_id
    return [_project(_row(r), f.shape, _cell) for r in comparison.metric_rows(models, base)]


def apply(data: dict[str, Any], finishers: Sequence[Finisher]) -> None:
    """Replace each finisher's inputs in ``data`` with its answer (raises Refused)."""
    for f in finishers:
        parent = data[f.root]
        parent[f.key] = _finish(f, parent[f.key])
