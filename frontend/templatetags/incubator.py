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
    "compost": gettext_lazy("Compostage : arrêter avec une leçon"),
    "hold": gettext_lazy("Mise en pause"),
    "lift_hold": gettext_lazy("Levée de la pause"),
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
def error_count(form) -> int:
    """How many errors the summary at the top of ``form`` lists: the form's own count where
    it has more than its fields (a vote's conditions), else one per field in error."""
    return getattr(form, "error_count", None) or len(form.errors)


@register.filter
def person(user) -> str:
    """A person's display name: first and last name, else the username."""
    if user is None:
        return _("compte supprimé")
    return user.get_full_name() or user.get_username()


# Each stage's badge colour, from the design system's illustrative palette.
STAGE_BADGES = {
    Stage.IDEA: "fr-badge--yellow-tournesol",
    Stage.PROTOTYPE: "fr-badge--orange-terre-battue",
    Stage.PILOT: "fr-badge--blue-cumulus",
    Stage.COMMONS: "fr-badge--green-emeraude",
    Stage.ARCHIVED: "fr-badge--beige-gris-galet",
}
# A status as a system badge (success, error, info, warning).
STATUS_BADGES = {
    "attested": "fr-badge--info",
    "verified": "fr-badge--success",
    "rejected": "fr-badge--error",
    "not_applicable": "fr-badge--warning",
    # A reuse's status and a commons' renewal status (lapsed and dormant stay grey).
    "declared": "fr-badge--info",
    "refused": "fr-badge--error",
    "renewed": "fr-badge--success",
    "at_risk": "fr-badge--warning",
}


@register.inclusion_tag("frontend/fragments/stage_badge.html")
def stage_badge(stage: str):
    return {"stage": stage, "label": stage_label(stage), "variant": STAGE_BADGES.get(stage, "")}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


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


# The design system's class for each kind of widget (frontend/fragments/field.html).
WIDGET_CLASSES = {
    "select": "fr-select",
    "selectmultiple": "fr-select",
    "nullbooleanselect": "fr-select",
    "clearablefile": "fr-upload",
    "file": "fr-upload",
}


@register.filter
def dsfr_widget(field):
    """A field's widget with the design system's class (and its error variant)."""
    css = WIDGET_CLASSES.get(field.widget_type, "fr-input")
    if field.errors and css != "fr-upload":
        css = f"{css} {css}--error"
    own = field.field.widget.attrs.get("class")
    return field.as_widget(attrs={"class": f"{own} {css}" if own else css})


@register.filter
def optional(field) -> bool:
    """Whether to label the field "(facultatif)": not required, and not one of a group the
    form requires one of (``one_of``: a link or an explanation)."""
    return not field.field.required and field.name not in getattr(field.form, "one_of", ())
