"""Scan endpoints: ask for a scan, read the latest one with its results."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access
from projects.api import errors
from projects.api_support import ErrorSerializer
from projects.errors import NotFound
from workflows import gates

from . import read, services, verification
from .models import Exemption, RepositoryScan
from .serializers import (
    ExemptionInputSerializer,
    ExemptionSerializer,
    ItemEvidenceSerializer,
    RepositoryScanSerializer,
)

RATE_LIMITED = {
    429: OpenApiResponse(
        ErrorSerializer, description=_("Trop d'analyses demandées ; `retry_after` en secondes.")
    )
}


def _with_results(scan: RepositoryScan) -> dict:
    scan = RepositoryScan.objects.prefetch_related("results").get(pk=scan.pk)
    return RepositoryScanSerializer(scan).data


class ScansView(APIView):
    @extend_schema(
        tags=["evidence"],
        summary="The project's latest repository scan with its results",
        responses={200: RepositoryScanSerializer, **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        scan = read.latest_scan(project)
        if scan is None:
            raise NotFound()
        return Response(_with_results(scan))

    @extend_schema(
        tags=["evidence"],
        summary="Queue a scan of the project's repository",
        description=(
            "The team and reviewers may ask. The scan is queued for a worker and the answer "
            "is 202 with the queued scan; its status (`queued`, `running`, then `done` or "
            "`refused` with `refusal_code` and `refusal_reason`) is read at "
            "`GET /api/projects/{id}/scans/{scan}/` and arrives as `scan.updated` events on "
            "the project's socket. One scan per project at a time: while one is queued or "
            "running, the answer is that scan (202, nothing new is queued). A project "
            "without repository is 409 `no_repository`; scans are rate-limited per project "
            "and per person (429 with `Retry-After`)."
        ),
        request=None,
        responses={202: RepositoryScanSerializer, **errors(401, 403, 404, 409), **RATE_LIMITED},
    )
    def post(self, request, pk):
        scan, _created = services.request_scan(by=request.user, project_id=pk)
        return Response(_with_results(scan), status=202)


class ScanView(APIView):
    @extend_schema(
        tags=["evidence"],
        summary="One scan of the project's repository, with its status and results",
        responses={200: RepositoryScanSerializer, **errors(404)},
    )
    def get(self, request, pk, scan_id):
        project = access.access_project(request.user, pk)
        scan = project.scans.filter(pk=scan_id).first()
        if scan is None:
            raise NotFound()
        return Response(_with_results(scan))


class EvidenceView(APIView):
    @extend_schema(
        tags=["evidence"],
        summary="The automatic results beside each mapped item of the project's checklist",
        description=(
            "From the latest finished scan, for each checklist item of the next gate whose "
            "criterion is mapped to checks. Evidence only: a reviewer verifies the item. "
            "`blocking` names the failing checks of a required item that are not exempted: "
            "verifying it then takes a `note` (400 `override_note_required` without one), "
            "kept as the item's `override`."
        ),
        responses={200: ItemEvidenceSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        items = list(gates.checklist_for(project))
        evidence = read.evidence_by_criterion(project, [item.criterion_id for item in items])
        overrides = verification.overrides_by_item(project, [item.pk for item in items])
        body = [
            {
                "item": item.pk,
                "criterion": item.criterion.code,
                "checks": evidence[item.criterion_id],
                "blocking": []
                if gates.is_done(item)
                else verification.blocking(item, evidence[item.criterion_id]),
                "override": overrides.get(item.pk) if gates.is_done(item) else None,
            }
            for item in items
            if item.criterion_id in evidence
        ]
        return Response(ItemEvidenceSerializer(body, many=True).data)


class ExemptionsView(APIView):
    @extend_schema(
        tags=["evidence"],
        summary="The project's declared exemptions from automatic checks",
        responses={200: ExemptionSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        exemptions = Exemption.objects.filter(project=project).select_related("declared_by")
        return Response(ExemptionSerializer(exemptions, many=True).data)

    @extend_schema(
        tags=["evidence"],
        summary="Declare (or replace) an exemption from one check, with its reason",
        request=ExemptionInputSerializer,
        responses={201: ExemptionSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(access.can_edit(request.user, project), request.user)
        data = ExemptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exemption = services.declare_exemption(
            by=request.user,
            project_id=project.pk,
            check_code=data.validated_data["check"],
            reason=data.validated_data["reason"],
        )
        return Response(ExemptionSerializer(exemption).data, status=201)
