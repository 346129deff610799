"""The interop endpoints: a project's publiccode.yml (out and in) and the open data package.

Views read through ``access`` and write through ``services``; the rules are in
``publiccode`` and ``datapackage``.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access
from projects.api import errors, validated
from projects.errors import Conflict, Invalid, NotFound
from projects.serializers import StrictSerializer

from . import datapackage, publiccode, services

YAML_TYPE = "application/yaml; charset=utf-8"


def site_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def incomplete(failures) -> Conflict:
    """409 naming every key the project cannot fill yet, and where to fill it."""
    return Conflict(
        _("Le publiccode.yml de ce projet est incomplet : %(keys)s.")
        % {"keys": ", ".join(dict.fromkeys(f.key for f in failures))},
        code="publiccode_incomplete",
        blockers=[{**f.as_dict(), "hint": publiccode.fix_hint(f.key)} for f in failures],
    )


class ImportInputSerializer(StrictSerializer):
    document = serializers.CharField(
        max_length=publiccode.MAX_BYTES,
        trim_whitespace=False,
        help_text=_l("Le contenu du publiccode.yml (texte YAML)."),
    )
    apply = serializers.BooleanField(
        default=False,
        help_text=_l("false : montrer ce qui changerait ; true : l'enregistrer."),
    )


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    current = serializers.JSONField(allow_null=True)
    proposed = serializers.JSONField()
    error = serializers.CharField(allow_blank=True)


class FailureSerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    changes = ChangeSerializer(many=True)
    failures = FailureSerializer(many=True, help_text="what the file misses for the standard")
    reuse_candidates = serializers.ListField(
        child=serializers.CharField(), help_text="usedBy: organisations to verify as reuses"
    )


PUBLICCODE_EXAMPLE = """publiccodeYmlVersion: '0.4'
name: Kit d'inclusion numérique
url: https://forge.example.org/nec/kit
platforms:
- web
developmentStatus: beta
softwareType: standalone/web
description:
  fr:
    shortDescription: Un kit pour accompagner les premiers pas en ligne.
    longDescription: ...
    features:
    - Fiches pratiques imprimables
legal:
  license: EUPL-1.2
maintenance:
  type: internal
  contacts:
  - name: Olga Martin
localisation:
  localisationReady: true
  availableLanguages:
  - fr
