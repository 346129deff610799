"""The comment thread's forms. Posting works without JavaScript (the page reloads at the new
comment); the live module then shows it to everyone else on the page."""

from django.contrib import messages
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from discussion import access as discussion_access
from discussion import services as comment_services
from projects import access
from projects.errors import Conflict, Invalid, NotFound, RateLimited

from ..forms import CommentForm
from ..http import add_service_errors, confirm, refusals, require_post
from .projects import render_project_page
from .workflow import back_to


def _answer(request, project, *, form, prefix: str, call, anchor):
    if form.is_valid():
        try:
            comment = call(form.cleaned_data["body"])
        except Invalid as error:
            add_service_errors(form, error)
        except (Conflict, RateLimited) as error:
            form.add_error("body", str(error.detail))
        else:
            return back_to(project, anchor(comment))
    return render_project_page(request, project, bound={prefix: form})


@require_post
@refusals
def comment_post(request, pk):
    project = access.access_project(request.user, pk)
    access.require(access.can_comment(request.user, project), request.user)
    return _answer(
        request,
        project,
        form=CommentForm(request.POST, prefix="comment"),
        prefix="comment",
        call=lambda body: comment_services.post_comment(
            by=request.user, project=project, body=body
        )[0],
        anchor=lambda comment: f"comment-{comment.pk}",
    )


def _comment(request, comment_id):
    """The comment and its project, if this person may read that project."""
    comment = discussion_access.access_comment(request.user, comment_id)
    return comment, comment.project


@require_post
@refusals
def comment_reply(request, comment_id):
    parent, project = _comment(request, comment_id)
    access.require(access.can_comment(request.user, project), request.user)
    prefix = f"reply-{parent.pk}"
    return _answer(
        request,
        project,
        form=CommentForm(request.POST, prefix=prefix),
        prefix=prefix,
        call=lambda body: comment_services.post_comment(
            by=request.user, project=project, body=body, parent=parent.pk
        )[0],
        anchor=lambda comment: f"comment-{comment.pk}",
    )


@require_post
@refusals
def comment_edit(request, comment_id):
    comment, project = _comment(request, comment_id)
    access.require(discussion_access.can_change_comment(request.user, comment), request.user)
    prefix = f"edit-{comment.pk}"
    return _answer(
        request,
        project,
        form=CommentForm(request.POST, prefix=prefix),
        prefix=prefix,
        call=lambda body: comment_services.edit_comment(
            by=request.user, comment=comment, body=body
        ),
        anchor=lambda edited: f"comment-{edited.pk}",
    )


@require_http_methods(["GET", "POST"])
@refusals
def comment_delete(request, comment_id):
    """GET asks first (a page, or a dialog in the discussion); POST deletes."""
    comment, project = _comment(request, comment_id)
    if request.method == "GET":
        access.require(discussion_access.can_change_comment(request.user, comment), request.user)
        if comment.is_deleted:
            raise NotFound()
        return confirm(
            request,
            title=_("Supprimer ce message ?"),
            question=_("« %(excerpt)s » sera remplacé par la mention « message supprimé ».")
            % {"excerpt": Truncator(comment.body).chars(120)},
            action=reverse("frontend:comment_delete", args=[comment.pk]),
            confirm=_("Supprimer le message"),
            cancel=reverse("frontend:project_detail", args=[project.pk]) + f"#comment-{comment.pk}",
        )
    try:
        comment_services.delete_comment(by=request.user, comment=comment)
    except Conflict as error:
        messages.error(request, str(error.detail))
    return back_to(project, f"comment-{comment.pk}")
