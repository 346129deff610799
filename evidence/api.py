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

from . import read, services
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
        summary="Scan the project's repository now",
        description=(
            "The team and reviewers may ask. One scan per project at a time (409 "
            "`scan_running`), a project without repository is 409 `no_repository`, and "
            "scans are rate-limited per project and per person (429). A refused repository "
            "still answers 201: the scan is finished with its `refusal_reason`."
        ),
        request=None,
        responses={201: RepositoryScanSerializer, **errors(401, 403, 404, 409), **RATE_LIMITED},
    )
    def post(self, request, pk):
        scan = services.request_scan(by=request.user, project_id=pk)
        return Response(_with_results(scan), status=201)


class EvidenceView(APIView):
    @extend_schema(
        tags=["evidence"],
        summary="The automatic results beside each mapped item of the project's checklist",
        description=(
            "From the latest finished scan, for each checklist item of the next gate whose "
            "criterion is mapped to checks. Evidence only: a reviewer verifies the item."
        ),
        responses={200: ItemEvidenceSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        items = list(gates.checklist_for(project))
        evidence = read.evidence_by_criterion(project, [item.criterion_id for item in items])
        body = [
            {
                "item": item.pk,
                "criterion": item.criterion.code,
                "checks": evidence[item.criterion_id],
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
