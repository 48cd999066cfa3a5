"""What a reference names, in SQL: a version by its id, a lineage's latest version by the
lineage id, or the version ``lineage@alias`` points at.

Aliases move, so they are resolved where the reference is read, in the same statement: no
process keeps what an alias pointed at. A ref without ``@`` gets the plain condition, whose
plans the alias lookup leaves as they were.
"""

from __future__ import annotations


def target_sql(ref: str) -> str:
    """SQL turning ref expression ``ref`` into a version or lineage id: the alias's version
    for ``lineage@alias`` (NULL when there is no such alias), else ``ref`` itself."""
    return (
        f"(case when strpos({ref}, '@') > 0 then (select al.version_id from aliases al "
        f"where al.lineage_id = split_part({ref}, '@', 1) "
        f"and al.alias = split_part({ref}, '@', 2)) else {ref} end)"
    )


def names_sql(a: str, ref: str, *, aliased: bool) -> str:
    """SQL: artifact row ``a`` is what ref expression ``ref`` names. ``aliased``: the ref
    may be ``lineage@alias`` (otherwise the plain condition is written)."""
    t = target_sql(ref) if aliased else ref
    return f"({a}.id = {t} or ({a}.lineage_id = {t} and {a}.is_latest))"


def alias_exists_sql(ref: str) -> str:
    """SQL: ref expression ``ref`` (``lineage@alias``) names an alias that is set."""
    return (
        f"exists (select 1 from aliases al where al.lineage_id = split_part({ref}, '@', 1) "
        f"and al.alias = split_part({ref}, '@', 2))"
    )
