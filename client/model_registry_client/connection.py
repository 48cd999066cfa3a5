"""The connection every method goes through: URL, token, retries, idempotency keys."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Self

import httpx

from model_registry_client.transport import Transport, new_idempotency_key

URL_ENV = "MODEL_REGISTRY_URL"
TOKEN_ENV = "MODEL_REGISTRY_TOKEN"
VERSION = "0.1.0"

Hook = Callable[..., Any]


class Connection:
    """HTTP to a registry, shared by the reads and the writes."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff: float = 0.2,
        max_delay: float = 10.0,
        event_hooks: Mapping[str, list[Hook]] | None = None,
    ) -> None:
        url = url or os.environ.get(URL_ENV)
        if not url:
            raise ValueError(f"no registry URL: pass url= or set {URL_ENV}")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the registry URL must start with http:// or https://, not {url!r}")
        self.url = url.rstrip("/")
        token = token or os.environ.get(TOKEN_ENV) or None
        # Kept for what sends to the registry beside the client (an OpenLineage emitter).
        self.token = token
        headers = {"user-agent": f"model-registry-client/{VERSION}"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        http = httpx.Client(
            base_url=self.url,
            headers=headers,
            timeout=timeout,
            event_hooks={k: list(v) for k, v in (event_hooks or {}).items()},
        )
        self._transport = Transport(
            http, max_attempts=max_attempts, backoff=backoff, max_delay=max_delay
        )

    def close(self) -> None:
        """Close the connections."""
        self._transport.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ------------------------------------------------------------------------

    def _read(self, document: str, variables: Mapping[str, Any], root: str) -> Any:
        return self._transport.graphql(document, variables)[root]

    def _write(
        self, document: str, variables: Mapping[str, Any], root: str, key: str | None
    ) -> Any:
        """Send a write with its idempotency key: the caller's, or a new one for this call."""
        key = key if key is not None else new_idempotency_key()
        return self._transport.graphql(document, variables, idempotency_key=key)[root]
