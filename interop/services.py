"""Writes of the interop app: a project's publiccode.yml details, and the import of a
publiccode.yml into the project. Project fields go through ``projects.services``."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects import access
from projects import services as project_services
from projects.errors import Invalid
from projects.models import Membership, Project, Role

from . import publiccode
from .models import PublicCodeProfile

PROJECT_FIELDS = ("title", "summary", "licence", "repository_url", "website_url")
PROFILE_FIELDS = tuple(
    field.name
    for field in PublicCodeProfile._meta.get_fields()
    if field.concrete and field.name not in ("id", "project", "updated_at")
)


@dataclass(frozen=True)
class Change:
    """One value an import would change: the field, its label, the value now and after, and
    why it cannot be taken when it does not fit the field (then nothing is imported)."""

    field: str
    label: str
    current: object
    proposed: object
    error: str = ""


def profile_of(project: Project) -> PublicCodeProfile | None:
    return PublicCodeProfile.objects.filter(project=project).first()


def owner_names(project: Project) -> list[str]:
    owners = Membership.objects.filter(project=project, role=Role.OWNER).select_related("user")
    return [m.user.get_full_name() or m.user.get_username() for m in owners]


def project_document(project: Project) -> tuple[dict, list[publiccode.Failure], list]:
    """``(document, failures, warnings)`` for the project's publiccode.yml."""
    document, warnings = publiccode.build(
        project, profile=profile_of(project), owners=owner_names(project)
    )
    return document, publiccode.validate(document), warnings


def proposed_changes(project: Project, document: dict) -> list[Change]:
    """What importing ``document`` would change, each value checked against its field."""
    profile = profile_of(project) or PublicCodeProfile(project=project)
    changes = []
    for name, value in publiccode.read(document).items():
        target = project if name in PROJECT_FIELDS else profile
        field = target._meta.get_field(name)
        current = getattr(target, name)
        if current == value:
            continue
        error = ""
        try:
            field.clean(value, target)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        changes.append(Change(name, str(field.verbose_name), current, value, error))
    return changes


@transaction.atomic
def import_publiccode(*, by, project: Project, document: dict) -> list[Change]:
    """Take a publiccode.yml's values into the project (through ``update_project``) and its
    profile, all or nothing: a value that does not fit its field refuses the whole import."""
    project = access.access_project(by, project.pk, lock=True)
    access.require(access.can_edit(by, project), by)
    changes = proposed_changes(project, document)
    errors = {change.field: [change.error] for change in changes if change.error}
    if errors:
        raise Invalid(errors, _("Certaines valeurs du publiccode.yml ne conviennent pas."))
    project_fields = {c.field: c.proposed for c in changes if c.field in PROJECT_FIELDS}
    if project_fields:
        project_services.update_project(by=by, project=project, **project_fields)
    profile_fields = {c.field: c.proposed for c in changes if c.field in PROFILE_FIELDS}
    if profile_fields:
        PublicCodeProfile.objects.update_or_create(project=project, defaults=profile_fields)
    return changes


@transaction.atomic
def update_publiccode_profile(*, by, project: Project, **fields) -> PublicCodeProfile:
    """Edit a project's publiccode.yml details (the team and curators)."""
    project = access.access_project(by, project.pk, lock=True)
    access.require(access.can_edit(by, project), by)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid({name: [_("Champ inconnu.")] for name in sorted(unknown)})
    profile = profile_of(project) or PublicCodeProfile(project=project)
    for name, value in fields.items():
        setattr(profile, name, value)
    try:
        profile.full_clean(exclude=["project"])
    except ValidationError as error:
        raise Invalid(error.message_dict) from None
    profile.save()
    return profile
