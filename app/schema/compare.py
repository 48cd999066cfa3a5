"""GraphQL view of a model comparison."""

from __future__ import annotations

import asyncio
from typing import cast

import strawberry

from app import comparison
from app.comparison import DiffRow as DomainDiffRow
from app.comparison import MetricRow
from app.comparison import Verdict as DomainVerdict
from app.domain import Artifact as DomainArtifact
from app.schema import compare_lineage
from app.schema.compare_lineage import ProvenanceComparison, TrainingDataOverlap
from app.schema.scalars import JSON
from app.schema.types import Info, Model, as_model
from app.schema.values import MetricDirection
from app.service import compare
from app.service.compare import Duplicate, Lineages

ID = strawberry.ID
MetricVerdict = DomainVerdict

strawberry.enum(
    DomainVerdict,
    name="MetricVerdict",
    description="BEST: one value (or a tie) is best beyond every other's uncertainty; "
    "WITHIN_UNCERTAINTY: the best value's interval meets another model's, so none is named; "
    "TOO_FEW_VALUES: fewer than two models report the metric.",
)


@strawberry.type
class MetricCell:
    model_id: ID
    value: float | None = strawberry.field(description="Null when the model lacks the metric.")
    stderr: float | None = strawberry.field(description="The standard error it was given with.")
    lower: float | None = strawberry.field(description="Its interval's lower end, if any.")
    upper: float | None = strawberry.field(description="Its interval's upper end, if any.")
    delta: float | None = strawberry.field(
        description="Value minus the baseline's, computed in decimal from the values as written."
    )
    relative_delta: float | None = strawberry.field(
        description="The delta in percent of the baseline's magnitude (6 significant digits); "
        "null when the baseline's value is 0 or missing."
    )
    best: bool = strawberry.field(description="The best value, when the verdict is BEST.")
    within_uncertainty: bool = strawberry.field(
        description="Within the best value's uncertainty (verdict WITHIN_UNCERTAINTY)."
    )
    capped: bool = strawberry.field(
        description="The model has provenance warnings: its quality score is capped."
    )
    baseline: bool


@strawberry.type
class MetricComparison:
    name: str
    better: MetricDirection
    verdict: MetricVerdict
    cells: list[MetricCell]
    best_model_ids: list[ID] = strawberry.field(
        description="The best value's models when the verdict is BEST (all of a tie); else empty."
    )
    leader_model_ids: list[ID] = strawberry.field(
        description="The models holding the best value, whatever the verdict."
    )
    overlapping_model_ids: list[ID] = strawberry.field(
        description="Under WITHIN_UNCERTAINTY: the leaders and the models whose interval meets "
        "theirs."
    )
    reported_count: int = strawberry.field(description="How many models report this metric.")


@strawberry.type
class DiffCell:
    model_id: ID
    present: bool = strawberry.field(description="False when the model lacks this key.")
    value: JSON | None
    differs_from_baseline: bool


@strawberry.type
class DiffRow:
    key: str
    differs: bool
    cells: list[DiffCell]


@strawberry.type(description="An id given again for a version already compared.")
class DuplicateId:
    id: ID
    model_id: ID = strawberry.field(description="The version it named, compared once.")


@strawberry.type(description="Models side by side, computed on the server.")
class ModelComparison:
    """Metrics and diffs come from the models alone; overlap and DAGs load links on demand."""

    found: strawberry.Private[list[DomainArtifact]]
    base: strawberry.Private[int]
    duplicate_refs: strawberry.Private[list[Duplicate]]
    lineages_task: strawberry.Private[asyncio.Future[Lineages] | None] = None

    async def _lineages(self, info: Info) -> Lineages:
        if self.lineages_task is None:
            self.lineages_task = asyncio.ensure_future(
                info.context.loaders.run(lambda c: compare.lineages(c, self.found))
            )
        lin = await self.lineages_task
        info.context.loaders.prime(list(lin.artifacts.values()))
        return lin

    @strawberry.field
    def models(self) -> list[Model]:
        return [as_model(m) for m in self.found]

    @strawberry.field(description="The model deltas are taken from.")
    def baseline_model_id(self) -> ID:
        return ID(self.found[self.base].id)

    @strawberry.field
    def duplicates(self) -> list[DuplicateId]:
        return [DuplicateId(id=ID(d.ref), model_id=ID(d.model_id)) for d in self.duplicate_refs]

    @strawberry.field
    async def metrics(self, info: Info) -> list[MetricComparison]:
        declared = await info.context.loaders.directions(comparison.metric_names(self.found))
        compared = [comparison.compared(m, declared) for m in self.found]
        return [metric_comparison(r) for r in comparison.metric_rows(compared, self.base)]

    @strawberry.field
    def metadata(self) -> list[DiffRow]:
        return _diff_rows(comparison.metadata_rows(self.found, self.base), self.found)

    @strawberry.field
    def training_config(self) -> list[DiffRow]:
        return _diff_rows(comparison.config_rows(self.found, self.base), self.found)

    @strawberry.field
    async def training_data(self, info: Info) -> TrainingDataOverlap:
        return compare_lineage.training_data(await self._lineages(info))

    @strawberry.field
    async def provenance(self, info: Info) -> ProvenanceComparison:
        return compare_lineage.provenance(await self._lineages(info))


def metric_comparison(r: MetricRow) -> MetricComparison:
    return MetricComparison(
        name=r.name,
        better=MetricDirection(r.better),
        verdict=r.verdict,
        cells=[
            MetricCell(
                model_id=ID(x.model_id),
                value=x.value,
                stderr=x.interval.stderr if x.interval else None,
                lower=x.interval.lower if x.interval else None,
                upper=x.interval.upper if x.interval else None,
                delta=x.delta,
                relative_delta=x.relative_delta,
                best=x.best,
                within_uncertainty=x.within_uncertainty,
                capped=x.capped,
                baseline=x.baseline,
            )
            for x in r.cells
        ],
        best_model_ids=[ID(i) for i in r.best_model_ids],
        leader_model_ids=[ID(i) for i in r.leader_model_ids],
        overlapping_model_ids=[ID(i) for i in r.overlapping_model_ids],
        reported_count=r.reported_count,
    )


def _diff_rows(rows: list[DomainDiffRow], models: list[DomainArtifact]) -> list[DiffRow]:
    return [
        DiffRow(
            key=r.key,
            differs=r.differs,
            cells=[
                DiffCell(
                    model_id=ID(m.id),
                    present=p,
                    value=cast(JSON, v) if p else None,
                    differs_from_baseline=d,
                )
                for m, v, p, d in zip(
                    models, r.values, r.present, r.differs_from_baseline, strict=True
                )
            ],
        )
        for r in rows
    ]
