"""What a link reaches: the version it pins, or the latest version of its lineage when it
floats. The one statement of the rule, in Python and as SQL for the statements that need it."""

from __future__ import annotations

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
