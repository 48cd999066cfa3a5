"""The pure webhook rules: which addresses deliveries may reach, what a URL may be, how a
delivery is signed and how long a retry waits."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random

import pytest

from app.errors import InvalidInput
from app.webhooks import rules


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "not globally routable"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "private"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("192.0.2.1", "private"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
        ("8.8.8.8", None),
    ],
)
def test_only_public_unicast_addresses_may_be_reached(address: str, why: str | None) -> None:
    assert rules.refused_address(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    ("url", "host", "port", "literal"),
    [
        ("https://Hooks.Example.com/x", "hooks.example.com", 443, False),
        ("http://example.com:8080/x?y=1", "example.com", 8080, False),
        ("http://[2606:4700::1]/x", "2606:4700::1", 80, True),
        ("https://8.8.8.8:8443", "8.8.8.8", 8443, True),
        ("https://example.com./x", "example.com.", 443, False),
    ],
)
def test_a_url_is_taken_apart(url: str, host: str, port: int, literal: bool) -> None:
    target = rules.check_url(url)
    assert (target.host, target.port, target.literal is not None) == (host, port, literal)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "mailto:a@example.com",
        "javascript:alert(1)",
        "https://:443/x",
        "https://a@example.com/",
        "https://example.com:0/",
        "https://-bad.example.com/",
        "https://exa\u00efmple.com/",
        "https://example.com/\n",
        "https://" + "a" * 64 + ".com/",
        "http://[::1/",
    ],
)
def test_urls_that_are_no_delivery_target_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_url(url)
    assert refused.value.details == {"field": "url"}


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body() -> None:
    expected = hmac.new(b"key-key-key-key!", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert rules.signature("key-key-key-key!", "1700000000", b"{}") == f"sha256={expected}"
    both = rules.signatures(["new-new-new-new!", "key-key-key-key!"], "1700000000", b"{}")
    assert both.split(",")[1] == f"sha256={expected}"


def test_secrets_are_generated_or_checked() -> None:
    assert rules.check_secret(None).startswith(rules.SECRET_PREFIX)
    assert rules.check_secret(None) != rules.check_secret(None)
    assert rules.check_secret("x" * 16) == "x" * 16
    for bad in ("x" * 15, "x" * 257, "with space in it!", "tab\tseparated-secret"):
        with pytest.raises(InvalidInput):
            rules.check_secret(bad)


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 5.0, 10.0), (2, 10.0, 20.0), (7, 320.0, 640.0), (12, 1800.0, 3600.0), (200, 1800, 3600)],
)
def test_backoff_doubles_is_capped_and_jittered_down_by_half_at_most(
    attempts: int, low: float, high: float
) -> None:
    rng = random.Random(7)
    waits = [rules.backoff(attempts, 10.0, rng) for _ in range(200)]
    assert all(low <= w <= high for w in waits)
    # Jittered: deliveries that failed together come back apart.
    assert len(set(waits)) == len(waits)
