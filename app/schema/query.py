"""The root Query: lists, lookups by id or lineage id, and the lineage graph."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app import domain, locations, paging
from app.domain import Kind
from app.repo import locations as location_repo
from app.schema import filter_inputs, kind_filters
from app.schema.compare import ModelComparison
from app.schema.feed import events_field
from app.schema.filter_inputs import ModelFilter, ModelSort, catalog_filter
from app.schema.lineage import LineageGraph, graph
from app.schema.lineage_runs import LineageRun, lineage_run
from app.schema.metrics import MetricPage, registry_metric
from app.schema.pages import AnalysisPage, AuditEntry, DatasetPage, HypothesisPage, ModelPage
from app.schema.types import (
    Analysis,
    Artifact,
    Dataset,
    GateCheck,
    GateMetricRule,
    Hypothesis,
    Info,
    LineageAlias,
    Model,
    to_gql,
)
from app.schema.values import LIMIT, PAGED, Limit, LineageDirection, Offset
from app.schema.webhooks import WebhookQuery
from app.service import aliases, catalog, compare, lineage, metrics, writes


async def _one(info: Info, ref: str, kind: Kind | None) -> domain.Artifact | None:
    """The version ``ref`` names, if it is of ``kind``; an unknown alias is an error (a
    deployment asking for ``model@production`` must hear that there is none)."""
    found = await info.context.loaders.artifact.load(ref)
    if found is None:
        aliases.check_known(ref)
    if found is None or (kind is not None and found.kind is not kind):
        return None
    return found


def _lookup(kind: Kind | None, result: type, description: str | None = None) -> Any:
    """A root field answering one artifact of ``kind`` (any kind when None) by id."""

    async def resolve(info: Info, id: strawberry.ID) -> Any:
        found = await _one(info, id, kind)
        return to_gql(found) if found else None

    # Strawberry reads the schema's types from the annotations.
    resolve.__annotations__["return"] = result | None
    return strawberry.field(resolver=resolve, description=description)


_AFTER = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor from `cursors` or `nextCursor` of this filter and sort: "
        "the items after it (keyset paging; leave `offset` at 0)."
    ),
]


def _kind_page(kind: Kind, page_type: type) -> Any:
    """A root field answering a page of datasets, analyses or hypotheses, newest first."""

    async def resolve(
        info: Info,
        filter: Any = None,
        latest_only: bool = False,
        search: str | None = None,
        limit: int = paging.PAGE_DEFAULT,
        offset: int = 0,
        after: _AFTER = None,
    ) -> Any:
        q = catalog.kind_query(
            kind,
            filter_inputs.tree(filter, kind=kind.value),
            latest_only=latest_only,
            search=search,
            limit=limit,
            offset=offset,
            after=after,
        )
        return page_type(query=q)

    # Strawberry reads the schema's types from the annotations.
    resolve.__annotations__["filter"] = kind_filters.BY_KIND[kind.value] | None
    resolve.__annotations__["return"] = page_type
    return strawberry.field(resolver=resolve)


@strawberry.type
class Query(WebhookQuery):
    @strawberry.field(description="Models, filtered, sorted (ties broken by id) and paged.")
    async def models(
        self,
        info: Info,
        filter: ModelFilter | None = None,
        sort: ModelSort | None = None,
        limit: int = 20,
        offset: int = 0,
        after: _AFTER = None,
    ) -> ModelPage:
        s = sort or ModelSort()
        wanted, where = catalog_filter(filter)
        metric = None if s.metric is None else (s.metric.name, s.metric.order)
        q = await info.context.loaders.run(
            lambda c: catalog.model_query(
                c,
                wanted,
                s.field.value,
                s.direction.value,
                limit,
                offset,
                where=where,
                by_metric=metric,
                after=after,
            )
        )
        return ModelPage(query=q)

    events = events_field()
    model = _lookup(
        Kind.MODEL, Model, "A model by version id, or by lineage id for its latest version."
    )
    dataset = _lookup(Kind.DATASET, Dataset)
    analysis = _lookup(Kind.ANALYSIS, Analysis)
    hypothesis = _lookup(Kind.HYPOTHESIS, Hypothesis)
    artifact = _lookup(None, Artifact, "Any artifact by version id or lineage id.")
    datasets = _kind_page(Kind.DATASET, DatasetPage)
    analyses = _kind_page(Kind.ANALYSIS, AnalysisPage)
    hypotheses = _kind_page(Kind.HYPOTHESIS, HypothesisPage)

    @strawberry.field(
        description="Compare 2 to 10 models (version or lineage ids; a repeated model is "
        "compared once and listed in `duplicates`): metrics with verdicts and deltas from the "
        "baseline, metadata and configuration diffs, training data overlap, provenance."
    )
    async def compare_models(
        self,
        info: Info,
        ids: list[strawberry.ID],
        baseline: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The model deltas are taken from (a version or lineage id among "
                "`ids`); the first when left out."
            ),
        ] = None,
    ) -> ModelComparison:
        wanted = [str(i) for i in ids]
        chosen = await info.context.loaders.run(lambda c: compare.select(c, wanted))
        info.context.loaders.prime(chosen.models)
        ref = None if baseline is None else str(baseline)
        base = await info.context.loaders.run(lambda c: compare.baseline(c, chosen.models, ref))
        return ModelComparison(found=chosen.models, base=base, duplicate_refs=chosen.duplicates)

    @strawberry.field(
        description="Every dataset and model version whose bytes have this digest, by id "
        "(the digest is normalised as at registration: an 8-hex one is mlflow:<hex>)." + PAGED
    )
    async def artifacts_by_digest(
        self, info: Info, digest: str, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[Artifact]:
        paging.check_nested(limit, offset)
        stored = locations.normalise_digest(digest)
        cap = min(limit, info.context.loaders.allowance.cap())
        found = await info.context.loaders.run(
            lambda c: location_repo.by_digest(c, stored, cap, offset)
        )
        await info.context.spend(len(found))
        info.context.loaders.prime(found)
        return [to_gql(a) for a in found]

    @strawberry.field(
        description="The aliases of a lineage, by name: the version each points at and, for a "
        "protected one, its gate and whether that version passes it now."
    )
    async def aliases(self, info: Info, lineage_id: strawberry.ID) -> list[LineageAlias]:
        found = await info.context.loaders.run(lambda c: aliases.of_lineage(c, str(lineage_id)))
        info.context.loaders.prime([s.version for s in found])
        return [
            LineageAlias(
                alias=s.alias,
                version=to_gql(s.version),
                protected=s.gate is not None,
                gate=[
                    GateMetricRule(
                        metric=g.metric,
                        threshold=g.threshold,
                        min_improvement=g.min_improvement,
                        min_relative_improvement=g.min_relative_improvement,
                    )
                    for g in s.gate or []
                ],
                passes=not s.checks,
                checks=[
                    GateCheck(
                        code=c.code, message=c.message, metric=c.metric, wanted=c.wanted, got=c.got
                    )
                    for c in s.checks
                ],
            )
            for s in found
        ]

    @strawberry.field(
        description="The metric names the registry knows (declared, or reported by at least "
        "one model), by name, each with the registry's direction and how it was decided. "
        f"At most {paging.PAGE_DEFAULT} unless `limit` asks for up to {paging.MAX_PAGE}."
    )
    async def metrics(
        self,
        info: Info,
        limit: int = paging.PAGE_DEFAULT,
        offset: int = 0,
        search: Annotated[
            str | None,
            strawberry.argument(description="A case-insensitive substring of the name."),
        ] = None,
    ) -> MetricPage:
        found = await info.context.loaders.run(lambda c: metrics.known(c, search, limit, offset))
        await info.context.spend(len(found.items))
        return MetricPage(items=[registry_metric(n) for n in found.items], total=found.total)

    @strawberry.field(description="Every recorded write to a version, oldest first." + PAGED)
    async def audit_trail(
        self, info: Info, id: strawberry.ID, limit: Limit = LIMIT, offset: Offset = 0
    ) -> list[AuditEntry]:
        found = await _one(info, id, None)
        if found is None:
            return []
        entries = await writes.audit_trail(info.context.db, [found.id], limit, offset)
        return [
            AuditEntry(
                at=e.at,
                actor=e.actor,
                action=e.action,
                artifact_id=strawberry.ID(e.artifact_id),
                before=e.before,
                after=e.after,
            )
            for e in entries
        ]

    lineage_run: LineageRun | None = strawberry.field(
        resolver=lineage_run,
        description="An OpenLineage run by its runId: its state, events and analysis version.",
    )

    @strawberry.field(
        description="The provenance graph around an artifact. DOWNSTREAM answers: what is "
        "affected if this version is retracted?"
    )
    async def lineage(
        self,
        info: Info,
        id: strawberry.ID,
        direction: LineageDirection = LineageDirection.UPSTREAM,
        max_depth: int = 3,
        limit: int = 100,
    ) -> LineageGraph | None:
        lineage.check_bounds(max_depth, limit)
        start = await _one(info, id, None)
        if start is None:
            return None
        return await graph(info, start, direction, max_depth, limit)
