"""The reuse registry and renewals on the project page: declaring, verifying, refusing,
confirming, opening and deciding a renewal, each for the allowed person and refused for
the others, with bad input kept in the form and nothing written."""

import pytest

from commons import services
from commons.models import RenewalReview, Reuse, ReuseEvent

pytestmark = pytest.mark.django_db

FORM = {
    "reuse-organisation": "Médiathèque de Rezé",
    "reuse-siret": "21440143500018",
    "reuse-territory": "44",
    "reuse-kind": "as_is",
    "reuse-use_case": "Prêt de tablettes et ateliers.",
    "reuse-contact": "numerique@reze.example.org",
}
BODY = {key.removeprefix("reuse-"): value for key, value in FORM.items()}


def page(browse, user, project):
    return browse(user).get(f"/projects/{project.pk}/").content.decode()


def test_the_section_shows_reuses_and_the_form(browse, project, stranger, owner):
    services.declare_reuse(by=stranger, project=project, **BODY)
    html = page(browse, None, project)
    assert "Médiathèque de Rezé" in html
    assert "numerique@reze.example.org" not in html  # personal data
    assert 'id="reuse-form"' not in html
    assert "numerique@reze.example.org" in page(browse, owner, project)
    assert 'id="reuse-form"' in page(browse, stranger, project)


def test_declaring_through_the_form(browse, project, stranger):
    response = browse(stranger).post(f"/projects/{project.pk}/reuses/", FORM)
    assert response.status_code == 302
    assert response["Location"].endswith("#reuses")
    assert Reuse.objects.get().organisation == "Médiathèque de Rezé"


def test_a_bad_siret_is_kept_in_the_form_and_writes_nothing(browse, project, stranger):
    response = browse(stranger).post(
        f"/projects/{project.pk}/reuses/", {**FORM, "reuse-siret": "21440143500011"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "la clé de contrôle ne correspond pas" in html
    assert 'value="Médiathèque de Rezé"' in html
    assert Reuse.objects.count() == 0


def test_a_visitor_is_sent_to_sign_in(browse, project):
    response = browse(None).post(f"/projects/{project.pk}/reuses/", FORM)
    assert response.status_code in (302, 401, 403)
    assert Reuse.objects.count() == 0


def test_verify_and_refuse_through_the_page(browse, project, stranger, reviewer, owner):
    reuse = services.declare_reuse(by=stranger, project=project, **BODY)
    assert f"/reuses/{reuse.pk}/verify/" in page(browse, reviewer, project)
    assert f"/reuses/{reuse.pk}/verify/" not in page(browse, owner, project)
    # The team posting anyway is refused and nothing is written.
    response = browse(owner).post(f"/projects/{project.pk}/reuses/{reuse.pk}/verify/", {})
    assert response.status_code == 403
    assert ReuseEvent.objects.count() == 1
    response = browse(reviewer).post(
        f"/projects/{project.pk}/reuses/{reuse.pk}/refuse/", {f"reuse-{reuse.pk}-note": ""}
    )
    assert response.status_code == 400
    response = browse(reviewer).post(
        f"/projects/{project.pk}/reuses/{reuse.pk}/verify/", {f"reuse-{reuse.pk}-note": "Vu."}
    )
    assert response.status_code == 302
    reuse.refresh_from_db()
    assert reuse.status == "verified"
    assert "Confirmer pour un an" in page(browse, stranger, project)
    response = browse(stranger).post(f"/projects/{project.pk}/reuses/{reuse.pk}/confirm/", {})
    assert response.status_code == 302
    assert reuse.history.last().action == "confirmed"
    assert (
        browse(stranger).post(f"/projects/{project.pk}/reuses/{reuse.pk}/steal/").status_code == 404
    )


def test_renewal_through_the_page(browse, at_commons, reviewer, reviewer2, owner):
    html = page(browse, reviewer, at_commons)
    assert 'data-renewal="renewed"' in html
    assert "Ouvrir une revue de renouvellement" in html
    assert "Ouvrir une revue de renouvellement" not in page(browse, owner, at_commons)
    assert browse(reviewer).post(f"/projects/{at_commons.pk}/renewals/").status_code == 302
    review = RenewalReview.objects.get()
    assert 'id="renewal-form"' in page(browse, reviewer, at_commons)
    assert 'id="renewal-form"' not in page(browse, owner, at_commons)
    vote = {
        "renewal-outcome": "at_risk",
        "renewal-rationale": "Fragile.",
        "renewal-recovery_plan": "",
        "renewal-recovery_due": "",
    }
    response = browse(reviewer).post(f"/renewals/{review.pk}/vote/", vote)
    assert response.status_code == 400
    assert review.votes.count() == 0
    response = browse(owner).post(f"/renewals/{review.pk}/vote/", vote)
    assert response.status_code == 403
    vote.update({"renewal-recovery_plan": "Relancer.", "renewal-recovery_due": "2099-01-31"})
    for person in (reviewer, reviewer2):
        assert browse(person).post(f"/renewals/{review.pk}/vote/", vote).status_code == 302
    html = page(browse, None, at_commons)
    assert 'data-renewal="at_risk"' in html
    assert "Commun en danger" in html
    assert "Relancer." in html
    fragment = browse(None).get(f"/projects/{at_commons.pk}/live/commons/").content.decode()
    assert fragment.startswith('<div id="commons-badge"><p><span class="badge renewal-at_risk">')
    assert '<div id="commons-section">' in fragment


def test_the_inbox_lists_reuses_to_verify_and_renewals_to_decide(
    browse, at_commons, project, stranger, reviewer, reviewer2, owner
):
    reuse = services.declare_reuse(
        by=stranger, project=at_commons, **{**BODY, "siret": "21440143500026"}
    )
    own = services.declare_reuse(
        by=reviewer,
        project=at_commons,
        **{**BODY, "siret": "", "organisation_uri": "https://a.example/"},
    )
    review = services.open_renewal(by=reviewer2, project=at_commons)
    html = browse(reviewer).get("/inbox/").content.decode()
    assert f"#reuse-{reuse.pk}" in html
    assert f"#reuse-{own.pk}" not in html  # their own declaration
    assert f"/projects/{at_commons.pk}/#renewal" in html
    services.vote_renewal(by=reviewer, review=review, outcome="renewed", rationale="Oui.")
    assert (
        f"/projects/{at_commons.pk}/#renewal"
        not in browse(reviewer).get("/inbox/").content.decode()
    )
    assert browse(owner).get("/inbox/").status_code == 403
