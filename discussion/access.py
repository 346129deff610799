"""Who may act on a comment, and the one lookup of a comment by id."""

from projects.access import User, as_pk, can_view, is_curator, is_signed_in
from projects.errors import NotFound

from .models import Comment


def can_change_comment(user: User, comment: Comment) -> bool:
    """Authors edit and delete their own comments; curators moderate any."""
    if not is_signed_in(user):
        return False
    return comment.author_id == user.pk or is_curator(user)


def access_comment(user: User, pk, *, lock: bool = False) -> Comment:
    """The comment ``pk`` with its project, loaded and authorised in one statement; NotFound
    alike for hidden and missing. With ``lock`` the comment and its project are locked."""
    if as_pk(pk) is None:
        raise NotFound()
    queryset = Comment.objects.select_related("project", "author")
    if lock:
        queryset = queryset.select_for_update(of=("self", "project"))
    comment = queryset.filter(pk=as_pk(pk)).first()
    if comment is None or not can_view(user, comment.project):
        raise NotFound()
    return comment
