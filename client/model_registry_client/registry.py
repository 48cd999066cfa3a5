"""The client: one method per registry operation, each one document of documents.py."""

from __future__ import annotations

from model_registry_client.connection import TOKEN_ENV, URL_ENV
from model_registry_client.reads import Reads
from model_registry_client.writes import Writes

__all__ = ["TOKEN_ENV", "URL_ENV", "Registry"]


class Registry(Writes, Reads):
    """A registry at ``url`` (or $MODEL_REGISTRY_URL), writing with ``token`` (or its env).

    Every call is retried on a 503 answer and on connection failures (``max_attempts`` in
    all, backing off exponentially from ``backoff`` seconds, never sooner than the
    registry's Retry-After, at most ``max_delay`` apart); each write carries an idempotency
    key (the caller's, or a new one per call) and sends the same key on its retries.
    """
