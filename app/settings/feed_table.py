"""The change feed's settings: retention, subscriptions over WebSocket, webhook delivery.

Rows of the one settings table (app/settings/table.py), kept here so each file stays small.
"""

from __future__ import annotations

from app.settings.declarations import Kind, Setting

FEED_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "REGISTRY_EVENT_RETENTION_DAYS",
        "event_retention_days",
        Kind.FLOAT,
        30.0,
        "days the change feed keeps events; a subscriber or webhook resuming from before that "
        "gets `EVENTS_PRUNED`",
        above=0,
    ),
    Setting(
        "REGISTRY_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        "max_subscriptions_per_connection",
        Kind.INT,
        20,
        "subscriptions one WebSocket connection may hold open; one more is refused with "
        "`TOO_MANY_SUBSCRIPTIONS`",
        at_least=1,
    ),
    Setting(
        "REGISTRY_MAX_SUBSCRIPTIONS",
        "max_subscriptions",
        Kind.INT,
        5000,
        "subscriptions one server process holds open, over all its connections",
        at_least=1,
    ),
    Setting(
        "REGISTRY_SUBSCRIPTION_QUEUE",
        "subscription_queue",
        Kind.INT,
        256,
        "events a live subscription may have waiting to be sent; past that its client is too "
        "slow and the connection is closed with code 4429",
        at_least=1,
    ),
    Setting(
        "REGISTRY_FEED_POLL_S",
        "feed_poll_s",
        Kind.FLOAT,
        5.0,
        "seconds between reads of the event table when no notification came (a safety net "
        "under `LISTEN`)",
        above=0,
    ),
    Setting(
        "REGISTRY_FEED_INTERVAL_MS",
        "feed_interval_ms",
        Kind.FLOAT,
        300.0,
        "least milliseconds between two reads of new events: a commit after a quiet spell is "
        "sent at once, those close behind it wait (up to this long) and reach each subscriber "
        "in one write; `0` sends every commit at once, for more CPU per event with many "
        "subscribers",
        at_least=0,
        at_most=1000,
    ),
    Setting(
        "REGISTRY_FEED_TOKEN_CHECK_S",
        "feed_token_check_s",
        Kind.FLOAT,
        2.0,
        "seconds between checks that the tokens of open WebSocket connections are still live; "
        "a revoked one's connection is closed with code 4403",
        above=0,
    ),
    Setting(
        "REGISTRY_WS_PING_INTERVAL_S",
        "ws_ping_interval_s",
        Kind.FLOAT,
        20.0,
        "seconds between WebSocket pings the server sends; a connection that does not answer "
        "one within as long is closed",
        above=0,
    ),
    Setting(
        "REGISTRY_WEBHOOK_DELIVERY",
        "webhook_delivery",
        Kind.FLAG,
        True,
        "`0`: this process delivers no webhooks (the others still do)",
    ),
    Setting(
        "REGISTRY_WEBHOOK_ALLOW_PRIVATE",
        "webhook_allow_private",
        Kind.FLAG,
        False,
        "`1` lets webhook URLs reach loopback, private, link-local and other non-public "
        "addresses (a receiver on the same network)",
    ),
    Setting(
        "REGISTRY_WEBHOOK_CA_FILE",
        "webhook_ca_file",
        Kind.OPTIONAL_STRING,
        None,
        "a PEM file of certificate authorities that https webhook receivers' certificates may "
        "also chain to (an internal CA), beside the public ones",
    ),
    Setting(
        "REGISTRY_WEBHOOK_POLL_S",
        "webhook_poll_s",
        Kind.FLOAT,
        1.0,
        "how often each process looks for due webhook deliveries when nothing woke it",
        above=0,
    ),
    Setting(
        "REGISTRY_WEBHOOK_TIMEOUT_S",
        "webhook_timeout_s",
        Kind.FLOAT,
        10.0,
        "a webhook attempt (resolve, connect, send, answer) must end within this, or it failed",
        above=0,
    ),
    Setting(
        "REGISTRY_WEBHOOK_LEASE_S",
        "webhook_lease_s",
        Kind.FLOAT,
        60.0,
        "a claimed delivery another process may take over once this passed (its worker "
        "crashed); at least `REGISTRY_WEBHOOK_TIMEOUT_S`",
        above=0,
    ),
    Setting(
        "REGISTRY_WEBHOOK_MAX_ATTEMPTS",
        "webhook_max_attempts",
        Kind.INT,
        8,
        "attempts of a webhook delivery before it is `failed`",
        at_least=1,
        at_most=100,
    ),
    Setting(
        "REGISTRY_WEBHOOK_BACKOFF_S",
        "webhook_backoff_s",
        Kind.FLOAT,
        10.0,
        "wait after a delivery's first failed attempt; doubled after each next one (at most "
        "an hour), each wait jittered down by up to half",
        above=0,
    ),
    Setting(
        "REGISTRY_WEBHOOK_CONCURRENCY",
        "webhook_concurrency",
        Kind.INT,
        8,
        "webhook deliveries each process attempts at once",
        at_least=1,
        at_most=100,
    ),
)
