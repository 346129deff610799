"""Comment threads: posting, editing, deleting, Markdown rendering and mentions.

Every service locks the project row (so the event ``seq`` it records is the next one), then
the author's row (so the rate limit, counted from the database, holds across processes and
a retried ``client_id`` finds the first post), checks ``access``, writes, and records the
event; the broadcast and the notifications leave after commit.
"""

import re
from datetime import timedelta

import nh3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from notifications import texts
from notifications.models import Notification
from notifications.services import notify
from projects import access, events
from projects.errors import Conflict, Invalid, RateLimited
from projects.inputs import is_id, only_fields, parse_id
from projects.models import Project, ProjectEvent

from . import access as discussion_access
from .models import Comment

User = get_user_model()

CLIENT_ID_MAX_LENGTH = Comment._meta.get_field("client_id").max_length

# Raw HTML in the source is escaped by the parser; nh3 is the second line of defence and
# the only one that decides which tags, attributes and URL schemes reach a browser.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# Django usernames allow letters, digits and @ . + - _; a mention cannot follow a word
# character (so e-mail addresses are not mentions) and drops trailing punctuation.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w+-])")
# Distinct @names one comment may hold: a mention is a notification, not a mailing list, and
# every name is one term of the lookup (SQLite refuses a query of about a thousand).
MAX_MENTIONS = 50


def render(body: str) -> str:
    """Markdown to sanitised HTML: what a browser may display as is."""
    return sanitise(_markdown.render(body))


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        filter_style_properties={"text-align"},
    )


def mentioned_usernames(body: str) -> set[str]:
    return {match.lower() for match in MENTION.findall(body)}


def comment_data(comment: Comment) -> dict:
    """The API representation of a comment, also the ``data`` of its events.

    A tombstone keeps its place in the thread but loses its text.
    """
    author = comment.author
    return {
        "id": comment.pk,
        "project": comment.project_id,
        "author": None
        if author is None
        else {
            "id": author.pk,
            "username": author.get_username(),
            "name": author.get_full_name() or author.get_username(),
        },
        "body": comment.body,
        "html": comment.body_html,
        "parent": comment.parent_id,
        "checklist_item": comment.checklist_item_id,
        "review": comment.review_id,
        "client_id": comment.client_id,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "deleted": comment.is_deleted,
        "deleted_at": comment.deleted_at,
        "moderated": comment.is_deleted and comment.deleted_by_id != comment.author_id,
    }


POST_FIELDS = {"body", "parent", "checklist_item", "review", "client_id"}
EDIT_FIELDS = {"body"}


def comment_input(data, allowed: set[str] = POST_FIELDS) -> dict:
    """The fields of a post (or, with ``EDIT_FIELDS``, an edit) sent through the API or the
    socket: unknown fields are refused and ``body`` is required; ``post_comment`` and
    ``edit_comment`` check the values."""
    fields = only_fields(data, allowed)
    if "body" not in fields:
        raise Invalid({"body": [_("Ce champ est obligatoire.")]})
    return fields


def clean_body(value) -> str:
    """The body as stored, or Invalid: the one validation of a comment's text."""
    if not isinstance(value, str):
        raise Invalid({"body": [_("Le message doit être un texte.")]})
    body = value.strip()
    if not body:
        raise Invalid({"body": [_("Le message est vide.")]})
    limit = settings.COMMENT_MAX_LENGTH
    if len(body) > limit:
        raise Invalid(
            {"body": [_("Le message dépasse %(limit)s caractères.") % {"limit": limit}]},
            code="too_long",
        )
    if len(mentioned_usernames(body)) > MAX_MENTIONS:
        raise Invalid(
            {"body": [_("Un message mentionne %(n)s personnes au plus.") % {"n": MAX_MENTIONS}]},
            code="too_many_mentions",
        )
    return body


def _client_id(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > CLIENT_ID_MAX_LENGTH:
        raise Invalid(
            {
                "client_id": [
                    _("Identifiant client : texte de %(n)s caractères au plus.")
                    % {"n": CLIENT_ID_MAX_LENGTH}
                ]
            }
        )
    return value.strip()


def _linked(field: str, value, project: Project):
    """The checklist item or gate review ``value`` if it belongs to ``project``."""
    if value in (None, ""):
        return None
    model = Comment._meta.get_field(field).related_model
    pk = parse_id(value) if isinstance(value, str) else value
    if not is_id(pk):
        raise Invalid({field: [_("Identifiant invalide.")]})
    try:
        return model.objects.get(pk=pk, project=project)
    except model.DoesNotExist:
        raise Invalid({field: [_("Introuvable dans ce projet.")]}) from None


def _parent(value, project: Project) -> Comment | None:
    if value in (None, ""):
        return None
    parent = _linked("parent", value, project)
    if parent.parent_id is not None:
        raise Invalid({"parent": [_("On ne répond qu'à un message de premier niveau.")]})
    if parent.is_deleted:
        raise Invalid({"parent": [_("Ce message a été supprimé.")]})
    return parent


def _check_rate(user) -> None:
    count, seconds = settings.COMMENT_RATE
    now = timezone.now()
    recent = list(
        Comment.objects.filter(author=user, created_at__gt=now - timedelta(seconds=seconds))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:count]
    )
    if len(recent) >= count:
        oldest = recent[-1]
        retry = oldest + timedelta(seconds=seconds) - now
        raise RateLimited(retry_after=max(1, int(retry.total_seconds() + 0.999)))


def _lock(by, project_pk) -> Project:
    project = access.access_project(by, project_pk, lock=True)
    if by.is_authenticated:
        # Serialises one person's posts: the rate count and the client_id lookup stay exact.
        User.objects.select_for_update().filter(pk=by.pk).exists()
    return project


