"""Who may see and do what on a project: the one place every interface asks.

Platform roles are groups holding global permissions (curators, reviewers, funders); team
roles are memberships mirrored as guardian object permissions (see ``permissions.py``).

Every answer comes from ``RULES``: an action holds if the person holds its permission
globally, on the project (their own row or a group's row), or, for the reading actions, if
the project is public; reviewing is never on one's own project. The same rule is evaluated
three ways that cannot disagree, and ``tests/projects/test_access_rules.py`` checks that they
do not: for one project (``can``), for a page of projects (``Abilities``, a constant number
of queries), as a queryset (``Project.objects.restrict(user, action)``) and as a set of
people (``readers_among``).
"""

import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db.models import Exists, OuterRef, Q

from .errors import Forbidden, NotAuthenticated, NotFound
from .inputs import is_id, parse_id
from .models import (
    Membership,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    Visibility,
)
from .reading import once, one_reading

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Rule:
    """``codename`` granted globally or on the project; ``public``: a public project is
    enough for a signed-in person, and with ``visitors`` for anyone; ``outside_team``: never
    a member of the project's own team."""

    codename: str
    public: bool = False
    visitors: bool = False
    outside_team: bool = False


RULES = {
    "view": Rule("view_project", public=True, visitors=True),
    "comment": Rule("view_project", public=True),
    "change": Rule("change_project"),
    "manage_team": Rule("manage_team"),
    "delete": Rule("delete_project"),
    "archive": Rule("archive_project"),
    "reopen": Rule("reopen_project"),
    "review": Rule("review_project", outside_team=True),
}

# The platform permission that makes a curator: configuration, moderation, any review pool.
CURATOR_PERMISSION = "projects.curate"


def is_signed_in(user: User) -> bool:
    """A person who may act at all: signed in and not deactivated. Anyone else reads what a
    visitor reads."""
    return bool(user.is_authenticated and user.is_active)


def is_curator(user: User) -> bool:
    return is_signed_in(user) and user.has_perm(CURATOR_PERMISSION)


def _global(user: User, codename: str) -> bool:
    # Django caches a person's global permissions on the user object; ``remember`` may have
    # read this one already with another query.
    known = getattr(user, "_known_globals", {})
    if codename in known and not user.is_superuser:
        return known[codename]
    return user.has_perm(f"projects.{codename}")


def annotations(user: User, action: str, project_field: str = "project_id") -> dict:
    """Expressions that read, inside a query of rows that belong to a project (a review, an
    item), what ``can(user, action, project)`` asks the database about ``user``: whether
    they hold the rule's permission globally (``held_globally``) and whether they are on the
    project's team (``on_team``). ``remember`` keeps the answers, so ``can`` asks no more.
    Read them after the project's row lock, like the row they come with."""
    if not is_signed_in(user):
        return {}
    permissions = Permission.objects.filter(
        codename=RULES[action].codename, content_type__app_label="projects"
    ).filter(Q(user=user.pk) | Q(group__user=user.pk))
    team = Membership.objects.filter(project_id=OuterRef(project_field), user_id=user.pk)
    return {"held_globally": Exists(permissions), "on_team": Exists(team)}


def remember(user: User, project: Project, row, action: str) -> None:
    """Keep what ``annotations`` read with ``row`` for ``user`` on ``project``."""
    if not hasattr(row, "held_globally"):
        return
    known = getattr(user, "_known_globals", {})
    user._known_globals = {**known, RULES[action].codename: row.held_globally}
    project._known_team = {**getattr(project, "_known_team", {}), user.pk: row.on_team}


def object_grants(user: User, project_pks) -> dict[int, set[str]]:
    """The codenames ``user`` holds on each of ``project_pks`` through guardian rows, their
    own and their groups', in one query."""
    granted: dict[int, set[str]] = {}
    if not project_pks:
        return granted
    rows = ProjectUserObjectPermission.objects.filter(
        user=user, content_object_id__in=project_pks
    ).values_list("content_object_id", "permission__codename")
    group_rows = ProjectGroupObjectPermission.objects.filter(
        group__user=user, content_object_id__in=project_pks
    ).values_list("content_object_id", "permission__codename")
    for pk, codename in rows.union(group_rows, all=True):
        granted.setdefault(pk, set()).add(codename)
    return granted


def _in_team(user: User, project: Project) -> bool:
    known = getattr(project, "_known_team", {})
    if user.pk in known:
        return known[user.pk]
    cached = getattr(project, "_prefetched_objects_cache", {}).get("memberships")
    if cached is not None:
        return any(m.user_id == user.pk for m in cached)
    return Membership.objects.filter(project=project, user_id=user.pk).exists()


class Abilities:
    """``RULES`` answered for a whole page of projects in a constant number of queries: the
    person's global permissions (cached on the user), their object permissions on these
    projects (one query, only when a question needs it) and the teams (prefetched
    ``memberships`` when the page has them, one query per project otherwise)."""

    # The names the API and the pages show, and the rule each one asks.
    SHOWN = {
        "edit": "change",
        "manage_team": "manage_team",
        "delete": "delete",
        "archive": "archive",
        "reopen": "reopen",
        "review": "review",
        "comment": "comment",
    }

    def __init__(self, user: User, projects):
        self.user = user
        self.projects = list(projects)
        self.signed_in = is_signed_in(user)
        self._granted: dict[int, set[str]] | None = None
        self._teams: dict[int, bool] = {}

    def in_team(self, project: Project) -> bool:
        if project.pk not in self._teams:
            self._teams[project.pk] = _in_team(self.user, project)
        return self._teams[project.pk]

    def _object_codenames(self, project: Project) -> set[str]:
        if self._granted is None:
            self._granted = object_grants(self.user, [p.pk for p in self.projects])
        return self._granted.get(project.pk, set())

    def allows(self, action: str, project: Project) -> bool:
        rule = RULES[action]
        public = project.visibility == Visibility.PUBLIC
        if not self.signed_in:
            return rule.visitors and public
        granted = (
            (rule.public and public)
            or _global(self.user, rule.codename)
            or rule.codename in self._object_codenames(project)
        )
        return granted and not (rule.outside_team and self.in_team(project))

    def for_project(self, project: Project) -> dict[str, bool]:
        return {name: self.allows(action, project) for name, action in self.SHOWN.items()}


