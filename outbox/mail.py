"""Turning a message into an e-mail in its recipient's language, and the signed
unsubscribe tokens its links carry."""

from itertools import groupby

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Frequency, Message, Recipient

UNSUBSCRIBE_SALT = "outbox.unsubscribe"
# A link in an old e-mail stops working after this long; the preference page always works.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90


def unsubscribe_token(user_id: int, kinds) -> str:
    """A signed, dated token saying "this person stops e-mails of these kinds"."""
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, list[str]]:
    """The person and kinds of a token; ``signing.BadSignature`` (or its subclass
    ``SignatureExpired``) when it is forged, damaged or too old."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
        or not isinstance(data.get("k"), list)
        or not all(isinstance(kind, str) for kind in data["k"])
    ):
        raise signing.BadSignature("unexpected payload")
    return data["u"], data["k"]


def language_of(user) -> str:
    row = Recipient.objects.filter(user=user).first()
    return row.language if row else settings.LANGUAGE_CODE


def build_email(message: Message) -> EmailMultiAlternatives:
    """Plain text and HTML, a link to each page, and a one-click unsubscribe (RFC 8058)
    for the kinds this message carries."""
    user = message.recipient
    items = list(message.items.order_by("project_title", "project_id", "created_at", "id"))
    kinds = {item.kind for item in items}
    unsubscribe = settings.SITE_URL + reverse(
        settings.PAGE_URLS["unsubscribe"], args=[unsubscribe_token(user.pk, kinds)]
    )
    with translation.override(language_of(user)):
        projects = [
            {"title": title, "items": list(group)}
            for (title, _id), group in groupby(
                items, key=lambda item: (item.project_title, item.project_id)
            )
        ]
        if message.frequency == Frequency.IMMEDIATE:
            subject = _("[Incubateur NEC] %(text)s") % {"text": items[0].text[:120]}
        else:
            subject = _("[Incubateur NEC] %(what)s : %(count)d nouveautés") % {
                "what": Frequency(message.frequency).label,
                "count": len(items),
            }
        context = {
            "user": user,
            "message": message,
            "digest": message.frequency != Frequency.IMMEDIATE,
            "projects": projects,
            "site_url": settings.SITE_URL,
            "preferences_url": settings.SITE_URL + reverse(settings.PAGE_URLS["account"]),
            "unsubscribe_url": unsubscribe,
            "LANGUAGE_CODE": translation.get_language(),
        }
        text = render_to_string("outbox/message.txt", context)
        html = render_to_string("outbox/message.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(html, "text/html")
    return email
