"""A person's notifications: the list, opening one (marks it read), marking all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from notifications import services as notification_services
from notifications.models import Notification
from projects.errors import NotFound

from ..http import refusals, require_post


@require_GET
@login_required
def notification_list(request):
    rows = Notification.objects.filter(recipient=request.user).select_related("project", "actor")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "frontend/notifications.html", {"page": page})


@require_post
@login_required
@refusals
def notification_open(request, notification_id):
    notification = Notification.objects.filter(pk=notification_id, recipient=request.user).first()
    if notification is None:
        raise NotFound()
    notification_services.mark_read(by=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("frontend:notifications")
    return redirect(target)


@require_post
@login_required
@refusals
def notification_read_all(request):
    changed = notification_services.mark_read(by=request.user)
    if changed:
        messages.success(request, _("Toutes vos notifications sont lues."))
    return redirect("frontend:notifications")
