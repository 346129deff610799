"""Lookups of workflow objects by id: each loads the object with its project in one
statement and authorises it through ``projects.access``; hidden and missing answer alike."""

from projects import access
from projects.access import User
from projects.errors import NotFound

from .models import ChecklistItem, Condition, GateReview


def _one(queryset, pk, *, lock: bool, **filters):
    pk = access.as_pk(pk)
    if pk is None:
        raise NotFound()
    if lock:
        # The project's row is the lock every workflow write takes (see services).
        queryset = queryset.select_for_update(of=("project",))
    return queryset.filter(pk=pk, **filters).first()


def access_review(user: User, pk, *, lock: bool = False) -> GateReview:
    """The review ``pk`` with its project, gate and opener, if ``user`` may read the project.
    With ``lock`` the project's row is locked in the same statement."""
    queryset = GateReview.objects.select_related("project", "gate", "opened_by")
    review = _one(queryset, pk, lock=lock)
    if review is None or not access.can_view(user, review.project):
        raise NotFound()
    return review


def access_item(user: User, pk, *, project=None, lock: bool = False) -> ChecklistItem:
    """The checklist item ``pk`` with its project and criterion, if ``user`` may read the
    project; with ``project`` (an id) the item must belong to it."""
    queryset = ChecklistItem.objects.select_related("project", "criterion__gate", "updated_by")
    filters = {}
    if project is not None:
        project_pk = access.as_pk(project)
        if project_pk is None:
            raise NotFound()
        filters["project_id"] = project_pk
    item = _one(queryset, pk, lock=lock, **filters)
    if item is None or not access.can_view(user, item.project):
        raise NotFound()
    return item


def access_condition(user: User, pk, *, project=None) -> Condition:
    """The condition ``pk`` with its project, review and gate, if ``user`` may read the
    project; with ``project`` (an id) the condition must belong to it."""
    queryset = Condition.objects.select_related("project", "review__gate", "criterion", "owner")
    filters = {}
    if project is not None:
        project_pk = access.as_pk(project)
        if project_pk is None:
            raise NotFound()
        filters["project_id"] = project_pk
    condition = _one(queryset, pk, lock=False, **filters)
    if condition is None or not access.can_view(user, condition.project):
        raise NotFound()
    return condition
