"""The public portfolio as a Frictionless Data Package (https://datapackage.org/).

Only what a visitor may read, whoever asks: public projects, their stage transitions, their
checklists and compliance per principle, and their reuses (no contact, no declarer). Each
resource is one CSV with its Table Schema; field ``name``s are stable machine names,
``title``s the French headers. The French spreadsheet dialect (``excel-fr``) writes those
French headers, ``;`` between cells, a UTF-8 BOM, decimal commas and local times, so that a
double-click opens it right.
"""

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.utils import timezone, translation

from commons.models import Reuse
from projects.models import TRANSITIONS, Project, Stage
from workflows.models import ChecklistItem, ItemStatus, Principle, Said, StageTransition

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
DIALECTS = ("rfc4180", "excel-fr")
MET = Q(status=ItemStatus.VERIFIED) | Q(status=ItemStatus.NOT_APPLICABLE, na_accepted=True)


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    type: str = "string"
    description: str = ""
    constraints: dict | None = None

    def schema(self) -> dict:
        field = {"name": self.name, "title": self.title, "type": self.type}
        if self.description:
            field["description"] = self.description
        if self.constraints:
            field["constraints"] = self.constraints
        return field


def _enum(values) -> dict:
    return {"enum": list(values)}


PROJECT_FIELDS = (
    Field("id", "Identifiant", "integer", constraints={"required": True, "unique": True}),
    Field("title", "Titre", constraints={"required": True}),
    Field("summary", "Résumé"),
    Field(
        "stage",
        "Étape",
        description="idea, prototype, pilot, commons, archived",
        constraints=_enum(Stage.values),
    ),
    Field("origin", "Origine", description="Rencontre ou édition d'origine"),
    Field("themes", "Thèmes", description="Identifiants de thèmes séparés par |"),
    Field(
        "territories",
        "Territoires",
        description="Codes INSEE séparés par | (départements ; régions préfixées de R)",
    ),
    Field("licence", "Licence", description="Identifiant SPDX"),
    Field("repository_url", "Dépôt"),
    Field("website_url", "Site web"),
    Field("page_url", "Page du projet"),
    Field("created_at", "Proposé le", "datetime"),
    Field("stage_changed_at", "Étape depuis le", "datetime"),
)
TRANSITION_FIELDS = (
    Field("id", "Identifiant", "integer", constraints={"required": True, "unique": True}),
    Field("project_id", "Projet", "integer", constraints={"required": True}),
    Field("name", "Transition", constraints=_enum(list(TRANSITIONS))),
    Field("from_stage", "Étape de départ", constraints=_enum(Stage.values)),
    Field("to_stage", "Étape d'arrivée", constraints=_enum(Stage.values)),
    Field("at", "Date", "datetime"),
    Field("rationale", "Motif"),
)
CHECKLIST_FIELDS = (
    Field("project_id", "Projet", "integer", constraints={"required": True}),
    Field("gate", "Passage", constraints=_enum(["prototype", "pilot", "commons"])),
    Field("criterion", "Critère", description="Code stable du critère"),
    Field("criterion_title", "Intitulé du critère"),
    Field("principle", "Principe", constraints=_enum(Principle.values)),
    Field("required", "Requis", "boolean"),
    Field("status", "Statut", constraints=_enum(ItemStatus.values)),
    Field("met", "Satisfait", "boolean", description="Vérifié, ou non applicable accepté"),
)
COMPLIANCE_FIELDS = (
    Field("project_id", "Projet", "integer", constraints={"required": True}),
    Field("principle", "Principe", constraints=_enum(Principle.values)),
    Field("met", "Critères satisfaits", "integer"),
    Field("total", "Critères", "integer"),
    Field("share", "Part satisfaite", "number", description="Entre 0 et 1"),
)

