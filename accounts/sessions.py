"""The end of a session reaches its open sockets.

Signing out, changing or resetting a password, and deactivating an account end sessions.
Each sends ``session.check`` to the person's group after commit; every socket of that
person (in any process: the channel layer is Redis in production) checks that its own
session still holds and closes with 4401 if not. Sockets also check on a timer, for a
session that ends without a message (expiry, a row deleted by hand).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import transaction
from django.utils.crypto import constant_time_compare

from incubator import layer


def session_group(user_id: int) -> str:
    return f"sessions-{user_id}"


def announce_session_end(user_id: int) -> None:
    """After commit, make every socket of this person check its session."""

    message = (session_group(user_id), {"type": "session.check"})
    transaction.on_commit(lambda: layer.group_send([message]))


def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        announce_session_end(user.pk)


def session_is_current(session_key: str | None, user_id: int) -> bool:
    """Whether the session ``session_key`` still signs in ``user_id``: it exists, names
    this person, who is active, and carries the hash of their current password (Django's
    own check, which a password change breaks for every other session)."""
    if not session_key:
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if str(data.get(SESSION_KEY)) != str(user_id) or BACKEND_SESSION_KEY not in data:
        return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


def password_saved(sender, instance, created, **kwargs):
    """A new password ends every other way in, whoever set it (the password pages, the
    admin, ``changepassword``, ``set_password`` then ``save``): the tokens are revoked now
    and the open sockets of other sessions (which Django's session hash already
    invalidates) close. ``_password`` is the raw password that ``set_password`` keeps until
    the save; Django clears it for a mere re-hash at sign-in. A hash written without the
    model is caught by the tokens' fingerprint and the sockets' timer instead."""
    if created or getattr(instance, "_password", None) is None:
        return
    from .tokens import revoke_all_tokens

    revoke_all_tokens(instance)
    announce_session_end(instance.pk)
