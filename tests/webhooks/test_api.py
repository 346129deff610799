"""``/api/webhooks/``: who may register what, refusals that write nothing, the secret shown
once, the log and "send again"."""

import pytest

from webhooks.models import Delivery, Endpoint

URL = "http://127.0.0.1:9/hook"  # admitted by WEBHOOKS_ALLOW_LOCAL in these tests
TYPES = ["review.decided", "project.stage_changed"]  # kept in the stream's order


@pytest.fixture(autouse=True)
def local(webhook_settings):
    return webhook_settings


def register(api, by, **body):
    body = {"url": URL, "event_types": TYPES, **body}
    return api.as_(by).post("/api/webhooks/", body)


def test_an_owner_registers_for_their_project_and_sees_the_secret_once(api, owner, project):
    response = register(api, owner, project=project.pk, description="Recoco")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["project"] == project.pk and body["owner"] == "owner"
    assert body["event_types"] == TYPES and body["active"] is True
    endpoint = Endpoint.objects.get()
    assert endpoint.secret == body["secret"]
    shown = api.get(f"/api/webhooks/{endpoint.pk}/").json()
    assert "secret" not in shown and body["secret"] not in str(api.get("/api/webhooks/").json())


@pytest.mark.parametrize(
    ("who", "status"),
    [("visitor", 401), ("stranger", 403), ("member", 403), ("funder", 403), ("reviewer", 403)],
)
def test_only_owners_and_curators_register_for_a_project(api, people, project, who, status):
    response = register(api, people[who], project=project.pk)
    assert response.status_code == status
    assert not Endpoint.objects.exists()


def test_a_hidden_project_is_missing(api, stranger, restricted_project):
    assert register(api, stranger, project=restricted_project.pk).status_code == 404
    assert register(api, stranger, project=10**9).status_code == 404
    assert not Endpoint.objects.exists()


def test_the_whole_portfolio_is_for_curators(api, owner, curator):
    assert register(api, owner).status_code == 403
    response = register(api, curator)
    assert response.status_code == 201 and response.json()["project"] is None


def test_curators_register_for_any_project(api, curator, restricted_project):
    assert register(api, curator, project=restricted_project.pk).status_code == 201


def test_an_unknown_event_type_is_a_400(api, owner, project):
    response = register(api, owner, project=project.pk, event_types=["project.renamed"])
    assert response.status_code == 400
    assert "event_types" in response.json()["errors"]
    assert register(api, owner, project=project.pk, event_types=[]).status_code == 400
    assert (
        register(api, owner, project=project.pk, event_types="comment.created").status_code == 400
    )
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/hook", "private_address"),
        ("https://10.1.2.3/hook", "private_address"),
        ("https://192.168.0.10/hook", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/hook", "private_address"),
        ("https://[::ffff:10.0.0.1]/hook", "private_address"),
        ("https://[fd00:ec2::254]/hook", "private_address"),
        ("https://100.64.0.1/hook", "private_address"),
        ("https://0.0.0.0/hook", "private_address"),
        ("https://user:secret@partner.example.org/hook", "credentials"),
        ("http://partner.example.org/hook", "scheme"),
        ("http://127.0.0.2:8000/hook", "scheme"),
        ("ftp://partner.example.org/hook", "scheme"),
        ("https://[nonsense/hook", "bad_url"),
        ("https://no-such-host.invalid/hook", "unresolvable"),
    ],
)
def test_invalid_and_private_addresses_are_refused(api, owner, project, url, code):
    response = register(api, owner, project=project.pk, url=url)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert response.json()["errors"]["url"]
    assert not Endpoint.objects.exists()


