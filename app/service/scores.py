"""Keep stored effective scores and warnings in step with the links they depend on."""

from __future__ import annotations

from collections.abc import Sequence

from app import provenance
from app.db.types import Conn
from app.domain import Link, LinkType
from app.repo import artifacts as artifact_repo
from app.repo import links as link_repo


def _producing_analysis(model_links: Sequence[Link]) -> Link | None:
    return next((lk for lk in model_links if lk.type is LinkType.PRODUCED_BY), None)


async def recompute(conn: Conn, model_ids: Sequence[str]) -> None:
    """Recompute and store the warnings and effective score of these models.

    Runs a fixed number of statements however many models are given; call it inside
    the transaction of the write that changed their provenance.
    """
    if not model_ids:
        return
    raw = await artifact_repo.raw_scores(conn, model_ids)
    model_links = await link_repo.from_sources(conn, list(raw))
    by_model: dict[str, list[Link]] = {mid: [] for mid in raw}
    for lk in model_links:
        by_model[lk.source_id].append(lk)

    producers = {mid: _producing_analysis(lks) for mid, lks in by_model.items()}
    floating = [p.target_lineage_id for p in producers.values() if p and not p.pinned]
    latest = await artifact_repo.latest_of_lineages(conn, floating) if floating else {}

    def analysis_version(p: Link | None) -> str | None:
        if p is None:
            return None
        return p.target_version_id or latest.get(p.target_lineage_id)

    analysis_ids = {v for p in producers.values() if (v := analysis_version(p))}
    analysis_links: dict[str, list[Link]] = {aid: [] for aid in analysis_ids}
    for lk in await link_repo.from_sources(conn, list(analysis_ids)):
        analysis_links[lk.source_id].append(lk)

    updates = []
    for mid, lks in by_model.items():
        av = analysis_version(producers[mid])
        a_links = analysis_links.get(av, []) if av else []
        p = provenance.ModelProvenance(
            trained_on=[lk for lk in lks if lk.type is LinkType.TRAINED_ON],
            produced_by=producers[mid],
            tests_hypotheses=[lk for lk in lks if lk.type is LinkType.TESTS_HYPOTHESIS],
            analysis_inputs=[lk for lk in a_links if lk.type is LinkType.USES],
            analysis_addresses=[lk for lk in a_links if lk.type is LinkType.ADDRESSES],
        )
        warnings = provenance.warnings_for(p)
        updates.append((mid, provenance.effective_score(raw[mid], warnings), warnings))
    await artifact_repo.update_scores(conn, updates)
