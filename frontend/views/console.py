"""The curator's programme console: gates (quorum, reviewer pool), their criteria, the
moderation queue and the reviews that wait too long. Every write goes through the services
the API calls (``workflows.configuration``, ``discussion.services``); ``/admin/`` stays for
staff."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from discussion import services as comment_services
from discussion.models import Comment
from projects import access
from projects.errors import Conflict, Invalid, NotFound
from workflows import configuration
from workflows.models import Criterion, Decision, Gate, GateReview, GateStage, Principle

from ..console_forms import CriterionForm, GateForm, StuckForm
from ..http import add_service_errors, refusals

MODERATION_PAGE = 30
STUCK_LIMIT = 50


def _page(request, template: str, context: dict, *, status: int = 200):
    """A console page, with the console's own navigation."""
    return render(request, template, {"gate_links": GateStage.choices, **context}, status=status)


def _curator(request) -> None:
    access.require(configuration.can_configure(request.user), request.user)


def _moderator(request) -> None:
    access.require(request.user.has_perm("projects.moderate_comments"), request.user)


def _gate(stage: str) -> Gate:
    gate = Gate.objects.filter(stage=stage).prefetch_related("reviewers").first()
    if gate is None:
        raise NotFound()
    return gate


def _criterion(pk) -> Criterion:
    criterion = Criterion.objects.select_related("gate").filter(pk=pk).first()
    if criterion is None:
        raise NotFound()
    return criterion


def stuck_reviews(days: int):
    """Open reviews opened more than ``days`` ago, oldest first, with their approvals."""
    since = timezone.now() - timedelta(days=days)
    return (
        GateReview.objects.filter(status=GateReview.Status.OPEN, opened_at__lt=since)
        .select_related("project", "gate", "opened_by")
        .annotate(
            approvals=Count("decisions", filter=Q(decisions__verdict=Decision.Verdict.APPROVE))
        )
        .order_by("opened_at", "id")
    )


def recent_comments_count(days: int = 30) -> int:
    since = timezone.now() - timedelta(days=days)
    return Comment.objects.filter(deleted_at=None, created_at__gte=since).count()


@require_GET
@login_required
@refusals
def console(request):
    """The overview: each gate with its quorum, pool and criteria, and the stuck reviews."""
    _curator(request)
    gates = list(
        Gate.objects.prefetch_related("reviewers").annotate(
            required=Count(
                "criteria",
                filter=Q(criteria__active=True, criteria__level=Criterion.Level.REQUIRED),
            ),
            recommended=Count(
                "criteria",
                filter=Q(criteria__active=True, criteria__level=Criterion.Level.RECOMMENDED),
            ),
        )
    )
    form = StuckForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() else StuckForm.base_fields["days"].initial
    stuck = list(stuck_reviews(days)[:STUCK_LIMIT])
    now = timezone.now()
    for review in stuck:
        review.age = (now - review.opened_at).days
    to_moderate = recent_comments_count()
    return _page(
        request,
        "frontend/console/index.html",
        {
            "gates": gates,
            "stuck_form": form,
            "days": days,
            "stuck": stuck,
            "to_moderate": to_moderate,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@refusals
def gate(request, stage):
    """One gate: its quorum and reviewer pool (a form), its criteria by principle."""
    _curator(request)
    gate = _gate(stage)
    initial = {
        "quorum": gate.quorum,
        "reviewers": list(gate.reviewers.all()),
        "reuses_required": gate.reuses_required,
    }
    form = GateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            configuration.configure_gate(
                by=request.user,
                gate=gate,
                quorum=form.cleaned_data["quorum"],
                reviewers=list(form.cleaned_data["reviewers"]),
                reuses_required=form.cleaned_data["reuses_required"],
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("L'étape est enregistrée."))
            return redirect("frontend:console_gate", stage=gate.stage)
    criteria = list(gate.criteria.order_by("position", "id"))
    by_principle = [
        (label, [c for c in criteria if c.principle == value]) for value, label in Principle.choices
    ]
    return _page(
        request,
        "frontend/console/gate.html",
        {
            "gate": gate,
            "computes_reuses": any(c.computed == "reuses" for c in criteria),
            "form": form,
            "by_principle": [(label, rows) for label, rows in by_principle if rows],
            "criteria_count": len(criteria),
        },
        status=400 if form.is_bound else 200,
    )


def _criterion_page(request, *, gate, form, criterion=None, status=200):
    return _page(
        request,
        "frontend/console/criterion.html",
        {"gate": gate, "form": form, "criterion": criterion},
        status=status,
    )


@login_required
@refusals
def criterion_new(request, stage):
    _curator(request)
    access.require(request.user.has_perm("workflows.add_criterion"), request.user)
    gate = _gate(stage)
    form = CriterionForm(request.POST or None, initial={"code": f"{gate.stage}-"})
    if request.method == "POST" and form.is_valid():
        try:
            criterion = configuration.create_criterion(
                by=request.user, gate=gate, **form.cleaned_data
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Le critère « %(title)s » est ajouté.") % {"title": criterion.title_fr},
            )
            return redirect("frontend:console_gate", stage=gate.stage)
    return _criterion_page(request, gate=gate, form=form, status=400 if form.is_bound else 200)


@login_required
@refusals
def criterion_edit(request, pk):
    _curator(request)
    criterion = _criterion(pk)
    form = CriterionForm(request.POST or None, instance=_criterion(pk))
    if request.method == "POST" and form.is_valid():
        try:
            configuration.update_criterion(
                by=request.user, criterion=criterion, **form.cleaned_data
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le critère est enregistré."))
            return redirect("frontend:console_gate", stage=criterion.gate.stage)
    return _criterion_page(
        request,
        gate=criterion.gate,
        form=form,
        criterion=criterion,
        status=400 if form.is_bound else 200,
    )


@require_POST
@login_required
@refusals
def criterion_delete(request, pk):
    _curator(request)
    criterion = _criterion(pk)
    try:
        configuration.delete_criterion(by=request.user, criterion=criterion)
    except Conflict as error:
        messages.error(request, str(error.detail))
        return redirect("frontend:console_criterion", pk=criterion.pk)
    messages.success(
        request, _("Le critère « %(title)s » est supprimé.") % {"title": criterion.title_fr}
    )
    return redirect("frontend:console_gate", stage=criterion.gate.stage)


@require_GET
@login_required
@refusals
def moderation(request):
    """The latest comments across every project, newest first, to read and remove."""
    _moderator(request)
    comments = (
        Comment.objects.filter(deleted_at=None)
        .select_related("author", "project")
        .order_by("-created_at", "-id")
    )
    page = Paginator(comments, MODERATION_PAGE).get_page(request.GET.get("page"))
    return _page(request, "frontend/console/moderation.html", {"page": page})


@require_POST
@login_required
@refusals
def moderation_delete(request, comment_id):
    _moderator(request)
    try:
        comment_services.delete_comment(by=request.user, comment=comment_id)
    except Conflict as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Le message est supprimé : une trace reste dans le fil."))
    page = request.GET.get("page", "")
    query = f"?page={page}" if page.isdigit() else ""
    return redirect(reverse("frontend:console_moderation") + query)
