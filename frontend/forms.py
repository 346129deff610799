"""The pages' forms. They only shape and validate input; the services decide and write."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from evidence.checks import CHOICES as EVIDENCE_CHECKS
from notifications.models import Notification
from outbox.models import Frequency
from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, Project, Role, Stage, Territory, Theme
from projects.services import EDITABLE_FIELDS, PROFILE_FIELDS
from workflows.models import Decision

User = get_user_model()

PROJECT_FIELDS = list(EDITABLE_FIELDS)


class DsfrRenderer(DjangoTemplates):
    """Every field, however the page renders it ({{ form }}, {{ field.as_field_group }}),
    in the design system's markup."""

    field_template_name = "frontend/fragments/field.html"


def https_by_default(field, **kwargs):
    """A web address typed without a scheme means https (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ProjectForm(forms.ModelForm):
    """Propose or edit a project's description (never its stage)."""

    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    territories = forms.ModelMultipleChoiceField(
        label=_("Territoires"),
        queryset=Territory.objects.all(),
        required=False,
        help_text=_(
            "Départements ou régions où le projet agit (Ctrl ou Cmd pour en choisir plusieurs)."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        formfield_callback = https_by_default
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 5}),
            "public_served": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "summary": _("Une ou deux phrases : ce que fait le projet et pour qui."),
            "visibility": _(
                "Un projet restreint n'est visible que de son équipe et des relecteurs."
            ),
        }

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in PROJECT_FIELDS}
        data["themes"] = list(self.cleaned_data["themes"])
        data["territories"] = list(self.cleaned_data["territories"])
        return data


class ProjectFilterForm(forms.Form):
    """The filters of the project list, with the API's parameter names: the filtering itself
    is ``projects.filters.ProjectFilter``, this form only labels and shows it."""

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    stage = forms.ChoiceField(
        label=_("Étape"), required=False, choices=[("", _("Toutes")), *Stage.choices]
    )
    theme = forms.ModelChoiceField(
        label=_("Thème"), required=False, queryset=Theme.objects.all(), empty_label=_("Tous")
    )
    territory = forms.ModelChoiceField(
        label=_("Territoire"),
        required=False,
        queryset=Territory.objects.all(),
        empty_label=_("Tous"),
    )
    origin = forms.CharField(label=_("Origine"), required=False, max_length=120)
    mine = forms.BooleanField(
        label=_("Seulement mes projets"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "true"}),
    )


class AddMemberForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant de la personne"),
        max_length=150,
        help_text=_("L'identifiant avec lequel la personne se connecte."),
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.MEMBER)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Aucune personne n'a cet identifiant."))
        self.user = user
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class AttestForm(forms.Form):
    one_of = ("evidence_url", "evidence_text")  # one of them at least: neither is optional

    evidence_url = forms.URLField(
        label=_("Lien vers la preuve"),
        required=False,
        max_length=MAX_URL,
        assume_scheme="https",
        help_text=_("Un lien, une explication ou les deux."),
    )
    evidence_text = forms.CharField(
        label=_("Explication"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("evidence_url") and not data.get("evidence_text"):
            raise forms.ValidationError(_("Donnez un lien ou une explication."))
        return data


class NotApplicableForm(forms.Form):
    justification = forms.CharField(
        label=_("Pourquoi ce critère ne s'applique pas"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExemptionForm(forms.Form):
    """An exemption from one automatic check: which one, and why (mandatory)."""

    check = forms.ChoiceField(label=_("Vérification"), choices=EVIDENCE_CHECKS)
    reason = forms.CharField(
        label=_("Raison"),
        max_length=2000,
        help_text=_("Montrée aux relecteurs à côté du résultat."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Ce qui manque"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Votre décision"), choices=Decision.Verdict.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Motivation"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class RationaleForm(forms.Form):
    rationale = forms.CharField(
        label=_("Motif"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown accepté. Mentionnez quelqu'un avec @identifiant."),
    )


class AccountForm(forms.ModelForm):
    """The profile's fields as the model defines them, bound to no instance:
    ``update_profile`` writes them."""

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)


class PreferencesForm(forms.Form):
    """In-app and e-mail choices for each kind of notification, and the e-mails' language."""

    language = forms.ChoiceField(label=_("Langue des e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args, preferences: dict, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        for kind, label in Notification.Kind.choices:
            in_app, email = preferences.get(kind, (True, Frequency.NEVER))
            self.fields[f"{kind}__in_app"] = forms.BooleanField(
                label=_("%(kind)s : dans l'application") % {"kind": label},
                required=False,
                initial=in_app,
            )
            self.fields[f"{kind}__email"] = forms.ChoiceField(
                label=_("%(kind)s : par e-mail") % {"kind": label},
                choices=Frequency.choices,
                initial=email,
            )

    def choices(self) -> dict:
        return {
            kind: (
                self.cleaned_data[f"{kind}__in_app"],
                self.cleaned_data[f"{kind}__email"],
            )
            for kind in Notification.Kind.values
        }
