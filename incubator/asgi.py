"""ASGI entry point: Daphne serves HTTP through Django and websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the apps loaded)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402
from django.utils.http import is_same_domain  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402


def allowed_origin(scope) -> bool:
    """Django's CSRF rule for the Origin of a socket: exactly the scheme, host and port the
    socket was opened on (an allowed host; ``wss`` or the proxy's TLS header meaning
    https), or one of ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.org`` included). A
    missing or ``null`` Origin is refused: browsers always send one, and cross-site socket
    hijacking hides behind its absence."""
    headers = {}
    for name, value in scope.get("headers", []):
        headers.setdefault(name.lower(), value.decode("latin1"))
    origin = headers.get(b"origin", "").strip()
    if not origin or origin == "null":
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    scheme, _sep, netloc = origin.partition("://")
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted_scheme, _sep, trusted_netloc = trusted.partition("://")
        wildcard = "*" in trusted_netloc and trusted_scheme == scheme
        if wildcard and is_same_domain(netloc, trusted_netloc.replace("*", "", 1)):
            return True
    host = headers.get(b"host", "")
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    secure = scope.get("scheme") == "wss"
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, value = proxy
        forwarded = headers.get(header.removeprefix("HTTP_").lower().replace("_", "-").encode())
        if forwarded is not None:
            secure = forwarded.split(",")[0].strip() == value
    return origin == f"{'https' if secure else 'http'}://{host}"


class OriginCheck:
    """Refuses the handshake of a socket whose Origin ``allowed_origin`` does not accept."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not allowed_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginCheck(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
