"""Writing through the pages: propose, edit, team, follow, delete, account, notifications.
Bad input comes back with the errors next to the fields and what was typed; refusals are
clear pages; nothing is written when a form is refused."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from frontend.commons_forms import ReuseForm
from frontend.console_forms import CriterionForm
from frontend.forms import (
    ConditionForm,
    DecisionForm,
    DsfrRenderer,
    HoldForm,
    ProjectFilterForm,
    ProjectForm,
    SendBackForm,
)
from frontend.publiccode_forms import ImportForm, ProfileForm
from notifications.models import Notification
from outbox.models import Recipient
from projects.models import Follow, Membership, Project, Territory
from workflows import services as workflow_services
from workflows.models import ChecklistItem

pytestmark = pytest.mark.django_db


def test_propose_asks_a_visitor_to_sign_in(browse):
    response = browse().get("/projects/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/projects/new/")


def test_propose_creates_the_project_with_its_checklist(browse, stranger):
    response = browse(stranger).post(
        "/projects/new/",
        {
            "title": "Bus numérique",
            "summary": "Un bus qui va au-devant des gens.",
            "visibility": "public",
        },
    )
    project = Project.objects.get(title="Bus numérique")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert Membership.objects.get(project=project).user == stranger
    assert ChecklistItem.objects.filter(project=project).count() == 6


def test_propose_with_bad_input_keeps_what_was_typed(browse, stranger):
    response = browse(stranger).post(
        "/projects/new/",
        {"title": "", "summary": "Mon résumé <em>tapé</em>", "website_url": "pas une url"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"title", "website_url", "visibility"}
    html = response.content.decode()
    assert "Mon résumé &lt;em&gt;tapé&lt;/em&gt;" in html
    assert 'aria-invalid="true"' in html
    assert Project.objects.count() == 0


def test_edit_by_a_member(browse, project, member):
    url = f"/projects/{project.pk}/edit/"
    assert browse(member).get(url).status_code == 200
    response = browse(member).post(
        url, {"title": "Nouveau titre", "summary": "Nouveau résumé", "visibility": "public"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Nouveau titre"


def test_edit_with_bad_input(browse, project, member):
    response = browse(member).post(
        f"/projects/{project.pk}/edit/", {"title": "Gardé", "summary": "", "visibility": "public"}
    )
    assert response.status_code == 400
    assert "summary" in response.context["form"].errors
    assert 'value="Gardé"' in response.content.decode()
    project.refresh_from_db()
    assert project.title == "Kit d'inclusion numérique"


def test_edit_refused(browse, project, restricted_project, stranger, reviewer):
    assert browse(stranger).get(f"/projects/{project.pk}/edit/").status_code == 403
    response = browse(reviewer).post(
        f"/projects/{project.pk}/edit/", {"title": "X", "summary": "Y", "visibility": "public"}
    )
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert browse(stranger).get(f"/projects/{restricted_project.pk}/edit/").status_code == 404
    project.refresh_from_db()
    assert project.title == "Kit d'inclusion numérique"


def test_csrf_is_enforced(project, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        f"/projects/{project.pk}/edit/", {"title": "X", "summary": "Y", "visibility": "public"}
    )
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    project.refresh_from_db()
    assert project.title == "Kit d'inclusion numérique"
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 5


def test_team_management(browse, project, owner, stranger):
    client = browse(owner)
    response = client.post(
        f"/projects/{project.pk}/team/", {"username": "stranger", "role": "member"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(project=project, user=stranger).exists()
    client.post(
        f"/projects/{project.pk}/team/{stranger.pk}/role/", {f"role-{stranger.pk}-role": "owner"}
    )
    assert Membership.objects.get(project=project, user=stranger).role == "owner"
    client.post(f"/projects/{project.pk}/team/{stranger.pk}/remove/")
    assert not Membership.objects.filter(project=project, user=stranger).exists()


def test_team_bad_input(browse, project, owner):
    client = browse(owner)
    response = client.post(
        f"/projects/{project.pk}/team/", {"username": "personne", "role": "member"}
    )
    assert response.status_code == 400
    assert response.context["add_form"].errors["username"] == [
        "Aucune personne n'a cet identifiant."
    ]
    assert 'id="id_username_error"' in response.content.decode()
    assert 'value="personne"' in response.content.decode()
    response = client.post(
        f"/projects/{project.pk}/team/", {"username": "member", "role": "member"}
    )
    assert response.status_code == 400
    assert "fait déjà partie" in response.content.decode()


def test_last_owner_stays(browse, project, owner):
    response = browse(owner).post(f"/projects/{project.pk}/team/{owner.pk}/remove/", follow=True)
    assert "au moins un porteur" in response.content.decode()
    assert Membership.objects.filter(project=project, user=owner).exists()


def test_team_refused(browse, project, restricted_project, member, stranger):
    assert browse(member).get(f"/projects/{project.pk}/team/").status_code == 200
    response = browse(member).post(
        f"/projects/{project.pk}/team/", {"username": "stranger", "role": "member"}
    )
    assert response.status_code == 403
    assert browse(stranger).get(f"/projects/{project.pk}/team/").status_code == 403
    assert browse(stranger).get(f"/projects/{restricted_project.pk}/team/").status_code == 404
    assert not Membership.objects.filter(user=stranger).exists()


def test_member_leaves(browse, restricted_project, member):
    response = browse(member).post(f"/projects/{restricted_project.pk}/team/{member.pk}/remove/")
    assert response["Location"] == "/projects/"
    assert not Membership.objects.filter(project=restricted_project, user=member).exists()


def test_follow_and_unfollow(browse, project, stranger):
    client = browse(stranger)
    client.post(f"/projects/{project.pk}/follow/", {"follow": "1"})
    assert Follow.objects.filter(project=project, user=stranger).exists()
    assert 'aria-pressed="true"' in client.get(f"/projects/{project.pk}/").content.decode()
    client.post(f"/projects/{project.pk}/follow/", {"follow": "0"})
    assert not Follow.objects.exists()


def test_follow_refused(browse, restricted_project, stranger):
    assert browse().post(f"/projects/{restricted_project.pk}/follow/").status_code == 404
    assert browse(stranger).post(f"/projects/{restricted_project.pk}/follow/").status_code == 404
    assert browse(stranger).get(f"/projects/{restricted_project.pk}/follow/").status_code == 405
    assert not Follow.objects.exists()


def test_delete_project(browse, project, member, owner):
    assert browse(member).post(f"/projects/{project.pk}/delete/").status_code == 403
    response = browse(owner).post(f"/projects/{project.pk}/delete/")
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def test_account_settings(browse, stranger):
    client = browse(stranger)
    assert client.get("/account/").status_code == 200
    response = client.post(
        "/account/",
        {"form": "account", "first_name": "Sacha", "last_name": "Martin", "email": "s@example.org"},
    )
    assert response.status_code == 302
    stranger.refresh_from_db()
    assert stranger.last_name == "Martin"
    response = client.post("/account/", {"form": "account", "email": "pas-un-email"})
    assert response.status_code == 400
    assert "email" in response.context["account_form"].errors
    chosen = {f"{kind}__email": "never" for kind in Notification.Kind.values}
    chosen["mention__email"] = "daily"
    response = client.post("/account/", {"form": "preferences", "language": "en", **chosen})
    assert response.status_code == 302
    prefs = {row.kind: row for row in stranger.notification_preferences.all()}
    assert prefs["mention"].email == "daily"
    assert prefs["mention"].in_app is False
    assert Recipient.objects.get(user=stranger).language == "en"
    chosen["mention__email"] = "hourly"
    response = client.post("/account/", {"form": "preferences", "language": "en", **chosen})
    assert response.status_code == 400
    response = client.post("/account/", {"form": "preferences", "language": "xx", **chosen})
    assert response.status_code == 400
    assert stranger.notification_preferences.get(kind="mention").email == "daily"


def test_account_needs_sign_in(browse):
    assert browse().get("/account/").status_code == 302
    assert browse().get("/notifications/").status_code == 302


def test_notifications(browse, project, owner, stranger):
    mine = Notification.objects.create(
        recipient=stranger,
        kind="mention",
        project=project,
        text="<b>Olga</b> vous a mentionné",
        url=f"/projects/{project.pk}/#comment-1",
    )
    theirs = Notification.objects.create(recipient=owner, kind="mention", text="À Olga")
    client = browse(stranger)
    html = client.get("/notifications/").content.decode()
    assert "&lt;b&gt;Olga&lt;/b&gt; vous a mentionné" in html
    assert "À Olga" not in html
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response["Location"] == f"/projects/{project.pk}/#comment-1"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    browse(owner).post("/notifications/read/")
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_notification_to_another_site_is_not_followed(browse, stranger):
    row = Notification.objects.create(
        recipient=stranger, kind="mention", text="x", url="https://ailleurs.example/"
    )
    response = browse(stranger).post(f"/notifications/{row.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_sign_in_and_out(client, stranger):
    from tests.conftest import PASSWORD

    response = client.post("/accounts/login/", {"username": "stranger", "password": "faux"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "stranger", "password": PASSWORD})
    # Signing in lands on the person's own space.
    assert response["Location"] == "/space/"
    assert client.post("/accounts/logout/")["Location"] == "/"
    assert client.get("/account/").status_code == 302


def test_a_project_with_a_history_is_not_deleted(browse, project, owner, curator):
    workflow_services.archive(by=owner, project=project, rationale="Arrêt.")
    workflow_services.reopen(by=curator, project=project, rationale="Reprise.")
    response = browse(owner).post(f"/projects/{project.pk}/delete/", follow=True)
    assert "archivez-le plutôt" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


def test_the_account_page_writes_through_its_service(browse, stranger, monkeypatch):
    from projects import services as project_services

    called = []
    real = project_services.update_profile
    monkeypatch.setattr(
        project_services, "update_profile", lambda **kw: called.append(kw) or real(**kw)
    )
    fields = {"first_name": " Sacha ", "last_name": "Martin", "email": "s@EXAMPLE.org"}
    assert browse(stranger).post("/account/", {"form": "account", **fields}).status_code == 302
    assert [kw["by"].pk for kw in called] == [stranger.pk]
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.email) == ("Sacha", "s@example.org")


def test_the_notifications_come_in_pages_of_the_design_system(browse, owner):
    Notification.objects.bulk_create(
        Notification(recipient=owner, kind="mention", text=f"Note {n}") for n in range(31)
    )
    client = browse(owner)
    first = client.get("/notifications/").content.decode()
    assert 'class="fr-pagination' in first and 'href="?page=2" rel="next"' in first
    assert "Page 1 sur 2" in first
    second = client.get("/notifications/?page=2").content.decode()
    assert 'href="?page=1" rel="prev"' in second and "Page 2 sur 2" in second


class TemplatesOnly(DsfrRenderer):
    """The pages' renderer with every widget rendered by its Django template."""

    def render(self, template_name, context, request=None):
        return DjangoTemplates.render(self, template_name, context, request=request)


