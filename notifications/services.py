"""In-app and e-mail notifications, honouring each person's preferences.

``notify`` is called by services inside their transaction: the rows and the e-mail items
are written with the change that caused them; the e-mails (tasks, see ``outbox``) and the
live unread counts leave after commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Q
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from incubator import layer
from outbox.mail import read_unsubscribe_token
from outbox.models import Frequency, Item, Recipient
from outbox.services import queue_items
from projects import access
from projects.errors import Invalid
from projects.inputs import is_id
from projects.models import Project

from . import texts
from .models import Notification, NotificationPreference

# What a person gets when they never chose: everything in the app, no e-mail.
DEFAULTS = {"in_app": True, "email": Frequency.NEVER.value}
# Kinds that send their e-mail at once unless the person chose otherwise: a webhook switched
# off unnoticed is a partner service gone quiet.
KIND_DEFAULTS = {Notification.Kind.WEBHOOK_DISABLED: {"email": Frequency.IMMEDIATE.value}}


def default(kind: str, channel: str):
    """What ``kind`` does on ``channel`` for a person who never chose."""
    return KIND_DEFAULTS.get(kind, {}).get(channel, DEFAULTS[channel])


def _render(template, params: dict) -> str:
    return str(template) % {
        key: value if isinstance(value, int | float) else str(value)
        for key, value in params.items()
    }


# A notification text rendered when it is read, in the language active then: ``notify``
# renders it once per recipient language. ``template`` is a gettext_lazy string.
message = lazy(_render, str)


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
            "in_app": chosen[kind].in_app if kind in chosen else default(kind, "in_app"),
            "email": chosen[kind].email if kind in chosen else default(kind, "email"),
        }
        for kind in Notification.Kind
    ]


@dataclass
class Notice:
    """One thing to tell: ``kind`` to ``recipients`` (users) about ``project``."""

    kind: str
    recipients: Iterable
    project: Project | None
    actor: object
    text: object
    url: str = ""


def settings_annotations(kinds) -> dict:
    """Annotations for a queryset of users that read, with them, what ``notify_all`` needs
    to know of each person for ``kinds``: their choice per kind (no row: defaults) and the
    language of their e-mails. A caller that reads its recipients anyway saves a query."""
    found = {"notify_language": F("mail_settings__language")}
    for kind in kinds:
        relation = f"pref_{kind}"
        found[relation] = FilteredRelation(
            "notification_preferences", condition=Q(notification_preferences__kind=kind)
        )
        found[f"{relation}_in_app"] = F(f"{relation}__in_app")
        found[f"{relation}_email"] = F(f"{relation}__email")
    return found


def _settings(people: dict, kinds) -> dict:
    """``{(user_id, kind): (in_app, email)}`` and ``{user_id: language}`` of ``people``, read
    from their annotations (``settings_annotations``) or in one query."""
    if all(hasattr(user, "notify_language") for user in people.values()) and all(
        hasattr(user, f"pref_{kind}_in_app") for user in people.values() for kind in kinds
    ):
        rows = people.values()
    else:
        rows = (
            get_user_model().objects.filter(pk__in=people).annotate(**settings_annotations(kinds))
        )
    choices, languages = {}, {}
    for user in rows:
        if user.notify_language:
            languages[user.pk] = user.notify_language
        for kind in kinds:
            choices[user.pk, kind] = (
                getattr(user, f"pref_{kind}_in_app"),
                getattr(user, f"pref_{kind}_email"),
            )
    return choices, languages


def notify(*, kind: str, recipients, project: Project | None, actor, text, url: str = ""):
    """Tell ``recipients`` (users) about something ``actor`` did on ``project``; see
    ``notify_all``. Returns the in-app Notification rows created."""
    return notify_all([Notice(kind, recipients, project, actor, text, url)])


def notify_all(notices) -> list:
    """Tell each notice's recipients, all notices written with one insert and one live
    unread push after commit.

    The actor is never told about their own action, inactive people and people who may not
    read the project are skipped. ``text`` is rendered in each recipient's language (pass a
    ``texts.Message(code, params)``, stored as its code; any other text is stored as
    given). The in-app rows and the e-mail items are written
    in the caller's transaction; immediate e-mails are tasks that leave after the commit.
    Returns the in-app Notification rows created."""
    told = []
    for notice in notices:
        if notice.kind not in Notification.Kind.values:
            raise ValueError(notice.kind)
        actor_id = getattr(notice.actor, "pk", None)
        candidates = [
            user
            for user in notice.recipients
            if user is not None and user.is_active and user.pk != actor_id
        ]
        project = notice.project
        readers = access.readers_among(candidates, project) if project else None
        people = {user.pk: user for user in candidates if readers is None or user.pk in readers}
        if people:
            told.append((notice, people))
    if not told:
        return []
    everyone = {pk: user for _notice, people in told for pk, user in people.items()}
    choices, languages = _settings(everyone, {notice.kind for notice, _people in told})

    def wants(user_id, kind, channel):
        in_app, email = choices.get((user_id, kind), (None, None))
        value = in_app if channel == "in_app" else email
        return default(kind, channel) if value is None else value

    limit = Notification._meta.get_field("text").max_length
    rows, items = [], []
    for notice, people in told:
        rendered = {}
        for language in {languages.get(user_id, settings.LANGUAGE_CODE) for user_id in people}:
            with translation.override(language):
                rendered[language] = str(notice.text)[:limit]
        project = notice.project
        coded = isinstance(notice.text, texts.Message)
        for user_id, user in people.items():
            text = rendered[languages.get(user_id, settings.LANGUAGE_CODE)]
            if wants(user_id, notice.kind, "in_app"):
                rows.append(
                    Notification(
                        recipient_id=user_id,
                        kind=notice.kind,
                        project=project,
                        actor=notice.actor,
                        # A system sentence is stored as its code, rendered when read.
                        text="" if coded else text,
                        code=notice.text.code if coded else "",
                        params=notice.text.params if coded else {},
                        url=notice.url,
                    )
                )
            if user.email and wants(user_id, notice.kind, "email") != Frequency.NEVER:
                items.append(
                    Item(
                        recipient_id=user_id,
                        kind=notice.kind,
                        frequency=wants(user_id, notice.kind, "email"),
                        project_id=project.pk if project else None,
                        project_title=project.title if project else "",
                        text=text,
                        url=notice.url,
                    )
                )
    created = Notification.objects.bulk_create(rows) if rows else []
    queue_items(items)
    if created:
        users = {row.recipient_id for row in created}
        transaction.on_commit(lambda: push_unread(users))
    return created


def push_unread(user_ids) -> None:
    """Send the current unread count to every socket of these people (after commit)."""
    user_ids = set(user_ids)
    unread = dict(
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .order_by()
        .values_list("recipient_id")
        .annotate(Count("id"))
    )
    layer.group_send(
        [
            (user_group(user_id), {"type": "notification.unread", "count": unread.get(user_id, 0)})
            for user_id in user_ids
        ]
    )


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
    """Record ``by``'s choices: ``{kind: {"in_app": bool, "email": frequency}}`` where the
    frequency is ``immediate``, ``daily``, ``weekly`` or ``never``; kinds and channels left
    out keep their current value. Anything unknown refuses the whole change."""
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
            or any(key not in DEFAULTS for key in choice)
            or ("in_app" in choice and not isinstance(choice["in_app"], bool))
            or ("email" in choice and choice["email"] not in Frequency.values)
        ):
            errors[kind] = [
                _(
                    'Attendu : {"in_app": vrai/faux, "email": '
                    '"immediate", "daily", "weekly" ou "never"}.'
                )
            ]
    if errors:
        raise Invalid(errors)
    for kind, choice in choices.items():
        pref, _created = NotificationPreference.objects.get_or_create(
            user=by,
            kind=kind,
            defaults={channel: default(kind, channel) for channel in DEFAULTS},
        )
        for key, value in choice.items():
            setattr(pref, key, value)
        pref.save()
    return preferences(by)


@transaction.atomic
def set_email_language(*, by, language) -> str:
    """The language of ``by``'s e-mails and notifications from now on."""
    access.require(by.is_authenticated, by)
    if language not in dict(settings.LANGUAGES):
        raise Invalid({"language": [_("Langue inconnue.")]})
    Recipient.objects.update_or_create(user=by, defaults={"language": language})
    return language


class Unsubscribe:
    """What an unsubscribe link did: ``done`` (kinds now at ``never``), ``already`` (nothing
    left to stop) or ``invalid`` (forged, damaged or expired: nothing changed)."""

    DONE, ALREADY, INVALID = "done", "already", "invalid"


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[str, list[str]]:
    """Stop the e-mails of the kinds a signed token names, for the person it names. A bad
    or expired token, or an unknown person or kind, changes nothing."""
    try:
        user_id, kinds = read_unsubscribe_token(token)
    except signing.BadSignature:
        return Unsubscribe.INVALID, []
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not kinds or any(k not in Notification.Kind.values for k in kinds):
        return Unsubscribe.INVALID, []
    current = {row["kind"]: row["email"] for row in preferences(user)}
    stopping = [kind for kind in kinds if current[kind] != Frequency.NEVER]
    if not stopping:
        return Unsubscribe.ALREADY, kinds
    for kind in stopping:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": Frequency.NEVER}
        )
    return Unsubscribe.DONE, stopping


def read_token(token: str) -> bool:
    """Whether an unsubscribe token is genuine and current (nothing is changed)."""
    try:
        read_unsubscribe_token(token)
    except signing.BadSignature:
        return False
    return True
