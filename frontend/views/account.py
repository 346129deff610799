"""Account settings: name and e-mail, notification preferences. The password is changed
through Django's own views, styled by our templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from projects import notifications as notification_services
from projects import services as project_services
from projects.errors import Invalid
from projects.models import Notification

from ..forms import AccountForm, PreferencesForm
from ..http import add_service_errors, refusals


def _current(user) -> dict:
    return {
        row["kind"]: (row["in_app"], row["by_email"])
        for row in notification_services.preferences(user)
    }


@login_required
@refusals
def account(request):
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    account_form = AccountForm(
        request.POST if which == "account" else None,
        initial={name: getattr(user, name) for name in project_services.PROFILE_FIELDS},
    )
    prefs_form = PreferencesForm(
        request.POST if which == "preferences" else None, preferences=_current(user)
    )
    if which == "account" and account_form.is_valid():
        try:
            project_services.update_profile(by=user, **account_form.cleaned_data)
        except Invalid as error:
            add_service_errors(account_form, error)
        else:
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("frontend:account")
    if which == "preferences" and prefs_form.is_valid():
        choices = {
            kind: {"in_app": in_app, "by_email": by_email}
            for kind, (in_app, by_email) in prefs_form.choices().items()
        }
        try:
            notification_services.set_preferences(by=user, choices=choices)
        except Invalid as error:
            add_service_errors(prefs_form, error)
        else:
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("frontend:account")
    rows = [
        {
            "label": label,
            "in_app": prefs_form[f"{kind}__in_app"],
            "by_email": prefs_form[f"{kind}__by_email"],
        }
        for kind, label in Notification.Kind.choices
    ]
    status = 400 if which else 200
    return render(
        request,
        "frontend/account/account.html",
        {"account_form": account_form, "prefs_form": prefs_form, "pref_rows": rows},
        status=status,
    )
