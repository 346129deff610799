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
