"""The commons models in the admin: staff read them (lists, filters, search, each record with
its history), and nothing there writes: no add, change or delete, no bulk action. Every
change goes through ``commons.services``."""

import pytest

from commons import services
from commons.models import Commons, RenewalReview, RenewalVote, Reuse, ReuseEvent

pytestmark = pytest.mark.django_db

MODELS = {
    "reuse": Reuse,
    "reuseevent": ReuseEvent,
    "commons": Commons,
    "renewalreview": RenewalReview,
    "renewalvote": RenewalVote,
}
# A filter of each list that keeps the records of the fixture.
FILTERS = {
    "reuse": "status__exact=verified",
    "reuseevent": "action__exact=verified",
    "commons": "status__exact=renewed",
    "renewalreview": "status__exact=open",
    "renewalvote": "outcome__exact=renewed",
}


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("boss", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def records(at_commons, reviewer):
    """A verified reuse (the walk's), a commons row and an open renewal with one vote."""
    review = services.open_renewal(by=reviewer, project=at_commons)
    services.vote_renewal(by=reviewer, review=review, outcome="renewed", rationale="Vivant.")
    assert all(model.objects.exists() for model in MODELS.values())
    return at_commons


def url(name, suffix=""):
    return f"/admin/commons/{name}/{suffix}"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_staff_read_every_list_with_its_filters_and_search(admin_client, records, name):
    model = MODELS[name]
    field, value = FILTERS[name].split("=")
    expected = {
        "": model.objects.count(),
        f"?{FILTERS[name]}": model.objects.filter(**{field: value}).count(),
        "?q=inclusion": model.objects.count(),  # the project's title
        "?q=inconnu": 0,
    }
    for query, count in expected.items():
        answer = admin_client.get(url(name) + query)
        assert answer.status_code == 200, query
        assert answer.context["cl"].result_count == count, query
    assert expected[f"?{FILTERS[name]}"] > 0
    page = admin_client.get(url(name)).content.decode()
    assert "delete_selected" not in page  # no bulk action
    assert url(name, "add/") not in page


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_record_is_shown_and_nothing_is_offered_to_write(admin_client, records, name):
    record = MODELS[name].objects.order_by("pk").first()
    answer = admin_client.get(url(name, f"{record.pk}/change/"))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'name="_save"' not in page
    assert url(name, f"{record.pk}/delete/") not in page


@pytest.mark.parametrize("name", sorted(MODELS))
def test_writes_are_refused(admin_client, records, name):
    model = MODELS[name]
    record = model.objects.order_by("pk").first()
    before = list(model.objects.order_by("pk").values())
    assert admin_client.get(url(name, "add/")).status_code == 403
    assert admin_client.post(url(name, "add/"), {}).status_code == 403
    assert admin_client.post(url(name, f"{record.pk}/change/"), {}).status_code == 403
    deleting = admin_client.post(url(name, f"{record.pk}/delete/"), {"post": "yes"})
    assert deleting.status_code == 403
    bulk = admin_client.post(
        url(name), {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)  # Django ignores an action it does not offer
    assert list(model.objects.order_by("pk").values()) == before


def test_the_reuse_page_shows_its_history_and_the_review_its_votes(admin_client, records):
    reuse = Reuse.objects.get()
    page = admin_client.get(url("reuse", f"{reuse.pk}/change/")).content.decode()
    assert "Vérifiée" in page and "Déclarée" in page
    review = RenewalReview.objects.get()
    page = admin_client.get(url("renewalreview", f"{review.pk}/change/")).content.decode()
    assert "Vivant." in page


def test_visitors_and_people_without_staff_are_sent_to_the_login(client, records, reviewer):
    assert client.get(url("reuse")).status_code == 302
    client.force_login(reviewer)
    assert client.get(url("reuse")).status_code == 302
