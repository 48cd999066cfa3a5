"""Which versions of a lineage a metric trend shows: all of them, or at most so many.

A lineage can hold thousands of versions; a chart needs no more than a few hundred points.
When the lineage is longer, the trend shows either the latest versions or an even sample
across the whole lineage (the first and the last included), and says which.
"""

from __future__ import annotations

from enum import StrEnum

from app.errors import InvalidInput

MAX_POINTS = 500


class Sampling(StrEnum):
    ALL = "all"  # every version
    LATEST = "latest"  # the newest versions only
    EVEN = "even"  # evenly spaced across the lineage


def positions(
    versions: int, max_points: int, sampling: Sampling, keep: int | None = None
) -> tuple[Sampling, list[int]]:
    """The version numbers to show, oldest first, and how they were chosen.

    ``keep`` is a version number the sample must hold (the one being looked at): it takes
    the place of the nearest sampled one, so the count stays at ``max_points``.
    """
    if not 1 <= max_points <= MAX_POINTS:
        raise InvalidInput(
            f"maxPoints must be between 1 and {MAX_POINTS}, got {max_points}", field="maxPoints"
        )
    if sampling is Sampling.ALL:
        raise InvalidInput(
            "sampling is EVEN or LATEST; ALL is what a short lineage gets", field="sampling"
        )
    if versions <= max_points:
        return Sampling.ALL, list(range(1, versions + 1))
    if sampling is Sampling.LATEST:
        chosen = list(range(versions - max_points + 1, versions + 1))
    elif max_points == 1:
        chosen = [versions]
    else:
        gaps = max_points - 1
        chosen = [1 + (i * (versions - 1) + gaps // 2) // gaps for i in range(max_points)]
    if keep is not None and 1 <= keep <= versions and keep not in chosen:
        if sampling is Sampling.LATEST:
            chosen[0] = keep  # the newest ones stay contiguous
        else:
            # Not the first or the last: an even sample spans the whole lineage.
            inner = range(1, len(chosen) - 1) if len(chosen) > 2 else range(len(chosen))
            chosen[min(inner, key=lambda i: abs(chosen[i] - keep))] = keep
        chosen.sort()
    return sampling, chosen
