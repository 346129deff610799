"""Which addresses may be reached at all: https on a host whose every address is public.

An address is refused when it is private, loopback, link-local, shared (100.64/10), multicast,
reserved or a cloud metadata service, including IPv4 written as IPv6. A host is resolved once
here and the connection is pinned to those addresses, so a second DNS answer cannot point it
elsewhere (DNS rebinding).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

# Cloud metadata services. All are also non-global addresses, so they are refused twice.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}

CODES = (
    "bad_url",
    "scheme",
    "credentials",
    "unresolvable",
    "private_address",
    "timeout",
    "unreachable",
    "tls",
    "too_large",
    "bad_response",
)


class Refused(Exception):
    """The address may not be reached, or reaching it failed. ``code`` is one of ``CODES``;
    ``detail`` adds what was seen (a host, a limit), never a secret. Each app words the
    codes for people itself."""

    def __init__(self, code: str, detail: str = ""):
        assert code in CODES, code
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Target:
    """An address that passed the checks, with the addresses its host resolved to: every
    connection to it goes to one of these, never to a fresh DNS answer."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and ip not in METADATA and not ip.is_multicast


def check_url(url: str, *, allow_local_http: bool = False) -> Target:
    """The target for ``url``, or ``Refused`` saying why it may not be reached.

    https only; ``allow_local_http`` (tests, never production) also admits
    ``http://127.0.0.1:<port>``, so tests reach servers they start themselves the way
    production reaches the world."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("bad_url") from None
    if parts.username or parts.password:
        raise Refused("credentials")
    if allow_local_http and parts.scheme == "http" and parts.hostname == "127.0.0.1":
        return Target(
            url=url, scheme="http", host="127.0.0.1", port=port or 80, addresses=("127.0.0.1",)
        )
    if parts.scheme != "https":
        raise Refused("scheme")
    if not parts.hostname:
        raise Refused("bad_url")
    port = port or 443
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused("unresolvable", parts.hostname) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(public_address(a) for a in addresses):
        raise Refused("private_address", parts.hostname)
    return Target(url=url, scheme="https", host=parts.hostname, port=port, addresses=addresses)
