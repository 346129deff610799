"""The repository evidence of the project page: the scan button, the one-click verify from
a passing result, and the team's exemptions. One service call each, back to the page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from evidence import read as evidence_read
from evidence import services as evidence_services
from evidence import verification
from evidence.checks import LABELS
from evidence.models import Exemption
from projects import access
from projects.errors import Conflict, Invalid, NotFound

from ..forms import ExemptionForm
from ..http import add_service_errors, refusals
from .parts import scan_context
from .workflow import back_to, done


@require_POST
@refusals
def scan_request(request, pk):
    project = access.access_project(request.user, pk)
    try:
        _scan, created = evidence_services.request_scan(by=request.user, project_id=project.pk)
    except (Conflict, evidence_services.ScanRateLimited) as error:
        messages.error(request, str(error.detail))
    else:
        if created:
            messages.success(
                request,
                _("Analyse demandée : elle commence dès qu'un processus de travail est libre."),
            )
        else:
            messages.info(request, _("Une analyse de ce dépôt est déjà en cours."))
    return back_to(project, "repository-scan")


@require_GET
@refusals
def scan_fragment(request, pk):
    """The scan card, fetched by the live module on ``scan.updated``."""
    project = access.access_project(request.user, pk)
    context = {"project": project, **scan_context(request.user, project)}
    return render(request, "frontend/fragments/scan_status.html", context)


@require_POST
@refusals
def verify_from_scan(request, pk, item_id):
    project = access.access_project(request.user, pk)
    try:
        scan_id = int(request.POST.get("scan", ""))
    except ValueError:
        raise NotFound() from None
    try:
        verification.verify_from_scan(
            by=request.user, project_id=project.pk, item_id=item_id, scan_id=scan_id
        )
    except Conflict as error:
        return done(request, project, f"item-{item_id}", str(error.detail), level=messages.ERROR)
    return done(
        request, project, f"item-{item_id}", _("Critère vérifié d'après l'analyse du dépôt.")
    )


@refusals
def exemptions(request, pk):
    """The team declares (or replaces) an exemption from one check, with its reason; the
    list shows them to everyone who reads the project."""
    project = access.access_project(request.user, pk)
    can_edit = access.can_edit(request.user, project)
    form = ExemptionForm()
    status = 200
    if request.method == "POST":
        access.require(can_edit, request.user)
        form = ExemptionForm(request.POST)
        if form.is_valid():
            try:
                evidence_services.declare_exemption(
                    by=request.user,
                    project_id=project.pk,
                    check_code=form.cleaned_data["check"],
                    reason=form.cleaned_data["reason"],
                )
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("L'exemption est déclarée."))
                return redirect(reverse("frontend:exemptions", args=[project.pk]))
        status = 400
    scan = evidence_read.latest_scan(project, finished=True)
    results = {r.check_code: r for r in scan.results.all()} if scan else {}
    declared = Exemption.objects.filter(project=project).select_related("declared_by")
    context = {
        "project": project,
        "can_edit": can_edit,
        "form": form,
        "exemptions": [
            {
                "exemption": exemption,
                "label": LABELS.get(exemption.check_code, exemption.check_code),
                "result": results.get(exemption.check_code),
                "text": evidence_read.describe(results[exemption.check_code])
                if exemption.check_code in results
                else "",
            }
            for exemption in declared
        ],
    }
    return render(request, "frontend/projects/exemptions.html", context, status=status)
