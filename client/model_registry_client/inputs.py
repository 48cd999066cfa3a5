"""What the client sends: inputs as frozen dataclasses, turned into GraphQL variables.

Field names are the schema's in snake_case, so each becomes its GraphQL name mechanically;
fields left at None are not sent and take the registry's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

MetricValue = float | Mapping[str, float]
# ModelSortField, as REST spells it.
SORT_FIELDS = ("quality_score", "created_at", "parameter_count")


def camel(name: str) -> str:
    """``lineage_id`` as GraphQL spells it: ``lineageId``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _value(v) for k, v in value.items()}
    return value


class GraphQLInput:
    """Turns a dataclass into its GraphQL input object."""

    # Fields whose values are GraphQL enums: sent in upper case, given in any.
    enums: tuple[str, ...] = ()

    def to_graphql(self) -> dict[str, Any]:
        """The input object as GraphQL variables carry it."""
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name in self.enums:
                value = str(value).upper()
            out[camel(f.name)] = _value(value)
        return out


@dataclass(frozen=True)
class DatasetInput(GraphQLInput):
    """The next version of a dataset lineage, and where its bytes are."""

    lineage_id: str
    title: str
    description: str = ""
    metadata: Mapping[str, Any] | None = None
    uri: str | None = None
    digest: str | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class HypothesisInput(GraphQLInput):
    """The next version of a hypothesis lineage."""

    lineage_id: str
    title: str
    description: str = ""
    metadata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class AnalysisInput(GraphQLInput):
    """The next version of an analysis lineage; a version id in ``inputs`` pins that version."""

    lineage_id: str
    title: str
    description: str = ""
    metadata: Mapping[str, Any] | None = None
    inputs: Sequence[str] = ()
    addresses: Sequence[str] = ()


@dataclass(frozen=True)
class ModelInput(GraphQLInput):
    """The next version of a model lineage with its metrics and provenance links."""

    enums = ("family",)

    lineage_id: str
    title: str
    family: str
    raw_quality_score: float
    description: str = ""
    metadata: Mapping[str, Any] | None = None
    architecture: str = ""
    parameter_count: int = 0
    training_config: Mapping[str, Any] | None = None
    evaluation_metrics: Mapping[str, MetricValue] | None = None
    metric_directions: Mapping[str, str] | None = None
    trained_on: Sequence[str] = ()
    produced_by: str | None = None
    tests_hypotheses: Sequence[str] = ()
    derived_from: Sequence[str] = ()
    uri: str | None = None
    digest: str | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class Link(GraphQLInput):
    """A link from a version to ``target``: a version id pins it, a lineage id floats."""

    enums = ("type",)

    type: str
    target: str


@dataclass(frozen=True)
class GateMetric(GraphQLInput):
    """A metric a protected alias's gate checks."""

    metric: str
    threshold: float | None = None
    min_improvement: float | None = None
    min_relative_improvement: float | None = None


@dataclass(frozen=True)
class Sort:
    """A model sort: a field (``quality_score``) or a metric, and an order.

    Written as text the way REST reads it: ``quality_score``, ``created_at:asc``,
    ``metric:rmse`` (best first by the registry's direction) or ``metric:rmse:desc``.
    """

    field: str | None = None
    metric: str | None = None
    order: str | None = None

    @classmethod
    def parse(cls, text: str) -> Sort:
        """The sort ``text`` names; ValueError for one the registry would refuse."""
        parts = text.strip().split(":")
        order = None
        if parts[0].lower() == "metric":
            if len(parts) not in (2, 3) or not parts[1]:
                raise ValueError(f"a metric sort is metric:<name>[:order], not {text!r}")
            order = parts[2] if len(parts) == 3 else None
            sort = cls(metric=parts[1], order=order)
        else:
            if len(parts) > 2:
                raise ValueError(f"a sort is <field>[:order], not {text!r}")
            order = parts[1] if len(parts) == 2 else None
            sort = cls(field=parts[0].lower(), order=order)
            if sort.field not in SORT_FIELDS:
                raise ValueError(f"sort by one of {', '.join(SORT_FIELDS)} or metric:<name>")
        allowed = ("best", "asc", "desc") if sort.metric else ("asc", "desc")
        if order is not None and order.lower() not in allowed:
            raise ValueError(f"the order of {text!r} is one of {', '.join(allowed)}")
        return sort

    def to_graphql(self) -> dict[str, Any]:
        """The ``ModelSort`` input."""
        if self.metric is not None:
            return {"metric": {"name": self.metric, "order": (self.order or "best").upper()}}
        return {"field": str(self.field).upper(), "direction": (self.order or "desc").upper()}

    def rest_params(self) -> dict[str, str]:
        """The ``sort`` and ``order`` parameters of ``GET /api/models``."""
        params = {"sort": f"metric:{self.metric}" if self.metric else str(self.field)}
        if self.order is not None and self.order.lower() != "best":
            params["order"] = self.order.lower()
        return params


def as_sort(sort: Sort | str | None) -> Sort | None:
    """A sort given as text or as a Sort."""
    return Sort.parse(sort) if isinstance(sort, str) else sort
