"""Metric names: declare one's direction for the whole registry, and list the names known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app import auth, metric_directions, paging, validation
from app.auth import Principal, Scope
from app.db.database import Database
from app.db.types import Conn
from app.errors import Forbidden
from app.metric_directions import Decided, Direction
from app.repo import audit as audit_repo
from app.repo import metric_declarations as repo
from app.repo.metric_declarations import Declaration


@dataclass(frozen=True)
class MetricName:
    """A metric name with the registry's direction of it and how that was decided."""

    name: str
    direction: Direction
    decided: Decided
    declaration: Declaration | None


@dataclass(frozen=True)
class MetricNames:
    items: list[MetricName]
    total: int


def described(name: str, declaration: Declaration | None) -> MetricName:
    """The registry's view of ``name`` given its declaration, if it has one."""
    if declaration is None:
        return MetricName(name, metric_directions.inferred(name), Decided.INFERRED, None)
    return MetricName(name, Direction(declaration.direction), Decided.DECLARED, declaration)


def _state(d: Declaration | None) -> dict[str, Any] | None:
    return None if d is None else {"direction": d.direction, "description": d.description}


async def declare(
    db: Database, principal: Principal, name: str, direction: Direction, description: str
) -> MetricName:
    """Declare the direction of a metric name for every model (write scope); changing the
    direction of a declared name flips every comparison and gate, so it needs admin."""
    auth.require(principal, Scope.WRITE)
    metric_directions.check_declaration(name, description)
    assert principal.name is not None
    actor = principal.name

    async def write(conn: Conn) -> MetricName:
        async with conn.transaction():
            await repo.lock(conn, name)
            before = (await repo.of_names(conn, [name])).get(name)
            if (
                before is not None
                and before.direction != direction
                and not principal.grants(Scope.ADMIN)
            ):
                raise Forbidden(
                    f"{name} is declared {before.direction}-is-better; changing a declared "
                    "direction flips every comparison and gate on it, and needs the admin scope"
                )
            after = await repo.put(conn, name, direction.value, description, actor)
            await audit_repo.record_metric(
                conn, actor, "declare_metric", name, _state(before), _state(after)
            )
        return described(name, after)

    return await db.write(write, retry=False)


async def known(conn: Conn, search: str | None, limit: int, offset: int) -> MetricNames:
    """A page of the metric names declared or reported by a model, by name, with the
    registry's direction of each; ``search`` is a case-insensitive substring of the name."""
    paging.check(limit, offset)
    found, total = await repo.known(conn, validation.check_search(search), limit, offset)
    return MetricNames([described(k.name, k.declaration) for k in found], total)
