"""The forms of the webhook pages: their fields only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects import access
from projects.models import Project
from webhooks.models import EVENT_LABELS

PORTFOLIO = "portfolio"


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Adresse du destinataire"),
        max_length=500,
        help_text=_(
            "https:// sur une adresse publique ; rien de privé, de local ni de métadonnées."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://partenaire.example.org/hooks"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Pour vous y retrouver : le service qui reçoit."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Événements envoyés"),
        choices=list(EVENT_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, scoped=True, **kwargs):
        super().__init__(*args, **kwargs)
        if scoped:
            choices = [
                (str(project.pk), project.title)
                for project in Project.objects.restrict(user, "manage_team").order_by("title")[:500]
            ]
            if access.is_curator(user):
                choices.insert(0, (PORTFOLIO, _("Tout le portefeuille")))
            self.fields["scope"] = forms.ChoiceField(
                label=_("Projet suivi"),
                choices=choices,
                help_text=_("Les porteurs d'un projet et les curateurs peuvent le suivre."),
            )

    def project_id(self):
        scope = self.cleaned_data.get("scope")
        return None if scope == PORTFOLIO else int(scope)
