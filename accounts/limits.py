"""Limits on guessing: failed sign-ins per account and per address, password-reset mails
per e-mail address and per address.

Counters live in the cache, which is Redis (shared by every process) in production and
the process's memory in the embedded profile. A window starts at the first failure; once
the limit is reached every attempt is refused, the right password included, until the
window ends (``Retry-After``).
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return "limit:" + hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


def client_address(request) -> str:
    """The client's address. Behind a proxy set ``TRUSTED_PROXY_HOPS`` so that the address
    is read from ``X-Forwarded-For`` (the proxy's own address would limit everyone)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def retry_after(*subjects: tuple[str, str]) -> int | None:
    """Seconds to wait if any ``(kind, value)`` subject reached its limit, else None."""
    now = time.time()
    waits = []
    for kind, value in subjects:
        count, seconds = settings.AUTH_LIMITS[kind]
        state = cache.get(_key(kind, value))
        if state and state[0] >= count:
            waits.append(max(1, math.ceil(state[1] + seconds - now)))
    return max(waits) if waits else None


def record(*subjects: tuple[str, str]) -> None:
    """Count one failure (or one mail) against each subject."""
    now = time.time()
    for kind, value in subjects:
        _count, seconds = settings.AUTH_LIMITS[kind]
        key = _key(kind, value)
        state = cache.get(key)
        if not state or state[1] + seconds <= now:
            state = (0, now)
        cache.set(key, (state[0] + 1, state[1]), timeout=math.ceil(state[1] + seconds - now))


def clear(*subjects: tuple[str, str]) -> None:
    """Forget the failures of a subject that signed in."""
    cache.delete_many([_key(kind, value) for kind, value in subjects])


def sign_in_subjects(request, username: str) -> tuple[tuple[str, str], ...]:
    return (("sign_in_account", username or ""), ("sign_in_address", client_address(request)))
