"""Webhooks to https receivers: a real TLS server with certificates of a CA made for the test.

The delivery connects to the address it checked, yet verifies the certificate against the
URL's host name; REGISTRY_WEBHOOK_CA_FILE adds a private CA to the public ones.
"""

from __future__ import annotations

import contextlib
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from app.main import create_app
from app.settings import Settings
from app.settings.declarations import SettingError
from app.webhooks import sender
from tests.factories import make_dataset, make_token
from tests.http import Api, running_app
from tests.webhook_receiver import Receiver, receiving
from tests.webhook_steps import DELIVERING, REGISTERED, create, readme_verify, until_settled

pytestmark = pytest.mark.asyncio


@dataclass(frozen=True)
class Pki:
    ca: Path
    localhost: ssl.SSLContext
    elsewhere: ssl.SSLContext


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def _server_context(folder: Path, ca: str, name: str) -> ssl.SSLContext:
    """A server certificate for DNS name ``name``, signed by ``ca``, in a server context."""
    _openssl(folder, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
             "-subj", f"/CN={name}", "-out", f"{name}.csr")  # fmt: skip
    (folder / f"{name}.ext").write_text(f"subjectAltName=DNS:{name}\n")
    _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem",
             "-CAkey", f"{ca}.key", "-CAcreateserial", "-days", "2",
             "-extfile", f"{name}.ext", "-out", f"{name}.pem")  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / f"{name}.pem", folder / f"{name}.key")
    return context


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test's certificates")
    folder = tmp_path_factory.mktemp("pki")
    _openssl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
             "-subj", "/CN=registry test CA", "-days", "2", "-out", "ca.pem")  # fmt: skip
    return Pki(
        ca=folder / "ca.pem",
        localhost=_server_context(folder, "ca", "localhost"),
        elsewhere=_server_context(folder, "ca", "elsewhere.example"),
    )


@pytest.fixture
def tls_receiver(pki: Pki) -> Iterator[Receiver]:
    with receiving(tls=pki.localhost) as r:
        yield r


@contextlib.asynccontextmanager
async def _app(db: asyncpg.Pool, pg_dsn: str, env: dict[str, str]) -> AsyncIterator[Api]:
    async with running_app(pg_dsn, {**DELIVERING, **env}) as a:
        async with db.acquire() as conn:
            a.client.headers["authorization"] = f"Bearer {await make_token(conn, 'admin')}"
        yield a


@pytest.fixture
async def trusting(db: asyncpg.Pool, pg_dsn: str, pki: Pki) -> AsyncIterator[Api]:
    """The app delivering, with the test's CA in REGISTRY_WEBHOOK_CA_FILE."""
    async with _app(db, pg_dsn, {"REGISTRY_WEBHOOK_CA_FILE": str(pki.ca)}) as a:
        yield a


@pytest.fixture
async def public_only(db: asyncpg.Pool, pg_dsn: str) -> AsyncIterator[Api]:
    """The app delivering, trusting the public authorities only."""
    async with _app(db, pg_dsn, {}) as a:
        yield a


async def test_an_https_receiver_under_a_trusted_ca_gets_the_signed_delivery(
    trusting, conn, tls_receiver
) -> None:
    assert tls_receiver.url.startswith("https://localhost:")
    wid, secret = await create(trusting, tls_receiver.url + "/hook", REGISTERED)
    await make_dataset(conn, "over-tls")
    await tls_receiver.wait_until(lambda r: len(r.received) == 1)
    (got,) = tls_receiver.received
    assert readme_verify()([secret], got.headers, got.body)
    assert got.headers["host"] == tls_receiver.url.removeprefix("https://")
    (logged,) = await until_settled(trusting, wid, 1)
    assert (logged["status"], logged["lastStatusCode"]) == ("DELIVERED", 200)


async def test_a_certificate_no_trusted_ca_signed_fails_the_attempt(
    public_only, conn, tls_receiver
) -> None:
    wid, _ = await create(public_only, tls_receiver.url + "/hook", REGISTERED)
    await make_dataset(conn, "untrusted")
    (logged,) = await until_settled(public_only, wid, 1, statuses=("FAILED",))
    assert logged["lastStatusCode"] is None
    assert "CERTIFICATE_VERIFY_FAILED" in logged["lastError"], logged
    assert tls_receiver.received == []


async def test_a_certificate_for_another_name_fails_though_the_address_is_right(
    trusting, conn, pki
) -> None:
    """The connection goes to 127.0.0.1, the name checked is the URL's: localhost."""
    with receiving(tls=pki.elsewhere) as wrong:
        wid, _ = await create(trusting, wrong.url + "/hook", REGISTERED)
        await make_dataset(conn, "wrong-name")
        (logged,) = await until_settled(trusting, wid, 1, statuses=("FAILED",))
        assert "CERTIFICATE_VERIFY_FAILED" in logged["lastError"], logged
        assert "localhost" in logged["lastError"], logged
        assert wrong.received == []


async def test_a_ca_file_that_cannot_be_read_is_refused_before_anything_starts(
    tmp_path, pki
) -> None:
    bad = tmp_path / "not-a-ca.pem"
    bad.write_text("not a certificate\n")
    for path in (bad, tmp_path / "missing.pem"):
        settings = Settings.from_env({**DELIVERING, "REGISTRY_WEBHOOK_CA_FILE": str(path)})
        with pytest.raises(SettingError, match="REGISTRY_WEBHOOK_CA_FILE"):
            create_app(settings, "postgresql://nowhere.invalid/registry")
    # A process that delivers nothing does not read it.
    off = Settings.from_env({"REGISTRY_WEBHOOK_DELIVERY": "0", "REGISTRY_WEBHOOK_CA_FILE": "x"})
    create_app(off, "postgresql://nowhere.invalid/registry")
    assert sender.trusted(str(pki.ca)).cert_store_stats()["x509_ca"] > 1


async def test_the_default_trust_is_the_public_authorities() -> None:
    assert Settings.from_env({}).webhook_ca_file is None
    assert sender.trusted().cert_store_stats()["x509_ca"] > 50
