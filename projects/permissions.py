"""Team roles mirrored into guardian object permissions.

Memberships are the truth; ``sync_permissions`` derives the guardian rows from them and is
the only code that writes those rows.
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
    wanted = {
        (user_id, codename)
        for user_id, role in Membership.objects.filter(project=project).values_list(
            "user_id", "role"
        )
        for codename in ROLE_PERMISSIONS[role]
    }
    rows = ProjectUserObjectPermission.objects.filter(content_object=project)
    existing = set(rows.values_list("user_id", "permission__codename"))
    stale = existing - wanted
    if stale:
        for user_id, codename in stale:
            rows.filter(user_id=user_id, permission__codename=codename).delete()
    missing = wanted - existing
    if missing:
        permissions = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type__app_label="projects",
                codename__in={codename for _, codename in missing},
            )
        }
        ProjectUserObjectPermission.objects.bulk_create(
            ProjectUserObjectPermission(
                content_object=project, user_id=user_id, permission=permissions[codename]
            )
            for user_id, codename in missing
        )
