"""Small presentation helpers shared by the pages and their live fragments."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from notifications import services as notifications
from projects.models import Stage

register = template.Library()

TRANSITION_LABELS = {
    "advance": gettext_lazy("Passage à l'étape suivante"),
    "send_back": gettext_lazy("Retour à l'étape précédente"),
    "archive": gettext_lazy("Archivage"),
    "reopen": gettext_lazy("Réouverture"),
}


@register.filter
def stage_label(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


@register.filter
def transition_label(name: str) -> str:
    label = TRANSITION_LABELS.get(name)
    return str(label) if label else name


@register.filter
def person(user) -> str:
    """A person's display name: first and last name, else the username."""
    if user is None:
        return _("compte supprimé")
    return user.get_full_name() or user.get_username()


@register.inclusion_tag("frontend/fragments/stage_badge.html")
def stage_badge(stage: str):
    return {"stage": stage, "label": stage_label(stage)}


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    """Unread notifications of the signed-in person, for the navigation badge."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notifications.unread_count(user)


@register.simple_tag
def colon() -> str:
    """The colon after a label, spaced as the reader's language wants ("Étape : ", "Stage: ")."""
    # A no-break space before the colon in French.
    return pgettext("colon after a label", " :")  # noqa: RUF001
