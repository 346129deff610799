"""The sentences the system writes in notifications, stored as a code with parameters and
rendered in the reader's language when they are read (pages, API), or in the recipient's
language when an e-mail is written.

A parameter is kept as it was given, except a translatable label (a ``gettext_lazy``
string such as a stage's or a verdict's label): it is kept as ``{"msgid": ...}`` and
translated when the sentence is rendered. A code no longer known renders as nothing, and
the row's own ``text`` (typed, or from before the codes) is shown instead.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REVIEW_OPENED = "review_opened"
DECISION = "decision"
STAGE_CHANGED = "stage_changed"
REVIEW_WAITING = "review_waiting"
CHANGES_WAITING = "changes_waiting"
DORMANT = "dormant"
MENTION = "mention"
REPLY = "reply"
CONDITION_DUE = "condition_due"
CONDITION_MISSED = "condition_missed"
HOLD_PLACED = "hold_placed"
HOLD_LIFTED = "hold_lifted"
HOLD_REVISIT = "hold_revisit"
REUSE_DECLARED = "reuse_declared"
REUSE_VERIFIED = "reuse_verified"
REUSE_REFUSED = "reuse_refused"
REUSE_LAPSED = "reuse_lapsed"
REUSE_CONFIRM = "reuse_confirm"
RENEWAL_OPENED = "renewal_opened"
RENEWAL_DECIDED = "renewal_decided"

TEXTS = {
    REVIEW_OPENED: _("« %(title)s » demande le passage à l'étape %(stage)s."),
    DECISION: _("%(who)s sur « %(title)s » : %(verdict)s."),
    STAGE_CHANGED: _("« %(title)s » passe de l'étape %(from)s à l'étape %(to)s."),
    REVIEW_WAITING: _("« %(title)s » attend une décision depuis %(days)d jours."),
    CHANGES_WAITING: _(
        "Des modifications sont demandées sur « %(title)s » depuis %(days)d "
        "jours : rouvrez la revue quand elles sont faites."
    ),
    DORMANT: _("Rien ne s'est passé sur « %(title)s » depuis %(days)d jours : où en êtes-vous ?"),
    MENTION: _("%(name)s vous a mentionné sur « %(project)s »."),
    REPLY: _("%(name)s a répondu à votre message sur « %(project)s »."),
    CONDITION_DUE: _(
        "« %(title)s » : %(count)s condition(s) à remplir, la première avant le %(due)s."
    ),
    CONDITION_MISSED: _("« %(title)s » a manqué une condition (échéance %(due)s) : « %(text)s »."),
    HOLD_PLACED: _("« %(title)s » est en pause jusqu'au %(date)s : %(reason)s"),
    HOLD_LIFTED: _("La pause de « %(title)s » est levée."),
    HOLD_REVISIT: _(
        "La pause de « %(title)s » arrive à sa date de réexamen : levez-la ou prolongez-la."
    ),
    REUSE_DECLARED: _("%(organisation)s déclare réutiliser « %(title)s »."),
    REUSE_VERIFIED: _("La réutilisation de « %(title)s » par %(organisation)s est vérifiée."),
    REUSE_REFUSED: _("La réutilisation de « %(title)s » par %(organisation)s est refusée."),
    REUSE_LAPSED: _(
        "La réutilisation de « %(title)s » par %(organisation)s est échue, faute de confirmation."
    ),
    REUSE_CONFIRM: _(
        "%(organisation)s réutilise-t-elle toujours « %(title)s » ? Confirmez-le "
        "avant le %(until)s, sinon la réutilisation sera échue."
    ),
    RENEWAL_OPENED: _("Le commun « %(title)s » passe en revue de renouvellement (%(reason)s)."),
    RENEWAL_DECIDED: _("Le commun « %(title)s » : %(outcome)s."),
}

# The longest text shown, as the column held before the codes.
LIMIT = 300


class Message:
    """A sentence of ``TEXTS`` with its parameters, rendered when read (``str``)."""

    def __init__(self, code: str, params: dict):
        if code not in TEXTS:
            raise ValueError(code)
        self.code = code
        self.params = {key: _stored(value) for key, value in params.items()}

    def __str__(self) -> str:
        return render(self.code, self.params)


def _stored(value):
    if isinstance(value, Promise) and len(getattr(value, "_args", ())) == 1:
        return {"msgid": value._args[0]}  # a gettext_lazy label
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def render(code: str, params: dict) -> str:
    """The sentence ``code`` in the active language, or "" for a code no longer known."""
    template = TEXTS.get(code)
    if template is None:
        return ""
    values = {
        key: gettext(value["msgid"]) if isinstance(value, dict) else value
        for key, value in (params or {}).items()
    }
    try:
        return (str(template) % values)[:LIMIT]
    except (KeyError, TypeError, ValueError):
        return ""
