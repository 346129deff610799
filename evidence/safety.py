"""Repositories are hostile input: which addresses a scan may reach at all.

https only, on a host whose every address is public: the rules of ``network.addresses``,
shared with the webhooks. ``EVIDENCE_ALLOW_LOCAL`` (tests only) also admits ``file://`` and
``http://127.0.0.1``, so tests clone the way production does from a server they start
themselves.
"""

import socket
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from network.addresses import METADATA, Refused, Target, public_address
from network.addresses import check_url as check_address

from .errors import Refusal

__all__ = ["METADATA", "Target", "check_url", "public_address", "resolve"]

MAX_REDIRECTS = 5
GIT_SERVICE = "application/x-git-upload-pack-advertisement"


def check_url(url: str) -> Target:
    """The target for ``url``, or a Refusal saying why it may not be read. The address
    rules are the shared ones of ``network.addresses``; ``file://`` is the scanner's own
    test-only addition."""
    if settings.EVIDENCE_ALLOW_LOCAL:
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            raise Refusal("bad_url") from None
        if parts.scheme == "file" and not (parts.username or parts.password):
            return Target(url=url, scheme="file", host="", port=0, addresses=())
    try:
        return check_address(url, allow_local_http=settings.EVIDENCE_ALLOW_LOCAL)
    except Refused as refused:
        raise Refusal(refused.code, refused.detail) from None


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
