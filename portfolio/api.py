"""``GET /api/portfolio/`` and its exports: the portfolio figures of the projects the caller
may read, with the filters of the project list."""

import csv
import datetime

from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.filters import ProjectFilter
from projects.models import Project, Stage
from workflows.models import GateStage, Principle

from . import figures as portfolio

EARLIEST = datetime.date(2000, 1, 1)
MAX_VALUES = 20  # values kept per repeated parameter


class PeriodSerializer(serializers.Serializer):
    """What the portfolio adds to the project list's filters."""

    since = serializers.DateField(
        required=False,
        help_text=gettext_lazy("Projets proposés à partir de ce jour (2000-01-01 au plus tôt)."),
    )
    until = serializers.DateField(
        required=False,
        help_text=gettext_lazy(
            "Projets proposés jusqu'à ce jour inclus (un an après aujourd'hui au plus tard)."
        ),
    )
    stale_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        help_text=gettext_lazy("Jours sans changement d'étape au-delà desquels un projet dort."),
    )

    def validate(self, data):
        latest = timezone.localdate() + datetime.timedelta(days=366)
        errors = {}
        for name in ("since", "until"):
            day = data.get(name)
            if day and not EARLIEST <= day <= latest:
                errors[name] = [
                    _("Choisissez une date entre le %(first)s et le %(last)s.")
                    % {"first": EARLIEST.isoformat(), "last": latest.isoformat()}
                ]
        if not errors and data.get("since") and data.get("until") and data["since"] > data["until"]:
            errors["until"] = [_("La fin de la période précède son début.")]
        if errors:
            raise serializers.ValidationError(errors)
        return data


def parse_filters(request) -> tuple[portfolio.Filters | None, dict]:
    """``(filters, {})`` from the request's query string, or ``(None, errors)``: the project
    list's filters (same names, same 400s) plus the period. Empty values mean "any", so an
    untouched form field filters nothing."""
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept = [value.strip() for value in values[:MAX_VALUES] if value.strip()]
        if kept:
            query.setlist(name, kept)
    projects = ProjectFilter(
        data=query, queryset=Project.objects.visible_to(request.user), request=request
    )
    period = PeriodSerializer(data={name: query[name] for name in PERIOD if name in query})
    errors = {}
    if not projects.is_valid():
        errors.update(projects.errors)
    if not period.is_valid():
        errors.update(period.errors)
    if errors:
        return None, errors
    valid = period.validated_data
    narrowed = any(name in query for name in ProjectFilter.base_filters)
    filters = portfolio.Filters(
        selection=projects.qs if narrowed else None,
        since=valid.get("since"),
        until=valid.get("until"),
        stale_days=valid.get("stale_days", portfolio.DEFAULT_STALE_DAYS),
    )
    return filters, {}


PERIOD = list(PeriodSerializer().fields)


def _filters(request) -> portfolio.Filters:
    filters, errors = parse_filters(request)
    if errors:
        raise serializers.ValidationError(errors)
    return filters


# Output serializers: the documented shape of the figures.
class StageCountSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    count = serializers.IntegerField()


class FunnelStepSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    reached = serializers.IntegerField(help_text="projects that ever reached this stage")
    conversion = serializers.FloatField(
        allow_null=True, help_text="reached / reached at the previous stage"
    )


class SpreadSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    p25 = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    p75 = serializers.FloatField(allow_null=True)


class TimeInStageSerializer(SpreadSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    prototype = serializers.IntegerField()
    pilot = serializers.IntegerField()
    commons = serializers.IntegerField()
    send_back = serializers.IntegerField()
    archive = serializers.IntegerField()
    compost = serializers.IntegerField(help_text="archived with a lesson")
    reopen = serializers.IntegerField()


class ReviewOutcomeSerializer(serializers.Serializer):
    gate = serializers.ChoiceField(choices=GateStage.choices)
    outcomes = serializers.DictField(child=serializers.IntegerField())
    decision_days = SpreadSerializer()


class ComplianceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    principle = serializers.ChoiceField(choices=Principle.choices)
    verified = serializers.IntegerField()
    total = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class ThemeCountSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class TerritoryCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class TerritoriesSerializer(serializers.Serializer):
    rows = TerritoryCountSerializer(many=True)
    distinct = serializers.IntegerField()


class OriginCountSerializer(serializers.Serializer):
    origin = serializers.CharField()
    count = serializers.IntegerField()


class OriginsSerializer(serializers.Serializer):
    rows = OriginCountSerializer(many=True)
    distinct = serializers.IntegerField()


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)


class ListedProjectSerializer(ProjectRefSerializer):
    stage_changed_at = serializers.DateTimeField()


class DormantSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    count = serializers.IntegerField()
    projects = ListedProjectSerializer(many=True)


class ReuseCountsSerializer(serializers.Serializer):
    verified = serializers.IntegerField()
    declared = serializers.IntegerField()
    lapsed = serializers.IntegerField()


class TerritoryReusesSerializer(ReuseCountsSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProjectReusesSerializer(ReuseCountsSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ReusesSerializer(serializers.Serializer):
    territories = TerritoryReusesSerializer(many=True)
    projects = ProjectReusesSerializer(many=True)
    verified = serializers.IntegerField()


class CommonsFiguresSerializer(serializers.Serializer):
    renewed = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    dormant = serializers.IntegerField()
    due_soon = serializers.IntegerField(help_text="renewed or at risk, due within the days below")
    due_soon_days = serializers.IntegerField()


class HeldProjectSerializer(ProjectRefSerializer):
    revisit_on = serializers.DateField()
    placed_at = serializers.DateTimeField()


class HoldsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="projects on hold: a hold in force")
    revisit_due = serializers.IntegerField(help_text="of them, whose revisit date has come")
    proposed = serializers.IntegerField(help_text="holds proposed, waiting for the quorum")
    projects = HeldProjectSerializer(many=True, help_text="soonest revisit first")


class OverdueProjectSerializer(ProjectRefSerializer):
    overdue = serializers.IntegerField()
    due_on = serializers.DateField(help_text="the oldest due date of its overdue conditions")


class ConditionsSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="open, due date not passed")
    overdue = serializers.IntegerField(
        help_text="due date passed, neither met nor waived (missed, or open before the clock)"
    )
    met = serializers.IntegerField()
    waived = serializers.IntegerField()
    projects_overdue = serializers.IntegerField()
    projects = OverdueProjectSerializer(many=True, help_text="the longest overdue first")


class LessonProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the project")
    title = serializers.CharField()
    at = serializers.DateTimeField()


class LessonsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="lessons of composted projects (GET /api/lessons/)")
    latest = LessonProjectSerializer(many=True)


class CheckShareSerializer(serializers.Serializer):
    check = serializers.CharField()
    label = serializers.CharField()
    projects = serializers.IntegerField(help_text="pilot and commons projects")
    scanned = serializers.IntegerField(help_text="of them, with a finished latest scan")
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="passed / scanned")


class LicenceCountSerializer(serializers.Serializer):
    spdx = serializers.CharField()
    count = serializers.IntegerField()


class AttentionProjectSerializer(ProjectRefSerializer):
    status = serializers.CharField()
    scanned_at = serializers.DateTimeField()
    refusal_code = serializers.CharField()
    why = serializers.ChoiceField(choices=["failed", "old"])


class AttentionSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    count = serializers.IntegerField()
    never_scanned = serializers.IntegerField()
    projects = AttentionProjectSerializer(many=True)


class OpennessSerializer(serializers.Serializer):
    checks = CheckShareSerializer(many=True)
    licences = LicenceCountSerializer(many=True)
    attention = AttentionSerializer()


class PortfolioSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    stages = StageCountSerializer(many=True)
    funnel = FunnelStepSerializer(many=True)
    time_in_stage = TimeInStageSerializer(many=True)
    transitions_per_month = MonthSerializer(many=True)
    reviews = ReviewOutcomeSerializer(many=True)
    compliance = ComplianceSerializer(many=True)
    themes = ThemeCountSerializer(many=True)
    territories = TerritoriesSerializer()
    origins = OriginsSerializer()
    dormant = DormantSerializer()
    followed = ListedProjectSerializer(many=True)
    reuses = ReusesSerializer()
    commons = CommonsFiguresSerializer()
    holds = HoldsSerializer()
    conditions = ConditionsSerializer()
    lessons = LessonsSerializer()
    openness = OpennessSerializer(
        help_text="From each project's latest finished repository scan (docs/evidence.md)."
    )


class ExportRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    visibility = serializers.CharField()
    origin = serializers.CharField()
    themes = serializers.ListField(child=serializers.CharField())
    territories = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    stage_changed_at = serializers.DateTimeField()
    reached_prototype_at = serializers.DateTimeField(allow_null=True)
    reached_pilot_at = serializers.DateTimeField(allow_null=True)
    reached_commons_at = serializers.DateTimeField(allow_null=True)
    compliance_ethics = serializers.FloatField(allow_null=True)
    compliance_openness = serializers.FloatField(allow_null=True)
    compliance_replicability = serializers.FloatField(allow_null=True)
    compliance_improvability = serializers.FloatField(allow_null=True)
    compliance_sustainability = serializers.FloatField(allow_null=True)
    compliance_general_interest = serializers.FloatField(allow_null=True)
    reuses_verified = serializers.IntegerField()
    reuses_declared = serializers.IntegerField(help_text="declared, not verified yet")
    reuses_lapsed = serializers.IntegerField(help_text="verified once, not confirmed this year")
    reuse_territories = serializers.ListField(
        child=serializers.CharField(), help_text="INSEE codes of its verified reuses"
    )
    on_hold = serializers.BooleanField(help_text="a hold is in force")
    hold_revisit_on = serializers.DateField(allow_null=True)
    conditions_open = serializers.IntegerField(help_text="open, due date not passed")
    conditions_overdue = serializers.IntegerField(help_text="due date passed, not met nor waived")
    lessons = serializers.IntegerField(help_text="lessons published when it was composted")
    renewal_status = serializers.CharField(help_text="commons only: renewed, at_risk, dormant")
    renewal_due = serializers.DateField(allow_null=True, help_text="commons only")
    renewal_due_soon = serializers.BooleanField(
        help_text="renewed or at risk, due within 60 days (or past due)"
    )
    scan_status = serializers.CharField(help_text="latest finished scan: done or refused")
    scanned_at = serializers.DateTimeField(allow_null=True)
    licence_found = serializers.CharField(help_text="SPDX id of the licence file found")
    checks_passed = serializers.ListField(child=serializers.CharField())
    checks_failed = serializers.ListField(child=serializers.CharField())


class ExportSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    projects = ExportRowSerializer(many=True)


COLUMNS = list(ExportRowSerializer().fields)
ERRORS = {400: OpenApiResponse(description="Unknown filter value or bad period.")}


class FilteredSchema(AutoSchema):
    """Document the project list's filters although these views are not lists."""

    def get_filter_backends(self):
        return [DjangoFilterBackend]


class FilteredView(APIView):
    schema = FilteredSchema()
    queryset = Project.objects.none()
    filterset_class = ProjectFilter


class PortfolioView(FilteredView):
    @extend_schema(
        operation_id="portfolio",
        summary="Portfolio figures",
        description=(
            "Aggregates over the projects the caller may read (visitors: public projects), "
            "narrowed by the filters. Durations are in days."
        ),
        parameters=[PeriodSerializer],
        responses={200: PortfolioSerializer, **ERRORS},
        tags=["portfolio"],
    )
    def get(self, request):
        return Response(portfolio.figures(request.user, _filters(request)))


class ExportJSONView(FilteredView):
    # A download, not the browsable API page: JSON whatever the browser's Accept says.
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="portfolio_export_json",
        summary="Portfolio export (JSON)",
        description="One row per readable project: stage, dates, compliance per principle.",
        parameters=[PeriodSerializer],
        responses={200: ExportSerializer, **ERRORS},
        tags=["portfolio"],
    )
    def get(self, request):
        rows = portfolio.export_rows(request.user, _filters(request))
        response = Response({"count": len(rows), "projects": rows})
        response["Content-Disposition"] = 'attachment; filename="portefeuille.json"'
        return response


class ExportCSVView(FilteredView):
    @extend_schema(
        operation_id="portfolio_export_csv",
        summary="Portfolio export (CSV)",
        description=(
            "The JSON export as CSV (UTF-8, comma-separated, one header row); lists are "
            "joined with `|`, compliance shares are between 0 and 1. `dialect=excel-fr` "
            "writes it for a French spreadsheet: `;` between cells, a UTF-8 BOM, decimal "
            "commas."
        ),
        parameters=[
            PeriodSerializer,
            OpenApiParameter("dialect", str, enum=["rfc4180", "excel-fr"]),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
        tags=["portfolio"],
    )
    def get(self, request):
        dialect = request.GET.get("dialect", "").strip() or "rfc4180"
        if dialect not in ("rfc4180", "excel-fr"):
            raise serializers.ValidationError({"dialect": [_("Choisissez rfc4180 ou excel-fr.")]})
        french = dialect == "excel-fr"
        rows = portfolio.export_rows(request.user, _filters(request))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="portefeuille.csv"'
        if french:
            response.write("\ufeff")
        writer = csv.writer(response, delimiter=";" if french else ",")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_cell(row[column], french=french) for column in COLUMNS])
        return response


def _cell(value, *, french: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("oui" if value else "non") if french else ("true" if value else "false")
    if french and isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, list):
        value = "|".join(value)
    elif isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    value = str(value)
    # A spreadsheet would run a cell starting like a formula: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
