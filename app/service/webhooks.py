"""Managing webhooks and their delivery log (admin only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from app import auth, events
from app.auth import Principal, Scope
from app.db.database import Database
from app.db.types import Conn
from app.errors import Conflict, InvalidInput, NotFound, RegistryError
from app.repo import deliveries as delivery_repo
from app.repo import webhooks as webhook_repo
from app.repo.deliveries import DeliveryRow
from app.repo.webhooks import WebhookRow
from app.webhooks import egress, rules

STATUSES = ("pending", "delivering", "delivered", "failed")


@dataclass(frozen=True)
class WithSecret:
    """A webhook and its new secret, shown this once."""

    webhook: WebhookRow
    secret: str


def _id(value: str, what: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no {what} with id {value!r}", field=field) from None


def _admin(principal: Principal) -> str:
    auth.require(principal, Scope.ADMIN)
    assert principal.name is not None
    return principal.name


async def create(
    db: Database,
    principal: Principal,
    url: str,
    names: Sequence[str],
    secret: str | None,
    *,
    allow_private: bool,
    resolve_timeout_s: float,
) -> WithSecret:
    """Create a webhook for these events; its secret is generated when none is given."""
    actor = _admin(principal)
    rules.check_events(names)
    wanted = [e.value for e in events.check_names(names, field="events")]
    target = rules.check_url(url)
    chosen = rules.check_secret(secret)
    await egress.resolve(target, allow_private=allow_private, timeout_s=resolve_timeout_s)
    row = await db.run(
        lambda conn: webhook_repo.insert(conn, url, wanted, chosen, actor, rules.MAX_WEBHOOKS),
        retry=False,
    )
    if row is None:
        raise RegistryError(
            f"there are {rules.MAX_WEBHOOKS} webhooks, the most allowed; delete one first",
            code="TOO_MANY_WEBHOOKS",
        )
    return WithSecret(row, chosen)


async def delete(db: Database, principal: Principal, webhook_id: str) -> None:
    """Delete a webhook; its pending deliveries are dropped and nothing more is sent."""
    _admin(principal)
    wid = _id(webhook_id, "webhook", "id")
    if not await db.run(lambda conn: webhook_repo.delete(conn, wid), retry=True):
        raise NotFound(f"no webhook with id {webhook_id!r}", field="id")


async def rotate(
    db: Database, principal: Principal, webhook_id: str, secret: str | None
) -> WithSecret:
    """Sign with a new secret from now on, and with the current one too until it is retired
    (or the next rotation replaces it)."""
    _admin(principal)
    wid = _id(webhook_id, "webhook", "id")
    chosen = rules.check_secret(secret)
    row = await db.run(lambda conn: webhook_repo.rotate(conn, wid, chosen), retry=False)
    if row is None:
        raise NotFound(f"no webhook with id {webhook_id!r}", field="id")
    return WithSecret(row, chosen)


async def retire_previous(db: Database, principal: Principal, webhook_id: str) -> WebhookRow:
    """Stop signing with the secret before the last rotation."""
    _admin(principal)
    wid = _id(webhook_id, "webhook", "id")
    row = await db.run(lambda conn: webhook_repo.retire_previous(conn, wid), retry=True)
    if row is None:
        raise NotFound(f"no webhook with id {webhook_id!r}", field="id")
    return row


async def listing(db: Database, principal: Principal) -> list[WebhookRow]:
    """Every webhook."""
    _admin(principal)
    return await db.run(webhook_repo.list_all, retry=True)


async def log(
    db: Database,
    principal: Principal,
    webhook_id: str,
    status: str | None,
    after: str | None,
    limit: int,
) -> list[DeliveryRow]:
    """A page of a webhook's deliveries, newest event first, after the delivery ``after``."""
    _admin(principal)
    wid = _id(webhook_id, "webhook", "webhookId")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status is one of {', '.join(STATUSES)}", field="status")
    if not 1 <= limit <= rules.MAX_DELIVERIES_PAGE:
        raise InvalidInput(f"limit is 1-{rules.MAX_DELIVERIES_PAGE}", field="limit")

    async def read(conn: Conn) -> list[DeliveryRow]:
        if not await webhook_repo.exists(conn, wid):
            raise NotFound(f"no webhook with id {webhook_id!r}", field="webhookId")
        before = None
        if after is not None:
            last = await delivery_repo.one(conn, _id(after, "delivery", "after"))
            if last is None or last.webhook_id != wid:
                raise InvalidInput(f"{after!r} is no delivery of this webhook", field="after")
            before = last.event_id
        return await delivery_repo.page(conn, wid, status, before, limit)

    return await db.run(read, retry=True)


async def redeliver(db: Database, principal: Principal, delivery_id: str) -> DeliveryRow:
    """Send a delivered or failed delivery again, with the same delivery id and a fresh
    count of attempts; CONFLICT while it is still pending or delivering."""
    _admin(principal)
    did = _id(delivery_id, "delivery", "id")

    async def reset(conn: Conn) -> DeliveryRow:
        before = await delivery_repo.redeliver(conn, did)
        if before is None:
            raise NotFound(f"no delivery with id {delivery_id!r}", field="id")
        if before not in ("delivered", "failed"):
            raise Conflict(f"the delivery is {before}; it will be attempted anyway", field="id")
        row = await delivery_repo.one(conn, did)
        assert row is not None
        return row

    return await db.run(reset, retry=False)
