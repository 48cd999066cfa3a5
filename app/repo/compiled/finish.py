"""Parts of a compiled answer that a Python rule computes from what the statement fetched.

The comparison's metric rows and baseline are app.comparison's rule, one definition: the
statement fetches each compared model's metric inputs in place of those parts, and
:func:`apply` replaces them with the rule's answer, shaped as the query asked. Nothing the
rule refuses is answered here: a refusal hands the query to the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import comparison, metric_values
from app.comparison import Compared, MetricCell, MetricRow
from app.errors import RegistryError
from app.repo import metric_declarations
from app.repo.compiled import plan
from app.search import cursor


class Refused(Exception):
    """The rule refused the inputs (for example an unknown baseline): the resolvers answer."""


@dataclass(frozen=True)
class Finisher:
    """Replace ``data[root][key]`` (the fetched inputs) with the rule's answer."""

    root: str
    key: str
    shape: plan.Shaped | None  # None: the baseline model's id
    baseline: str | None


# The SQL of the inputs, for the models' rows ``m`` in compare order; the directions are the
# registry's declarations of each model's metric names, read in the same statement.
INPUTS = (
    "(select json_agg(json_build_object('id', m.id, 'lineage', m.lineage_id, 'latest', "
    "m.is_latest, 'metrics', m.evaluation_metrics, 'intervals', m.metric_intervals, "
    f"'directions', {metric_declarations.declared_sql('m.evaluation_metrics')}, "
    "'capped', jsonb_array_length(m.provenance_warnings) > 0) order by m.pos) from m)"
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


# Each leaf of a metric row and of its cells, as GraphQL writes it; only those asked for are
# computed (a delta costs decimal arithmetic).
ROW_LEAVES: dict[str, Callable[[MetricRow], Any]] = {
    "name": lambda r: r.name,
    "better": lambda r: r.better.upper(),
    "verdict": lambda r: r.verdict.name,
    "bestModelIds": lambda r: list(r.best_model_ids),
    "leaderModelIds": lambda r: list(r.leader_model_ids),
    "overlappingModelIds": lambda r: list(r.overlapping_model_ids),
    "reportedCount": lambda r: r.reported_count,
}
CELL_LEAVES: dict[str, Callable[[MetricCell], Any]] = {
    "modelId": lambda c: c.model_id,
    "value": lambda c: c.value,
    "stderr": lambda c: c.interval.stderr if c.interval else None,
    "lower": lambda c: c.interval.lower if c.interval else None,
    "upper": lambda c: c.interval.upper if c.interval else None,
    "delta": lambda c: c.delta,
    "relativeDelta": lambda c: c.relative_delta,
    "best": lambda c: c.best,
    "withinUncertainty": lambda c: c.within_uncertainty,
    "capped": lambda c: c.capped,
    "baseline": lambda c: c.baseline,
}


def _project(value: Any, shape: plan.Shaped, leaves: dict[str, Callable[[Any], Any]]) -> Any:
    out: dict[str, Any] = {}
    for key, part in shape.fields:
        if isinstance(part, plan.Const):
            out[key] = part.value
        elif isinstance(part, plan.Shaped):
            assert part.name == "cells", part.name
            out[key] = [_project(c, part, CELL_LEAVES) for c in value.cells]
        else:
            assert isinstance(part, str), part
            out[key] = leaves[part](value)
    return out


def _finish(f: Finisher, inputs: Sequence[dict[str, Any]]) -> Any:
    models = [_compared(raw) for raw in inputs]
    try:
        base = comparison.baseline_index(models, f.baseline)
    except RegistryError as e:
        raise Refused(str(e)) from e
    if f.shape is None:
        return models[base].model_id
    return [_project(r, f.shape, ROW_LEAVES) for r in comparison.metric_rows(models, base)]


def apply(data: dict[str, Any], finishers: Sequence[Finisher | Cursors]) -> None:
    """Replace each finisher's inputs in ``data`` with its answer (raises Refused)."""
    for f in finishers:
        parent = data[f.root]
        if isinstance(f, Cursors):
            parent[f.key] = _cursors(f, parent[f.key])
        else:
            parent[f.key] = _finish(f, parent[f.key])


@dataclass(frozen=True)
class Cursors:
    """Replace ``data[root][key]`` (the [sort value, id] of page items) with cursors: a list
    of them, or the one after the last item (``last``; null when no page follows)."""

    root: str
    key: str
    fingerprint: str
    # What the sort values are: "timestamptz" (fetched as JSON text), "float8" (a JSON number
    # without a fraction is still a float) or "int8".
    sql_type: str
    last: bool


def _cursor(f: Cursors, pair: list[Any]) -> str:
    value, item = pair
    if value is not None and f.sql_type == "timestamptz":
        value = datetime.fromisoformat(value)
    elif value is not None and f.sql_type == "float8":
        value = float(value)
    return cursor.encode(f.fingerprint, cursor.Position(value, item))


def _cursors(f: Cursors, fetched: Any) -> Any:
    if f.last:
        return None if fetched is None else _cursor(f, fetched)
    return [_cursor(f, pair) for pair in fetched]
