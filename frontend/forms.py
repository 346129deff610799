"""The pages' forms. They only shape and validate input; the services decide and write."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.checks import CHOICES as EVIDENCE_CHECKS
from frontend.widgets import WRITERS
from notifications.models import Notification
from outbox.models import Frequency
from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, Project, Role, Stage, Territory, Theme
from projects.services import EDITABLE_FIELDS, PROFILE_FIELDS
from workflows.models import Decision

User = get_user_model()

PROJECT_FIELDS = list(EDITABLE_FIELDS)


class DsfrRenderer(DjangoTemplates):
    """Every field, however the page renders it ({{ form }}, {{ field.as_field_group }}),
    in the design system's markup. The commonest widgets (inputs, text areas, lists and
    their options) are written by ``frontend.widgets``, the same markup as their templates
    without a template render each."""

    field_template_name = "frontend/fragments/field.html"

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        written = write(context["widget"]) if write else None
        if written is None:
            return super().render(template_name, context, request=request)
        return written.strip()


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


MAX_CONDITIONS = 10


class ConditionForm(forms.Form):
    """One condition of an ``approve_with_conditions`` vote: its text, its owner on the team,
    its due date, optionally its criterion. A row left blank is no condition."""

    text = forms.CharField(
        label=_("Condition"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ce que l'équipe doit faire."),
    )
    owner = forms.TypedChoiceField(
        label=_("Responsable de la condition"), coerce=int, required=False, empty_value=None
    )
    due_on = forms.DateField(
        label=_("Échéance de la condition"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    criterion = forms.ChoiceField(label=_("Critère concerné"), required=False)

    def __init__(self, *args, team=(), criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *team]
        self.fields["criterion"].choices = [("", "—"), *criteria]

    def clean(self):
        data = super().clean()
        if self.errors or not any(data.get(name) for name in ("text", "owner", "due_on")):
            return data
        if not (data.get("text") or "").strip():
            self.add_error("text", _("Écrivez ce que l'équipe doit faire."))
        if data.get("owner") is None:
            self.add_error("owner", _("Choisissez un membre de l'équipe."))
        due_on = data.get("due_on")
        if due_on is None:
            self.add_error("due_on", _("Donnez une échéance."))
        elif due_on <= timezone.localdate():
            self.add_error("due_on", _("L'échéance doit être dans le futur."))
        return data

    @property
    def given(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return any(data.get(name) for name in ("text", "owner", "due_on"))


ConditionFormSet = forms.formset_factory(
    ConditionForm, extra=1, max_num=MAX_CONDITIONS, absolute_max=MAX_CONDITIONS, validate_max=True
)


class DecisionForm(forms.Form):
    """A vote; with ``approve_with_conditions``, its conditions (``conditions``, a formset
    of as many rows as the reviewer adds, ten at most)."""

    verdict = forms.ChoiceField(
        label=_("Votre décision"), choices=Decision.Verdict.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Motivation"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, data=None, *args, team=(), criteria=(), rows=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        prefix = self.add_prefix("conditions")
        options = {"team": team, "criteria": criteria}
        if data is None:
            self.conditions = ConditionFormSet(prefix=prefix, initial=rows, form_kwargs=options)
        else:
            # A vote sent without the rows (no condition at all) has no conditions.
            total = f"{prefix}-TOTAL_FORMS"
            if total not in data:
                data = data.copy()
                data[total], data[f"{prefix}-INITIAL_FORMS"] = "0", "0"
            self.conditions = ConditionFormSet(data, prefix=prefix, form_kwargs=options)

    def is_valid(self):
        valid = super().is_valid()
        return self.conditions.is_valid() and valid

    @property
    def error_count(self) -> int:
        """The errors of the vote and of its conditions, for the summary at the top."""
        rows = sum(len(row.errors) for row in self.conditions.forms) if self.is_bound else 0
        return len(self.errors) + rows + len(self.conditions.non_form_errors())

    def typed_rows(self) -> list[dict]:
        """What a reviewer typed in the conditions so far (to add a row without JavaScript:
        the form comes back unbound with these rows, and one more, blank)."""
        self.conditions.is_valid()
        rows = []
        for row in self.conditions.forms:
            data = {name: row[name].value() for name in row.fields}
            if any(data.values()):
                rows.append(data)
        return rows

    def clean(self):
        """The service reads ``conditions``: the rows filled in, in order."""
        data = super().clean()
        if not self.conditions.is_valid():
            return data
        entries = [
            {
                "text": row.cleaned_data["text"].strip(),
                "owner": row.cleaned_data["owner"],
                "due_on": row.cleaned_data["due_on"],
                "criterion": row.cleaned_data.get("criterion") or None,
            }
            for row in self.conditions.forms
            if row.given
        ]
        if data.get("verdict") == Decision.Verdict.APPROVE_WITH_CONDITIONS or entries:
            data["conditions"] = entries
        return data


class RationaleForm(forms.Form):
    rationale = forms.CharField(
        label=_("Motif"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class SendBackForm(RationaleForm):
    criteria = forms.MultipleChoiceField(
        label=_("Critères à retravailler"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ils reviennent à l'équipe, refusés avec votre motif."),
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = list(criteria)


class CompostForm(forms.Form):
    """The public lesson of a stopped project."""

    tried = forms.CharField(
        label=_("Ce que nous avons essayé"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    worked = forms.CharField(
        label=_("Ce qui a marché"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    failed = forms.CharField(
        label=_("Ce qui n'a pas marché"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reusable = forms.CharField(
        label=_("Ce que d'autres peuvent réutiliser"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    links = forms.CharField(
        label=_("Liens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Une adresse par ligne (http ou https), dix au plus."),
    )

    def clean_links(self):
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison de la pause"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Laissez vide pour soutenir la pause déjà proposée."),
    )
    revisit_on = forms.DateField(
        label=_("À réexaminer le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
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
