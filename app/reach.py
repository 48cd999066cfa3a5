"""What a link reaches: the version it pins, or the latest version of its lineage when it
floats. The one statement of the rule, in Python and as SQL for the statements that need it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain import Link


def ref(link: Link) -> str:
    """What a link reaches now: its pinned version, else its lineage (meaning the latest)."""
    return link.target_version_id or link.target_lineage_id


def sql(link: str, version: str) -> str:
    """SQL true when link row ``link`` reaches artifact row ``version`` (table aliases)."""
    return (
        f"{version}.lineage_id = {link}.target_lineage_id and ({version}.id = "
        f"{link}.target_version_id or ({link}.target_version_id is null and {version}.is_latest))"
    )


@dataclass(frozen=True)
class Target:
    """What a filter asks links to reach: any version of ``lineage``, or, with ``version``,
    that version (and ``version_is_latest`` says whether floating links reach it too)."""

    lineage: str
    version: str | None = None
    version_is_latest: bool = False


def branches(link: str, target: Target, bind: Callable[[object], str]) -> list[str]:
    """SQL conditions on link rows ``link`` whose union is exactly the links reaching
    ``target``: the pinned ones, and the floating ones while the version is latest. The two
    are disjoint (one link per source and lineage), and each has its own index."""
    if target.version is None:
        return [f"{link}.target_lineage_id = {bind(target.lineage)}"]
    found = [f"{link}.target_version_id = {bind(target.version)}"]
    if target.version_is_latest:
        found.append(
            f"{link}.target_lineage_id = {bind(target.lineage)} "
            f"and {link}.target_version_id is null"
        )
    return found
