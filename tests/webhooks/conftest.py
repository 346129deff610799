import pytest

from projects.events import TYPES
from webhooks import services

from .receiver import Receiver


@pytest.fixture
def webhook_settings(settings):
    """Receivers on 127.0.0.1 (as the scanner's tests serve repositories), short limits."""
    settings.WEBHOOKS_ALLOW_LOCAL = True
    settings.WEBHOOKS_TIMEOUT = 2
    settings.WEBHOOKS_RETRY_SECONDS = 10
    settings.COMMENT_RATE = (1000, 60)
    return settings


@pytest.fixture
def receiver(webhook_settings):
    server = Receiver()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def make_receiver(webhook_settings):
    started = []

    def make():
        server = Receiver()
        started.append(server)
        return server

    yield make
    for server in started:
        server.release()
        server.stop()


@pytest.fixture
def register():
    """Register an endpoint through the service and give its secret to ``receiver``."""

    def make(by, receiver, *, project=None, event_types=TYPES, url=None):
        endpoint, secret = services.register_endpoint(
            by=by,
            url=url or receiver.url,
            event_types=list(event_types),
            project_id=project.pk if project else None,
        )
        receiver.secret = secret
        return endpoint

    return make


@pytest.fixture
def comment(api):
    """Post a comment through the API, as a person would."""

    def post(by, project, body="Bonjour"):
        response = api.as_(by).post(f"/api/projects/{project.pk}/comments/", {"body": body})
        assert response.status_code == 201, response.content
        return response.json()

    return post