# Refused declarations are not reuses; contacts and declarers are personal data, never here.
PUBLISHED_REUSES = [Reuse.Status.DECLARED, Reuse.Status.VERIFIED, Reuse.Status.LAPSED]
REUSE_FIELDS = (
    Field("id", "Identifiant", "integer", constraints={"required": True, "unique": True}),
    Field("project_id", "Projet", "integer", constraints={"required": True}),
    Field("organisation", "Organisation", constraints={"required": True}),
    Field(
        "siret",
        "SIREN ou SIRET",
        description="9 ou 14 chiffres, pour un organisme français",
        constraints={"pattern": "([0-9]{9}|[0-9]{14})?"},
    ),
    Field("organisation_uri", "Adresse de l'organisation"),
    Field("territory", "Territoire", description="Code INSEE (régions préfixées de R)"),
    Field("kind", "Type de réutilisation", constraints=_enum(Reuse.Kind.values)),
    Field("version", "Version ou commit"),
    Field("instance_url", "Instance"),
    Field("use_case", "Cas d'usage"),
    Field(
        "status",
        "Statut",
        description="declared : à vérifier ; verified : vérifiée ; lapsed : non confirmée",
        constraints=_enum(PUBLISHED_REUSES),
    ),
    Field("declared_at", "Déclarée le", "datetime"),
    Field("confirmed_at", "Vérifiée ou confirmée le", "datetime"),
)


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def descriptor(self) -> dict:
        schema: dict = {"fields": [field.schema() for field in self.fields]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.name != "projects":
            schema["foreignKeys"] = [
                {"fields": "project_id", "reference": {"resource": "projects", "fields": "id"}}
            ]
        return {
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "licenses": [LICENCE],
            "schema": schema,
        }


RESOURCES = {
    resource.name: resource
    for resource in (
        Resource("projects", "Projets publics", PROJECT_FIELDS, ("id",)),
        Resource("transitions", "Changements d'étape", TRANSITION_FIELDS, ("id",)),
        Resource("checklist", "Critères par projet", CHECKLIST_FIELDS, ("project_id", "criterion")),
        Resource(
            "compliance",
            "Conformité par projet et principe",
            COMPLIANCE_FIELDS,
            ("project_id", "principle"),
        ),
        Resource("reuses", "Réutilisations déclarées", REUSE_FIELDS, ("id",)),
    )
}


def public_projects():
    """What a visitor may read: the same rule as everywhere, for an anonymous person."""
    return Project.objects.visible_to(AnonymousUser()).order_by("id")


def rows(name: str, *, site_url: str, ids: list[int] | None = None) -> list[dict]:
    """The rows of resource ``name``, one query each (three for projects). ``ids``: the
    public projects read once for a whole package, so that its resources agree."""
    if ids is None:
        ids = list(public_projects().values_list("pk", flat=True))
    projects = Project.objects.filter(pk__in=ids).order_by("id")
    if name == "projects":
        return [
            {
                "id": p.pk,
                "title": p.title,
                "summary": p.summary,
                "stage": p.stage,
                "origin": p.origin,
                "themes": "|".join(sorted(t.slug for t in p.themes.all())),
                "territories": "|".join(sorted(t.code for t in p.territories.all())),
                "licence": p.licence,
                "repository_url": p.repository_url,
                "website_url": p.website_url,
                "page_url": site_url + p.get_absolute_url(),
                "created_at": p.created_at,
                "stage_changed_at": p.stage_changed_at,
            }
            for p in projects.prefetch_related("themes", "territories")
        ]
    if name == "transitions":
        rows = list(
            StageTransition.objects.filter(project__in=projects)
            .order_by("at", "id")
            .values("id", "project_id", "name", "from_stage", "to_stage", "at", "rationale", "said")
        )
        # What the system said is published in French, like the criteria's titles.
        with translation.override("fr"):
            for row in rows:
                said = row.pop("said")
                if said:
                    row["rationale"] = str(Said(said).label)
        return rows
    if name == "checklist":
        items = (
            ChecklistItem.objects.filter(project__in=projects)
            .select_related("criterion__gate")
            .order_by("project_id", "criterion__gate_id", "criterion__position", "criterion_id")
        )
        return [
            {
                "project_id": item.project_id,
                "gate": item.criterion.gate.stage,
                "criterion": item.criterion.code,
                "criterion_title": item.criterion.title_fr,
                "principle": item.criterion.principle,
                "required": item.required,
                "status": item.status,
                "met": item.status == ItemStatus.VERIFIED
                or (item.status == ItemStatus.NOT_APPLICABLE and item.na_accepted),
            }
            for item in items
        ]
    if name == "compliance":
        counts = (
            ChecklistItem.objects.filter(project__in=projects)
            .values_list("project_id", "criterion__principle")
            .annotate(total=Count("pk"), met=Count("pk", filter=MET))
            .order_by("project_id", "criterion__principle")
        )
        return [
            {
                "project_id": project_id,
                "principle": principle,
                "met": met,
                "total": total,
                "share": round(met / total, 4) if total else None,
            }
            for project_id, principle, total, met in counts
        ]
    if name == "reuses":
        return list(
            Reuse.objects.filter(project__in=projects, status__in=PUBLISHED_REUSES)
            .order_by("id")
            .values(*(field.name for field in REUSE_FIELDS))
        )
    raise KeyError(name)


def write_csv(
    name: str, *, site_url: str, dialect: str = "rfc4180", ids: list[int] | None = None
) -> str:
    """Resource ``name`` as CSV text: RFC 4180 with the schema's names, or ``excel-fr``."""
    resource = RESOURCES[name]
    french = dialect == "excel-fr"
    out = io.StringIO()
    if french:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow([f.title if french else f.name for f in resource.fields])
    for row in rows(name, site_url=site_url, ids=ids):
        writer.writerow([_cell(row[f.name], f, french=french) for f in resource.fields])
    return out.getvalue()


def _cell(value, field: Field, *, french: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("oui" if value else "non") if french else ("true" if value else "false")
    if isinstance(value, datetime.datetime):
        if french:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if french else text
    text = str(value)
    if french and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run a cell starting like a formula: keep it text.
        return "'" + text
    return text


def descriptor(*, site_url: str) -> dict:
    """``datapackage.json``: the package's metadata and every resource's Table Schema; the
    resource paths are relative, so they resolve beside the descriptor at its URL and in
    the zip alike."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "nec-incubator-portfolio",
        "title": "Portefeuille public de l'incubateur Numérique en Commun[s]",
        "description": (
            "Les projets publics de l'incubateur, leurs changements d'étape, leurs critères "
            "et leur conformité aux six principes des communs numériques."
        ),
        "homepage": site_url + "/portfolio/",
        "licenses": [LICENCE],
        "created": timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [resource.descriptor() for resource in RESOURCES.values()],
    }


def write_zip(*, site_url: str) -> bytes:
    """The descriptor and every CSV in one zip. The public projects are listed once, so
    every row of every resource refers to a project of the package."""
    ids = list(public_projects().values_list("pk", flat=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "datapackage.json",
            json.dumps(descriptor(site_url=site_url), ensure_ascii=False, indent=2),
        )
        for name, resource in RESOURCES.items():
            archive.writestr(resource.path, write_csv(name, site_url=site_url, ids=ids))
    return buffer.getvalue()
