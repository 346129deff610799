"""manage.py seed_demo: idempotent, every stage, one account per role, honest histories."""

import datetime
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from demo.management.commands.seed_demo import ACCOUNTS, CATALOGUE, password_of
from discussion.models import Comment
from notifications.models import Notification
from projects.models import Membership, Project, ProjectUserObjectPermission, Stage
from workflows.models import ChecklistItem, Decision, GateReview, StageTransition

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def demo_profile(settings):
    """The suite also runs under the production profile (DATABASE_URL set): seed_demo is
    meant for the embedded one."""
    settings.PRODUCTION = False


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Project,
            Membership,
            StageTransition,
            ChecklistItem,
            GateReview,
            Decision,
            Comment,
        )
    }


def test_seed_is_idempotent_and_prints_the_accounts_every_time():
    first = seed()
    after_first = counts()
    user = User.objects.get(username="financeuse")
    user.set_password("autre-chose-1234")
    user.save()
    second = seed()
    assert counts() == after_first
    # The printed passwords always work, even if someone changed one in between.
    assert authenticate(username="financeuse", password=password_of("financeuse"))
    for output in (first, second):
        for username, *_ in ACCOUNTS:
            assert f"{username}" in output
            assert password_of(username) in output
    assert "projets de démonstration créés" in first
    assert "créés" not in second


def test_catalogue_covers_every_stage_with_real_histories():
    seed()
    projects = Project.objects.filter(title__in=[fields["title"] for _, _, fields, _ in CATALOGUE])
    assert projects.count() == len(CATALOGUE) >= 12
    assert set(projects.values_list("stage", flat=True)) == set(Stage.values)
    assert projects.filter(visibility="restricted").exists()
    for project in projects.exclude(stage=Stage.IDEA):
        newest = project.transitions.order_by("-id").first()
        assert newest.to_stage == project.stage
    advances = StageTransition.objects.filter(name="advance", project__in=projects)
    assert advances.exists()
    assert all(t.review and t.review.status == GateReview.Status.APPROVED for t in advances)
    statuses = set(GateReview.objects.values_list("status", flat=True))
    assert {"approved", "changes_requested", "open"} <= statuses
    assert set(StageTransition.objects.values_list("name", flat=True)) == {
        "advance",
        "send_back",
        "archive",
        "compost",
        "reopen",
    }
    assert ChecklistItem.objects.filter(status="verified").exists()
    # Commons renewed, at risk and dormant; reuses verified and lapsed over several territories.
    from commons.models import Commons, Reuse

    assert set(Commons.objects.values_list("status", flat=True)) == {
        "renewed",
        "at_risk",
        "dormant",
    }
    assert {"verified", "lapsed", "declared"} <= set(Reuse.objects.values_list("status", flat=True))
    assert Reuse.objects.filter(status="verified").values("territory").distinct().count() >= 3
    # Conversations: a question and the team's answer, twice per project, and some news.
    comments = Comment.objects.filter(project__in=projects)
    assert comments.filter(parent=None).count() >= 2 * len(CATALOGUE)
    assert comments.exclude(parent=None).count() == 2 * len(CATALOGUE)

    for username, _, groups, _ in ACCOUNTS:
        user = authenticate(username=username, password=password_of(username))
        assert user is not None, username
        assert sorted(user.groups.values_list("name", flat=True)) == sorted(groups)
    roles = {
        "curators": "curatrice",
        "reviewers": "relecteur",
        "funders": "financeuse",
    }
    for group, username in roles.items():
        assert User.objects.get(username=username).groups.filter(name=group).exists()
    owners = Membership.objects.filter(role="owner").values_list("user__username", flat=True)
    assert {"porteuse", "porteur"} <= set(owners)


def test_scale_tops_up_generated_projects_honestly():
    output = seed("--scale", "25")
    assert "25 projets" in output
    generated = Project.objects.filter(memberships__user__username__startswith="equipe-").distinct()
    assert generated.count() == 25
    seed("--scale", "25")
    assert generated.count() == 25
    seed("--scale", "30")
    assert generated.count() == 30
    newest = StageTransition.objects.filter(project=OuterRef("pk")).order_by("-id")
    moved = generated.annotate(
        last_to=Subquery(newest.values("to_stage")[:1]),
        moves=Count("transitions", distinct=True),
    ).filter(moves__gt=0)
    assert moved.exists()
    assert all(p.stage == p.last_to for p in moved)
    # Every project has an owner who may read it (guardian rows derived from memberships).
    for project in generated:
        owner = project.memberships.get(role="owner").user
        assert owner.has_perm("projects.view_project", project)


def test_generated_permissions_are_what_the_team_derives(monkeypatch):
    """The generator writes no guardian row itself: ``sync_permissions_of`` does, and a
    second derivation finds nothing to change."""
    from demo import scale as demo_scale
    from projects import permissions

    synced = []
    real = permissions.sync_permissions_of
    monkeypatch.setattr(
        demo_scale, "sync_permissions_of", lambda ids, **kw: synced.extend(ids) or real(ids, **kw)
    )
    seed("--scale", "12")
    generated = Project.objects.filter(memberships__user__username__startswith="equipe-")
    ids = sorted(set(generated.values_list("pk", flat=True)))
    assert sorted(synced) == ids
    rows = ProjectUserObjectPermission.objects.filter(content_object_id__in=ids)
    before = sorted(rows.values_list("content_object_id", "user_id", "permission__codename"))
    for project in Project.objects.filter(pk__in=ids):
        permissions.sync_permissions(project)
    after = sorted(rows.values_list("content_object_id", "user_id", "permission__codename"))
    assert before and after == before


