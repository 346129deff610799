"""One reading per read-only request.

A page or a live fragment asks the same questions many times while it renders: the
person's rights on the project, the next gate, the open review and its votes, the
checklist, the live hold. Inside ``one_reading`` each is read once and kept for the rest
of the request. Only around reads: a write inside could change the answers.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_reading: ContextVar[dict | None] = ContextVar("one_reading", default=None)


@contextmanager
def one_reading():
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def once(key: tuple, compute):
    """``compute()``, kept under ``key`` for the rest of the reading (computed every time
    outside one)."""
    kept = _reading.get()
    if kept is None:
        return compute()
    if key not in kept:
        kept[key] = compute()
    return kept[key]
