"""The webhook pages: register (the secret shown once), refusals in the form, the state,
the rotation, the log with "send again", and nothing for people who may not."""

import pytest

from tests.webhooks.receiver import Receiver
from webhooks.models import Delivery, Endpoint
from webhooks.services import register_endpoint

TYPES = ["comment.created", "project.stage_changed"]


@pytest.fixture(autouse=True)
def local(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    settings.WEBHOOKS_TIMEOUT = 2


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def form(url, scope, types=TYPES, **extra):
    return {"url": url, "scope": str(scope), "event_types": types, "description": "", **extra}


def test_an_owner_registers_and_sees_the_secret_once(browse, owner, project, receiver):
    client = browse(owner)
    page = client.get(f"/account/webhooks/?project={project.pk}")
    assert page.status_code == 200
    assert f'value="{project.pk}" selected' in page.content.decode()
    response = client.post("/account/webhooks/", form(receiver.url, project.pk))
    assert response.status_code == 201
    endpoint = Endpoint.objects.get()
    html = response.content.decode()
    assert endpoint.secret in html and endpoint.url in html
    again = client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret not in again and "Journal des envois" in again


def test_a_private_address_is_refused_in_the_form(browse, owner, project):
    response = browse(owner).post("/account/webhooks/", form("https://10.0.0.8/hook", project.pk))
    assert response.status_code == 400
    assert "adresse privée" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_an_unknown_event_type_is_refused_in_the_form(browse, owner, project, receiver):
    response = browse(owner).post(
        "/account/webhooks/", form(receiver.url, project.pk, types=["project.renamed"])
    )
    assert response.status_code == 400
    assert not Endpoint.objects.exists()


def test_a_project_one_does_not_own_cannot_be_chosen(browse, member, project, receiver):
    client = browse(member)
    page = client.get("/account/webhooks/").content.decode()
    assert "Seuls les porteurs" in page
    assert client.post("/account/webhooks/", form(receiver.url, project.pk)).status_code == 400
    assert not Endpoint.objects.exists()


def test_curators_may_follow_the_whole_portfolio(browse, curator, receiver):
    response = browse(curator).post("/account/webhooks/", form(receiver.url, "portfolio"))
    assert response.status_code == 201
    assert Endpoint.objects.get().project is None


@pytest.fixture
def endpoint(owner, project, receiver):
    endpoint, secret = register_endpoint(
        by=owner, url=receiver.url, event_types=TYPES, project_id=project.pk
    )
    receiver.secret = secret
    return endpoint


@pytest.mark.parametrize("who", ["stranger", "member", "reviewer", "funder"])
def test_others_get_404(browse, people, endpoint, who):
    client = browse(people[who])
    assert client.get(endpoint.get_absolute_url()).status_code == 404
    assert client.post(endpoint.get_absolute_url(), {"action": "delete"}).status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_visitor_is_sent_to_sign_in(browse, endpoint):
    response = browse().get(endpoint.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_switch_off_and_on_rotate_and_delete(browse, owner, endpoint):
    client = browse(owner)
    url = endpoint.get_absolute_url()
    assert client.post(url, {"action": "disable"}).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "Réactiver" in client.get(url).content.decode()
    client.post(url, {"action": "enable"})
    endpoint.refresh_from_db()
    assert endpoint.active
    rotated = client.post(url, {"action": "rotate"})
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret in rotated.content.decode()
    assert "L'ancien secret signe encore" in rotated.content.decode()
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert not Endpoint.objects.exists()


def test_settings_are_changed_through_the_form(browse, owner, endpoint):
    client = browse(owner)
    url = endpoint.get_absolute_url()
    bad = client.post(url, {"action": "update", "url": "https://[::1]/", "event_types": TYPES})
    assert bad.status_code == 400
    good = client.post(
        url,
        {"action": "update", "url": endpoint.url, "event_types": ["comment.created"]},
    )
    assert good.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["comment.created"]


def test_the_log_shows_attempts_and_sends_again(
    browse, api, owner, project, endpoint, receiver, run_tasks, settings
):
    settings.COMMENT_RATE = (1000, 60)
    receiver.mode = "fail"
    api.as_(owner).post(f"/api/projects/{project.pk}/comments/", {"body": "Bonjour"})
    run_tasks()
    client = browse(owner)
    html = client.get(endpoint.get_absolute_url()).content.decode()
    assert "HTTP 500" in html and "comment.created" in html
    delivery = Delivery.objects.get()
    receiver.mode = "ok"
    response = client.post(
        endpoint.get_absolute_url(), {"action": "send_again", "delivery": delivery.pk}
    )
    assert response.status_code == 302
    run_tasks()
    assert len(receiver.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert "HTTP 204" in client.get(endpoint.get_absolute_url()).content.decode()
