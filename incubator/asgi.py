"""ASGI entry point: Daphne serves HTTP through Django and websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the apps loaded)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from incubator.routing import websocket_urlpatterns  # noqa: E402


class StrictOriginValidator(OriginValidator):
    """Channels lets a socket without an Origin through when ALLOWED_HOSTS holds "*".
    Browsers always send one, and cross-site socket hijacking hides behind its absence:
    refuse it whatever the settings."""

    def valid_origin(self, parsed_origin):
        return parsed_origin is not None and super().valid_origin(parsed_origin)


def origin_validator(app):
    return StrictOriginValidator(app, settings.ALLOWED_HOSTS)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": origin_validator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
