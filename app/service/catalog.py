"""Read use cases: pages of the catalog with validated filters, sorts and paging."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app import ids, paging, tags, validation
from app.db.types import Conn
from app.domain import Artifact, Family, Kind
from app.errors import InvalidInput
from app.readmodel import filters
from app.repo import artifacts as artifact_repo
from app.repo import catalog as catalog_repo
from app.repo.artifacts import ResolvedRef
from app.repo.catalog import ModelQuery, Reach

MAX_LIMIT = paging.MAX_PAGE
MAX_OFFSET = paging.MAX_OFFSET
MAX_SEARCH = validation.MAX_SEARCH
SORTS = tuple(filters.SORTS)
DIRECTIONS = filters.DIRECTIONS


@dataclass(frozen=True)
class ModelFilter:
    """What a client may filter models by; ids may be version ids or lineage ids."""

    family: Family | None = None
    dataset: str | None = None
    hypothesis: str | None = None
    latest_only: bool = False
    search: str | None = None
    tag: filters.TagFilter | None = None


@dataclass(frozen=True)
class Page:
    items: list[Artifact]
    total: int


check_paging = paging.check


_check_search = validation.check_search


def _check_tag(tag: filters.TagFilter | None) -> filters.TagFilter | None:
    if tag is None:
        return None
    key, value = tag
    return tags.check_key(key, "tag"), None if value is None else tags.check_value(value, "tag")


def check_filter_ref(name: str, ref: str | None) -> None:
    """A filter id must be one that could exist; text that never can (a NUL, spaces) is refused."""
    if ref and not ids.possible_ref(ref):
        raise InvalidInput(f"{name} is not an artifact or lineage id: {ref!r}", field=name)


async def model_query(
    conn: Conn, f: ModelFilter, sort: str, direction: str, limit: int, offset: int
) -> ModelQuery | None:
    """Validate a list request and resolve its ids; None when a filter id names nothing."""
    check_paging(limit, offset)
    check_filter_ref("dataset", f.dataset)
    check_filter_ref("hypothesis", f.hypothesis)
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if direction not in DIRECTIONS:
        raise InvalidInput("order must be asc or desc", field="order")
    refs = [r for r in (f.dataset, f.hypothesis) if r]
    resolved = await artifact_repo.resolve_refs(conn, refs) if refs else {}
    q = ModelQuery(
        family=f.family,
        latest_only=f.latest_only,
        search=_check_search(f.search),
        tag=_check_tag(f.tag),
        sort=sort,
        direction=direction,
        limit=limit,
        offset=offset,
    )
    try:
        dataset = _reach(resolved, f.dataset, Kind.DATASET)
        hypothesis = _reach(resolved, f.hypothesis, Kind.HYPOTHESIS)
    except _MatchesNothing:
        return None
    return dataclasses.replace(q, dataset=dataset, hypothesis=hypothesis)


class _MatchesNothing(Exception):
    """A filter id names nothing of the kind it filters by, so no model can match."""


def _reach(resolved: dict[str, ResolvedRef], ref: str | None, kind: Kind) -> Reach | None:
    """The link filter a ref asks for, or None when there is no ref."""
    if not ref:
        return None
    target = resolved.get(ref)
    if target is None or target.kind is not kind:
        raise _MatchesNothing
    return Reach(
        target.lineage_id,
        target.version_id if target.is_version else None,
        target.is_version and target.is_latest,
    )


async def list_models(conn: Conn, q: ModelQuery | None) -> list[Artifact]:
    """One page of models for a resolved query."""
    return [] if q is None else await catalog_repo.list_models(conn, q)


async def count_models(conn: Conn, q: ModelQuery | None) -> int:
    """The number of models a resolved query matches."""
    return 0 if q is None else await catalog_repo.count_models(conn, q)


async def list_kind(
    conn: Conn, kind: Kind, *, latest_only: bool, search: str | None, limit: int, offset: int
) -> Page:
    """A page of datasets, analyses or hypotheses, newest first."""
    check_paging(limit, offset)
    items, total = await catalog_repo.list_kind(
        conn,
        kind,
        latest_only=latest_only,
        search=_check_search(search),
        limit=limit,
        offset=offset,
    )
    return Page(items, total)
