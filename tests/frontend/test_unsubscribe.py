"""One-click unsubscribe: a signed token per person and kinds; bad links change nothing."""

import pytest
from django.core import signing
from django.test import Client

from notifications.models import NotificationPreference
from notifications.services import set_preferences
from outbox.mail import UNSUBSCRIBE_SALT, unsubscribe_token


@pytest.fixture
def subscribed(member):
    set_preferences(
        by=member, choices={"mention": {"email": "immediate"}, "reply": {"email": "daily"}}
    )
    return member


def email_of(user, kind):
    return NotificationPreference.objects.get(user=user, kind=kind).email


def test_the_link_asks_first_then_one_post_unsubscribes(subscribed):
    client = Client()
    url = f"/unsubscribe/{unsubscribe_token(subscribed.pk, ['mention'])}/"
    page = client.get(url)  # a link scanner following the link changes nothing
    assert page.status_code == 200 and b"<form" in page.content
    assert email_of(subscribed, "mention") == "immediate"
    # RFC 8058: the mail client posts List-Unsubscribe=One-Click, with no session or CSRF.
    client = Client(enforce_csrf_checks=True)
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert email_of(subscribed, "mention") == "never"
    assert email_of(subscribed, "reply") == "daily"  # other kinds are untouched
    again = client.post(url)
    assert again.status_code == 200 and "déjà".encode() in again.content


@pytest.mark.parametrize("damage", ["forged", "tampered", "expired", "garbage", "wrong salt"])
def test_a_bad_token_shows_a_clear_page_and_changes_nothing(subscribed, damage, monkeypatch):
    good = unsubscribe_token(subscribed.pk, ["mention"])
    token = {
        "forged": signing.dumps(
            {"u": subscribed.pk, "k": ["mention"]}, key="x" * 50, salt=UNSUBSCRIBE_SALT
        ),
        "tampered": good.replace(good[2], "A" if good[2] != "A" else "B", 1),
        "expired": good,
        "garbage": "not-a-token",
        "wrong salt": signing.dumps({"u": subscribed.pk, "k": ["mention"]}),
    }[damage]
    if damage == "expired":
        monkeypatch.setattr("outbox.mail.UNSUBSCRIBE_MAX_AGE", -1)
    client = Client()
    for response in (client.get(f"/unsubscribe/{token}/"), client.post(f"/unsubscribe/{token}/")):
        assert response.status_code == 400
        assert b"pas valable" in response.content
    assert email_of(subscribed, "mention") == "immediate"


def test_a_token_for_an_unknown_kind_or_person_changes_nothing(subscribed):
    for token in (
        unsubscribe_token(subscribed.pk, ["gossip"]),
        unsubscribe_token(99999, ["mention"]),
    ):
        assert Client().post(f"/unsubscribe/{token}/").status_code == 400
    assert email_of(subscribed, "mention") == "immediate"
