"""Account settings: name and e-mail, notification preferences, and the one-click
unsubscribe of e-mail links. The password is changed through Django's own views, styled by
our templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from notifications import services as notification_services
from notifications.models import Notification
from outbox.mail import language_of
from projects import services as project_services
from projects.errors import Invalid

from ..forms import AccountForm, PreferencesForm
from ..http import add_service_errors, refusals


def _current(user) -> dict:
    return {
        row["kind"]: (row["in_app"], row["email"])
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
        request.POST if which == "preferences" else None,
        preferences=_current(user),
        language=language_of(user),
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
            kind: {"in_app": in_app, "email": email}
            for kind, (in_app, email) in prefs_form.choices().items()
        }
        try:
            notification_services.set_preferences(by=user, choices=choices)
            notification_services.set_email_language(
                by=user, language=prefs_form.cleaned_data["language"]
            )
        except Invalid as error:
            add_service_errors(prefs_form, error)
        else:
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("frontend:account")
    rows = [
        {
            "label": label,
            "in_app": prefs_form[f"{kind}__in_app"],
            "email": prefs_form[f"{kind}__email"],
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


@csrf_exempt
@refusals
def unsubscribe(request, token: str):
    """An e-mail's unsubscribe link. GET asks for confirmation (link scanners follow links);
    POST, from that page or a mail client's one-click (RFC 8058), stops those e-mails. The
    signed token is the authority: no session, hence no CSRF token to check."""
    outcome, kinds = None, []
    if request.method == "POST":
        outcome, kinds = notification_services.unsubscribe(token=token)
    else:
        outcome = "confirm" if notification_services.read_token(token) else "invalid"
    labels = [Notification.Kind(kind).label for kind in kinds]
    return render(
        request,
        "frontend/account/unsubscribe.html",
        {"outcome": outcome, "labels": labels, "token": token},
        status=400 if outcome == "invalid" else 200,
    )
