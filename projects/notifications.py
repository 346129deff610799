"""In-app and e-mail notifications, honouring each person's preferences.

``notify`` is called by services inside their transaction: the rows are written with the
change that caused them, and the e-mails and the live unread counts leave after commit.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .errors import Invalid
from .inputs import is_id
from .models import Notification, NotificationPreference, Project

# What a person gets when they never chose: everything in the app, no e-mail.
DEFAULTS = {"in_app": True, "by_email": False}


# The most ids one "mark read" takes: a page of notifications is at most 100.
MAX_IDS = 1000


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences(user) -> list[dict]:
    """Every kind with this person's choice (or the default)."""
    chosen = {pref.kind: pref for pref in NotificationPreference.objects.filter(user=user)}
    return [
        {
            "kind": kind.value,
            "label": str(kind.label),
            "in_app": chosen[kind].in_app if kind in chosen else DEFAULTS["in_app"],
            "by_email": chosen[kind].by_email if kind in chosen else DEFAULTS["by_email"],
        }
        for kind in Notification.Kind
    ]


def notify(*, kind: str, recipients, project: Project | None, actor, text: str, url: str = ""):
    """Tell ``recipients`` (users) about something ``actor`` did on ``project``.

    The actor is never told about their own action, inactive people and people who may not
    read the project are skipped. Returns the in-app Notification rows created.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(kind)
    actor_id = getattr(actor, "pk", None)
    candidates = [
        user for user in recipients if user is not None and user.is_active and user.pk != actor_id
    ]
    readers = access.readers_among(candidates, project) if project else None
    people = {user.pk: user for user in candidates if readers is None or user.pk in readers}
    if not people:
        return []
    chosen = {
        pref.user_id: pref
        for pref in NotificationPreference.objects.filter(user_id__in=people, kind=kind)
    }

    def wants(user_id, channel):
        pref = chosen.get(user_id)
        return getattr(pref, channel) if pref else DEFAULTS[channel]

    text = text[: Notification._meta.get_field("text").max_length]
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id, kind=kind, project=project, actor=actor, text=text, url=url
        )
        for user_id in people
        if wants(user_id, "in_app")
    )
    mails = [
        (
            _("[Incubateur NEC] %(text)s") % {"text": text[:120]},
            f"{text}\n\n{settings.SITE_URL}{url}\n\n"
            + _("Vous pouvez choisir vos notifications dans votre profil."),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        for user_id, user in people.items()
        if user.email and wants(user_id, "by_email")
    ]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    if created:
        users = [row.recipient_id for row in created]
        transaction.on_commit(lambda: push_unread(users))
    return created


def push_unread(user_ids) -> None:
    """Send the current unread count to every socket of these people (after commit)."""
    layer = get_channel_layer()
    if layer is None:
        return
    user_ids = set(user_ids)
    unread = dict(
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .order_by()
        .values_list("recipient_id")
        .annotate(Count("id"))
    )

    async def send():
        for user_id in user_ids:
            await layer.group_send(
                user_group(user_id),
                {"type": "notification.unread", "count": unread.get(user_id, 0)},
            )

    async_to_sync(send)()


@transaction.atomic
def mark_read(*, by, ids=None) -> int:
    """Mark some of ``by``'s notifications read (all of them when ``ids`` is None).
    Returns how many changed."""
    access.require(by.is_authenticated, by)
    rows = Notification.objects.filter(recipient=by, read_at__isnull=True)
    if ids is not None:
        if not isinstance(ids, list) or len(ids) > MAX_IDS or not all(map(is_id, ids)):
            raise Invalid({"ids": [_("Une liste d'identifiants est attendue.")]})
        rows = rows.filter(pk__in=ids)
    changed = rows.update(read_at=timezone.now())
    if changed:
        transaction.on_commit(lambda: push_unread([by.pk]))
    return changed


@transaction.atomic
def set_preferences(*, by, choices) -> list[dict]:
    """Record ``by``'s choices: ``{kind: {"in_app": bool, "by_email": bool}}``; kinds and
    channels left out keep their current value."""
    access.require(by.is_authenticated, by)
    if not isinstance(choices, dict):
        raise Invalid({"non_field_errors": [_("Un objet {type: choix} est attendu.")]})
    errors = {}
    for kind, choice in choices.items():
        if kind not in Notification.Kind.values:
            errors[kind] = [_("Type de notification inconnu.")]
        elif (
            not isinstance(choice, dict)
            or not choice
            or any(
                key not in DEFAULTS or not isinstance(value, bool) for key, value in choice.items()
            )
        ):
            errors[kind] = [_('Attendu : {"in_app": vrai/faux, "by_email": vrai/faux}.')]
    if errors:
        raise Invalid(errors)
    for kind, choice in choices.items():
        pref, _created = NotificationPreference.objects.get_or_create(
            user=by, kind=kind, defaults=DEFAULTS
        )
        for key, value in choice.items():
            setattr(pref, key, value)
        pref.save()
    return preferences(by)
