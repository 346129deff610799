"""The portfolio dashboard: charts, each beside a table of the same numbers.

The filters are those of ``GET /api/portfolio/`` (parsed by the same function). With htmx
the form and the 30-second refresh ask for the figures fragment only; the refresh sends the
fingerprint of what is on screen and gets 204 (nothing to swap) when nothing changed.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.models import Stage, Territory, Theme
from workflows import portfolio
from workflows.models import GateReview, GateStage, Principle
from workflows.portfolio_api import parse_filters

REFRESH_SECONDS = 30


def labels() -> dict:
    """The names the charts show, in the active language."""
    return {
        "stages": {stage.value: str(stage.label) for stage in Stage},
        "gates": {gate.value: str(gate.label) for gate in GateStage},
        "principles": {p.value: str(p.label) for p in Principle},
        "statuses": {s.value: str(s.label) for s in GateReview.Status},
    }


@require_GET
def portfolio_page(request):
    filters, errors = parse_filters(request)
    figures = portfolio.figures(request.user, filters) if filters else None
    encoded = json.dumps(figures, cls=DjangoJSONEncoder, sort_keys=True)
    version = hashlib.sha256(encoded.encode()).hexdigest()[:16]
    partial = request.headers.get("HX-Request") == "true"
    if partial and figures and request.GET.get("version") == version:
        return HttpResponse(status=204)
    query = request.GET.copy()
    query.pop("version", None)
    context = {
        "figures": figures,
        "errors": errors,
        "labels": labels(),
        "version": version,
        "query": query.urlencode(),
        "refresh": REFRESH_SECONDS,
        "stage_rows": _stage_rows(figures) if figures else [],
        "compliance_rows": _compliance_rows(figures) if figures else [],
    }
    if partial:
        # htmx swaps only 2xx answers: bad filters come back as a message to show.
        return render(request, "frontend/portfolio_figures.html", context)
    context.update(
        {
            "values": request.GET,
            "stages": Stage.choices,
            "themes": Theme.objects.all(),
            "territories": Territory.objects.all(),
        }
    )
    return render(request, "frontend/portfolio.html", context, status=400 if errors else 200)


def _stage_rows(figures: dict) -> list[dict]:
    """One row per stage: projects there now, ever reached, conversion, time spent."""
    funnel = {row["stage"]: row for row in figures["funnel"]}
    time = {row["stage"]: row for row in figures["time_in_stage"]}
    return [
        {
            "stage": row["stage"],
            "count": row["count"],
            "funnel": funnel.get(row["stage"]),
            "time": time.get(row["stage"]),
        }
        for row in figures["stages"]
    ]


def _compliance_rows(figures: dict) -> list[dict]:
    """The compliance table: a row per stage, a cell per principle."""
    cells = {(row["stage"], row["principle"]): row for row in figures["compliance"]}
    return [
        {"stage": stage, "cells": [cells[(stage, principle)] for principle in Principle.values]}
        for stage in Stage.values
    ]