TYPED = 'Aude & <Ariège> "09"'


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.TextInput(attrs={"required": True, "disabled": False, "maxlength": 200}), TYPED),
        (forms.TextInput(attrs={"placeholder": mark_safe("<b>déjà sûr</b>")}), None),
        (forms.TextInput(), mark_safe("<i>sûr</i>")),
        (forms.EmailInput(), "a@example.org"),
        (forms.URLInput(attrs={"class": "fr-input"}), "https://example.org/?a=1&b=2"),
        (forms.NumberInput(attrs={"min": 0, "step": 0.5}), 1500),
        (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 12, 4)),
        (forms.HiddenInput(), 3),
        (forms.PasswordInput(render_value=True), TYPED),
        (forms.PasswordInput(), TYPED),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.FileInput(), None),
        (forms.Textarea(attrs={"rows": 3}), "Ligne 1\n<b>Ligne</b> 2"),
        (forms.Textarea(), ""),
        (forms.Textarea(), None),
        (forms.Select(choices=[("", _("Choisir…")), ("a", "Aude & Ariège"), ("b", "Brest")]), "b"),
        (forms.Select(choices=[("Bretagne", [(1, "Brest"), (2, "Rennes")]), (3, "Lyon")]), 2),
        (forms.Select(choices=[(1, 1000), (2, 2.5)]), 1),
        (forms.SelectMultiple(choices=[(1, "Un"), (2, "Deux"), (3, "Trois")]), [1, 3]),
        (forms.Select(choices=[(1, "Un")], attrs={"required": True, "class": "fr-select"}), None),
        (forms.NullBooleanSelect(), True),
        (forms.RadioSelect(choices=[("a", "A & a"), ("b", "B")]), "b"),
        (
            forms.CheckboxSelectMultiple(choices=[("G", [(1, "Un"), (2, "Deux")]), (3, "Trois")]),
            [2],
        ),
    ],
)
def test_a_widget_renders_as_django_writes_it(widget, value):
    """``frontend.widgets`` writes the markup of Django's own templates."""
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=DsfrRenderer())
    theirs = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert ours == theirs


