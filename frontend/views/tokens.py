"""API tokens page: issue a named token (its key shown once), list, revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.models import ApiToken
from accounts.tokens import NAME_MAX_LENGTH, issue_token, may_revoke, revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_l("Nom du jeton"),
        max_length=NAME_MAX_LENGTH,
        help_text=_l("Pour le reconnaître : le script ou la machine qui s'en sert."),
    )


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_key = issue_token(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
        else:
            status = 400
    rows = ApiToken.objects.filter(user=request.user).select_related("user")
    return render(
        request,
        "frontend/account/tokens.html",
        {"form": form, "tokens": rows, "new_key": new_key},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or not may_revoke(request.user, token):
        raise Http404
    revoke_token(by=request.user, token=token)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("frontend:tokens")
