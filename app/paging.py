"""How long a list may be, on every surface: the bounds, and the one check that holds them."""

from __future__ import annotations

from app.errors import InvalidInput

PAGE_DEFAULT = 20
MAX_PAGE = 100  # a root page: models, datasets, analyses, hypotheses, GET /api/models
NESTED_DEFAULT = 100
MAX_NESTED = 1000  # a list inside an artifact: trainedOn, testedBy, versions, auditTrail...
MAX_OFFSET = 1_000_000
MAX_LINEAGE_DEPTH = 10
MAX_LINEAGE_NODES = 500


def within(limit: int, offset: int, maximum: int = MAX_PAGE) -> bool:
    """True when a page of ``limit`` items after ``offset`` is allowed."""
    return 1 <= limit <= maximum and 0 <= offset <= MAX_OFFSET


def check(limit: int, offset: int, maximum: int = MAX_PAGE) -> None:
    """Refuse a page out of bounds, naming the argument (``limit`` or ``offset``)."""
    if not 1 <= limit <= maximum:
        raise InvalidInput(f"limit must be between 1 and {maximum}, got {limit}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(
            f"offset must be between 0 and {MAX_OFFSET}, got {offset}", field="offset"
        )


def check_nested(limit: int, offset: int, after: str | None = None) -> None:
    """Refuse a nested list's page out of bounds, or one asked both after a cursor and at an
    offset."""
    check(limit, offset, MAX_NESTED)
    if after is not None and offset:
        raise InvalidInput("give a cursor or an offset, not both", field="offset")


def check_lineage(max_depth: int, limit: int) -> None:
    """Walks are bounded: depth 1..10, at most 500 nodes."""
    if not 1 <= max_depth <= MAX_LINEAGE_DEPTH:
        raise InvalidInput(f"maxDepth must be between 1 and {MAX_LINEAGE_DEPTH}", field="maxDepth")
    if not 1 <= limit <= MAX_LINEAGE_NODES:
        raise InvalidInput(f"limit must be between 1 and {MAX_LINEAGE_NODES}", field="limit")