def test_an_option_with_its_label_renders_as_django_writes_it():
    class Choice(forms.Form):
        kind = forms.ChoiceField(widget=forms.RadioSelect, choices=[("a", "A & a"), ("b", "B")])

    ours = Choice()["kind"]
    theirs = Choice(renderer=TemplatesOnly())["kind"]
    assert [str(option) for option in ours] == [str(option) for option in theirs]
    assert str(ours[0]).startswith('<label for="id_kind_0"><input type="radio"')


def test_the_common_widgets_load_no_template(monkeypatch):
    def refuse(self, name):
        raise AssertionError(f"{name} loaded")

    monkeypatch.setattr(DjangoTemplates, "get_template", refuse)
    renderer = DsfrRenderer()
    for widget in (forms.TextInput(), forms.Textarea(), forms.Select(choices=[(1, "Un")])):
        assert widget.render("field", None, renderer=renderer).startswith("<")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "form_class, data",
    [
        (ProjectForm, None),
        (ProjectForm, {"title": TYPED, "website_url": "pas une url", "themes": ["x"]}),
        (ProjectFilterForm, {"q": TYPED, "stage": "prototype"}),
        (ReuseForm, None),
        (ReuseForm, {"organisation": TYPED, "kind": "fork", "territory": "29"}),
        (ConditionForm, None),
        (DecisionForm, {"verdict": "approve", "rationale": TYPED}),
        (SendBackForm, None),
        (HoldForm, {"reason": TYPED, "revisit_on": "hier"}),
        (CriterionForm, None),
        (ProfileForm, None),
        (ImportForm, None),
    ],
)
def test_the_pages_forms_render_as_through_the_templates(form_class, data, language):
    """Whole forms of the pages, valid and refused, in both languages: the same markup as
    with every widget through its template."""
    with translation.override(language):
        ours = form_class(data=data).render()
        theirs = form_class(data=data, renderer=TemplatesOnly()).render()
    assert ours == theirs
    assert "<input" in ours or "<textarea" in ours


@pytest.mark.django_db
def test_the_territories_render_as_django_writes_them():
    """The longest list of the pages (every département and région), with one chosen."""
    form = ProjectFilterForm()
    field = form.fields["territory"]
    chosen = Territory.objects.order_by("pk")[5].pk
    ours = field.widget.render("territory", chosen, renderer=form.renderer)
    assert isinstance(form.renderer, DsfrRenderer)
    assert ours == field.widget.render("territory", chosen, renderer=DjangoTemplates())
    assert ours.count("<option") == Territory.objects.count() + 1
    assert ours.count(" selected") == 1


def test_the_reuse_form_reads_the_territories_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        html = ReuseForm().render()
    assert html.count("<option") == Territory.objects.count() + 1
