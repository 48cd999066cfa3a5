"""Metric declarations (one direction per metric name, registry-wide) and the names in use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app import metric_directions
from app.db.types import Conn


@dataclass(frozen=True)
class Declaration:
    name: str
    direction: str  # 'higher' or 'lower'
    description: str
    declared_at: datetime
    declared_by: str


@dataclass(frozen=True)
class Known:
    """A metric name the registry knows: declared, or reported by a model, or both."""

    name: str
    declaration: Declaration | None


_COLUMNS = "name, direction, description, declared_at, declared_by"


def _declaration(r: asyncpg.Record) -> Declaration:
    return Declaration(
        r["name"], r["direction"], r["description"], r["declared_at"], r["declared_by"]
    )


def direction_sql(name: str) -> str:
    """SQL of the registry's direction of the metric name ``name`` (an expression), 'LOWER'
    or 'HIGHER': its declaration, else the one its name suggests."""
    return (
        f"coalesce((select upper(d.direction) from metric_declarations d where d.name = {name}), "
        f"{metric_directions.inferred_sql(name)})"
    )


def declared_sql(metrics: str) -> str:
    """SQL of a jsonb object: the declared direction of each name of the jsonb object
    ``metrics`` that has one (the metrics of a model row)."""
    return (
        "(select coalesce(jsonb_object_agg(d.name, d.direction), '{}'::jsonb) "
        f"from metric_declarations d where d.name in (select jsonb_object_keys({metrics})))"
    )


async def lock(conn: Conn, name: str) -> None:
    """Serialise the declarations of one name until the transaction ends (also its first)."""
    await conn.execute("select pg_advisory_xact_lock(hashtextextended('metric:' || $1, 0))", name)


async def of_names(conn: Conn, names: Sequence[str]) -> dict[str, Declaration]:
    """The declarations of those of ``names`` that are declared."""
    records = await conn.fetch(
        f"select {_COLUMNS} from metric_declarations where name = any($1::text[])", list(names)
    )
    return {r["name"]: _declaration(r) for r in records}


async def directions(conn: Conn, names: Sequence[str]) -> dict[str, str]:
    """The declared direction of each of ``names`` that has one."""
    return {n: d.direction for n, d in (await of_names(conn, names)).items()}


async def put(conn: Conn, name: str, direction: str, description: str, actor: str) -> Declaration:
    """Declare ``name`` (or declare it again): its direction, description and who said so."""
    record = await conn.fetchrow(
        f"""
        insert into metric_declarations (name, direction, description, declared_by)
        values ($1, $2, $3, $4)
        on conflict (name) do update set direction = excluded.direction,
            description = excluded.description, declared_at = clock_timestamp(),
            declared_by = excluded.declared_by
        returning {_COLUMNS}
        """,
        name,
        direction,
        description,
        actor,
    )
    assert record is not None  # an upsert returns its row
    return _declaration(record)


# Names in use are the distinct names of model_metrics, found by a skip scan of its index on
# (name, value, artifact_id): one index probe per distinct name, however many models report
# it, where a plain DISTINCT would read every row.
_KNOWN = """
with recursive used(name) as (
    (select name from model_metrics order by name limit 1)
    union all
    select (select m.name from model_metrics m where m.name > u.name order by m.name limit 1)
    from used u where u.name is not null
), named as (
    select name from used where name is not null
    union
    select name from metric_declarations
), matched as (
    select name from named
    where $1::text is null or strpos(lower(name), lower($1::text)) > 0
)
select t.total, p.* from (select count(*) as total from matched) t
left join lateral (
    select k.name as known, d.name, d.direction, d.description, d.declared_at, d.declared_by
    from matched k left join metric_declarations d on d.name = k.name
    order by k.name collate "C" limit $2 offset $3
) p on true
"""


async def known(conn: Conn, search: str | None, limit: int, offset: int) -> tuple[list[Known], int]:
    """A page of the metric names the registry knows, by name, and how many match in all."""
    records = await conn.fetch(_KNOWN, search, limit, offset)
    total = records[0]["total"] if records else 0
    found = [
        Known(r["known"], _declaration(r) if r["name"] is not None else None)
        for r in records
        if r["known"] is not None
    ]
    return found, total
