"""Limits on guessing: failed sign-ins per account and per address, password-reset mails
per e-mail address and per address.

Counters live in the cache, which is Redis (shared by every process) in production and
the process's memory in the embedded profile, and are atomic on both (``add`` then
``incr``). A window starts at the first failure; once the limit is reached every attempt
is refused, the right password included, until the window ends (``Retry-After``).
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


def _window(kind: str, value: str, *, open_one: bool = False) -> tuple[float, str] | None:
    """The current window of a subject: its start and the key of its counter. Each window
    has its own counter, so a counter never outlives its window's start. With ``open_one``
    a window starts now if none is running (``add``: the first process wins)."""
    seconds = settings.AUTH_LIMITS[kind][1]
    start_key = _key(kind, value) + ":start"
    for _ in range(3):  # a window that ends between the two calls: start the next one
        if open_one:
            cache.add(start_key, time.time(), timeout=seconds)
        start = cache.get(start_key)
        if start is not None:
            return start, f"{start_key[:-6]}:{round(start * 1e6)}"
        if not open_one:
            return None
    return None


def failures(subject: tuple[str, str]) -> int:
    """How many failures (or mails) ``subject`` has in its current window."""
    window = _window(*subject)
    return (cache.get(window[1]) or 0) if window else 0


def retry_after(*subjects: tuple[str, str]) -> int | None:
    """Seconds to wait if any ``(kind, value)`` subject reached its limit, else None."""
    now = time.time()
    waits = []
    for kind, value in subjects:
        count, seconds = settings.AUTH_LIMITS[kind]
        window = _window(kind, value)
        if window and (cache.get(window[1]) or 0) >= count:
            waits.append(max(1, math.ceil(window[0] + seconds - now)))
    return max(waits) if waits else None


def record(*subjects: tuple[str, str]) -> None:
    """Count one failure (or one mail) against each subject, atomically: ``add`` creates
    the counter if it is missing and ``incr`` adds one (single Redis commands), so failures
    recorded at once by several processes are all counted."""
    for kind, value in subjects:
        seconds = settings.AUTH_LIMITS[kind][1]
        for _ in range(3):
            window = _window(kind, value, open_one=True)
            if window is None:
                continue
            start, counter = window
            cache.add(counter, 0, timeout=max(1, math.ceil(start + seconds - time.time())))
            try:
                cache.incr(counter)
                break
            except ValueError:  # the window ended between add and incr
                continue


def clear(*subjects: tuple[str, str]) -> None:
    """Forget the failures of a subject that signed in (its counter expires unread)."""
    cache.delete_many([_key(kind, value) + ":start" for kind, value in subjects])


def sign_in_subjects(request, username: str) -> tuple[tuple[str, str], ...]:
    return (("sign_in_account", username or ""), ("sign_in_address", client_address(request)))
