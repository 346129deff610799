"""Named API tokens: listed, revoked by their owner or a curator, ended by a new password."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import issue_token
from tests.conftest import PASSWORD

NEW = "another-password-5678"


def works(key) -> int:
    return APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_revoking_the_token_of_the_request(member):
    _token, key = issue_token(user=member, name="script")
    client = APIClient()
    assert client.delete("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert works(key) == 401
    assert client.delete("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert client.delete("/api/auth/token/").status_code == 401
    client.force_login(member)
    assert client.delete("/api/auth/token/").status_code == 400  # a session, not a token


def test_listing_and_revoking_by_id(api, member, stranger):
    first, first_key = issue_token(user=member, name="laptop")
    _second, second_key = issue_token(user=member, name="ci")
    theirs, their_key = issue_token(user=stranger, name="theirs")
    listed = api.as_(member).get("/api/auth/tokens/").json()
    assert [t["name"] for t in listed] == ["ci", "laptop"]
    assert all("token" not in t and "digest" not in t for t in listed)
    assert api.delete(f"/api/auth/tokens/{first.pk}/").status_code == 204
    assert api.delete(f"/api/auth/tokens/{theirs.pk}/").status_code == 404  # not theirs
    assert api.delete("/api/auth/tokens/999999/").status_code == 404
    assert (works(first_key), works(second_key), works(their_key)) == (401, 200, 200)
    assert api.get("/api/auth/tokens/").json()[1]["revoked_at"] is not None
    assert api.as_(None).get("/api/auth/tokens/").status_code == 401
    assert api.as_(None).delete(f"/api/auth/tokens/{theirs.pk}/").status_code == 401


def test_curators_list_and_revoke_anyones(api, curator, member):
    token, key = issue_token(user=member, name="laptop")
    listed = api.as_(curator).get(f"/api/auth/tokens/?user={member.pk}").json()
    assert [(t["user"], t["name"]) for t in listed] == [("member", "laptop")]
    assert api.get("/api/auth/tokens/?user=%C2%B2").status_code == 400
    assert api.delete(f"/api/auth/tokens/{token.pk}/").status_code == 204
    assert works(key) == 401


def test_a_password_change_revokes_every_token(member):
    _token, key = issue_token(user=member, name="laptop")
    browser = Client()
    browser.force_login(member)
    response = browser.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert works(key) == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


def test_a_password_reset_revokes_every_token(member):
    _token, key = issue_token(user=member, name="laptop")
    browser = Client()
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(member)}/"
    form = browser.get(link, follow=True)
    assert form.status_code == 200
    response = browser.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert works(key) == 401
    assert mail.outbox == []


def test_tokens_page_issues_lists_and_revokes(client, member):
    client.force_login(member)
    assert client.get("/account/tokens/").status_code == 200
    created = client.post("/account/tokens/", {"name": "Mon script"})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=member)
    key = created.context["new_key"]
    assert key.startswith("nec_") and key in created.content.decode()
    assert works(key) == 200
    assert "Mon script" in client.get("/account/tokens/").content.decode()
    revoked = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert works(key) == 401


def test_tokens_page_refusals(client, member, stranger):
    token, _key = issue_token(user=stranger, name="theirs")
    assert client.get("/account/tokens/").status_code == 302  # to the sign-in page
    client.force_login(member)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post("/account/tokens/", {"name": "x" * 101}).status_code == 400
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token nec_unknown", "Token \xe9"])
def test_malformed_or_unknown_tokens_are_a_401(db, header):
    response = APIClient().get("/api/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


# Every way a password is set ends the person's tokens, not only the self-service pages:
# each token carries a fingerprint of the password hash it was issued under.


def test_a_password_set_in_the_admin_revokes_every_token(make_user, member):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    _token, key = issue_token(user=member, name="laptop")
    admin = Client()
    admin.force_login(boss)
    response = admin.post(
        f"/admin/auth/user/{member.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert works(key) == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_the_changepassword_command_revokes_every_token(member, monkeypatch):
    from django.contrib.auth.management.commands import changepassword

    _token, key = issue_token(user=member, name="laptop")
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": NEW)
    call_command("changepassword", "member", stdout=io.StringIO())
    assert works(key) == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_set_password_then_save_revokes_every_token(member, stranger):
    _token, key = issue_token(user=member, name="laptop")
    _theirs, their_key = issue_token(user=stranger, name="theirs")
    member.set_password(NEW)
    member.save()
    assert (works(key), works(their_key)) == (401, 200)
    assert ApiToken.objects.get(user=member).revoked_at is not None
    # A token issued under the new password works.
    assert works(issue_token(user=member, name="new")[1]) == 200


def test_a_password_written_past_the_model_still_ends_the_tokens(member):
    """An UPDATE that skips ``save()`` (no signal runs): the fingerprint refuses the token."""
    _token, key = issue_token(user=member, name="laptop")
    get_user_model().objects.filter(pk=member.pk).update(password=make_password(NEW))
    assert works(key) == 401
    token = ApiToken.objects.get()
    assert token.revoked_at is not None and not token.active
    listed = APIClient()
    listed.force_authenticate(get_user_model().objects.get(pk=member.pk))
    assert [t["active"] for t in listed.get("/api/auth/tokens/").json()] == [False]