def test_local_addresses_are_refused_without_the_test_setting(api, owner, project, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    response = register(api, owner, project=project.pk)
    assert response.status_code == 400 and response.json()["code"] == "scheme"


def test_an_unknown_field_is_a_400(api, owner, project):
    assert register(api, owner, project=project.pk, secret="mine").status_code == 400
    assert not Endpoint.objects.exists()


def test_the_number_of_endpoints_is_limited(api, owner, project, settings):
    settings.WEBHOOKS_MAX_ENDPOINTS = 2
    for _n in range(2):
        assert register(api, owner, project=project.pk).status_code == 201
    response = register(api, owner, project=project.pk)
    assert response.status_code == 409 and response.json()["code"] == "too_many_endpoints"


@pytest.fixture
def endpoint(api, owner, project):
    return Endpoint.objects.get(pk=register(api, owner, project=project.pk).json()["id"])


@pytest.mark.parametrize("who", ["stranger", "member", "reviewer", "funder"])
def test_others_do_not_see_an_endpoint(api, people, endpoint, who):
    client = api.as_(people[who])
    base = f"/api/webhooks/{endpoint.pk}/"
    assert client.get(base).status_code == 404
    assert client.patch(base, {"active": False}).status_code == 404
    assert client.delete(base).status_code == 404
    assert client.post(f"{base}rotate-secret/").status_code == 404
    assert client.get(f"{base}deliveries/").status_code == 404
    assert client.get("/api/webhooks/").json() == []
    endpoint.refresh_from_db()
    assert endpoint.active


def test_a_visitor_is_asked_to_sign_in(api, endpoint):
    api.as_(None)
    assert api.get("/api/webhooks/").status_code == 401
    assert api.get(f"/api/webhooks/{endpoint.pk}/").status_code == 401


def test_curators_see_every_endpoint(api, curator, endpoint):
    rows = api.as_(curator).get("/api/webhooks/").json()
    assert [row["id"] for row in rows] == [endpoint.pk]
    assert api.get(f"/api/webhooks/?project={endpoint.project_id}").json()[0]["id"] == endpoint.pk
    assert api.get("/api/webhooks/?project=abc").status_code == 400


def test_patch_changes_types_and_switches_off_and_on(api, owner, endpoint):
    client = api.as_(owner)
    base = f"/api/webhooks/{endpoint.pk}/"
    response = client.patch(base, {"event_types": ["comment.created"], "description": "x"})
    assert response.status_code == 200 and response.json()["event_types"] == ["comment.created"]
    response = client.patch(base, {"active": False})
    assert response.json()["status"] == "disabled"
    assert response.json()["disabled_reason"] == "by_person"
    assert client.patch(base, {"active": True}).json()["active"] is True
    assert client.patch(base, {"event_types": ["nope"]}).status_code == 400
    assert client.patch(base, {"url": "https://10.0.0.1/"}).status_code == 400
    assert client.patch(base, {"active": "maybe"}).status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["comment.created"] and endpoint.url == URL


def test_rotating_gives_a_new_secret_once_and_keeps_the_old_one_signing(api, owner, endpoint):
    old = endpoint.secret
    response = api.as_(owner).post(f"/api/webhooks/{endpoint.pk}/rotate-secret/")
    assert response.status_code == 200
    body = response.json()
    assert body["secret"] != old and body["previous_secret_until"]
    endpoint.refresh_from_db()
    assert endpoint.secrets() == [body["secret"], old]


def test_delete_removes_the_endpoint_and_its_log(api, owner, endpoint):
    assert api.as_(owner).delete(f"/api/webhooks/{endpoint.pk}/").status_code == 204
    assert not Endpoint.objects.exists()


def test_event_types_are_listed(api):
    rows = api.get("/api/webhooks/event-types/").json()
    assert "project.stage_changed" in [row["type"] for row in rows]


def test_the_log_and_send_again(api, owner, project, endpoint, comment, run_tasks, receiver):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        url=receiver.url, event_types=["comment.created"]
    )
    receiver.secret = endpoint.secret
    comment(owner, project, "Bonjour")
    run_tasks()
    client = api.as_(owner)
    log = client.get(f"/api/webhooks/{endpoint.pk}/deliveries/").json()
    assert log["count"] == 1
    [row] = log["results"]
    assert row["status"] == "delivered" and row["attempt_log"][0]["status_code"] == 204
    assert client.get(f"/api/webhooks/{endpoint.pk}/deliveries/?status=failed").json()["count"] == 0
    assert client.get(f"/api/webhooks/{endpoint.pk}/deliveries/?status=nope").status_code == 400
    again = client.post(f"/api/webhooks/{endpoint.pk}/deliveries/{row['id']}/send-again/")
    assert again.status_code == 202
    run_tasks()
    messages = receiver.wait_for(2)
    assert [m["id"] for m in messages] == [row["message_id"]] * 2
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2 and delivery.attempt_log.filter(manual=True).count() == 1
    missing = client.post(f"/api/webhooks/{endpoint.pk}/deliveries/999999/send-again/")
    assert missing.status_code == 404
