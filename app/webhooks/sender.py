"""One delivery attempt: the signed POST to the checked address, and what came of it."""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

import certifi
import httpx
import orjson

from app.repo.deliveries import Claimed
from app.settings.declarations import SettingError
from app.webhooks import egress, rules

# What is read of a receiver's answer: enough for an error message, never a whole body.
MAX_RESPONSE_BYTES = 4096
USER_AGENT = "model-registry-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """A 2xx status delivers; anything else (or no answer: ``status_code`` None) fails."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body(claimed: Claimed) -> bytes:
    """What a delivery POSTs: its own id, and the event."""
    return orjson.dumps(
        {
            "id": str(claimed.id),
            "event": {
                "id": claimed.event_id,
                "name": claimed.event_name,
                "at": claimed.event_at.isoformat(),
                "payload": claimed.payload,
            },
        }
    )


def trusted(ca_file: str | None = None) -> ssl.SSLContext:
    """What an https receiver's certificate must chain to: the public authorities, and those
    of ``ca_file`` (PEM) if given; SettingError naming the file when it cannot be read."""
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SettingError(
                f"REGISTRY_WEBHOOK_CA_FILE {ca_file!r} is not a readable PEM file ({exc})"
            ) from None
    return context


def client(timeout_s: float, verify: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """The client deliveries share: no redirects, no proxies, no pooled connections.

    A proxy from the environment would connect where the egress check never looked, and a
    pooled TLS connection is keyed by the address alone, so one verified for another host name
    could carry the request; every delivery opens its own. A connection goes to the checked
    address, and its certificate is verified against the URL's host name (sent as SNI).
    """
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        verify=verify or trusted(),
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_keepalive_connections=0),
        headers={"user-agent": USER_AGENT},
    )


async def send(
    http: httpx.AsyncClient, claimed: Claimed, *, allow_private: bool, timeout_s: float
) -> Outcome:
    """POST ``claimed`` to its webhook; the whole attempt ends within ``timeout_s``."""
    try:
        async with asyncio.timeout(timeout_s):
            return await _post(http, claimed, allow_private, timeout_s)
    except TimeoutError:
        return Outcome(None, f"no answer within {timeout_s:g} s")
    except egress.EgressRefused as exc:
        return Outcome(None, exc.message)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])


async def _post(
    http: httpx.AsyncClient, claimed: Claimed, allow_private: bool, timeout_s: float
) -> Outcome:
    target = rules.check_url(claimed.url)
    addresses = await egress.resolve(target, allow_private=allow_private, timeout_s=timeout_s)
    url = httpx.URL(claimed.url)
    content = body(claimed)
    timestamp = str(int(time.time()))
    headers = {
        # The name the receiver serves, while the connection goes to an address checked.
        "host": url.netloc.decode("ascii"),
        "content-type": "application/json",
        "x-registry-event": claimed.event_name,
        "x-registry-delivery": str(claimed.id),
        "x-registry-timestamp": timestamp,
        "x-registry-signature-256": rules.signatures(claimed.secrets, timestamp, content),
    }
    extensions = {"sni_hostname": target.host} if target.literal is None else {}
    for i, address in enumerate(addresses):
        request = http.build_request(
            "POST",
            url.copy_with(host=str(address)),
            content=content,
            headers=headers,
            extensions=extensions,
        )
        try:
            response = await http.send(request, stream=True)
            break
        except httpx.ConnectError:
            # The next address of the name (localhost: ::1, then 127.0.0.1), if there is one.
            if i == len(addresses) - 1:
                raise
    try:
        excerpt = b""
        async for chunk in response.aiter_raw():
            excerpt += chunk
            if len(excerpt) >= MAX_RESPONSE_BYTES:
                break
    finally:
        await response.aclose()
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, None)
    if response.is_redirect:
        where = response.headers.get("location", "")[:200]
        return Outcome(response.status_code, f"redirects are not followed (to {where!r})")
    text = excerpt[:MAX_RESPONSE_BYTES].decode("utf-8", "replace").strip()
    return Outcome(response.status_code, f"HTTP {response.status_code}: {text[:300]}")
