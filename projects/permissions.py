"""Team roles mirrored into guardian object permissions.

Memberships are the truth; ``sync_permissions`` derives the guardian rows from them and is
the only code that writes those rows (the demo generator calls it for many projects).
"""

from django.contrib.auth.models import Permission

from .models import Membership, Project, ProjectUserObjectPermission, Role

ROLE_PERMISSIONS = {
    Role.MEMBER: {"view_project", "change_project"},
    Role.OWNER: {
        "view_project",
        "change_project",
        "manage_team",
        "archive_project",
        "delete_project",
    },
}


def sync_permissions(project: Project) -> None:
    """Make the project's guardian rows match its memberships exactly."""
    sync_permissions_of([project.pk])


def sync_permissions_of(project_ids, *, batch_size: int = 2000) -> None:
    """``sync_permissions`` for many projects in a fixed number of queries per batch."""
    project_ids = list(project_ids)
    for start in range(0, len(project_ids), batch_size):
        _sync(project_ids[start : start + batch_size], batch_size)


def _sync(project_ids: list[int], batch_size: int) -> None:
    wanted = {
        (project_id, user_id, codename)
        for project_id, user_id, role in Membership.objects.filter(
            project_id__in=project_ids
        ).values_list("project_id", "user_id", "role")
        for codename in ROLE_PERMISSIONS[role]
    }
    rows = ProjectUserObjectPermission.objects.filter(content_object_id__in=project_ids)
    existing = {
        (project_id, user_id, codename): pk
        for project_id, user_id, codename, pk in rows.values_list(
            "content_object_id", "user_id", "permission__codename", "pk"
        )
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        ProjectUserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = wanted - set(existing)
    if missing:
        permissions = dict(
            Permission.objects.filter(
                content_type__app_label="projects",
                codename__in={codename for *_, codename in missing},
            ).values_list("codename", "pk")
        )
        ProjectUserObjectPermission.objects.bulk_create(
            (
                ProjectUserObjectPermission(
                    content_object_id=project_id,
                    user_id=user_id,
                    permission_id=permissions[codename],
                )
                for project_id, user_id, codename in missing
            ),
            batch_size=batch_size,
        )
