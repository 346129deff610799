"""The reuse registry and renewals over the API: the allowed person, the person who may see
but not act (403), the stranger to a restricted project (404), and bad input (400)."""

import pytest

from commons import services
from commons.models import RenewalReview, Reuse, ReuseEvent

pytestmark = pytest.mark.django_db

BODY = {
    "organisation": "Médiathèque de Rezé",
    "siret": "21440143500018",
    "territory": "44",
    "kind": "as_is",
    "use_case": "Prêt de tablettes et ateliers.",
    "contact": "numerique@reze.example.org",
}


def url(project, *rest):
    return "/".join([f"/api/projects/{project.pk}/reuses", *map(str, rest)]) + "/"


def written():
    return Reuse.objects.count(), ReuseEvent.objects.count()


def test_declare_list_and_show(api, project, stranger, owner):
    response = api.as_(stranger).post(url(project), BODY, format="json")
    assert response.status_code == 201, response.json()
    reuse = response.json()
    assert reuse["status"] == "declared"
    assert reuse["contact"] == BODY["contact"]
    assert reuse["counts"] is False
    listed = api.as_(None).get(url(project)).json()
    assert [r["organisation"] for r in listed] == ["Médiathèque de Rezé"]
    assert listed[0]["contact"] is None  # personal data, not for visitors
    assert api.as_(owner).get(url(project)).json()[0]["contact"] == BODY["contact"]
    one = api.as_(None).get(url(project, reuse["id"])).json()
    assert [h["action"] for h in one["history"]] == ["declared"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"siret": "21440143500011"}, "siret"),
        ({"territory": "00"}, "territory"),
        ({"kind": "borrowed"}, "kind"),
        ({"contact": 12}, "contact"),
        ({"extra": "x"}, "extra"),
    ],
)
def test_bad_declarations_are_400(api, project, stranger, changes, field):
    before = written()
    response = api.as_(stranger).post(url(project), {**BODY, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert written() == before


def test_declaring_needs_a_session_and_a_visible_project(
    api, project, restricted_project, stranger
):
    assert api.as_(None).post(url(project), BODY, format="json").status_code == 401
    assert api.as_(stranger).post(url(restricted_project), BODY, format="json").status_code == 404
    assert api.as_(stranger).post(url(project), [1, 2], format="json").status_code == 400
    assert written() == (0, 0)


def test_verify_refuse_confirm(api, project, stranger, reviewer, reviewer2, owner, member):
    reuse = services.declare_reuse(by=stranger, project=project, **BODY)
    for person in (owner, member):
        response = api.as_(person).post(url(project, reuse.pk, "verify"), {}, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "conflict_of_interest"
    assert api.as_(stranger).post(url(project, reuse.pk, "verify"), {}).status_code == 403
    response = api.as_(reviewer).post(
        url(project, reuse.pk, "verify"), {"note": "Vu."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert response.json()["counts"] is True
    assert response.json()["confirm_by"]
    response = api.as_(reviewer2).post(
        url(project, reuse.pk, "refuse"), {"note": "Non."}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert api.as_(owner).post(url(project, reuse.pk, "confirm"), {}).status_code == 403
    assert api.as_(stranger).post(url(project, reuse.pk, "confirm"), {}).status_code == 200


def test_refused_reuses_are_shown_to_their_declarer_and_the_team_only(
    api, project, stranger, reviewer, make_user, owner
):
    reuse = services.declare_reuse(by=stranger, project=project, **BODY)
    services.refuse_reuse(by=reviewer, reuse=reuse, note="Introuvable.")
    assert api.as_(None).get(url(project)).json() == []
    assert api.as_(None).get(url(project, reuse.pk)).status_code == 404
    assert api.as_(make_user("other")).get(url(project)).json() == []
    assert len(api.as_(stranger).get(url(project)).json()) == 1
    assert len(api.as_(owner).get(url(project)).json()) == 1


def test_reuses_by_territory(api, project, stranger, reviewer):
    services.declare_reuse(by=stranger, project=project, **BODY)
    other = {**BODY, "siret": "", "organisation_uri": "https://tiers-lieu.example.org/"}
    services.declare_reuse(by=reviewer, project=project, **{**other, "territory": "29"})
    assert [r["territory"] for r in api.as_(None).get("/api/reuses/").json()] == ["29", "44"]
    assert len(api.as_(None).get("/api/reuses/?territory=44").json()) == 1
    assert api.as_(None).get("/api/reuses/?status=refused").status_code == 400


def test_a_reuse_of_a_project_made_restricted_stays_hidden(
    api, project, reviewer, stranger, funder
):
    services.declare_reuse(by=reviewer, project=project, **BODY)
    type(project).objects.filter(pk=project.pk).update(visibility="restricted")
    assert api.as_(stranger).get("/api/reuses/").json() == []
    assert api.as_(stranger).get(url(project)).status_code == 404
    assert len(api.as_(funder).get("/api/reuses/").json()) == 1


def test_the_gate_threshold_is_set_by_curators(api, curator, reviewer):
    gate = api.as_(None).get("/api/gates/").json()[-1]
    assert gate["stage"] == "commons"
    assert gate["reuses_required"] == 1
    path = f"/api/gates/{gate['id']}/"
    assert api.as_(reviewer).patch(path, {"reuses_required": 3}).status_code == 403
    response = api.as_(curator).patch(path, {"reuses_required": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["reuses_required"] == 3
    assert api.as_(curator).patch(path, {"reuses_required": 0}, format="json").status_code == 400


def test_renewals_over_the_api(api, at_commons, reviewer, reviewer2, owner):
    path = f"/api/projects/{at_commons.pk}/renewals/"
    assert api.as_(None).get(path).json()["commons"]["status"] == "renewed"
    assert api.as_(owner).post(path, {}, format="json").status_code == 403
    response = api.as_(reviewer).post(path, {}, format="json")
    assert response.status_code == 201
    renewal = response.json()
    assert api.as_(reviewer2).post(path, {}, format="json").status_code == 409
    votes = f"/api/renewals/{renewal['id']}/votes/"
    vote = {"outcome": "dormant", "rationale": "Plus de nouvelles."}
    response = api.as_(owner).post(votes, vote, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "conflict_of_interest"
    assert (
        api.as_(reviewer).post(votes, {**vote, "outcome": "gone"}, format="json").status_code == 400
    )
    assert api.as_(reviewer).post(votes, vote, format="json").status_code == 201
    response = api.as_(reviewer2).post(votes, vote, format="json")
    assert response.json()["outcome"] == "dormant"
    assert api.as_(None).get(path).json()["commons"]["label"] == "En veille"
    assert RenewalReview.objects.get().status == "decided"
    assert api.as_(None).get(f"/api/renewals/{renewal['id']}/").status_code == 200
    assert api.as_(None).get("/api/renewals/999999/").status_code == 404
