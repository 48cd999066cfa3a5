"""Plain async factories: register artifacts through the real service."""

from __future__ import annotations

from typing import Any

import asyncpg

from app.domain import Artifact, Family, Kind, LinkSpec, LinkType, NewArtifact
from app.service.register import register


async def make_dataset(conn: asyncpg.Connection, lineage: str = "dataset-a", **kw: Any) -> Artifact:
    return await register(
        conn,
        NewArtifact(kind=Kind.DATASET, lineage_id=lineage, title=kw.pop("title", lineage), **kw),
    )


async def make_hypothesis(conn: asyncpg.Connection, lineage: str = "hyp-a", **kw: Any) -> Artifact:
    return await register(
        conn,
        NewArtifact(kind=Kind.HYPOTHESIS, lineage_id=lineage, title=kw.pop("title", lineage), **kw),
    )


async def make_analysis(
    conn: asyncpg.Connection,
    lineage: str = "analysis-a",
    uses: tuple[str, ...] = (),
    addresses: tuple[str, ...] = (),
    **kw: Any,
) -> Artifact:
    links = tuple(LinkSpec(LinkType.USES, r) for r in uses) + tuple(
        LinkSpec(LinkType.ADDRESSES, r) for r in addresses
    )
    return await register(
        conn,
        NewArtifact(
            kind=Kind.ANALYSIS,
            lineage_id=lineage,
            title=kw.pop("title", lineage),
            links=links,
            **kw,
        ),
    )


async def make_model(
    conn: asyncpg.Connection,
    lineage: str = "model-a",
    *,
    trained_on: tuple[str, ...] = (),
    produced_by: str | None = None,
    tests: tuple[str, ...] = (),
    derived_from: tuple[str, ...] = (),
    family: Family = Family.STATISTICAL,
    raw_quality_score: float = 0.8,
    **kw: Any,
) -> Artifact:
    links = (
        tuple(LinkSpec(LinkType.TRAINED_ON, r) for r in trained_on)
        + tuple(LinkSpec(LinkType.PRODUCED_BY, r) for r in ([produced_by] if produced_by else []))
        + tuple(LinkSpec(LinkType.TESTS_HYPOTHESIS, r) for r in tests)
        + tuple(LinkSpec(LinkType.DERIVED_FROM, r) for r in derived_from)
    )
    return await register(
        conn,
        NewArtifact(
            kind=Kind.MODEL,
            lineage_id=lineage,
            title=kw.pop("title", lineage),
            links=links,
            family=family,
            raw_quality_score=raw_quality_score,
            **kw,
        ),
    )


async def make_compliant_model(
    conn: asyncpg.Connection, lineage: str = "model-a", **kw: Any
) -> Artifact:
    """A model with complete provenance: pinned data, pinned analysis, tested hypothesis."""
    ds = await make_dataset(conn, f"{lineage}-data")
    hyp = await make_hypothesis(conn, f"{lineage}-hyp")
    an = await make_analysis(conn, f"{lineage}-analysis", uses=(ds.id,), addresses=(hyp.id,))
    return await make_model(
        conn, lineage, trained_on=(ds.id,), produced_by=an.id, tests=(hyp.id,), **kw
    )


async def make_provenance_catalog(conn: asyncpg.Connection, n_models: int) -> list[Artifact]:
    """``n_models`` compliant models, each with its own two-version dataset, analysis and
    hypothesis, so every relationship of the nested provenance query has rows."""
    models = []
    for i in range(n_models):
        await make_dataset(conn, f"ds-{i}")
        ds = await make_dataset(conn, f"ds-{i}")
        hyp = await make_hypothesis(conn, f"hyp-{i}")
        an = await make_analysis(conn, f"an-{i}", uses=(ds.id,), addresses=(hyp.id,))
        models.append(
            await make_model(
                conn, f"model-{i}", trained_on=(ds.id,), produced_by=an.id, tests=(hyp.id,)
            )
        )
    return models


async def make_token(conn: asyncpg.Connection, *scopes: str, name: str | None = None) -> str:
    """A live API token with these scopes; returns the secret."""
    from app.service import tokens

    created = await tokens.create(conn, name or f"t-{'-'.join(scopes)}", list(scopes))
    return created.token
