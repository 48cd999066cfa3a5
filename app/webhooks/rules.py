"""What a webhook may be and how a delivery is signed and retried. No I/O."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.errors import InvalidInput

MAX_WEBHOOKS = 100
MAX_URL_LENGTH = 2000
SECRET_PREFIX = "whsec_"
SECRET_LENGTHS = (16, 256)
# The longest wait between two attempts, whatever the backoff setting makes of later ones.
MAX_BACKOFF_S = 3600.0
MAX_DELIVERIES_PAGE = 100

_HOST_CHARS = frozenset(string.ascii_letters + string.digits + "-.")
_SECRET_CHARS = frozenset(string.printable) - frozenset(string.whitespace)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: what to resolve and where to connect."""

    url: str
    scheme: str
    host: str
    port: int
    # The host is an IP literal: nothing to resolve.
    literal: Address | None


def check_url(url: str) -> Target:
    """The URL as a delivery target, or BAD_USER_INPUT saying what is wrong with it."""

    def refuse(why: str) -> InvalidInput:
        return InvalidInput(f"webhook URL refused: {why}", field="url")

    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() or not c.isascii() for c in url):
        raise refuse("spaces, control or non-ASCII characters (percent-encode them)")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise refuse(f"it does not parse ({exc})") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise refuse("the port is not a number from 1 to 65535")
    if parts.scheme not in ("http", "https"):
        raise refuse("only http:// and https:// URLs are delivered to")
    if "@" in parts.netloc:
        raise refuse("credentials in the URL (user:password@) are not allowed")
    if parts.fragment or url.endswith("#"):
        raise refuse("a fragment (#...) is never sent")
    host = parts.hostname or ""
    if not host:
        raise refuse("no host")
    literal: Address | None = None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        if not set(host) <= _HOST_CHARS or any(
            not label or label.startswith("-") or label.endswith("-") or len(label) > 63
            for label in host.rstrip(".").split(".")
        ):
            raise refuse(f"{host!r} is not a host name") from None
    default = 443 if parts.scheme == "https" else 80
    return Target(url, parts.scheme, host.lower(), port or default, literal)


def refused_address(address: Address) -> str | None:
    """Why a delivery must not connect to ``address`` (None when it may).

    Only globally routable unicast addresses pass: loopback, link-local, private, unique-local,
    shared (CGNAT), multicast, unspecified and reserved ranges are refused, also when written
    as IPv4-mapped IPv6.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for refused, name in (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not globally routable"),
    ):
        if refused:
            return name
    return None


def check_events(names: Sequence[str]) -> None:
    if not names:
        raise InvalidInput("a webhook needs at least one event name", field="events")


def new_secret() -> str:
    """A fresh signing secret."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_secret(secret: str | None) -> str:
    """The secret given, or a new one; BAD_USER_INPUT for one too short, long or spaced."""
    if secret is None:
        return new_secret()
    low, high = SECRET_LENGTHS
    if not low <= len(secret) <= high or not set(secret) <= _SECRET_CHARS:
        raise InvalidInput(
            f"a webhook secret is {low}-{high} printable characters without spaces",
            field="secret",
        )
    return secret


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with ``secret`` over ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signatures(keys: Sequence[str], timestamp: str, body: bytes) -> str:
    """The signature header: one ``sha256=`` value per active secret, newest first."""
    return ",".join(signature(s, timestamp, body) for s in keys)


def backoff(attempts: int, base_s: float, rng: random.Random | None = None) -> float:
    """Seconds before the attempt after ``attempts`` failed ones.

    ``base_s * 2**(attempts - 1)``, at most MAX_BACKOFF_S, then jittered down by up to half, so
    deliveries that failed together (a receiver down) do not all come back at once.
    """
    ceiling = min(MAX_BACKOFF_S, base_s * 2.0 ** min(attempts - 1, 62))
    return ceiling * (0.5 + 0.5 * (rng or random).random())
