"""GraphQL documents and small steps the webhook tests share."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from app.settings import PROJECT_ROOT
from tests.http import Api

# The app delivering fast, to private addresses too (the receivers are local).
DELIVERING = {
    "REGISTRY_WEBHOOK_DELIVERY": "1",
    "REGISTRY_WEBHOOK_ALLOW_PRIVATE": "1",
    "REGISTRY_WEBHOOK_POLL_S": "0.05",
    "REGISTRY_WEBHOOK_BACKOFF_S": "0.05",
    "REGISTRY_WEBHOOK_TIMEOUT_S": "1",
    "REGISTRY_WEBHOOK_LEASE_S": "5",
    "REGISTRY_WEBHOOK_MAX_ATTEMPTS": "3",
}
REGISTERED = ["version.registered"]

CREATE = """
mutation($url: String!, $events: [String!]!, $secret: String) {
  createWebhook(url: $url, events: $events, secret: $secret) {
    secret webhook { id url events createdBy hasPreviousSecret }
  }
}"""
ROTATE = """
mutation($id: ID!, $secret: String) {
  rotateWebhookSecret(id: $id, secret: $secret) { secret webhook { id hasPreviousSecret } }
}"""
RETIRE = "mutation($id: ID!) { retirePreviousWebhookSecret(id: $id) { id hasPreviousSecret } }"
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) }"
LIST = "{ webhooks { id url events createdBy hasPreviousSecret } }"
DELIVERIES = """
query($id: ID!, $status: WebhookDeliveryStatus, $after: ID, $limit: Int! = 20) {
  webhookDeliveries(webhookId: $id, status: $status, after: $after, limit: $limit) {
    id eventId eventName status attempts lastStatusCode lastError nextAttemptAt deliveredAt
  }
}"""
REDELIVER = "mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { id status attempts } }"


def error_code(body: dict[str, Any]) -> str:
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def create(api: Api, url: str, events: list[str], secret: str | None = None) -> Any:
    """A new webhook: its id and secret."""
    made = (await api.data(CREATE, {"url": url, "events": events, "secret": secret}))[
        "createWebhook"
    ]
    return made["webhook"]["id"], made["secret"]


async def deliveries(api: Api, webhook_id: str, **variables: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api.data(DELIVERIES, {"id": webhook_id, **variables}))[
        "webhookDeliveries"
    ]
    return found


def readme_verify() -> Callable[..., bool]:
    """The README's verification snippet, run as written: its ``verify`` function."""
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text[text.index("### Webhooks") :]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None, "the webhooks section has no Python snippet"
    namespace: dict[str, Any] = {}
    exec(found.group(1), namespace)
    verify: Callable[..., bool] = namespace["verify"]
    return verify


async def until_settled(
    api: Api, webhook_id: str, count: int, statuses: tuple[str, ...] = ("DELIVERED", "FAILED")
) -> list[dict[str, Any]]:
    """The delivery log once ``count`` deliveries are settled (a guard fails the wait)."""
    for _ in range(600):
        log = await deliveries(api, webhook_id, limit=100)
        if sum(d["status"] in statuses for d in log) >= count:
            return log
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries never settled: {log}")
