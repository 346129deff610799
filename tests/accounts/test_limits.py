"""Guessing is limited: failed sign-ins per account and per address, reset mails per
e-mail address, with a clear message and Retry-After."""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts import limits
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.AUTH_LIMITS = {
        "sign_in_account": (5, 900),
        "sign_in_address": (20, 900),
        "reset_email": (2, 3600),
        "reset_address": (10, 3600),
    }


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def token(username, password, address="10.0.0.1"):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_sixty_wrong_passwords_then_the_right_one_is_refused_on_the_page(member):
    client = Client()
    answers = [sign_in(client, "member", f"wrong-{n}").status_code for n in range(60)]
    assert answers[:5] == [200] * 5 and set(answers[5:]) == {429}
    refused = sign_in(client, "member", PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 900
    assert "Trop de tentatives" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    assert sign_in(Client(REMOTE_ADDR="10.9.9.9"), "other", "x").status_code == 200


def test_the_token_endpoint_shares_the_accounts_limit(member):
    for n in range(3):
        assert sign_in(Client(), "member", f"wrong-{n}").status_code == 200
    for n in range(2):
        assert token("member", f"wrong-{n}").status_code == 400
    refused = token("member", PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 900


def test_one_address_cannot_try_many_accounts(make_user):
    make_user("victim")
    for n in range(20):
        assert token(f"someone{n}", "guess").status_code == 400
    assert token("victim", PASSWORD).status_code == 429
    assert token("victim", PASSWORD, address="10.0.0.2").status_code == 201


def test_a_success_clears_the_accounts_failures(member):
    for n in range(4):
        token("member", f"wrong-{n}")
    assert token("member", PASSWORD).status_code == 201
    for n in range(4):
        assert token("member", f"wrong-{n}").status_code == 400
    assert token("member", PASSWORD).status_code == 201


def test_reset_mails_to_one_address_are_limited(member):
    client = Client()
    answers = [
        client.post("/accounts/password_reset/", {"email": "member@example.org"}).status_code
        for _ in range(5)
    ]
    assert answers == [302, 302, 429, 429, 429]
    assert len(mail.outbox) == 2
    # An address without an account is limited alike: the answer never tells.
    answers = [
        client.post("/accounts/password_reset/", {"email": "nobody@example.org"}).status_code
        for _ in range(3)
    ]
    assert answers == [302, 302, 429]


def test_the_reset_refusal_says_why(member):
    client = Client()
    for _ in range(2):
        client.post("/accounts/password_reset/", {"email": "member@example.org"})
    refused = client.post("/accounts/password_reset/", {"email": "member@example.org"})
    assert "Trop de tentatives" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 3600


def test_failures_counted_from_many_threads_are_all_counted(settings):
    """Counters are atomic (``add`` then ``incr``: one Redis command each in production),
    so failures recorded at the same moment by several processes are all counted."""
    settings.AUTH_LIMITS = {**settings.AUTH_LIMITS, "sign_in_account": (10_000, 900)}
    threads, per_thread = 8, 100
    start = threading.Barrier(threads)

    def hammer():
        start.wait()
        for _ in range(per_thread):
            limits.record(("sign_in_account", "victim"))

    # Switch threads as often as possible, so that the in-memory cache interleaves too.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(hammer) for _ in range(threads)]:
                future.result()
    finally:
        sys.setswitchinterval(interval)
    assert limits.failures(("sign_in_account", "victim")) == threads * per_thread
