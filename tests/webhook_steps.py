"""GraphQL documents and small steps the webhook tests share."""

from __future__ import annotations

from typing import Any

from tests.http import Api

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