def _notify_mentions(comment: Comment, usernames: set[str]) -> set[int]:
    if not usernames:
        return set()
    # ``usernames`` are lowercase (``mentioned_usernames``); LOWER(username) has its index
    # (accounts' migrations): a case-insensitive lookup of another form reads every account.
    named = User.objects.annotate(handle=Lower("username")).filter(
        handle__in=usernames, is_active=True
    )
    people = [user for user in named if user.pk != comment.author_id]
    notify(
        kind=Notification.Kind.MENTION,
        recipients=people,
        project=comment.project,
        actor=comment.author,
        text=texts.Message(
            texts.MENTION,
            {"name": _name(comment.author), "project": comment.project.title},
        ),
        url=comment_url(comment),
    )
    return {user.pk for user in people}


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else _("quelqu'un")


def comment_url(comment: Comment) -> str:
    return f"{comment.project.get_absolute_url()}#comment-{comment.pk}"


@transaction.atomic
def post_comment(
    *,
    by,
    project: Project | int,
    body,
    parent=None,
    checklist_item=None,
    review=None,
    client_id=None,
) -> tuple[Comment, bool]:
    """Post a comment (or a reply, one level deep) in a project's thread.

    Returns ``(comment, created)``: a retried post with the same ``client_id`` answers the
    first comment and writes nothing. Raises Invalid, RateLimited, NotFound, Forbidden.
    """
    project = _lock(by, getattr(project, "pk", project))
    access.require(access.can_comment(by, project), by)
    client_id = _client_id(client_id)
    if client_id:
        existing = Comment.objects.filter(author=by, client_id=client_id).first()
        if existing is not None:
            if existing.project_id != project.pk:
                raise Conflict(
                    _("Cet identifiant client a déjà servi dans un autre projet."),
                    code="client_id_reused",
                )
            return existing, False
    body = clean_body(body)
    comment = Comment(
        project=project,
        author=by,
        body=body,
        body_html=render(body),
        parent=_parent(parent, project),
        checklist_item=_linked("checklist_item", checklist_item, project),
        review=_linked("review", review, project),
        client_id=client_id,
    )
    _check_rate(by)
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        raise Conflict(_("Ce message a déjà été envoyé."), code="duplicate") from None
    events.record_event(project, events.COMMENT_CREATED, comment.pk, comment_data(comment))
    mentioned = _notify_mentions(comment, mentioned_usernames(body))
    parent = comment.parent
    if parent is not None and parent.author_id not in {by.pk, None, *mentioned}:
        notify(
            kind=Notification.Kind.REPLY,
            recipients=[parent.author],
            project=project,
            actor=by,
            text=texts.Message(
                texts.REPLY,
                {"name": _name(by), "project": project.title},
            ),
            url=comment_url(comment),
        )
    return comment, True


def _get_comment(by, pk) -> tuple[Comment, Project]:
    """The comment ``pk`` and its project, locked and read in one statement, if ``by`` may
    read that project."""
    comment = discussion_access.access_comment(by, pk, lock=True)
    if by.is_authenticated:
        # Serialises one person's writes, as posting does.
        User.objects.select_for_update().filter(pk=by.pk).exists()
    return comment, comment.project


def _rewrite_earlier_events(comment: Comment) -> None:
    """Give the comment's earlier events its current text: after an edit no replay serves an
    older version, after a deletion or a moderation none serves any (the events stay, as
    tombstones, so ``seq`` keeps no gap). Called under the project's row lock."""
    earlier = list(
        ProjectEvent.objects.filter(
            project_id=comment.project_id,
            object_id=comment.pk,
            type__in=(events.COMMENT_CREATED, events.COMMENT_UPDATED),
        )
    )
    for event in earlier:
        event.data = {**event.data, "body": comment.body, "html": comment.body_html}
    ProjectEvent.objects.bulk_update(earlier, ["data"])


@transaction.atomic
def edit_comment(*, by, comment: Comment | int, body) -> Comment:
    """Change a comment's text: its author, or a curator moderating. Mentions added by the
    edit notify; those already there do not notify twice."""
    comment, project = _get_comment(by, getattr(comment, "pk", comment))
    access.require(discussion_access.can_change_comment(by, comment), by)
    if comment.is_deleted:
        raise Conflict(_("Ce message a été supprimé."), code="deleted")
    body = clean_body(body)
    if body == comment.body:
        return comment
    before = mentioned_usernames(comment.body)
    comment.body = body
    comment.body_html = render(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    _rewrite_earlier_events(comment)
    events.record_event(project, events.COMMENT_UPDATED, comment.pk, comment_data(comment))
    _notify_mentions(comment, mentioned_usernames(body) - before)
    return comment


@transaction.atomic
def delete_comment(*, by, comment: Comment | int) -> Comment:
    """Delete a comment, leaving a tombstone (replies keep their place): its author, or a
    curator moderating."""
    comment, project = _get_comment(by, getattr(comment, "pk", comment))
    access.require(discussion_access.can_change_comment(by, comment), by)
    if comment.is_deleted:
        raise Conflict(_("Ce message a déjà été supprimé."), code="deleted")
    comment.body = ""
    comment.body_html = ""
    comment.deleted_at = timezone.now()
    comment.deleted_by = by
    comment.save(update_fields=["body", "body_html", "deleted_at", "deleted_by"])
    _rewrite_earlier_events(comment)
    events.record_event(project, events.COMMENT_DELETED, comment.pk, comment_data(comment))
    return comment