def reads_once(view):
    """``one_reading`` around a read-only view (``projects.reading``)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with one_reading():
            return view(*args, **kwargs)

    return wrapped


def abilities_for(user: User, project: Project) -> Abilities:
    """An ``Abilities`` for one project: their object permissions and their team are read
    once per request inside ``one_reading``, not once per check."""
    return once(("abilities", user.pk, project.pk), lambda: Abilities(user, [project]))


def can(user: User, action: str, project: Project) -> bool:
    """Whether ``RULES[action]`` holds for ``user`` on ``project``."""
    return abilities_for(user, project).allows(action, project)


def restrict(queryset, user: User, action: str = "view"):
    """``queryset`` (of projects) narrowed to those where ``RULES[action]`` holds."""
    rule = RULES[action]
    public = Q(visibility=Visibility.PUBLIC)
    if not is_signed_in(user):
        return queryset.filter(public) if rule.visitors else queryset.none()
    if not _global(user, rule.codename):
        granted = Q(
            pk__in=ProjectUserObjectPermission.objects.filter(
                user=user, permission__codename=rule.codename
            ).values("content_object_id")
        ) | Q(
            pk__in=ProjectGroupObjectPermission.objects.filter(
                group__user=user, permission__codename=rule.codename
            ).values("content_object_id")
        )
        queryset = queryset.filter(granted | public if rule.public else granted)
    if rule.outside_team:
        queryset = queryset.exclude(
            pk__in=Membership.objects.filter(user=user).values("project_id")
        )
    return queryset


def readers_among(users, project: Project, action: str = "view") -> set:
    """The pks of ``users`` for whom ``can(user, action, project)`` holds, in one query (none
    when the project's public face is enough): ``can`` for a whole list of recipients."""
    rule = RULES[action]
    pks = {user.pk for user in users}
    public = project.visibility == Visibility.PUBLIC
    if not pks or (rule.visitors and public):
        return pks
    people = get_user_model().objects.filter(pk__in=pks, is_active=True)
    if not (rule.public and public):
        perm = Permission.objects.filter(codename=rule.codename, content_type__app_label="projects")
        on_project = {"content_object": project, "permission__in": perm}
        people = people.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=perm)
            | Q(groups__permissions__in=perm)
            | Q(pk__in=ProjectUserObjectPermission.objects.filter(**on_project).values("user_id"))
            | Q(
                groups__in=ProjectGroupObjectPermission.objects.filter(**on_project).values(
                    "group_id"
                )
            )
        )
    if rule.outside_team:
        people = people.exclude(memberships__project=project)
    return set(people.values_list("pk", flat=True).distinct())


def is_team_member(user: User, project: Project) -> bool:
    return user.is_authenticated and abilities_for(user, project).in_team(project)


def can_view(user: User, project: Project) -> bool:
    return can(user, "view", project)


def can_edit(user: User, project: Project) -> bool:
    """Edit the project, attest checklist items, open or withdraw a gate review."""
    return can(user, "change", project)


def can_manage_team(user: User, project: Project) -> bool:
    return can(user, "manage_team", project)


def can_delete(user: User, project: Project) -> bool:
    return can(user, "delete", project)


def can_archive(user: User, project: Project) -> bool:
    return can(user, "archive", project)


def can_reopen(user: User, project: Project) -> bool:
    return can(user, "reopen", project)


def can_review(user: User, project: Project) -> bool:
    """Verify items, decide on reviews, send back. Never on one's own project."""
    return can(user, "review", project)


def can_comment(user: User, project: Project) -> bool:
    return can(user, "comment", project)


def can_see_everything(user: User) -> bool:
    """Reviewers, funders and curators read every project, restricted ones included."""
    return is_signed_in(user) and _global(user, "view_project")


def as_pk(value):
    """An id from a URL or a payload, or None when it cannot be one (see ``inputs``)."""
    if isinstance(value, str):
        return parse_id(value)
    return value if is_id(value) else None


def access_project(user: User, pk, *, lock: bool = False) -> Project:
    """The project ``pk`` if ``user`` may read it; NotFound alike for hidden and missing.

    With ``lock`` the row is taken with SELECT ... FOR UPDATE (call inside a transaction).
    """
    queryset = Project.objects.select_for_update() if lock else Project.objects.all()
    project = queryset.filter(pk=as_pk(pk)).first() if as_pk(pk) is not None else None
    if project is None or not can_view(user, project):
        raise NotFound()
    return project


def require(allowed: bool, user: User, detail=None) -> None:
    """Raise the right refusal: 401 for a visitor, 403 for a signed-in person."""
    if allowed:
        return
    if not user.is_authenticated:
        raise NotAuthenticated()
    raise Forbidden(detail)
