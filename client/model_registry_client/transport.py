"""HTTP to the registry: one request, retried with the same headers while it is safe to retry.

A write carries an idempotency key in the ``Idempotency-Key`` header, made once per call, so
every retry of it is the same request to the registry, which answers a repeated key with the
first result and writes nothing. That makes retrying writes after a 503 or a lost connection
safe, the same as reads.
"""

from __future__ import annotations

import email.utils
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from model_registry_client.errors import (
    BAD_RESPONSE,
    CONNECTION_FAILED,
    RegistryError,
    from_graphql,
    from_rest,
)

RETRYABLE_STATUS = 503
# Failures a second attempt can get past; a malformed request or URL fails at once.
RETRYABLE_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


def new_idempotency_key() -> str:
    """A fresh key for one logical write."""
    return str(uuid.uuid4())


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


POSITION_HEADER = "x-registry-position"


def position_key(position: str) -> int | None:
    """A WAL position (``16/B374D848``) as a number to compare; None when it is not one."""
    high, sep, low = position.partition("/")
    try:
        return (int(high, 16) << 32) + int(low, 16) if sep else None
    except ValueError:
        return None


class Transport:
    """Sends GraphQL documents and REST reads, retrying 503 answers and connection failures.

    It reads its own writes: the furthest commit position a write answered with goes out with
    every later request, so a registry that reads from replicas answers from one that has
    replayed that far (or from the primary).
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        max_attempts: int = 5,
        backoff: float = 0.2,
        max_delay: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.http = http
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_delay = max_delay
        self._sleep = sleep
        self.position: str | None = None

    def graphql(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """The ``data`` of the answer; a write passes its idempotency key, a read none."""
        headers = {"idempotency-key": idempotency_key} if idempotency_key is not None else {}
        body = {"query": document, "variables": dict(variables or {})}
        request = self.http.build_request("POST", "/graphql", json=body, headers=headers)
        response = self._send(request)
        payload = _json(response)
        if not isinstance(payload, dict):
            raise from_rest(payload, response.status_code)
        errors = payload.get("errors")
        if errors:
            raise from_graphql(errors, response.status_code)
        if response.status_code != 200 or not isinstance(payload.get("data"), dict):
            raise from_rest(payload, response.status_code)
        data: dict[str, Any] = payload["data"]
        return data

    def get(self, path: str, params: Mapping[str, str | int]) -> Any:
        """The JSON body of a REST read."""
        response = self._send(self.http.build_request("GET", path, params=dict(params)))
        payload = _json(response)
        if response.status_code != 200:
            raise from_rest(payload, response.status_code)
        return payload

    def _send(self, request: httpx.Request) -> httpx.Response:
        if self.position is not None:
            request.headers[POSITION_HEADER] = self.position
        response = self._attempts(request)
        self._remember(response.headers.get(POSITION_HEADER))
        return response

    def _remember(self, position: str | None) -> None:
        """Keep the further of the positions seen (answers may come back out of order)."""
        new = position_key(position) if position else None
        if new is None:
            return
        now = position_key(self.position) if self.position else None
        if now is None or new > now:
            self.position = position

    def _attempts(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                if last or not isinstance(exc, RETRYABLE_ERRORS):
                    raise RegistryError(
                        CONNECTION_FAILED,
                        f"{type(exc).__name__} after {attempt} attempts: {exc}",
                        {"attempts": attempt},
                    ) from exc
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code == RETRYABLE_STATUS and not last:
                self._sleep(self._delay(attempt, response.headers.get("retry-after")))
                continue
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Exponential backoff, never shorter than the server's Retry-After, capped."""
        wanted = retry_after_seconds(retry_after) or 0.0
        exponential: float = self.backoff * 2.0 ** (attempt - 1)
        return min(self.max_delay, max(wanted, exponential))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise RegistryError(
            BAD_RESPONSE,
            f"the registry answered {response.status_code} without JSON: {response.text[:200]}",
            status=response.status_code,
        ) from None
