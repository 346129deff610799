"""The webhook pages: register an endpoint (its secret shown once), change it, switch it on
or off, rotate its secret, read its delivery log and send a delivery again."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import access as project_access
from projects.errors import Conflict, Invalid
from webhooks import access, services
from webhooks.models import EVENT_LABELS, Attempt, Delivery

from ..http import add_service_errors, refusals
from ..webhook_forms import WebhookForm

LOG_PAGE = 50


@login_required
@refusals
def webhook_list(request):
    initial = {"scope": request.GET.get("project", ""), "event_types": list(EVENT_LABELS)}
    form = WebhookForm(request.POST or None, user=request.user, initial=initial)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = services.register_endpoint(
                    by=request.user,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    project_id=form.project_id(),
                    description=form.cleaned_data["description"],
                )
            except (Invalid, Conflict) as error:
                add_service_errors(form, error)
                status = error.status
            else:
                form = WebhookForm(user=request.user, initial=initial)
                status = 201
        else:
            status = 400
    return render(
        request,
        "frontend/webhooks/list.html",
        {
            "form": form,
            "may_register": bool(form.fields["scope"].choices),
            "endpoints": access.endpoints_visible_to(request.user),
            "created": created,
            "secret": secret,
            "is_curator": project_access.is_curator(request.user),
        },
        status=status,
    )


def _log(endpoint, page_number):
    since = timezone.now() - timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    rows = (
        Delivery.objects.filter(endpoint=endpoint, created_at__gte=since)
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("-at", "-id")))
        .order_by("-created_at", "-id")
    )
    return Paginator(rows, LOG_PAGE).get_page(page_number)


def rotating_until(endpoint):
    """Until when the previous secret still signs, during a rotation."""
    until = endpoint.previous_until
    return until if endpoint.previous_secret and until and until > timezone.now() else None


@login_required
@refusals
def webhook_detail(request, pk):
    endpoint = access.access_endpoint(request.user, pk)
    form = WebhookForm(
        user=request.user,
        scoped=False,
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
        },
    )
    secret = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                form = WebhookForm(request.POST, user=request.user, scoped=False)
                if not form.is_valid():
                    status = 400
                else:
                    try:
                        services.update_endpoint(
                            by=request.user, endpoint_id=endpoint.pk, **form.cleaned_data
                        )
                    except Invalid as error:
                        add_service_errors(form, error)
                        status = 400
                    else:
                        messages.success(request, _("Le webhook est enregistré."))
                        return redirect(endpoint)
            elif action in ("enable", "disable"):
                services.update_endpoint(
                    by=request.user, endpoint_id=endpoint.pk, active=action == "enable"
                )
                messages.success(
                    request,
                    _("Le webhook est réactivé : les envois en attente repartent dans l'ordre.")
                    if action == "enable"
                    else _("Le webhook est désactivé."),
                )
                return redirect(endpoint)
            elif action == "rotate":
                endpoint, secret = services.rotate_secret(by=request.user, endpoint_id=endpoint.pk)
            elif action == "delete":
                services.delete_endpoint(by=request.user, endpoint_id=endpoint.pk)
                messages.success(request, _("Le webhook et son journal sont supprimés."))
                return redirect("frontend:webhooks")
            elif action == "send_again":
                services.send_again(
                    by=request.user,
                    endpoint_id=endpoint.pk,
                    delivery_id=request.POST.get("delivery"),
                )
                messages.success(request, _("L'envoi repart : un worker s'en charge."))
                return redirect(endpoint)
            else:
                raise Invalid({"action": [_("Action inconnue.")]})
        except Conflict as error:
            messages.error(request, str(error.detail))
            status = error.status
        endpoint = access.access_endpoint(request.user, pk)
    return render(
        request,
        "frontend/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "secret": secret,
            "log": _log(endpoint, request.GET.get("page")),
            "rotating_until": rotating_until(endpoint),
            "log_days": settings.WEBHOOKS_LOG_DAYS,
        },
        status=status,
    )
