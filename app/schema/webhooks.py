"""Webhooks in the schema: their management (admin) and their delivery log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from app.repo.deliveries import DeliveryRow
from app.repo.webhooks import WebhookRow
from app.schema.types import Info
from app.service import webhooks
from app.webhooks import rules

# Each needs the admin scope (app.schema.mutation.SCOPES).
ADMIN_MUTATIONS = (
    "createWebhook",
    "deleteWebhook",
    "rotateWebhookSecret",
    "retirePreviousWebhookSecret",
    "redeliverWebhookDelivery",
)


@strawberry.enum(description="Where a webhook delivery stands.")
class WebhookDeliveryStatus(enum.Enum):
    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    FAILED = "failed"


@strawberry.type(description="A URL the change feed's events are POSTed to, signed.")
class Webhook:
    id: strawberry.ID
    url: str
    events: list[str]
    created_by: str
    created_at: datetime
    secret_rotated_at: datetime | None
    has_previous_secret: bool = strawberry.field(
        description="Deliveries are signed with the secret before the last rotation too, "
        "until retirePreviousWebhookSecret."
    )


@strawberry.type(description="A webhook and its signing secret, shown this once.")
class WebhookWithSecret:
    webhook: Webhook
    secret: str


@strawberry.type(description="One event's delivery to one webhook, with its last attempt.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Sent as X-Registry-Delivery.")
    webhook_id: strawberry.ID
    event_id: int
    event_name: str
    status: WebhookDeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is attempted next, while pending or delivering."
    )
    last_attempt_at: datetime | None
    delivered_at: datetime | None


def webhook(row: WebhookRow) -> Webhook:
    return Webhook(
        id=strawberry.ID(str(row.id)),
        url=row.url,
        events=list(row.events),
        created_by=row.created_by,
        created_at=row.created_at,
        secret_rotated_at=row.secret_rotated_at,
        has_previous_secret=row.has_previous_secret,
    )


def delivery(row: DeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=strawberry.ID(str(row.id)),
        webhook_id=strawberry.ID(str(row.webhook_id)),
        event_id=row.event_id,
        event_name=row.event_name,
        status=WebhookDeliveryStatus(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        delivered_at=row.delivered_at,
    )


_SECRET = Annotated[
    str | None,
    strawberry.argument(
        description=f"{rules.SECRET_LENGTHS[0]}-{rules.SECRET_LENGTHS[1]} printable "
        "characters; omitted, one is generated"
    ),
]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Create a webhook (admin): each committed event named in `events` is "
        "POSTed to `url`, signed with the secret (given, or generated and answered this once)."
        " The URL's host must resolve to public addresses (WEBHOOK_URL_REFUSED otherwise)."
    )
    async def create_webhook(
        self, info: Info, url: str, events: list[str], secret: _SECRET = None
    ) -> WebhookWithSecret:
        c = info.context
        created = await webhooks.create(
            c.db,
            c.principal,
            url,
            events,
            secret,
            allow_private=c.settings.webhook_allow_private,
            # Within the request's own deadline.
            resolve_timeout_s=min(c.settings.webhook_timeout_s, c.settings.request_timeout_s / 2),
        )
        return WebhookWithSecret(webhook=webhook(created.webhook), secret=created.secret)

    @strawberry.mutation(description="Delete a webhook (admin); nothing more is sent to it.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> bool:
        await webhooks.delete(info.context.db, info.context.principal, str(id))
        return True

    @strawberry.mutation(
        description="Sign deliveries with a new secret (admin), and with the current one too "
        "until retirePreviousWebhookSecret or the next rotation, so receivers switch without "
        "refusing a delivery."
    )
    async def rotate_webhook_secret(
        self, info: Info, id: strawberry.ID, secret: _SECRET = None
    ) -> WebhookWithSecret:
        c = info.context
        rotated = await webhooks.rotate(c.db, c.principal, str(id), secret)
        return WebhookWithSecret(webhook=webhook(rotated.webhook), secret=rotated.secret)

    @strawberry.mutation(
        description="Stop signing with the secret before the last rotation (admin)."
    )
    async def retire_previous_webhook_secret(self, info: Info, id: strawberry.ID) -> Webhook:
        c = info.context
        return webhook(await webhooks.retire_previous(c.db, c.principal, str(id)))

    @strawberry.mutation(
        description="Send a delivered or failed delivery again (admin), with the same "
        "delivery id and its attempts counted afresh. CONFLICT while it is pending."
    )
    async def redeliver_webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDelivery:
        c = info.context
        return delivery(await webhooks.redeliver(c.db, c.principal, str(id)))


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Every webhook (admin).")
    async def webhooks(self, info: Info) -> list[Webhook]:
        c = info.context
        return [webhook(row) for row in await webhooks.listing(c.db, c.principal)]

    @strawberry.field(
        description="A webhook's deliveries, newest event first (admin); `after` is the id "
        "of the last delivery of the previous page."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: strawberry.ID,
        status: WebhookDeliveryStatus | None = None,
        after: strawberry.ID | None = None,
        limit: int = 20,
    ) -> list[WebhookDelivery]:
        c = info.context
        rows = await webhooks.log(
            c.db,
            c.principal,
            str(webhook_id),
            None if status is None else status.value,
            None if after is None else str(after),
            limit,
        )
        return [delivery(row) for row in rows]
