"""Every write on a project's description, teams and follows (proposing and deleting a
project are the workflow's: ``workflows.services``). Interfaces call these, never the ORM.

Each service checks permission through ``access``, runs in one transaction and leaves
nothing half-written when it refuses.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import access, events, signals
from .errors import Invalid, NotFound
from .models import Follow, Membership, Project, Role
from .permissions import sync_permissions

User = get_user_model()

# The description fields a person edits, in the order forms show them.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "problem",
    "public_served",
    "origin",
    "repository_url",
    "website_url",
    "licence",
    "visibility",
)


def apply_fields(project: Project, fields: dict) -> None:
    unknown = set(fields) - {*EDITABLE_FIELDS, "themes", "territories"}
    if unknown:
        raise Invalid({name: [_("Champ inconnu.")] for name in sorted(unknown)})
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(project, name, value)


@transaction.atomic
def update_project(*, by, project: Project, themes=None, territories=None, **fields) -> Project:
    """Edit a project's description. The stage is not a field here: transitions move it."""
    project = access.access_project(by, project.pk, lock=True)
    access.require(access.can_edit(by, project), by)
    restricting = fields.get("visibility", project.visibility) != project.visibility
    repository = project.repository_url
    apply_fields(project, fields)
    project.save()
    if project.repository_url != repository:
        signals.repository_changed.send(sender=Project, project=project, by=by)
    if restricting:
        events.announce_access_change(project.pk)
    if themes is not None:
        project.themes.set(themes)
    if territories is not None:
        project.territories.set(territories)
    return project


@transaction.atomic
def add_member(*, by, project: Project, user_id, role: str = Role.MEMBER) -> Membership:
    project = access.access_project(by, project.pk, lock=True)
    access.require(access.can_manage_team(by, project), by)
    if role not in Role.values:
        raise Invalid({"role": [_("Rôle inconnu.")]})
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid({"user": [_("Cette personne n'existe pas.")]})
    if Membership.objects.filter(project=project, user=user).exists():
        raise Invalid({"user": [_("Cette personne fait déjà partie de l'équipe.")]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(project=project, user=user, role=role)
    except IntegrityError:
        raise Invalid({"user": [_("Cette personne fait déjà partie de l'équipe.")]}) from None
    sync_permissions(project)
    signals.team_changed.send(sender=Project, project=project, by=by)
    return membership


@transaction.atomic
def change_role(*, by, project: Project, user_id, role: str) -> Membership:
    project = access.access_project(by, project.pk, lock=True)
    access.require(access.can_manage_team(by, project), by)
    if role not in Role.values:
        raise Invalid({"role": [_("Rôle inconnu.")]})
    membership = Membership.objects.filter(project=project, user_id=user_id).first()
    if membership is None:
        raise NotFound()
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(project, leaving=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    sync_permissions(project)
    events.announce_access_change(project.pk)
    return membership


@transaction.atomic
def remove_member(*, by, project: Project, user_id) -> None:
    """Owners and curators remove anyone; a member may leave. The last owner stays."""
    project = access.access_project(by, project.pk, lock=True)
    membership = Membership.objects.filter(project=project, user_id=user_id).first()
    leaving_self = by.is_authenticated and str(by.pk) == str(user_id)
    access.require(leaving_self or access.can_manage_team(by, project), by)
    if membership is None:
        raise NotFound()
    if membership.role == Role.OWNER:
        _keep_an_owner(project, leaving=membership)
    membership.delete()
    sync_permissions(project)
    signals.team_changed.send(sender=Project, project=project, by=by)
    events.announce_access_change(project.pk)


def check_keeps_an_owner(roles) -> None:
    """Invalid unless ``roles`` (the team's roles after a change) has an owner: a project
    keeps at least one. Forms that edit a whole team at once ask it too."""
    if Role.OWNER not in set(roles):
        raise Invalid(
            {"user": [_("Un projet garde au moins un porteur : désignez-en un autre d'abord.")]},
            code="last_owner",
        )


def _keep_an_owner(project: Project, *, leaving: Membership) -> None:
    others = Membership.objects.filter(project=project).exclude(pk=leaving.pk)
    check_keeps_an_owner(others.values_list("role", flat=True))


def follow_project(*, by, project: Project) -> None:
    project = access.access_project(by, project.pk)
    access.require(by.is_authenticated, by)
    Follow.objects.get_or_create(project=project, user=by)


def unfollow_project(*, by, project: Project) -> None:
    access.require(by.is_authenticated, by)
    Follow.objects.filter(project=project, user=by).delete()


PROFILE_FIELDS = ("first_name", "last_name", "email")


@transaction.atomic
def update_profile(*, by, first_name: str, last_name: str, email: str):
    """A person changes their own name and e-mail address (names are shown to others)."""
    access.require(access.is_signed_in(by), by)
    user = User.objects.select_for_update().get(pk=by.pk)
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.email = User.objects.normalize_email(email.strip())
    try:
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in PROFILE_FIELDS])
    except ValidationError as error:
        raise Invalid(error.message_dict) from None
    user.save(update_fields=list(PROFILE_FIELDS))
    by.first_name, by.last_name, by.email = user.first_name, user.last_name, user.email
    return user
