"""Defence in depth on every answer: a Content-Security-Policy without inline code, a
Permissions-Policy, and JSON 404s under /api/ whatever the profile."""

import re

import pytest
from django.test import Client

PAGES = ["/", "/projects/", "/portfolio/", "/accounts/login/", "/api/docs/", "/api/projects/"]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_policies(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    # One exception: the API docs (Redoc) style themselves with inline <style> elements.
    inline_styles = "'unsafe-inline'" in policy["style-src"]
    assert inline_styles == (path == "/api/docs/")
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/projects/", "/accounts/login/", "/api/docs/"])
def test_no_inline_script_or_style_without_the_nonce(db, client, path):
    response = client.get(path)
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if "src=" in tag:
            continue
        assert nonce and f'nonce="{nonce.group(1)}"' in tag, tag
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/projects/1/nothing/", "/api/"])
def test_unknown_api_addresses_are_json_404s_in_every_profile(db, settings, debug, path):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_body_over_the_upload_limit_is_a_json_400_under_the_api(client, owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client.force_login(owner)
    response = client.post(
        "/api/projects/", data="{" + '"x": 1, ' * 500 + '"y": 2}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "bad_request"
    client.logout()
    page = client.post("/accounts/login/", data={"username": "x" * 2_000, "password": "y"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
