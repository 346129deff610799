"""The forms of the reuse registry and of renewal reviews on the project page. They shape
input only: identifiers, territories and rights are checked by ``commons.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commons.models import RenewalStatus, Reuse
from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, Territory


def territory_choices():
    return [("", _("Choisir…"))] + [
        (t.code, f"{t.name} ({t.code})") for t in Territory.objects.order_by("kind", "code")
    ]


class ReuseForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    siret = forms.CharField(
        label=_("SIREN ou SIRET"),
        required=False,
        max_length=20,
        help_text=_("9 ou 14 chiffres, pour un organisme français."),
    )
    organisation_uri = forms.CharField(
        label=_("Adresse de l'organisation (URI)"),
        required=False,
        max_length=MAX_URL,
        help_text=_("Sans SIREN (organisation étrangère, collectif) : son site ou sa fiche."),
    )
    territory = forms.ChoiceField(label=_("Territoire"))
    kind = forms.ChoiceField(
        label=_("Type de réutilisation"), choices=Reuse.Kind.choices, widget=forms.RadioSelect
    )
    version = forms.CharField(label=_("Version ou commit"), required=False, max_length=100)
    instance_url = forms.CharField(
        label=_("Adresse de l'instance"), required=False, max_length=MAX_URL
    )
    use_case = forms.CharField(
        label=_("Cas d'usage"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact = forms.CharField(
        label=_("Contact (e-mail)"),
        max_length=254,
        help_text=_("Visible seulement de l'équipe, des relecteurs et de vous."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once: a callable's choices are read again each time they are iterated, and
        # rendering the list iterates them twice (its options, and whether it needs an
        # answer).
        self.fields["territory"].choices = territory_choices()


class ReuseNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RenewalVoteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Votre avis"), choices=RenewalStatus.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Motivation"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    recovery_plan = forms.CharField(
        label=_("Plan de redressement (si en danger)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recovery_due = forms.DateField(
        label=_("Échéance du plan"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
