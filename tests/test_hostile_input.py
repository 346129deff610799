"""Input no interface expects, on the pages and the API alike: a clear 400, never a 500."""

import pytest
from django.test import Client

TOO_MANY = "&".join(f"f{n}=1" for n in range(1200))


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/projects/", "/projects/", "/api/portfolio/"])
def test_too_many_query_parameters_answer_400(db, settings, debug, path):
    # DEBUG is on under `make run`: Django's debug page reads the query string again.
    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get(f"{path}?{TOO_MANY}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query", ["page_size=null", "page_size=-1", "page_size=0", "page_size=%C2%B2", "page_size=1.5"]
)
def test_a_page_size_that_is_no_positive_integer_is_refused(db, client, query):
    response = client.get(f"/api/projects/?{query}")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def test_notification_filters_of_the_wrong_type_are_refused(api, member):
    assert api.as_(member).get("/api/notifications/?unread=null").status_code == 400
    assert api.get("/api/notifications/?unread=true").status_code == 200
    assert api.get("/api/notifications/?unread=").status_code == 200  # empty means all