"""

INCOMPLETE_EXAMPLE = OpenApiExample(
    "Incomplet",
    status_codes=["409"],
    response_only=True,
    value={
        "detail": "Le publiccode.yml de ce projet est incomplet : url, legal.license.",
        "code": "publiccode_incomplete",
        "blockers": [
            {
                "key": "url",
                "code": "missing",
                "detail": "Clé obligatoire absente.",
                "hint": "À renseigner dans la fiche du projet.",
            },
            {
                "key": "legal.license",
                "code": "missing",
                "detail": "Clé obligatoire absente.",
                "hint": "À renseigner dans la fiche du projet.",
            },
        ],
    },
)


class PublicCodeView(APIView):
    @extend_schema(
        operation_id="project_publiccode",
        summary=_l("Le publiccode.yml du projet"),
        description=_l(
            "Le projet décrit selon le standard publiccode.yml (publiccodeYmlVersion 0.4), en "
            "français et en anglais quand le projet a une description anglaise. Une valeur "
            "obligatoire que le projet n'a pas n'est jamais inventée : la réponse est 409 "
            "`publiccode_incomplete`, `blockers` nomme chaque clé manquante ou invalide. "
            "Les clés facultatives manquantes sont nommées dans l'en-tête `Publiccode-Warnings` "
            "et en commentaire en tête du fichier."
        ),
        responses={
            (200, "application/yaml"): OpenApiResponse(
                OpenApiTypes.STR,
                examples=[OpenApiExample("publiccode.yml", value=PUBLICCODE_EXAMPLE)],
            ),
            **errors(404, 409),
        },
        examples=[INCOMPLETE_EXAMPLE],
        tags=["interop"],
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        document, failures, warnings = services.project_document(project)
        if failures:
            raise incomplete(failures)
        comments = [
            _("publiccode.yml du projet « %(title)s », généré par l'incubateur NEC.")
            % {"title": project.title},
            *(f"{w.key}: {w.message}" for w in warnings),
        ]
        response = HttpResponse(publiccode.dump(document, comments=comments), YAML_TYPE)
        response["Content-Disposition"] = 'inline; filename="publiccode.yml"'
        if warnings:
            response["Publiccode-Warnings"] = ", ".join(w.key for w in warnings)
        return response

    @extend_schema(
        operation_id="project_publiccode_import",
        summary=_l("Pré-remplir le projet depuis un publiccode.yml"),
        description=_l(
            "L'équipe et les curateurs. Avec `apply: false`, la liste de ce qui changerait "
            "(nom, descriptions, licence, contacts de maintenance...) sans rien écrire ; avec "
            "`apply: true`, l'enregistrement, tout ou rien. `usedBy` est rendu comme "
            "candidats à la réutilisation, à vérifier. Un fichier illisible, trop gros "
            "(512 Kio), avec des alias YAML ou trop imbriqué : 400 avec la raison."
        ),
        request=ImportInputSerializer,
        responses={200: ImportResultSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Aperçu",
                request_only=True,
                value={"document": PUBLICCODE_EXAMPLE, "apply": False},
            ),
            OpenApiExample(
                "Fichier refusé",
                status_codes=["400"],
                response_only=True,
                value={
                    "detail": "Certains champs sont invalides.",
                    "code": "invalid",
                    "errors": {
                        "document": ["Les alias YAML (*nom) ne sont pas acceptés (ligne 3)."]
                    },
                },
            ),
        ],
        tags=["interop"],
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(access.can_edit(request.user, project), request.user)
        data = validated(request, ImportInputSerializer)
        try:
            document = publiccode.parse(data["document"])
        except publiccode.ParseError as error:
            raise Invalid({"document": [error.reason]}) from None
        if data["apply"]:
            changes = services.import_publiccode(
                by=request.user, project=project, document=document
            )
        else:
            changes = services.proposed_changes(project, document)
        return Response(
            {
                "applied": data["apply"],
                "changes": [change.__dict__ for change in changes],
                "failures": [f.as_dict() for f in publiccode.validate(document)],
                "reuse_candidates": publiccode.read(document).get("used_by", []),
            }
        )


DIALECT = OpenApiParameter(
    "dialect",
    str,
    enum=list(datapackage.DIALECTS),
    description=_l(
        "`rfc4180` (par défaut) : virgules, en-têtes aux noms du schéma, UTF-8 sans BOM, "
        "dates UTC. `excel-fr` : pour un tableur en français : `;`, BOM UTF-8, en-têtes en "
        "français (les `title` du schéma), virgule décimale, heure de Paris."
    ),
)


def dialect_of(request) -> str:
    dialect = request.GET.get("dialect", "").strip() or "rfc4180"
    if dialect not in datapackage.DIALECTS:
        raise Invalid(
            {
                "dialect": [
                    _("Choisissez parmi : %(choices)s.")
                    % {"choices": ", ".join(datapackage.DIALECTS)}
                ]
            }
        )
    return dialect


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


OPEN_DATA = _l(
    "Données ouvertes sous Licence Ouverte 2.0 (etalab-2.0) : seulement ce qu'un visiteur "
    "peut lire (projets publics), quelle que soit la personne qui demande."
)


class DataPackageView(APIView):
    authentication_classes = []

    @extend_schema(
        operation_id="opendata_datapackage",
        summary=_l("Le portefeuille public en Data Package (datapackage.json)"),
        description=OPEN_DATA,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                examples=[
                    OpenApiExample(
                        "datapackage.json",
                        value={
                            "name": "nec-incubator-portfolio",
                            "licenses": [datapackage.LICENCE],
                            "resources": [
                                {"name": "projects", "path": "projects.csv", "schema": "..."}
                            ],
                        },
                    )
                ],
            )
        },
        auth=[],
        tags=["open data"],
    )
    def get(self, request):
        return Response(datapackage.descriptor(site_url=site_url(request)))


class ResourceView(APIView):
    authentication_classes = []

    @extend_schema(
        operation_id="opendata_resource",
        summary=_l("Une ressource du Data Package, en CSV"),
        description=OPEN_DATA,
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(datapackage.RESOURCES)),
            DIALECT,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                examples=[
                    OpenApiExample(
                        "transitions.csv",
                        value="id,project_id,name,from_stage,to_stage,at,rationale\r\n"
                        "12,3,advance,idea,prototype,2025-03-02T10:00:00Z,\r\n",
                    )
                ],
            ),
            **errors(400, 404),
        },
        auth=[],
        tags=["open data"],
    )
    def get(self, request, name):
        if name not in datapackage.RESOURCES:
            raise NotFound()
        dialect = dialect_of(request)
        text = datapackage.write_csv(name, site_url=site_url(request), dialect=dialect)
        return csv_response(text, f"{name}.csv")


class ZipView(APIView):
    authentication_classes = []

    @extend_schema(
        operation_id="opendata_zip",
        summary=_l("Le Data Package complet (zip)"),
        description=OPEN_DATA,
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        auth=[],
        tags=["open data"],
    )
    def get(self, request):
        response = HttpResponse(
            datapackage.write_zip(site_url=site_url(request)), content_type="application/zip"
        )
        response["Content-Disposition"] = 'attachment; filename="portefeuille-nec.zip"'
        return response
