"""The repository scan button of the project page: one service call, back to the page."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence import services as evidence_services
from evidence.models import RepositoryScan
from projects import access
from projects.errors import Conflict

from ..http import refusals
from .workflow import back_to


@require_POST
@refusals
def scan_request(request, pk):
    project = access.access_project(request.user, pk)
    try:
        scan = evidence_services.request_scan(by=request.user, project_id=project.pk)
    except (Conflict, evidence_services.ScanRateLimited) as error:
        messages.error(request, str(error.detail))
    else:
        if scan.status == RepositoryScan.Status.DONE:
            messages.success(request, _("Dépôt analysé."))
        else:
            messages.error(request, scan.refusal_reason)
    return back_to(project, "repository-scan")
