"""Keep stored effective scores and warnings in step with the links they depend on.

Locking. A model's score reads its own links and the links of its producing analysis version,
which for a floating producer is whichever version of the lineage is latest. A write that
computes scores must serialise with every write that changes what it reads; otherwise it
reads links a concurrent write is replacing, and that write, not seeing the uncommitted
model, never rescores it. The key is the producing analysis's lineage row (``lineages.id``),
for pinned and floating producers alike. Every lock is held until the transaction ends (no
session locks: those break behind a transaction-pooling PgBouncer).

- Score readers (registering a model, curating a model, ``recompute``) lock the lineage rows
  of the models' producers FOR SHARE, in id order, before reading the analysis's links.
- The writers of what they read lock that row exclusively (FOR NO KEY UPDATE): registering an
  analysis version (the upsert in ``allocate_version``, before ``is_latest`` moves) and
  curating an analysis version's links (``lock_lineage`` before ``lock_version``). Foreign
  keys only key-share lineage rows, which conflicts with neither.
- A model's own links are guarded by its version row: curation locks it FOR UPDATE, and a new
  version is invisible until it commits.

Lock order in every transaction, which keeps these writes free of deadlocks:
1. a registration's own lineage: its advisory lock, then its row (``allocate_version``);
2. producing-analysis lineage rows, shared or exclusive, sorted by id;
3. the version row a curation edits (FOR UPDATE);
4. model rows that change: the old latest's ``is_latest`` flip, then ``update_scores``.
So whoever locks a model row takes its producers' lineage rows first: registration before it
inserts the version, model curation before ``lock_version`` (re-checked once it holds it).
An analysis's writers thus wait for, or are waited on by, every reader of that lineage, and
each reads links and the latest version only after its wait.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app import provenance
from app.db.types import Conn
from app.domain import Link, LinkType, ProvenanceWarning
from app.repo import artifacts as artifact_repo
from app.repo import links as link_repo
from app.repo.artifacts import StoredScore

Score = tuple[str, float, tuple[ProvenanceWarning, ...]]

# Models per batch when checking the whole catalog: four statements each, bounded memory.
_CHECK_BATCH = 1000


@dataclass(frozen=True)
class StaleScore:
    """A model whose stored score or warnings differ from what its links give now."""

    stored: StoredScore
    expected_score: float
    expected_warnings: tuple[ProvenanceWarning, ...]

    @property
    def model_id(self) -> str:
        return self.stored.model_id

    @property
    def stored_score(self) -> float:
        return self.stored.score

    @property
    def stored_warnings(self) -> tuple[ProvenanceWarning, ...]:
        return self.stored.warnings


def _producing_analysis(model_links: Sequence[Link]) -> Link | None:
    return next((lk for lk in model_links if lk.type is LinkType.PRODUCED_BY), None)


async def _compute(conn: Conn, raw: Mapping[str, float], *, lock: bool) -> list[Score]:
    """Warnings and effective score of each model from the links stored now.

    With ``lock``, share-locks the producers' lineages before reading their links; callers
    hold those locks already, so it waits for nothing and only guards a caller that forgot.
    """
    model_links = await link_repo.from_sources(conn, list(raw))
    by_model: dict[str, list[Link]] = {mid: [] for mid in raw}
    for lk in model_links:
        by_model[lk.source_id].append(lk)
    if lock:
        await lock_producers(conn, model_links)

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

    computed = []
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
        computed.append((mid, provenance.effective_score(raw[mid], warnings), warnings))
    return computed


async def lock_producers(conn: Conn, links: Sequence[Link]) -> None:
    """Share-lock the lineages of the producing analyses among ``links`` (see the module doc).

    Take it before locking or writing any model row the transaction will rescore.
    """
    producers = [lk.target_lineage_id for lk in links if lk.type is LinkType.PRODUCED_BY]
    await artifact_repo.share_lineages(conn, producers)


async def recompute(conn: Conn, model_ids: Sequence[str]) -> None:
    """Recompute and store the warnings and effective score of these models.

    Runs a fixed number of statements however many models are given; call it inside
    the transaction of the write that changed their provenance, after ``lock_producers``
    (or the analysis's exclusive lock) for these models.
    """
    if not model_ids:
        return
    raw = await artifact_repo.raw_scores(conn, model_ids)
    await artifact_repo.update_scores(conn, await _compute(conn, raw, lock=True))


async def stale(conn: Conn) -> list[StaleScore]:
    """Every model whose stored score or warnings differ from a from-scratch recomputation.

    Reads one snapshot of the whole catalog, so writes committing meanwhile cannot make a
    consistent catalog look stale; an empty list means every stored score is current.
    """
    found: list[StaleScore] = []
    after = ""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        while page := await artifact_repo.stored_scores(conn, after, _CHECK_BATCH):
            stored = {s.model_id: s for s in page}
            expected = await _compute(conn, {m: s.raw for m, s in stored.items()}, lock=False)
            for mid, score, warnings in expected:
                s = stored[mid]
                if (s.score, s.warnings) != (score, warnings):
                    found.append(StaleScore(s, score, warnings))
            after = page[-1].model_id
    return found
