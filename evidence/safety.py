"""Repositories are hostile input: which addresses a scan may reach at all.

https only, on a host whose every address is public. ``EVIDENCE_ALLOW_LOCAL`` (tests only)
also admits ``file://`` and ``http://127.0.0.1``, so tests clone the way production does
from a server they start themselves.
"""

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from .errors import Refusal

# Cloud metadata services. All are also non-global addresses, so they are refused twice.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
MAX_REDIRECTS = 5
GIT_SERVICE = "application/x-git-upload-pack-advertisement"


@dataclass(frozen=True)
class Target:
    """An address that passed the checks, with the addresses its host resolved to (git is
    pinned to them, so a second DNS answer cannot point the clone elsewhere)."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


def _allowed_local(parts) -> bool:
    if not settings.EVIDENCE_ALLOW_LOCAL:
        return False
    return parts.scheme == "file" or (parts.scheme == "http" and parts.hostname == "127.0.0.1")


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and ip not in METADATA and not ip.is_multicast


def check_url(url: str) -> Target:
    """The target for ``url``, or a Refusal saying why it may not be read."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refusal("bad_url") from None
    if parts.username or parts.password:
        raise Refusal("credentials")
    if _allowed_local(parts):
        if parts.scheme == "file":
            return Target(url=url, host="", port=0, addresses=())
        return Target(url=url, host="127.0.0.1", port=port or 80, addresses=("127.0.0.1",))
    if parts.scheme != "https":
        raise Refusal("scheme")
    if not parts.hostname:
        raise Refusal("bad_url")
    port = port or 443
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refusal("unresolvable", parts.hostname) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(public_address(a) for a in addresses):
        raise Refusal("private_address", parts.hostname)
    return Target(url=url, host=parts.hostname, port=port, addresses=addresses)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def resolve(url: str, *, timeout: float) -> Target:
    """Follow the repository's redirects ourselves, checking every hop like the first one,
    and make sure the last one speaks git's smart HTTP protocol. git itself is then run
    with redirects off on the final address."""
    target = check_url(url)
    if target.url.startswith("file:"):
        return target
    opener = urllib.request.build_opener(_NoRedirect)
    for _hop in range(MAX_REDIRECTS + 1):
        probe = target.url.rstrip("/") + "/info/refs?service=git-upload-pack"
        request = urllib.request.Request(probe, headers={"User-Agent": "git/2 nec-incubator"})
        try:
            with opener.open(request, timeout=timeout) as response:
                kind = response.headers.get("Content-Type", "")
                if not kind.startswith(GIT_SERVICE):
                    raise Refusal("not_git")
                return target
        except urllib.error.HTTPError as error:
            if error.code in (301, 302, 303, 307, 308) and error.headers.get("Location"):
                location = urljoin(probe, error.headers["Location"])
                # The forge redirects the probe; the repository's base is the new address
                # less the probe's own path.
                base = location.split("/info/refs", 1)[0]
                try:
                    target = check_url(base)
                except Refusal as refusal:
                    raise Refusal("redirect", refusal.detail or base) from None
                continue
            if error.code in (401, 403, 404):
                raise Refusal("not_git", f"HTTP {error.code}") from None
            raise Refusal("unreachable", f"HTTP {error.code}") from None
        except TimeoutError:
            raise Refusal("timeout") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise Refusal("timeout") from None
            raise Refusal("unreachable", str(error.reason)[:200]) from None
        except (OSError, ValueError) as error:
            raise Refusal("unreachable", str(error)[:200]) from None
    raise Refusal("too_many_redirects")
