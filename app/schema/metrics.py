"""GraphQL views of metrics: a model's metrics, their history, the registry's metric names.

The direction of every metric is the registry's (app.metric_directions), read through the
request's loader of declarations; a model's own registered directions only raise warnings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import strawberry

from app import domain, metric_directions
from app.schema.context import Context
from app.schema.values import HistorySampling, MetricDecision, MetricDirection
from app.service.metrics import MetricName

Info = strawberry.Info[Context, None]


@strawberry.type(description="One evaluation metric of a model.")
class Metric:
    name: str
    value: float

    better: MetricDirection = strawberry.field(
        description="The registry's direction of this metric's name (declareMetric, else "
        "inferred from the name), the same for every model."
    )
    stderr: float | None = strawberry.field(
        description="The standard error it was registered with, if any."
    )
    lower: float | None = strawberry.field(
        description="The interval's lower end: as registered, or value - 1.96 x stderr; "
        "null without an uncertainty."
    )
    upper: float | None = strawberry.field(
        description="The interval's upper end: as registered, or value + 1.96 x stderr."
    )


def metric(m: domain.ModelFields, name: str, declared: Mapping[str, str]) -> Metric:
    """One metric of a model, with its uncertainty and the registry's direction of it
    (``declared``: the registry's declarations, name to direction)."""
    interval = m.intervals.get(name)
    return Metric(
        name=name,
        value=m.evaluation_metrics[name],
        better=MetricDirection(metric_directions.direction(name, declared)),
        stderr=interval.stderr if interval else None,
        lower=interval.lower if interval else None,
        upper=interval.upper if interval else None,
    )


async def metrics_of(info: Info, models: Sequence[domain.ModelFields]) -> list[list[Metric]]:
    """The metrics of each model, by name. One wait for the declarations of every name, not
    one per metric: a page of models holds thousands of metrics, and a wait for each kept
    the event loop busy for a second at a time."""
    declared = await info.context.loaders.directions(
        n for m in models for n in m.evaluation_metrics
    )
    return [[metric(m, k, declared) for k in sorted(m.evaluation_metrics)] for m in models]


@strawberry.type(description="One version's metrics, a point of a metric trend.")
class MetricPoint:
    version_id: strawberry.ID
    version_number: int
    created_at: datetime
    metrics: list[Metric]


@strawberry.type(description="The metrics across a lineage's versions, oldest first.")
class MetricHistory:
    versions_count: int = strawberry.field(description="How many versions the lineage has.")
    sampling: HistorySampling = strawberry.field(description="Which versions the points are.")
    points: list[MetricPoint]


@strawberry.type(
    description="A direction the model was registered with that the registry's direction of "
    "the metric contradicts; the registry's decides compare, gates and sorting."
)
class MetricWarning:
    code: str = strawberry.field(description=metric_directions.CONFLICT)
    message: str
    metric: str
    declared: MetricDirection = strawberry.field(description="The direction given with the model.")
    registry: MetricDirection = strawberry.field(description="The registry's direction.")
    decided: MetricDecision = strawberry.field(
        description="Whether the registry's direction was declared or inferred from the name."
    )


async def warnings(info: Info, m: domain.ModelFields) -> list[MetricWarning]:
    """The model's own directions that the registry contradicts, by metric name."""
    own = m.metric_directions
    declared = await info.context.loaders.directions(own)
    return [
        MetricWarning(
            code=metric_directions.CONFLICT,
            message=c.message,
            metric=c.metric,
            declared=MetricDirection(c.declared),
            registry=MetricDirection(c.registry),
            decided=c.decided,
        )
        for c in metric_directions.conflicts(own, declared)
    ]


@strawberry.type(description="A metric name the registry knows: declared, or reported by a model.")
class RegistryMetric:
    name: str
    direction: MetricDirection = strawberry.field(
        description="Whether higher or lower is better, for every model."
    )
    decided: MetricDecision
    declared: bool = strawberry.field(description="Whether declareMetric declared it.")
    description: str | None = strawberry.field(description="Null when it is not declared.")
    declared_at: datetime | None = strawberry.field(description="When it was last declared.")
    declared_by: str | None = strawberry.field(description="The token that last declared it.")


def registry_metric(n: MetricName) -> RegistryMetric:
    d = n.declaration
    return RegistryMetric(
        name=n.name,
        direction=n.direction,
        decided=n.decided,
        declared=d is not None,
        description=d.description if d else None,
        declared_at=d.declared_at if d else None,
        declared_by=d.declared_by if d else None,
    )


@strawberry.type(description="A page of the metric names the registry knows, by name.")
class MetricPage:
    items: list[RegistryMetric]
    total: int = strawberry.field(description="How many names match, ignoring paging.")
