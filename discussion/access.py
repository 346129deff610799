"""Who may act on a comment, and the one lookup of a comment by id."""

from projects.access import User, as_pk, can_view, is_curator, is_signed_in
from projects.errors import NotFound
from projects.models import Project

from .models import Comment


def can_change_comment(user: User, comment: Comment) -> bool:
    """Authors edit and delete their own comments; curators moderate any."""
    if not is_signed_in(user):
        return False
    return comment.author_id == user.pk or is_curator(user)


def access_comment(user: User, pk, *, lock: bool = False) -> Comment:
    """The comment ``pk`` with its project, loaded and authorised in one statement; NotFound
    alike for hidden and missing.

    With ``lock`` the project's row is locked first, as every service takes it, then the
    comment is read again and locked under it: a writer waiting for the project holds no
    comment meanwhile (it would deadlock with one that holds the project and then writes the
    comment: a moderation, a deletion of the project), and reads what the other committed.
    """
    if as_pk(pk) is None:
        raise NotFound()
    comment = Comment.objects.select_related("project", "author").filter(pk=as_pk(pk)).first()
    if comment is None or not can_view(user, comment.project):
        raise NotFound()
    if lock:
        project = Project.objects.select_for_update().filter(pk=comment.project_id).first()
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author")
            .filter(pk=comment.pk)
            .first()
        )
        if project is None or comment is None or not can_view(user, project):
            raise NotFound()
        comment.project = project
    return comment