@pytest.mark.parametrize("value", ["-1", "2000000"])
def test_absurd_scale_is_refused(value):
    with pytest.raises(CommandError):
        seed("--scale", value)


def test_refused_in_production_without_force(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not User.objects.filter(username="curatrice").exists()
    seed("--force")
    assert User.objects.filter(username="curatrice").exists()


def test_stories_spread_over_eighteen_months_with_links_and_few_unread():
    seed()
    projects = Project.objects.filter(title__in=[fields["title"] for _, _, fields, _ in CATALOGUE])
    now = timezone.now()
    oldest = projects.order_by("created_at").first().created_at
    assert 450 <= (now - oldest).days <= 545
    # Stage changes happen in many different months, each after the project's proposal.
    moves = StageTransition.objects.filter(project__in=projects).select_related("project")
    assert len({(t.at.year, t.at.month) for t in moves}) >= 8
    assert all(t.project.created_at < t.at < now for t in moves)
    # Each move is dated after the one before it (the append-only rows are never rewritten).
    for project in projects:
        dates = list(project.transitions.order_by("id").values_list("at", flat=True))
        assert dates == sorted(dates)
    assert GateReview.objects.filter(
        status="open", opened_at__lt=now - datetime.timedelta(days=14)
    ).exists()
    for project in projects:
        assert project.repository_url.startswith("https://")
        assert project.website_url.startswith("https://")
    for username, *_ in ACCOUNTS:
        unread = Notification.objects.filter(recipient__username=username, read_at=None)
        assert unread.count() <= 5, username
    assert Notification.objects.filter(recipient__username="porteur", read_at=None).count() == 5


def test_the_demo_curator_reaches_the_admin_the_readme_promises(client):
    seed()
    curator = User.objects.get(username="curatrice")
    assert curator.is_staff and not curator.is_superuser
    client.force_login(curator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/workflows/gate/").status_code == 200
    assert client.get("/admin/workflows/criterion/").status_code == 200
    others = User.objects.filter(username__in=[u for u, *_ in ACCOUNTS]).exclude(pk=curator.pk)
    assert not others.filter(is_staff=True).exists()


def test_the_demo_shows_each_lifecycle_outcome():
    """A project on hold, one with a condition due, one with a condition missed, a
    composted project with its lesson."""
    from projects.models import Hold
    from workflows.models import Condition, Lesson

    call_command("seed_demo", stdout=io.StringIO())
    assert Hold.objects.filter(placed_at__isnull=False, lifted_at__isnull=True).count() == 1
    statuses = set(Condition.objects.values_list("status", flat=True))
    assert {"open", "missed"} <= statuses
    lesson = Lesson.objects.get()
    assert lesson.transition.name == "compost" and lesson.project.stage == "archived"


def test_scale_attests_no_reuse_by_hand():
    """The commons gate's reuse criterion of a generated project is computed: verified
    exactly when its verified reuses by people outside the team reach the gate's threshold,
    each reuse with its history (declared, then verified by a reviewer outside the team who
    did not declare it)."""
    from commons import read
    from commons.models import Reuse
    from workflows.models import Gate

    seed("--scale", "40")
    generated = Project.objects.filter(memberships__user__username__startswith="equipe-").distinct()
    required = Gate.objects.get(stage="commons").reuses_required
    computed = ChecklistItem.objects.filter(project__in=generated, criterion__computed="reuses")
    assert computed.filter(status="verified").exists()
    assert computed.exclude(status="verified").exists()
    for item in computed.select_related("project"):
        met = read.counted_reuses(item.project) >= required
        assert (item.status == "verified") == met, item.project_id
        assert item.evidence_url == "" and item.evidence_text == ""
    passed = generated.filter(transitions__name="advance", transitions__to_stage="commons")
    assert passed.exists()
    assert all(read.counted_reuses(project) >= required for project in passed)
    reuses = Reuse.objects.filter(project__in=generated).prefetch_related("history")
    assert reuses.filter(status="declared").exists()
    for reuse in reuses:
        team = set(reuse.project.memberships.values_list("user_id", flat=True))
        history = list(reuse.history.all())
        assert history[0].action == "declared" and history[0].actor_id == reuse.declared_by_id
        assert reuse.declared_by_id not in team
        if reuse.status == "verified":
            verifier = history[1]
            assert verifier.action == "verified" and verifier.at >= reuse.declared_at
            assert verifier.actor_id not in team | {reuse.declared_by_id}
            assert verifier.actor.groups.filter(name="reviewers").exists()
            assert read.confirm_by(reuse) > timezone.localdate()
        else:
            assert len(history) == 1
