"""Signing in to the API: tokens for scripts, sessions (with CSRF) for the browser."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import issue_token
from projects.models import Project
from tests.conftest import PASSWORD

TOKEN_URL = "/api/auth/token/"
PROPOSAL = {"title": "Tiers-lieu numérique", "summary": "Un lieu ouvert."}


def test_a_token_for_a_username_and_password(api, curator):
    response = api.post(TOKEN_URL, {"username": "curator", "password": PASSWORD, "name": "CI"})
    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    assert (body["name"], body["user"], body["active"]) == ("CI", "curator", True)
    # Only a digest is stored; asking again gives another token.
    assert not ApiToken.objects.filter(digest=token).exists()
    assert token not in repr(list(ApiToken.objects.values()))
    again = api.post(TOKEN_URL, {"username": "curator", "password": PASSWORD}).json()["token"]
    assert again != token and ApiToken.objects.filter(user=curator).count() == 2
    client = APIClient()
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "curator"
    assert me.json()["roles"] == ["curators"]
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"username": "curator", "password": "wrong"}, {"non_field_errors"}),
        ({"username": "nobody", "password": PASSWORD}, {"non_field_errors"}),
        ({"username": "curator"}, {"password"}),
        ({"username": "curator", "password": PASSWORD, "otp": "1"}, {"otp"}),
        ({"username": ["curator"], "password": PASSWORD}, {"username"}),
        ({"username": "x" * 151, "password": PASSWORD}, {"username"}),
    ],
)
def test_wrong_credentials_are_a_400_in_the_error_format(api, curator, body, fields):
    response = api.post(TOKEN_URL, body)
    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"detail", "code", "errors"}
    assert set(error["errors"]) == fields
    assert not ApiToken.objects.exists()


def test_an_inactive_person_gets_no_token(api, make_user):
    make_user("sleeper", is_active=False)
    response = api.post(TOKEN_URL, {"username": "sleeper", "password": PASSWORD})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"non_field_errors"}
    assert not ApiToken.objects.exists()


def test_a_bad_token_is_a_401(db):
    client = APIClient()
    response = client.post("/api/projects/", PROPOSAL, HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"
    assert not Project.objects.exists()


def test_a_token_writes_without_csrf(curator):
    _token, key = issue_token(user=curator, name="script")
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/projects/", PROPOSAL, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 201


def test_a_session_write_needs_the_csrf_token(owner):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="owner", password=PASSWORD)
    refused = client.post("/api/projects/", PROPOSAL)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Project.objects.exists()

    # The browser holds the csrftoken cookie (set by any page with a form) and echoes it.
    secret = "k" * 32
    client.cookies["csrftoken"] = secret
    accepted = client.post("/api/projects/", PROPOSAL, HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201
    assert Project.objects.count() == 1


def test_a_session_reads_without_csrf(owner, project):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="owner", password=PASSWORD)
    assert client.get(f"/api/projects/{project.pk}/").json()["permissions"]["edit"] is True


def test_who_am_i(api, member, project, restricted_project):
    assert api.get("/api/me/").status_code == 401
    me = api.as_(member).get("/api/me/").json()
    assert me["username"] == "member"
    assert me["roles"] == []
    assert me["sees_everything"] is False
    assert sorted((m["project"], m["role"]) for m in me["memberships"]) == sorted(
        [(project.pk, "member"), (restricted_project.pk, "member")]
    )


@pytest.mark.parametrize("path", ["/api/themes/", "/api/territories/"])
def test_reference_lists_are_public_and_cacheable(api, path, db):
    response = api.get(path)
    assert response.status_code == 200
    assert len(response.json()) > 10
    assert "max-age=300" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]


def test_territories_are_departements_and_regions(api, db):
    codes = {t["code"]: t["kind"] for t in api.get("/api/territories/").json()}
    assert codes["44"] == "departement"
    assert codes["2A"] == "departement"
    assert codes["R52"] == "region"


def test_signing_in_on_the_page_opens_an_api_session(client, owner, settings):
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/api/me/").status_code == 401
    signed_in = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/api/me/").json()["username"] == "owner"
