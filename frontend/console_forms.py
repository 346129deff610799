"""The forms of the curator's console. They shape input; ``workflows.configuration``
checks and writes it, as it does for the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.configuration import reviewer_candidates
from workflows.models import Criterion


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class GateForm(forms.Form):
    quorum = forms.IntegerField(
        label=_("Quorum d'approbations"),
        min_value=1,
        max_value=9,
        help_text=_("Le nombre d'approbations qui fait passer l'étape (de 1 à 9)."),
    )
    reviewers = PersonChoices(
        label=_("Vivier de relecteurs"),
        queryset=reviewer_candidates(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : tous les relecteurs peuvent relire cette étape."),
    )
    reuses_required = forms.IntegerField(
        label=_("Réutilisations vérifiées exigées"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_(
            "Pour un critère calculé sur les réutilisations : combien de réutilisations "
            "vérifiées, par des organisations hors de l'équipe, il faut (de 1 à 99)."
        ),
    )


class CriterionForm(forms.ModelForm):
    """A criterion's fields except its gate, which the page's address gives."""

    class Meta:
        model = Criterion
        fields = [
            "code",
            "principle",
            "title_fr",
            "title_en",
            "guidance_fr",
            "guidance_en",
            "level",
            "evidence",
            "position",
            "active",
        ]
        labels = {
            "code": _("Code"),
            "principle": _("Principe"),
            "title_fr": _("Intitulé en français"),
            "title_en": _("Intitulé en anglais"),
            "guidance_fr": _("Conseils en français"),
            "guidance_en": _("Conseils en anglais"),
            "level": _("Niveau"),
            "evidence": _("Preuve attendue"),
            "position": _("Position dans la grille"),
            "active": _("Actif (proposé aux projets qui entrent dans l'étape)"),
        }
        help_texts = {
            "code": _("Lettres minuscules, chiffres et tirets, unique : « pilot-rgpd »."),
        }
        widgets = {
            "guidance_fr": forms.Textarea(attrs={"rows": 3}),
            "guidance_en": forms.Textarea(attrs={"rows": 3}),
            "level": forms.RadioSelect,
            "evidence": forms.RadioSelect,
        }


class StuckForm(forms.Form):
    days = forms.IntegerField(
        label=_("Ouvertes depuis plus de (jours)"), min_value=1, max_value=365, initial=14
    )
