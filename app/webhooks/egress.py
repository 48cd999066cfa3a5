"""Where a delivery may connect: the host resolved once, each address checked, one chosen.

The address checked is the address connected to, so a name that resolves to a public address
when the webhook is created and to 127.0.0.1 later (DNS rebinding) is refused at delivery too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from app.errors import RegistryError
from app.webhooks.rules import Address, Target, refused_address


class EgressRefused(RegistryError):
    """The URL's host is, or resolves to, an address deliveries must not reach."""

    code = "WEBHOOK_URL_REFUSED"


async def resolve(target: Target, *, allow_private: bool, timeout_s: float) -> list[Address]:
    """The addresses to connect to for ``target``, in the resolver's order; EgressRefused when
    any may not be used.

    Every address the name has must pass: were one refused, which one a connection gets
    would be up to the resolver.
    """
    if target.literal is not None:
        addresses = [target.literal]
    else:
        try:
            async with asyncio.timeout(timeout_s):
                infos = await asyncio.get_running_loop().getaddrinfo(
                    target.host, target.port, type=socket.SOCK_STREAM
                )
        except (OSError, TimeoutError) as exc:
            raise EgressRefused(
                f"webhook URL refused: {target.host!r} does not resolve ({exc})", field="url"
            ) from None
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
        )
        if not addresses:
            raise EgressRefused(f"webhook URL refused: {target.host!r} has no address", field="url")
    if not allow_private:
        for address in addresses:
            why = refused_address(address)
            if why is not None:
                named = "" if target.literal is not None else f" ({target.host} resolves to it)"
                raise EgressRefused(
                    f"webhook URL refused: {address} is {why}{named}; "
                    "REGISTRY_WEBHOOK_ALLOW_PRIVATE=1 allows it",
                    field="url",
                )
    return addresses
